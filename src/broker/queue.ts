// A queue: ready messages in order, its consumers, and the count of messages
// delivered but not yet settled (the delivery tags themselves live with the
// channel that holds them). RabbitMQ's per-queue extensions — TTL, length
// limits, dead-lettering, priorities, single active consumer, consumer
// priorities, queue expiry — are driven by `settings` and cost nothing when
// unset.
//
// A durable queue writes its persistent messages to the store, and once its
// in-memory backlog passes a bound it pages every further message out:
// those live only in the store until the in-memory window runs low and the
// next batch is read back. Paged messages always follow every in-memory one
// in sequence order, so the queue stays FIFO. Expiry reaches them the same
// way: once the in-memory ones are gone, the TTL sweep reads the next batch
// back and expires it, one bounded batch per turn of the event loop.
import type { FieldTable } from "../amqp/field_table.ts";
import { accessRefused } from "../amqp/errors.ts";
import { present } from "../assert.ts";
import type { Store } from "../store/store.ts";
import type { Consumer } from "./consumer.ts";
import { Deque } from "./deque.ts";
import type { Binding } from "./exchange/exchange.ts";
import { Message, QueueEntry } from "./message.ts";
import { DeliveryCounters } from "./node_counters.ts";
import { NO_SETTINGS, type QueueSettings } from "./queue_settings.ts";
import { PriorityReadyList, type ReadyList } from "./ready_list.ts";

/** Past this many ready messages in memory a durable queue pages new ones out... */
export const PAGE_OUT_AT_MESSAGES = 8192;
/** ...or past this many ready body bytes. */
export const PAGE_OUT_AT_BYTES = 32 * 1024 * 1024;
/** Paged messages are read back in batches of this many when fewer are left in memory. */
export const PAGE_IN_BATCH = 2048;

export type DeadLetterReason = "rejected" | "expired" | "maxlen" | "delivery_limit";

export interface QueueOptions {
  durable: boolean;
  /** The connection that declared an exclusive queue; null when shared. */
  exclusiveOwner: object | null;
  autoDelete: boolean;
  arguments: FieldTable;
  settings?: QueueSettings;
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
  /** The earliest expiry among the recovered messages (0: none expires), so expiry runs without a client. */
  nextExpiresAt?: number;
}

/** What the vhost does for a queue: dead-letter messages, and delete the queue when it expires or is unused. */
export interface QueueHost {
  /** `settled`, when given, hears of each entry whether some queue took its dead letter. */
  deadLetter(
    queue: Queue,
    entries: QueueEntry[],
    reason: DeadLetterReason,
    settled?: (entry: QueueEntry, routed: boolean) => void,
  ): void;
  remove(queue: Queue): void;
}

export class Queue {
  readonly kind = "queue" as const;
  readonly durable: boolean;
  readonly exclusiveOwner: object | null;
  readonly autoDelete: boolean;
  readonly arguments: FieldTable;
  readonly ready: ReadyList;
  readonly consumers: Consumer[] = [];
  /** Bindings with this queue as the destination. */
  readonly bindings = new Set<Binding>();
  readonly stats: QueueStats = { published: 0, delivered: 0, acked: 0, redelivered: 0 };
  unackedCount = 0;
  deleted = false;
  /** Set per routing pass so a message reaching the queue twice is enqueued once. */
  routeMark = 0;
  host: QueueHost | null = null;
  /** The node's counters for this queue's type; a queue outside any vhost counts into its own. */
  deliveryCounters = new DeliveryCounters();
  #settings: QueueSettings;
  readonly #store: Store | null;
  readonly #storeId: number;
  /** Quorum queues keep how often each message was delivered, so the count survives a restart. */
  readonly #countsDeliveries: boolean;
  /** Priority queues keep every message in memory: paging works on one sequence order. */
  readonly #pagingAllowed: boolean;
  #pagedCount: number;
  /** Highest sequence number that has been in memory; paged messages all come after it. */
  #lastInMemorySeq = 0;
  #readyBytes = 0;
  readonly #recoveredDeliveredSeq: number;
  #nextSeq: number;
  #rr = 0;
  #dispatching = false;
  #hadConsumer = false;
  #ttlTimer: ReturnType<typeof setTimeout> | undefined;
  #ttlTimerAt = 0;
  #expiryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly vhost: string, readonly name: string, options: QueueOptions, storage?: QueueStorage) {
    this.durable = options.durable;
    this.exclusiveOwner = options.exclusiveOwner;
    this.autoDelete = options.autoDelete;
    this.arguments = options.arguments;
    this.#settings = options.settings ?? NO_SETTINGS;
    this.ready = this.#settings.maxPriority !== null
      ? new PriorityReadyList(this.#settings.maxPriority)
      : new Deque<QueueEntry>();
    this.#store = storage && storage.storeId !== 0 ? storage.store : null;
    this.#storeId = storage?.storeId ?? 0;
    this.#pagedCount = storage?.pagedCount ?? 0;
    this.#nextSeq = storage?.nextSeq ?? 1;
    this.#recoveredDeliveredSeq = storage?.deliveredSeq ?? 0;
    this.#pagingAllowed = this.#store !== null && this.#settings.maxPriority === null;
    this.#countsDeliveries = this.storesEveryMessage;
    if (this.#pagedCount > 0 && !this.#pagingAllowed) this.#pageIn(Number.MAX_SAFE_INTEGER);
    // A timer, not a sweep now: the vhost that takes the dead letters is still being recovered.
    if (this.#pagedCount > 0 && storage?.nextExpiresAt) this.#armTtlTimer(storage.nextExpiresAt);
    this.#armQueueExpiry();
  }

  /** The x-queue-type this queue has, as RabbitMQ names it. */
  get type(): string {
    return "classic";
  }

  /**
   * Whether every message is stored and fsynced before its confirm, persistent
   * or not (a classic queue stores persistent messages only).
   */
  get storesEveryMessage(): boolean {
    return false;
  }

  /** Whether consumers may use a channel's global prefetch (basic.qos global). */
  get supportsGlobalQos(): boolean {
    return true;
  }

  get settings(): QueueSettings {
    return this.#settings;
  }

  /** A policy changed the effective settings (priority and arguments stay as declared). */
  applySettings(settings: QueueSettings): void {
    this.#settings = { ...settings, maxPriority: this.#settings.maxPriority };
    this.#armQueueExpiry();
    this.#expireNow();
    this.#enforceLimits();
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

  /** Ready messages kept only in the store until consumers get near them. */
  get pagedCount(): number {
    return this.#pagedCount;
  }

  get readyBytes(): number {
    return this.#readyBytes;
  }

  /** Adds a message; false when the queue's overflow rule refused it (reject-publish). */
  enqueue(message: Message): boolean {
    const s = this.#settings;
    if (s.maxLength !== null || s.maxLengthBytes !== null) {
      if (s.overflow !== "drop-head" && this.refusesPublish(message.body.length)) {
        if (s.overflow === "reject-publish-dlx") {
          this.host?.deadLetter(this, [new QueueEntry(message, 0)], "maxlen");
        }
        return false;
      }
    }
    const entry = new QueueEntry(message, this.#nextSeq++);
    this.stats.published++;
    const now = Date.now();
    this.#setExpiry(entry, message, now);
    this.#append(entry, now);
    return true;
  }

  /** Puts an entry at the tail: in memory, or paged out when the queue is past its memory bound. */
  #append(entry: QueueEntry, now: number): void {
    const s = this.#settings;
    const message = entry.message;
    const store = this.#store;
    if (store !== null) {
      if (
        this.#pagingAllowed &&
        (this.#pagedCount > 0 || this.ready.length >= PAGE_OUT_AT_MESSAGES ||
          this.#readyBytes >= PAGE_OUT_AT_BYTES)
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
    // Judged by the clock the expiry was set with: a TTL of 0 still reaches a consumer ready right now.
    if (this.consumers.length > 0) this.dispatch(now);
    // Limits apply to what stays in the queue: a consumer ready right now gets the message even at
    // x-max-length 0, as in RabbitMQ.
    if (s.maxLength !== null || s.maxLengthBytes !== null) this.#enforceLimits();
    // ...and one that no consumer took expires at once, as in RabbitMQ, not when the timer fires.
    if (entry.expiresAt === now) this.#expireNow();
  }

  /** x-overflow reject-publish: whether a message of this size is refused now. */
  protected refusesPublish(incomingBytes: number): boolean {
    const s = this.#settings;
    if (s.maxLength !== null && this.messageCount >= s.maxLength) return true;
    return s.maxLengthBytes !== null && this.#readyBytes + incomingBytes > s.maxLengthBytes;
  }

  /** drop-head: the oldest ready messages go (dead-lettered as maxlen) until the limits hold. */
  #enforceLimits(): void {
    const s = this.#settings;
    if (s.overflow !== "drop-head") return;
    const dropped: QueueEntry[] = [];
    while (
      this.messageCount > 0 &&
      ((s.maxLength !== null && this.messageCount > s.maxLength) ||
        (s.maxLengthBytes !== null && this.#readyBytes > s.maxLengthBytes))
    ) {
      const entry = this.#shiftReady();
      if (!entry) break;
      dropped.push(entry);
    }
    if (dropped.length > 0) this.deadLetter(dropped, "maxlen");
  }

  // ---- TTL -------------------------------------------------------------

  #setExpiry(entry: QueueEntry, message: Message, now: number): void {
    const queueTtl = this.#settings.messageTtlMs;
    const messageTtl = message.expirationMs;
    if (queueTtl === null && messageTtl === null) return;
    const ttl = queueTtl === null
      ? messageTtl!
      : messageTtl === null
      ? queueTtl
      : Math.min(queueTtl, messageTtl);
    entry.expiresAt = now + ttl;
    this.#armTtlTimer(entry.expiresAt);
  }

  #armTtlTimer(at: number): void {
    if (this.#ttlTimer !== undefined && this.#ttlTimerAt <= at) return;
    clearTimeout(this.#ttlTimer);
    this.#ttlTimerAt = at;
    this.#ttlTimer = setTimeout(() => {
      this.#ttlTimer = undefined;
      this.#expireNow();
    }, Math.max(0, at - Date.now()));
  }

  /** Removes every expired ready message, wherever it is in the queue, and re-arms for the next. */
  #expireNow(): void {
    if (this.deleted) return;
    const now = Date.now();
    let next = 0;
    const expired = this.ready.removeWhere((e) => {
      if (e.expiresAt === 0) return false;
      if (e.expiresAt <= now) return true;
      if (next === 0 || e.expiresAt < next) next = e.expiresAt;
      return false;
    });
    for (const e of expired) this.#readyBytes -= e.message.body.length;
    if (expired.length > 0) this.deadLetter(expired, "expired");
    if (next !== 0) this.#armTtlTimer(next);
    // The paged messages are next in line: read the next batch back. Its expired ones arm a
    // timer that is already due, so each batch goes in a turn of its own and memory stays bounded.
    if (this.#pagedCount > 0 && this.ready.length < PAGE_IN_BATCH / 2) this.#pageIn(PAGE_IN_BATCH);
  }

  // ---- queue expiry (x-expires) -----------------------------------------

  /** Restarts the x-expires clock: the queue was used (declared, consumed from, got from). */
  touch(): void {
    this.#armQueueExpiry();
  }

  /** A passive declare counts as use of a classic queue. */
  passivelyDeclared(): void {
    this.touch();
  }

  #armQueueExpiry(): void {
    clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    const ms = this.#settings.expiresMs;
    if (ms === null || this.deleted || this.consumers.length > 0) return;
    this.#expiryTimer = setTimeout(() => {
      this.#expiryTimer = undefined;
      if (this.consumers.length === 0) this.host?.remove(this);
    }, ms);
  }

  // ---- ready list and paging ------------------------------------------

  #pushReady(entry: QueueEntry): void {
    this.ready.push(entry);
    this.#readyBytes += entry.message.body.length;
    if (entry.seq > this.#lastInMemorySeq) this.#lastInMemorySeq = entry.seq;
  }

  #shiftReady(now = Date.now()): QueueEntry | undefined {
    while (true) {
      // Inside the loop: when a whole batch read back has expired, the next one may hold a live message.
      if (this.#pagedCount > 0 && this.ready.length < PAGE_IN_BATCH / 2) this.#pageIn(PAGE_IN_BATCH);
      const entry = this.ready.shift();
      if (!entry) return undefined;
      this.#readyBytes -= entry.message.body.length;
      // Strictly past: a TTL of 0 still reaches a consumer that can take the message at once.
      if (entry.expiresAt !== 0 && entry.expiresAt < now) {
        // Expired at the head: never delivered.
        this.deadLetter([entry], "expired");
        continue;
      }
      return entry;
    }
  }

  /** The store of a queue that holds stored or paged-out entries: only a queue with one has them. */
  #storeOf(): Store {
    return present(this.#store, "a queue with stored or paged-out entries has a store");
  }

  /** Reads the next paged-out messages back into memory. */
  #pageIn(limit: number): void {
    const rows = this.#storeOf().loadMessages(this.#storeId, this.#lastInMemorySeq, limit);
    if (rows.length === 0) {
      this.#pagedCount = 0;
      return;
    }
    const deliveryLimit = this.#settings.deliveryLimit;
    let overLimit: QueueEntry[] | null = null;
    for (const r of rows) {
      const m = new Message(r.exchange, r.routingKey, r.rawProperties, r.body, r.persistent);
      m.storeId = r.messageId;
      const entry = new QueueEntry(m, r.seq, r.seq <= this.#recoveredDeliveredSeq || r.deliveryCount > 0);
      entry.deliveryCount = r.deliveryCount;
      entry.stored = true;
      entry.expiresAt = r.expiresAt;
      // Out with a consumer when the node went down: that return counted, and may be one too many.
      if (deliveryLimit !== null && entry.deliveryCount > deliveryLimit) {
        (overLimit ??= []).push(entry);
        continue;
      }
      if (r.expiresAt !== 0) this.#armTtlTimer(r.expiresAt);
      this.#pushReady(entry);
    }
    this.#pagedCount = Math.max(0, this.#pagedCount - rows.length);
    if (overLimit !== null) this.deadLetter(overLimit, "delivery_limit");
  }

  // ---- delivery -------------------------------------------------------

  /** Hands ready messages to consumers that can take them. */
  dispatch(now = Date.now()): void {
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      while (this.consumers.length > 0 && this.messageCount > 0) {
        const consumer = this.#nextConsumer();
        if (consumer === null) break;
        const entry = this.#shiftReady(now);
        if (entry === undefined) break;
        this.#markDelivered(entry, consumer.noAck);
        if (consumer.noAck) this.deliveryCounters.deliveredConsumeAutoAck++;
        else this.deliveryCounters.deliveredConsumeManualAck++;
        consumer.deliver(this, entry);
      }
    } finally {
      this.#dispatching = false;
    }
  }

  /**
   * The consumer for the next message: with single-active-consumer only the
   * first; otherwise round robin among the highest-priority consumers that
   * have room.
   */
  #nextConsumer(): Consumer | null {
    const cs = this.consumers;
    const n = cs.length;
    if (this.#settings.singleActiveConsumer) return cs[0].canDeliver() ? cs[0] : null;
    if (n === 1) return cs[0].canDeliver() ? cs[0] : null;
    let best = -1;
    let bestPriority = -Infinity;
    for (let k = 0; k < n; k++) {
      const idx = (this.#rr + k) % n;
      const c = cs[idx];
      const p = consumerPriority(c);
      if (p > bestPriority && c.canDeliver()) {
        best = idx;
        bestPriority = p;
      }
    }
    if (best < 0) return null;
    this.#rr = (best + 1) % n;
    return cs[best];
  }

  /** basic.get: the head message, or undefined when none is ready. */
  get(noAck: boolean): QueueEntry | undefined {
    this.touch();
    const entry = this.#shiftReady();
    const counters = this.deliveryCounters;
    if (entry === undefined) counters.getEmpty++;
    else {
      this.#markDelivered(entry, noAck);
      if (noAck) counters.deliveredGetAutoAck++;
      else counters.deliveredGetManualAck++;
    }
    return entry;
  }

  #markDelivered(entry: QueueEntry, noAck: boolean): void {
    this.stats.delivered++;
    if (entry.redelivered) {
      this.stats.redelivered++;
      this.deliveryCounters.redelivered++;
    }
    if (noAck) this.#forget(entry);
    else {
      this.unackedCount++;
      if (entry.stored) {
        this.#storeOf().markDelivered(this.#storeId, entry.seq);
        if (this.#countsDeliveries) {
          this.#storeOf().setDeliveryCount(this.#storeId, entry, entry.deliveryCount + 1);
        }
      }
    }
  }

  /**
   * The properties a delivery of `entry` carries: the publisher's, as
   * published. (The channel sends `rawProperties` itself for an entry with no
   * returns, without asking.)
   */
  deliveryProperties(entry: QueueEntry, _viaGet: boolean): Uint8Array {
    return entry.message.rawProperties;
  }

  /** The message leaves the queue for good. */
  #forget(entry: QueueEntry): void {
    if (entry.stored && !this.deleted) this.#storeOf().removeMessage(this.#storeId, entry);
  }

  /** The consumer or getter is done with an unacked message. */
  ack(entry: QueueEntry): void {
    this.unackedCount--;
    this.stats.acked++;
    this.deliveryCounters.acknowledged++;
    this.#forget(entry);
  }

  /** Rejected without requeue: the message leaves the queue, dead-lettered if configured. */
  discard(entry: QueueEntry, reason: DeadLetterReason = "rejected"): void {
    this.unackedCount--;
    this.deadLetter([entry], reason);
  }

  /** Messages leave the queue for good, to its dead-letter exchange if it has one. */
  protected deadLetter(entries: QueueEntry[], reason: DeadLetterReason): void {
    for (const e of entries) this.#forget(e);
    if (!this.deleted) this.host?.deadLetter(this, entries, reason);
  }

  /** The message leaves the queue for good (for subclasses that keep dead letters until they are routed). */
  protected forget(entry: QueueEntry): void {
    this.#forget(entry);
  }

  /**
   * Puts unacked messages back in arrival order, marked redelivered: ahead of every
   * ready message that arrived after them, behind the ones requeued earlier that
   * arrived before them (as RabbitMQ keeps a queue in order across requeues).
   * `_holderGone`: the channel holding them closed, rather than rejecting them
   * (a classic queue does the same either way).
   */
  requeue(entries: QueueEntry[], _holderGone = false): void {
    if (entries.length === 0) return;
    this.unackedCount -= entries.length;
    if (this.deleted) return;
    entries.sort((a, b) => b.seq - a.seq);
    let seq = 0;
    const arrivedLater = (other: QueueEntry) => other.seq > seq;
    for (const entry of entries) {
      entry.redelivered = true;
      seq = entry.seq;
      this.ready.insertBefore(entry, arrivedLater);
      this.#readyBytes += entry.message.body.length;
    }
    // RabbitMQ applies drop-head to requeued messages too: the limits hold before anything is redelivered.
    const s = this.#settings;
    if (s.maxLength !== null || s.maxLengthBytes !== null) this.#enforceLimits();
    // ...and a message whose TTL ran out while it was unacked expires now, not when it is next looked at.
    const now = Date.now();
    if (entries.some((e) => e.expiresAt !== 0 && e.expiresAt <= now)) this.#expireNow();
    this.dispatch();
  }

  /**
   * Puts an unacked message back at the tail, as a new entry carrying its
   * delivery count (quorum queues' return). A stored one moves to a new row.
   */
  protected returnToTail(entry: QueueEntry): void {
    this.unackedCount--;
    if (this.deleted) return;
    const back = new QueueEntry(entry.message, this.#nextSeq++, true);
    back.deliveryCount = entry.deliveryCount;
    back.expiresAt = entry.expiresAt;
    if (back.expiresAt !== 0) this.#armTtlTimer(back.expiresAt);
    // The new row is added before the old one goes, so the message is never released in between.
    this.#append(back, Date.now());
    if (entry.stored) this.#storeOf().removeMessage(this.#storeId, entry);
  }

  /**
   * The queue type's checks of a new consumer, before consume-ok (streams
   * need a prefetch and manual acks); the channel asks after finding the queue.
   */
  checkConsume(_consumer: { noAck: boolean; prefetchCount: number; arguments: FieldTable }): void {}

  /** Whether queue.purge may empty this queue (streams refuse it). */
  checkPurge(): void {}

  addConsumer(consumer: Consumer): void {
    this.checkConsumable(consumer.exclusive);
    this.consumers.push(consumer);
    this.#hadConsumer = true;
    this.#armQueueExpiry();
    this.dispatch();
  }

  /**
   * 403 when an exclusive consumer holds the queue, or an exclusive one is
   * asked for while others consume or on a single-active-consumer queue (as
   * RabbitMQ refuses it there); the channel asks before consume-ok.
   */
  checkConsumable(exclusive: boolean): void {
    if (
      this.consumers.some((c) => c.exclusive) ||
      (exclusive && (this.consumers.length > 0 || this.#settings.singleActiveConsumer))
    ) {
      throw accessRefused(`queue '${this.name}' in vhost '${this.vhost}' in exclusive use`);
    }
  }

  removeConsumer(consumer: Consumer): void {
    const i = this.consumers.indexOf(consumer);
    if (i < 0) return;
    this.consumers.splice(i, 1);
    if (this.#rr > i) this.#rr--;
    if (this.consumers.length === 0 && this.autoDelete && this.#hadConsumer && !this.deleted) {
      this.host?.remove(this);
      return;
    }
    this.#armQueueExpiry();
    // With a single active consumer the next one takes over what is waiting.
    if (i === 0 && this.#settings.singleActiveConsumer) this.dispatch();
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

  /** The queue is gone: stop its timers. */
  close(): void {
    clearTimeout(this.#ttlTimer);
    clearTimeout(this.#expiryTimer);
    this.#ttlTimer = undefined;
    this.#expiryTimer = undefined;
  }
}

function consumerPriority(c: Consumer): number {
  const p = c.arguments["x-priority"];
  return typeof p === "number" ? p : typeof p === "bigint" ? Number(p) : 0;
}
