// A basic.consume subscription: the queue-side Consumer, delivering through
// its channel and limited by the channel's prefetch and flow state.
import type { FieldTable } from "../amqp/field_table.ts";
import type { Consumer } from "../broker/consumer.ts";
import type { QueueEntry } from "../broker/message.ts";
import type { Queue } from "../broker/queue.ts";
import type { Channel } from "./channel.ts";

export class ChannelConsumer implements Consumer {
  /** Deliveries of this consumer not yet acked. */
  unacked = 0;
  readonly arguments: FieldTable;

  constructor(
    readonly channel: Channel,
    readonly queue: Queue,
    readonly tag: string,
    readonly noAck: boolean,
    readonly exclusive: boolean,
    args: FieldTable,
    /** basic.qos prefetch_count in force when the consumer started; 0 = unlimited */
    readonly prefetchCount: number,
  ) {
    this.arguments = args;
  }

  get owner(): object {
    return this.channel.host;
  }

  canDeliver(): boolean {
    if (!this.channel.canDeliver()) return false;
    if (this.noAck) return true;
    return (this.prefetchCount === 0 || this.unacked < this.prefetchCount) &&
      this.channel.withinGlobalPrefetch();
  }

  deliver(queue: Queue, entry: QueueEntry): void {
    this.channel.deliver(this, queue, entry);
  }

  cancelledByBroker(_queue: Queue): void {
    this.channel.consumerCancelledByBroker(this);
  }
}
