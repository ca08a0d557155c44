// Node-wide counters that only ever grow, for Prometheus to rate(): the
// churn of connections, channels and queues, and what happened to messages.
// They outlive the objects they count (a deleted queue's deliveries still
// count), which per-object statistics cannot. Each is a plain number field,
// bumped where the event happens; nothing on the message path does more.

/** The reasons a queue dead-letters a message (queue.ts's DeadLetterReason, named here to avoid a cycle). */
type Reason = "rejected" | "expired" | "maxlen" | "delivery_limit";

/** How messages left queues, by the way they were taken (RabbitMQ's rabbitmq_global_messages_* families). */
export class DeliveryCounters {
  deliveredConsumeAutoAck = 0;
  deliveredConsumeManualAck = 0;
  deliveredGetAutoAck = 0;
  deliveredGetManualAck = 0;
  redelivered = 0;
  acknowledged = 0;
  getEmpty = 0;
}

/** Dead-lettered messages by reason, split by whether the queue had a dead-letter exchange. */
export class DeadLetterCounters {
  readonly withExchange: Record<Reason, number> = { rejected: 0, expired: 0, maxlen: 0, delivery_limit: 0 };
  readonly withoutExchange: Record<Reason, number> = {
    rejected: 0,
    expired: 0,
    maxlen: 0,
    delivery_limit: 0,
  };
}

/** The queue types RabbitMQ's global counters are labelled by, as Queue.type names them. */
export const COUNTED_QUEUE_TYPES = ["classic", "quorum", "stream"] as const;
export type CountedQueueType = typeof COUNTED_QUEUE_TYPES[number];

export class NodeCounters {
  /** Connections that reached connection.open-ok. */
  connectionsOpened = 0;
  /** Every client socket that closed, opened or not (RabbitMQ counts them all). */
  connectionsClosed = 0;
  channelsOpened = 0;
  channelsClosed = 0;
  /** Every successful queue.declare that is not passive, re-declarations included (as RabbitMQ counts). */
  queuesDeclared = 0;
  queuesCreated = 0;
  queuesDeleted = 0;
  /** basic.publish from clients, counted once however many queues it reaches. */
  received = 0;
  /** Publishes on channels in confirm mode. */
  receivedConfirm = 0;
  /** Publisher confirms sent as basic.ack. */
  confirmed = 0;
  /** Publishes that reached at least one queue (or were held by a delayed exchange). */
  routed = 0;
  unroutableReturned = 0;
  unroutableDropped = 0;
  authSucceeded = 0;
  authFailed = 0;
  /** By queue type, as RabbitMQ labels them (queue_type="rabbit_<type>_queue"). */
  readonly deliveries: Record<CountedQueueType, DeliveryCounters> = {
    classic: new DeliveryCounters(),
    quorum: new DeliveryCounters(),
    stream: new DeliveryCounters(),
  };
  readonly deadLettered: Record<CountedQueueType, DeadLetterCounters> = {
    classic: new DeadLetterCounters(),
    quorum: new DeadLetterCounters(),
    stream: new DeadLetterCounters(),
  };

  /** The delivery counters of a queue type; a type not counted separately counts as classic. */
  deliveriesOf(type: string): DeliveryCounters {
    return this.deliveries[type as CountedQueueType] ?? this.deliveries.classic;
  }

  /** Every queue type's delivery counters added up. */
  deliveriesTotal(): DeliveryCounters {
    const sum = new DeliveryCounters();
    for (const d of Object.values(this.deliveries)) {
      sum.deliveredConsumeAutoAck += d.deliveredConsumeAutoAck;
      sum.deliveredConsumeManualAck += d.deliveredConsumeManualAck;
      sum.deliveredGetAutoAck += d.deliveredGetAutoAck;
      sum.deliveredGetManualAck += d.deliveredGetManualAck;
      sum.redelivered += d.redelivered;
      sum.acknowledged += d.acknowledged;
      sum.getEmpty += d.getEmpty;
    }
    return sum;
  }

  deadLetteredOf(type: string): DeadLetterCounters {
    return this.deadLettered[type as CountedQueueType] ?? this.deadLettered.classic;
  }
}
