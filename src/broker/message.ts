// A published message as the broker holds it: routing info, the publisher's
// raw property bytes (written back verbatim on delivery) and the body. One
// Message is shared by every queue it was routed to.
import { type BasicProperties, decodeProperties } from "../amqp/properties.ts";

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

  constructor(
    readonly message: Message,
    /** position in the queue's arrival order, for requeueing in order */
    readonly seq: number,
    public redelivered = false,
  ) {}
}
