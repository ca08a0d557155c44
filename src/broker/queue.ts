// A queue: ready messages in arrival order, its consumers served round
// robin, and the count of messages delivered but not yet settled (the
// delivery tags themselves live with the channel that holds them).
import type { FieldTable } from "../amqp/field_table.ts";
import { accessRefused } from "../amqp/errors.ts";
import type { Consumer } from "./consumer.ts";
import { Deque } from "./deque.ts";
import type { Binding } from "./exchange/exchange.ts";
import { type Message, QueueEntry } from "./message.ts";

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
  #nextSeq = 1;
  #rr = 0;
  #dispatching = false;
  #hadConsumer = false;

  constructor(readonly vhost: string, readonly name: string, options: QueueOptions) {
    this.durable = options.durable;
    this.exclusiveOwner = options.exclusiveOwner;
    this.autoDelete = options.autoDelete;
    this.arguments = options.arguments;
  }

  get messageCount(): number {
    return this.ready.length;
  }

  get consumerCount(): number {
    return this.consumers.length;
  }

  enqueue(message: Message): void {
    this.ready.push(new QueueEntry(message, this.#nextSeq++));
    this.stats.published++;
    if (this.consumers.length > 0) this.dispatch();
  }

  /** Hands ready messages to consumers that can take them, round robin. */
  dispatch(): void {
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      const cs = this.consumers;
      while (this.ready.length > 0 && cs.length > 0) {
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
        const entry = this.ready.shift()!;
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
    const entry = this.ready.shift();
    if (entry) this.#markDelivered(entry, noAck);
    return entry;
  }

  #markDelivered(entry: QueueEntry, noAck: boolean): void {
    this.stats.delivered++;
    if (entry.redelivered) this.stats.redelivered++;
    if (!noAck) this.unackedCount++;
  }

  /** The consumer or getter is done with an unacked message. */
  ack(_entry: QueueEntry): void {
    this.unackedCount--;
    this.stats.acked++;
  }

  /** Rejected without requeue: the message leaves the queue. */
  discard(_entry: QueueEntry): void {
    this.unackedCount--;
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

  /** Drops every ready message; returns how many. Unacked ones stay. */
  purge(): number {
    const n = this.ready.length;
    this.ready.clear();
    return n;
  }
}
