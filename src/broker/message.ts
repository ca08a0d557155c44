// A published message as the broker holds it: routing info, the publisher's
// raw property bytes (written back verbatim on delivery) and the body. One
// Message is shared by every queue it was routed to.
import { type BasicProperties, decodeProperties } from "../amqp/properties.ts";

/** The expiration property's flag bit (bit 8 of the 16-bit flags: the high byte's 0x01). */
const EXPIRATION_FLAG_HIGH_BYTE = 0x01;

export class Message {
  /** Row id once written to a durable store; 0 while only in memory. */
  storeId = 0;
  #props: BasicProperties | undefined;

  constructor(
    readonly exchange: string,
    readonly routingKey: string,
    readonly rawProperties: Uint8Array,
    readonly body: Uint8Array,
    /** delivery_mode 2 */
    readonly persistent: boolean,
  ) {}

  /** The priority property (0 when absent), read only by priority queues. */
  get priority(): number {
    return this.properties.priority ?? 0;
  }

  /**
   * Per-message TTL from the expiration property, in ms; null when absent or
   * not a non-negative integer (RabbitMQ refuses those at publish).
   */
  get expirationMs(): number | null {
    const raw = this.rawProperties;
    if (raw.length < 2 || (raw[0] & EXPIRATION_FLAG_HIGH_BYTE) === 0) return null;
    const e = this.properties.expiration;
    if (e === undefined || !/^\d+$/.test(e)) return null;
    return Number(e);
  }

  /** Decoded properties, built on first use only. */
  get properties(): BasicProperties {
    return this.#props ??= decodeProperties(this.rawProperties);
  }

  get sizeBytes(): number {
    return this.body.length;
  }
}

/** One message's place in one queue. */
export class QueueEntry {
  /** Written to (or read from) the queue's store. */
  stored = false;
  /** The store's bookkeeping until its row commits. */
  storeRow: unknown = null;
  /** Epoch ms after which the message is dead; 0 when it never expires. */
  expiresAt = 0;
  /** Times the message came back unacked (quorum queues count them; classic ones leave 0). */
  deliveryCount = 0;

  constructor(
    readonly message: Message,
    /** position in the queue's arrival order, for requeueing in order */
    readonly seq: number,
    public redelivered = false,
  ) {}
}
