// A channel's delivery tags: each delivery in ack mode is remembered under
// its tag until it is acked, rejected or requeued. Tags grow by one, so the
// map iterates in tag order and a `multiple` ack walks only what it covers.
import { preconditionFailed } from "../amqp/errors.ts";
import type { QueueEntry } from "../broker/message.ts";
import type { Queue } from "../broker/queue.ts";
import type { ChannelConsumer } from "./channel_consumer.ts";

/** A delivery awaiting ack: where it came from and who got it. */
export interface Unacked {
  tag: number;
  /** Epoch ms of delivery, for consumer_timeout. */
  deliveredAt: number;
  queue: Queue;
  entry: QueueEntry;
  /** null for basic.get */
  consumer: ChannelConsumer | null;
}

export class Deliveries {
  #lastTag = 0;
  #unacked = new Map<number, Unacked>();

  /** Deliveries and gets on this channel so far: each took the next tag. */
  get deliveredCount(): number {
    return this.#lastTag;
  }

  get size(): number {
    return this.#unacked.size;
  }

  values(): IterableIterator<Unacked> {
    return this.#unacked.values();
  }

  /** A new delivery tag; remembered when the delivery must be acked. */
  next(queue: Queue, entry: QueueEntry, consumer: ChannelConsumer | null, needsAck: boolean): number {
    const tag = ++this.#lastTag;
    if (needsAck) {
      this.#unacked.set(tag, { tag, deliveredAt: Date.now(), queue, entry, consumer });
      if (consumer) consumer.unacked++;
    }
    return tag;
  }

  /** A tag for a delivery that is never acked (direct reply-to). */
  nextUntracked(): number {
    return ++this.#lastTag;
  }

  /**
   * Removes the deliveries a tag names, as RabbitMQ does: the tag itself must
   * be outstanding (406 otherwise, and nothing is taken), even with `multiple`;
   * only `multiple` with tag 0 means "everything outstanding", none included.
   */
  take(deliveryTag: number, multiple: boolean): Unacked[] {
    const unacked = this.#unacked;
    if (multiple && deliveryTag === 0) return this.takeAll();
    if (multiple) {
      if (!unacked.has(deliveryTag)) throw unknownTag(deliveryTag);
      const out: Unacked[] = [];
      for (const [tag, u] of unacked) {
        if (tag > deliveryTag) break;
        out.push(u);
        unacked.delete(tag);
      }
      return out;
    }
    const u = unacked.get(deliveryTag);
    if (!u) throw unknownTag(deliveryTag);
    unacked.delete(deliveryTag);
    return [u];
  }

  /** When the oldest unacked delivery went out (tags are in delivery order); 0 when none. */
  get oldestDeliveredAt(): number {
    for (const u of this.#unacked.values()) return u.deliveredAt;
    return 0;
  }

  takeAll(): Unacked[] {
    const all = [...this.#unacked.values()];
    this.#unacked.clear();
    return all;
  }

  /** Puts taken deliveries back (a rolled-back transaction's acks never happened). */
  restore(taken: Unacked[]): void {
    if (taken.length === 0) return;
    const merged = [...this.#unacked.values(), ...taken].sort((a, b) => a.tag - b.tag);
    this.#unacked = new Map(merged.map((u) => [u.tag, u]));
  }
}

function unknownTag(tag: number) {
  return preconditionFailed(`unknown delivery tag ${tag}`);
}
