// A queue: ready messages in arrival order, its consumers served round
// robin, and the count of messages delivered but not yet settled (the
// delivery tags themselves live with the channel that holds them).
//
// A durable queue writes its persistent messages to the store, and once
// its in-memory backlog passes a bound it pages every further message out:
// those live only in the store until the in-memory window runs low and the
// next batch is read back. Paged messages always follow every in-memory one
// in sequence order, so the queue stays FIFO.
import type { FieldTable } from "../amqp/field_table.ts";
import { accessRefused } from "../amqp/errors.ts";
import type { Store } from "../store/store.ts";
import type { Consumer } from "./consumer.ts";
import { Deque } from "./deque.ts";
import type { Binding } from "./exchange/exchange.ts";
import { Message, QueueEntry } from "./message.ts";

/** Past this many ready messages in memory a durable queue pages new ones out... */
export const PAGE_OUT_AT_MESSAGES = 8192;
/** ...or past this many ready body bytes. */
export const PAGE_OUT_AT_BYTES = 32 * 1024 * 1024;
/** Paged messages are read back in batches of this many when fewer are left in memory. */
export const PAGE_IN_BATCH = 2048;

export interface QueueOptions {
  durable: boolean;
  /** The connection that declared an exclusive queue; null when shared. */
  exclusiveOwner: object | null;
  autoDelete: boolean;
  arguments: FieldTable;
}

export interface QueueStats {
  published: number;
  delivered: number;
  acked: number;
  redelivered: number;
}

/** Where a durable queue keeps its messages, and where a recovered one resumes. */
export interface QueueStorage {
  store: Store;
  storeId: number;
  pagedCount?: number;
  nextSeq?: number;
  /** Recovered messages up to here may have been delivered before the restart. */
  deliveredSeq?: number;
}

export class Queue {
  readonly kind = "queue" as const;
  readonly durable: boolean;
  readonly exclusiveOwner: object | null;
  readonly autoDelete: boolean;
  readonly arguments: FieldTable;
  readonly ready = new Deque<QueueEntry>();
  readonly consumers: Consumer[] = [];
  /** Bindings with this queue as the destination. */
  readonly bindings = new Set<Binding>();
  readonly stats: QueueStats = { published: 0, delivered: 0, acked: 0, redelivered: 0 };
  unackedCount = 0;
  deleted = false;
  /** Set per routing pass so a message reaching the queue twice is enqueued once. */
  routeMark = 0;
  /** Called when an auto-delete queue loses its last consumer. */
  onUnused: ((queue: Queue) => void) | null = null;
  readonly #store: Store | null;
  readonly #storeId: number;
  #pagedCount: number;
  /** Highest sequence number that has been in memory; paged messages all come after it. */
  #lastInMemorySeq = 0;
  #readyBytes = 0;
  readonly #recoveredDeliveredSeq: number;
  #nextSeq: number;
  #rr = 0;
  #dispatching = false;
  #hadConsumer = false;

  constructor(readonly vhost: string, readonly name: string, options: QueueOptions, storage?: QueueStorage) {
    this.durable = options.durable;
    this.exclusiveOwner = options.exclusiveOwner;
    this.autoDelete = options.autoDelete;
    this.arguments = options.arguments;
    this.#store = storage && storage.storeId !== 0 ? storage.store : null;
    this.#storeId = storage?.storeId ?? 0;
    this.#pagedCount = storage?.pagedCount ?? 0;
    this.#nextSeq = storage?.nextSeq ?? 1;
    this.#recoveredDeliveredSeq = storage?.deliveredSeq ?? 0;
  }

  get storeId(): number {
    return this.#storeId;
  }

  get messageCount(): number {
    return this.ready.length + this.#pagedCount;
  }

  get consumerCount(): number {
    return this.consumers.length;
  }

  enqueue(message: Message): void {
    const entry = new QueueEntry(message, this.#nextSeq++);
    this.stats.published++;
    const store = this.#store;
    if (store !== null) {
      if (
        this.#pagedCount > 0 || this.ready.length >= PAGE_OUT_AT_MESSAGES ||
        this.#readyBytes >= PAGE_OUT_AT_BYTES
      ) {
        entry.stored = true;
        store.addMessage(this.#storeId, entry);
        this.#pagedCount++;
        if (this.consumers.length > 0) this.dispatch();
        return;
      }
      if (message.persistent) {
        entry.stored = true;
        store.addMessage(this.#storeId, entry);
      }
    }
    this.#pushReady(entry);
    if (this.consumers.length > 0) this.dispatch();
  }

  #pushReady(entry: QueueEntry): void {
    this.ready.push(entry);
    this.#readyBytes += entry.message.body.length;
    if (entry.seq > this.#lastInMemorySeq) this.#lastInMemorySeq = entry.seq;
  }

  #shiftReady(): QueueEntry | undefined {
    if (this.#pagedCount > 0 && this.ready.length < PAGE_IN_BATCH / 2) this.#pageIn();
    const entry = this.ready.shift();
    if (entry) this.#readyBytes -= entry.message.body.length;
    return entry;
  }

  /** Reads the next batch of paged-out messages back into memory. */
  #pageIn(): void {
    const rows = this.#store!.loadMessages(this.#storeId, this.#lastInMemorySeq, PAGE_IN_BATCH);
    if (rows.length === 0) {
      this.#pagedCount = 0;
      return;
    }
    for (const r of rows) {
      const m = new Message(r.exchange, r.routingKey, r.rawProperties, r.body, r.persistent);
      m.storeId = r.messageId;
      const entry = new QueueEntry(m, r.seq, r.seq <= this.#recoveredDeliveredSeq);
      entry.stored = true;
      this.#pushReady(entry);
    }
    this.#pagedCount = Math.max(0, this.#pagedCount - rows.length);
  }

  /** Hands ready messages to consumers that can take them, round robin. */
  dispatch(): void {
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      const cs = this.consumers;
      while (cs.length > 0 && this.messageCount > 0) {
        const n = cs.length;
        let found = -1;
        for (let k = 0; k < n; k++) {
          const idx = (this.#rr + k) % n;
          if (cs[idx].canDeliver()) {
            found = idx;
            break;
          }
        }
        if (found < 0) break;
        this.#rr = (found + 1) % n;
        const entry = this.#shiftReady();
        if (entry === undefined) break;
        const consumer = cs[found];
        this.#markDelivered(entry, consumer.noAck);
        consumer.deliver(this, entry);
      }
    } finally {
      this.#dispatching = false;
    }
  }

  /** basic.get: the head message, or undefined when none is ready. */
  get(noAck: boolean): QueueEntry | undefined {
    const entry = this.#shiftReady();
    if (entry) this.#markDelivered(entry, noAck);
    return entry;
  }

  #markDelivered(entry: QueueEntry, noAck: boolean): void {
    this.stats.delivered++;
    if (entry.redelivered) this.stats.redelivered++;
    if (noAck) this.#forget(entry);
    else {
      this.unackedCount++;
      if (entry.stored) this.#store!.markDelivered(this.#storeId, entry.seq);
    }
  }

  /** The message leaves the queue for good. */
  #forget(entry: QueueEntry): void {
    if (entry.stored && !this.deleted) this.#store!.removeMessage(this.#storeId, entry);
  }

  /** The consumer or getter is done with an unacked message. */
  ack(entry: QueueEntry): void {
    this.unackedCount--;
    this.stats.acked++;
    this.#forget(entry);
  }

  /** Rejected without requeue: the message leaves the queue. */
  discard(entry: QueueEntry): void {
    this.unackedCount--;
    this.#forget(entry);
  }

  /**
   * Puts unacked messages back at the head in their original order, marked
   * redelivered.
   */
  requeue(entries: QueueEntry[]): void {
    if (entries.length === 0) return;
    this.unackedCount -= entries.length;
    if (this.deleted) return;
    entries.sort((a, b) => b.seq - a.seq);
    for (const entry of entries) {
      entry.redelivered = true;
      this.ready.unshift(entry);
      this.#readyBytes += entry.message.body.length;
    }
    this.dispatch();
  }

  addConsumer(consumer: Consumer): void {
    if (this.consumers.some((c) => c.exclusive)) {
      throw accessRefused(`queue '${this.name}' in vhost '${this.vhost}' in exclusive use`);
    }
    if (consumer.exclusive && this.consumers.length > 0) {
      throw accessRefused(`queue '${this.name}' in vhost '${this.vhost}' in exclusive use`);
    }
    this.consumers.push(consumer);
    this.#hadConsumer = true;
    this.dispatch();
  }

  removeConsumer(consumer: Consumer): void {
    const i = this.consumers.indexOf(consumer);
    if (i < 0) return;
    this.consumers.splice(i, 1);
    if (this.#rr > i) this.#rr--;
    if (this.consumers.length === 0 && this.autoDelete && this.#hadConsumer && !this.deleted) {
      this.onUnused?.(this);
    }
  }

  /** Drops every ready message, in memory and paged out; returns how many. Unacked ones stay. */
  purge(): number {
    const n = this.messageCount;
    if (this.#store !== null && !this.deleted) {
      for (const entry of this.ready) if (entry.stored) this.#store.removeMessage(this.#storeId, entry);
      if (this.#pagedCount > 0) this.#store.removeMessagesAfter(this.#storeId, this.#lastInMemorySeq);
    }
    this.ready.clear();
    this.#readyBytes = 0;
    this.#pagedCount = 0;
    return n;
  }
}
