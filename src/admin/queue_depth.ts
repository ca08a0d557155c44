// What the management API, ctl and Prometheus count in a queue. For a stream
// this is not what AMQP says: RabbitMQ answers queue.declare-ok with 0
// messages and 0 consumers for a stream, but its management API and metrics
// show the records in the log as ready, none as unacknowledged (reading
// removes nothing), and the stream's consumers.
import type { Queue } from "../broker/queue.ts";
import { StreamQueue } from "../broker/stream_queue.ts";

export interface QueueDepth {
  ready: number;
  unacked: number;
  consumers: number;
}

export function queueDepth(q: Queue): QueueDepth {
  if (q instanceof StreamQueue) {
    return { ready: q.streamInfo().records, unacked: 0, consumers: q.consumers.length };
  }
  return { ready: q.messageCount, unacked: q.unackedCount, consumers: q.consumerCount };
}
