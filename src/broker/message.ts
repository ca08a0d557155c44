// A published message as the broker holds it: routing info, the publisher's
// raw property bytes (written back verbatim on delivery) and the body. One
// Message is shared by every queue it was routed to.
import {
  type BasicProperties,
  decodeProperties,
  EXPIRATION_INDEX,
  PRIORITY_INDEX,
  rawPropertyOffset,
} from "../amqp/properties.ts";

/** The expiration property's flag bit (bit 8 of the 16-bit flags: the high byte's 0x01). */
const EXPIRATION_FLAG_HIGH_BYTE = 0x01;
/**
 * Decoded properties are kept on the message only up to this raw size: a big
 * headers table decodes to about twenty times its size in objects, which
 * would stay on the heap for as long as the message is queued.
 */
const PROPERTIES_CACHE_MAX_BYTES = 1024;

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

  /** The priority property (0 when absent), read only by priority queues, from the raw bytes. */
  get priority(): number {
    const at = rawPropertyOffset(this.rawProperties, PRIORITY_INDEX);
    return at < 0 ? 0 : this.rawProperties[at];
  }

  /**
   * Per-message TTL from the expiration property, in ms; null when absent or
   * not a non-negative integer (RabbitMQ refuses those at publish).
   */
  get expirationMs(): number | null {
    const raw = this.rawProperties;
    if (raw.length < 2 || (raw[0] & EXPIRATION_FLAG_HIGH_BYTE) === 0) return null;
    const at = rawPropertyOffset(raw, EXPIRATION_INDEX);
    const end = at + 1 + raw[at];
    if (end === at + 1) return null;
    let ms = 0;
    for (let i = at + 1; i < end; i++) {
      const digit = raw[i] - 0x30;
      if (digit < 0 || digit > 9) return null;
      ms = ms * 10 + digit;
    }
    return ms;
  }

  /** Decoded properties, built on first use only (and kept only when they are small). */
  get properties(): BasicProperties {
    if (this.#props !== undefined) return this.#props;
    const props = decodeProperties(this.rawProperties);
    if (this.rawProperties.length <= PROPERTIES_CACHE_MAX_BYTES) this.#props = props;
    return props;
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
