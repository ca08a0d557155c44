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
  /** Every queue is a classic queue in Warren, so one set serves them all. */
  readonly classic = new DeliveryCounters();
  readonly deadLettered = new DeadLetterCounters();
}
