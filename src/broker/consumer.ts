// What a queue needs from a consumer; the server's channel implements it.
import type { Queue } from "./queue.ts";
import type { QueueEntry } from "./message.ts";
import type { FieldTable } from "../amqp/field_table.ts";

export interface Consumer {
  readonly tag: string;
  readonly noAck: boolean;
  readonly exclusive: boolean;
  /** Its deliveries not yet acked. */
  readonly unacked: number;
  readonly arguments: FieldTable;
  /** The connection that owns the consumer, for exclusive-queue checks. */
  readonly owner: object;
  /** False while prefetch is used up, the channel is flow-stopped or the socket is congested. */
  canDeliver(): boolean;
  deliver(queue: Queue, entry: QueueEntry): void;
  /** The queue went away under the consumer (deleted): tell the client. */
  cancelledByBroker(queue: Queue): void;
}
