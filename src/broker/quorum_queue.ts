// A quorum queue on one node, with RabbitMQ 3.10's observable semantics:
// durable only (queue_types.ts), every message stored and fsynced before its
// confirm (persistent or not; delivery_mode is delivered as published), a
// returned message comes back with its delivery count raised (a rejected one
// at the back of the queue), a message returned more than x-delivery-limit
// times is dead-lettered as `delivery_limit`, and deliveries carry
// `x-delivery-count` (basic.get always, a consumer once the message has been
// returned). The count of each stored message is written at delivery, so
// after a crash a message that was out with a consumer comes back counted,
// as RabbitMQ returns it.
import { encodeProperties } from "../amqp/properties.ts";
import type { Consumer } from "./consumer.ts";
import { Message, type QueueEntry } from "./message.ts";
import { type DeadLetterReason, Queue, type QueueOptions, type QueueStorage } from "./queue.ts";
import { NO_SETTINGS, type QueueSettings } from "./queue_settings.ts";

/** Past x-max-length with reject-publish, publishers get in again at this fraction of the limit (rabbit_fifo's). */
const SOFT_LIMIT_FRACTION = 0.8;
/** How often at-least-once dead letters that no queue took are offered again (RabbitMQ's worker: 2 min). */
const DEAD_LETTER_RETRY_MS = 120_000;

export class QuorumQueue extends Queue {
  /** reject-publish: the queue went over its limit and refuses publishes until below the soft limit. */
  #rejecting = false;
  /** at-least-once: dead letters not yet taken by a queue, still stored here, with why they died. */
  readonly #held = new Map<QueueEntry, DeadLetterReason>();
  #heldBytes = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Cancelled consumers that had unacked messages when they went. */
  readonly #cancelledHolding = new Set<Consumer>();

  constructor(vhost: string, name: string, options: QueueOptions, storage?: QueueStorage) {
    // `redelivered` comes from each message's own delivery count, not from the queue's watermark.
    super(
      vhost,
      name,
      { ...options, settings: quorumSettings(options.settings ?? NO_SETTINGS) },
      storage && { ...storage, deliveredSeq: 0 },
    );
  }

  override get type(): string {
    return "quorum";
  }

  override get storesEveryMessage(): boolean {
    return true;
  }

  override get supportsGlobalQos(): boolean {
    return false;
  }

  /** RabbitMQ 3.10's quorum queues take the exclusive flag of basic.consume and do not act on it. */
  override checkConsumable(_exclusive: boolean): void {}

  /** A cancelled consumer still holding messages counts until they are settled, as in RabbitMQ. */
  override get consumerCount(): number {
    if (this.#cancelledHolding.size === 0) return this.consumers.length;
    for (const c of this.#cancelledHolding) if (c.unacked === 0) this.#cancelledHolding.delete(c);
    return this.consumers.length + this.#cancelledHolding.size;
  }

  override removeConsumer(consumer: Consumer): void {
    if (consumer.unacked > 0 && this.consumers.includes(consumer)) this.#cancelledHolding.add(consumer);
    super.removeConsumer(consumer);
  }

  /** A passive declare is no use of a quorum queue: its x-expires clock runs on. */
  override passivelyDeclared(): void {}

  override applySettings(settings: QueueSettings): void {
    super.applySettings(quorumSettings(settings));
  }

  /** Dead letters held by at-least-once dead-lettering (the management API's messages_dlx). */
  get deadLetterCount(): number {
    return this.#held.size;
  }

  get deadLetterBytes(): number {
    return this.#heldBytes;
  }

  /**
   * at-least-once (which RabbitMQ applies only with reject-publish and a
   * dead-letter exchange): a dead letter stays stored here, counted against
   * the length limit, until some queue takes it; what none takes is offered
   * again later.
   */
  protected override deadLetter(entries: QueueEntry[], reason: DeadLetterReason): void {
    const s = this.settings;
    const atLeastOnce = s.deadLetterStrategy === "at-least-once" && s.overflow === "reject-publish" &&
      s.deadLetterExchange !== null;
    if (!atLeastOnce || this.deleted || this.host === null) return super.deadLetter(entries, reason);
    for (const e of entries) {
      this.#held.set(e, reason);
      this.#heldBytes += e.message.body.length;
    }
    this.host.deadLetter(this, entries, reason, this.#settled);
  }

  readonly #settled = (entry: QueueEntry, routed: boolean): void => {
    if (!this.#held.has(entry)) return;
    if (routed) {
      this.#held.delete(entry);
      this.#heldBytes -= entry.message.body.length;
      this.forget(entry);
    } else if (this.#retryTimer === undefined && !this.deleted) {
      this.#retryTimer = setTimeout(() => this.#retry(), DEAD_LETTER_RETRY_MS);
    }
  };

  #retry(): void {
    this.#retryTimer = undefined;
    if (this.deleted || this.host === null) return;
    for (const [entry, reason] of this.#held) this.host.deadLetter(this, [entry], reason, this.#settled);
  }

  override close(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    super.close();
  }

  override enqueue(message: Message): boolean {
    if (message.persistent) return super.enqueue(message);
    // A transient message is stored too: as a persistent twin sharing its bytes and properties.
    return super.enqueue(
      new Message(message.exchange, message.routingKey, message.rawProperties, message.body, true),
    );
  }

  /** RabbitMQ takes the message that puts the queue over its limit and refuses the ones after it. */
  protected override refusesPublish(incomingBytes: number): boolean {
    const s = this.settings;
    // Held dead letters count as RabbitMQ counts them.
    const count = this.messageCount + this.#held.size;
    const bytes = this.readyBytes + this.#heldBytes;
    if (this.#rejecting) {
      const belowCount = s.maxLength === null || count <= Math.trunc(s.maxLength * SOFT_LIMIT_FRACTION);
      const belowBytes = s.maxLengthBytes === null ||
        bytes <= Math.trunc(s.maxLengthBytes * SOFT_LIMIT_FRACTION);
      if (!belowCount || !belowBytes) return true;
      this.#rejecting = false;
    }
    if (
      (s.maxLength !== null && count + 1 > s.maxLength) ||
      (s.maxLengthBytes !== null && bytes + incomingBytes > s.maxLengthBytes)
    ) {
      this.#rejecting = true;
    }
    return false;
  }

  /**
   * Every return counts; past the delivery limit the message is dead-lettered.
   * A rejected (nack, reject, recover) message goes to the back, as in
   * RabbitMQ 3.10, so a poison message cannot block the queue; messages of a
   * channel that closed go back to the head, in order.
   */
  override requeue(entries: QueueEntry[], holderGone = false): void {
    const limit = this.settings.deliveryLimit;
    const toHead: QueueEntry[] = [];
    for (const entry of entries) {
      entry.deliveryCount++;
      if (limit !== null && entry.deliveryCount > limit) this.discard(entry, "delivery_limit");
      else if (holderGone) toHead.push(entry);
      else this.returnToTail(entry);
    }
    if (toHead.length > 0) super.requeue(toHead);
  }

  override deliveryProperties(entry: QueueEntry, viaGet: boolean): Uint8Array {
    const m = entry.message;
    if (entry.deliveryCount === 0 && !viaGet) return m.rawProperties;
    const props = m.properties;
    // A 64-bit long, as RabbitMQ writes it; the message itself keeps its properties unchanged.
    const headers = { ...props.headers, "x-delivery-count": BigInt(entry.deliveryCount) };
    return encodeProperties({ ...props, headers });
  }
}

/**
 * What a quorum queue makes of its settings: no priorities, and
 * reject-publish-dlx acts as drop-head (RabbitMQ 3.10 accepts it and
 * drops the head, dead-lettering it as maxlen).
 */
function quorumSettings(s: QueueSettings): QueueSettings {
  if (s.overflow !== "reject-publish-dlx" && s.maxPriority === null) return s;
  return {
    ...s,
    overflow: s.overflow === "reject-publish-dlx" ? "drop-head" : s.overflow,
    maxPriority: null,
  };
}
