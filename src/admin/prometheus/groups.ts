// The metric groups of rabbitmq_prometheus, by the names /metrics/detailed
// takes as `family` (connection_churn_metrics, queue_coarse_metrics, …),
// each with RabbitMQ's metric names, types, help texts and labels. A group
// yields one sample per object (per-object mode) or one sum (aggregated
// mode, /metrics's default). Metric names are given without their prefix
// (rabbitmq_, or rabbitmq_detailed_ on /metrics/detailed).
//
// Where Warren keeps a figure only node-wide, the per-object mode reports
// the node-wide sum too: channel_queue_metrics (deliveries by channel and
// queue) has no per-channel-per-queue counters behind it, and
// channel_exchange_metrics is labelled by channel and vhost only, without
// the exchange, and queue_messages_published_total by queue (queue_vhost,
// queue) without the channel and exchange. RabbitMQ's aggregated channel_*
// figures sum the channels still open; Warren's count every channel since
// start, so they never fall.
import type { Queue } from "../../broker/queue.ts";
import type { Channel } from "../../server/channel.ts";
import { type Labels, type MetricFamily, type MetricType, type Sample, sample } from "./text_format.ts";
import type { Scrape } from "./scrape.ts";
import { queueDepth } from "../queue_depth.ts";
import { StreamQueue } from "../../broker/stream_queue.ts";

export interface GroupOptions {
  perObject: boolean;
  /** Only queues of these vhosts (the `vhost` parameter of /metrics/detailed); null for all. */
  vhosts: ReadonlySet<string> | null;
}

export type Group = (s: Scrape, o: GroupOptions) => MetricFamily[];

function family(name: string, type: MetricType, help: string, samples: Sample[]): MetricFamily {
  return { name, type, help, samples };
}

/** A figure the platform could not give is left out rather than reported as 0. */
function known(value: number | null): Sample[] {
  return value === null ? [] : [sample(value)];
}

function queueLabels(q: Queue): Labels {
  return { vhost: q.vhost, queue: q.name };
}

/** One sample per queue, or their sum. */
function perQueue(queues: Queue[], perObject: boolean, pick: (q: Queue) => number): Sample[] {
  if (perObject) return queues.map((q) => sample(pick(q), queueLabels(q)));
  let sum = 0;
  for (const q of queues) sum += pick(q);
  return [sample(sum)];
}

function perChannel(
  s: Scrape,
  o: GroupOptions,
  pick: (ch: Channel) => number,
  labels = channelLabels,
): Sample[] {
  if (o.perObject) return s.channels.map((ch) => sample(pick(ch), labels(s, ch)));
  let sum = 0;
  for (const ch of s.channels) sum += pick(ch);
  return [sample(sum)];
}

function channelLabels(s: Scrape, ch: Channel): Labels {
  return { channel: s.identity.channelName(ch) };
}

function channelVhostLabels(s: Scrape, ch: Channel): Labels {
  return { channel: s.identity.channelName(ch), vhost: ch.host.vhost.name };
}

const connectionChurn: Group = (s) => {
  const c = s.counters;
  return [
    family("connections_opened_total", "counter", "Total number of connections opened", [
      sample(c.connectionsOpened),
    ]),
    family("connections_closed_total", "counter", "Total number of connections closed or terminated", [
      sample(c.connectionsClosed),
    ]),
    family("channels_opened_total", "counter", "Total number of channels opened", [sample(c.channelsOpened)]),
    family("channels_closed_total", "counter", "Total number of channels closed", [sample(c.channelsClosed)]),
    family("queues_declared_total", "counter", "Total number of queues declared", [sample(c.queuesDeclared)]),
    family("queues_created_total", "counter", "Total number of queues created", [sample(c.queuesCreated)]),
    family("queues_deleted_total", "counter", "Total number of queues deleted", [sample(c.queuesDeleted)]),
  ];
};

const nodeCoarse: Group = (s) => [
  family("process_open_fds", "gauge", "Open file descriptors", known(s.openFds)),
  family("process_open_tcp_sockets", "gauge", "Open TCP sockets", [sample(s.socketCount)]),
  family("process_resident_memory_bytes", "gauge", "Memory used in bytes", [sample(s.residentMemoryBytes)]),
  family("disk_space_available_bytes", "gauge", "Disk space available in bytes", known(s.diskFreeBytes)),
];

const nodeLimits: Group = (s) => [
  family("process_max_fds", "gauge", "Open file descriptors limit", known(s.maxFds)),
  // Client sockets share the file descriptor limit; Warren sets no lower limit of its own.
  family("process_max_tcp_sockets", "gauge", "Open TCP sockets limit", known(s.maxFds)),
  family("resident_memory_limit_bytes", "gauge", "Memory high watermark in bytes", known(s.memoryLimitBytes)),
  family(
    "disk_space_available_limit_bytes",
    "gauge",
    "Free disk space low watermark in bytes",
    known(s.diskFreeLimitBytes),
  ),
  family("erlang_uptime_seconds", "gauge", "Node uptime", [
    sample((Date.now() - s.identity.startedAtMs) / 1000),
  ]),
];

const AMQP = { protocol: "amqp091" } as const;

const authAttempts: Group = (s) => {
  const c = s.counters;
  return [
    family("auth_attempts_total", "counter", "Total number of authorization attempts", [
      sample(c.authSucceeded + c.authFailed, AMQP),
    ]),
    family("auth_attempts_succeeded_total", "counter", "Total number of successful authentication attempts", [
      sample(c.authSucceeded, AMQP),
    ]),
    family("auth_attempts_failed_total", "counter", "Total number of failed authentication attempts", [
      sample(c.authFailed, AMQP),
    ]),
  ];
};

const queueCoarse: Group = (s, o) => {
  const qs = s.queuesIn(o.vhosts);
  return [
    family(
      "queue_messages_ready",
      "gauge",
      "Messages ready to be delivered to consumers",
      perQueue(qs, o.perObject, (q) => queueDepth(q).ready),
    ),
    family(
      "queue_messages_unacked",
      "gauge",
      "Messages delivered to consumers but not yet acknowledged",
      perQueue(qs, o.perObject, (q) => queueDepth(q).unacked),
    ),
    family(
      "queue_messages",
      "gauge",
      "Sum of ready and unacknowledged messages - total queue depth",
      perQueue(qs, o.perObject, (q) => {
        const d = queueDepth(q);
        return d.ready + d.unacked;
      }),
    ),
  ];
};

function queueConsumers(qs: Queue[], o: GroupOptions): MetricFamily {
  return family(
    "queue_consumers",
    "gauge",
    "Consumers on a queue",
    perQueue(qs, o.perObject, (q) => queueDepth(q).consumers),
  );
}

const queueConsumerCount: Group = (s, o) => [queueConsumers(s.queuesIn(o.vhosts), o)];

const queueDetails: Group = (s, o) => {
  const qs = s.queuesIn(o.vhosts);
  // A stream holds no messages in memory and pages none out: RabbitMQ has no such series for one.
  const held = qs.filter((q) => !(q instanceof StreamQueue));
  const each = (pick: (q: Queue) => number) => perQueue(held, o.perObject, pick);
  // Unacknowledged messages are always held in memory, by the channel that took them.
  return [
    queueConsumers(qs, o),
    family(
      "queue_messages_ram",
      "gauge",
      "Ready and unacknowledged messages stored in memory",
      each((q) => q.messageCount - q.pagedCount + q.unackedCount),
    ),
    family(
      "queue_messages_ready_ram",
      "gauge",
      "Ready messages stored in memory",
      each((q) => q.messageCount - q.pagedCount),
    ),
    family(
      "queue_messages_unacked_ram",
      "gauge",
      "Unacknowledged messages stored in memory",
      each((q) => q.unackedCount),
    ),
    family("queue_messages_paged_out", "gauge", "Messages paged out to disk", each((q) => q.pagedCount)),
  ];
};

const channelState: Group = (s, o) => [
  family("channel_consumers", "gauge", "Consumers on a channel", perChannel(s, o, (ch) => ch.consumers.size)),
  family(
    "channel_messages_unacked",
    "gauge",
    "Delivered but not yet acknowledged messages",
    perChannel(s, o, (ch) => ch.deliveries.size),
  ),
  family(
    "channel_messages_unconfirmed",
    "gauge",
    "Published but not yet confirmed messages",
    perChannel(s, o, (ch) => ch.publisher.unconfirmed),
  ),
  family(
    "channel_messages_uncommitted",
    "gauge",
    "Messages received in a transaction but not yet committed",
    perChannel(s, o, (ch) => ch.uncommitted.publishes),
  ),
  family(
    "channel_acks_uncommitted",
    "gauge",
    "Message acknowledgements in a transaction not yet committed",
    perChannel(s, o, (ch) => ch.uncommitted.acks),
  ),
  family(
    "consumer_prefetch",
    "gauge",
    "Limit of unacknowledged messages for each consumer",
    perChannel(s, o, (ch) => ch.prefetchCount),
  ),
  family(
    "channel_prefetch",
    "gauge",
    "Total limit of unacknowledged messages for all consumers on a channel",
    perChannel(s, o, (ch) => ch.globalPrefetchCount),
  ),
];

const channelExchange: Group = (s, o) => {
  const c = s.counters;
  const each = (pick: (ch: Channel) => number, nodeWide: number) =>
    o.perObject ? perChannel(s, o, pick, channelVhostLabels) : [sample(nodeWide)];
  return [
    family(
      "channel_messages_published_total",
      "counter",
      "Total number of messages published into an exchange on a channel",
      each((ch) => ch.publisher.published, c.received),
    ),
    family(
      "channel_messages_confirmed_total",
      "counter",
      "Total number of messages published into an exchange and confirmed on the channel",
      each((ch) => ch.publisher.confirmed, c.confirmed),
    ),
    family(
      "channel_messages_unroutable_returned_total",
      "counter",
      "Total number of messages published as mandatory into an exchange and returned to the publisher as unroutable",
      each((ch) => ch.publisher.returned, c.unroutableReturned),
    ),
    family(
      "channel_messages_unroutable_dropped_total",
      "counter",
      "Total number of messages published as non-mandatory into an exchange and dropped as unroutable",
      each((ch) => ch.publisher.dropped, c.unroutableDropped),
    ),
  ];
};

const channelQueue: Group = (s) => {
  const d = s.counters.deliveriesTotal();
  return [
    family(
      "channel_get_ack_total",
      "counter",
      "Total number of messages fetched with basic.get in manual acknowledgement mode",
      [sample(d.deliveredGetManualAck)],
    ),
    family(
      "channel_get_total",
      "counter",
      "Total number of messages fetched with basic.get in automatic acknowledgement mode",
      [sample(d.deliveredGetAutoAck)],
    ),
    family(
      "channel_messages_delivered_ack_total",
      "counter",
      "Total number of messages delivered to consumers in manual acknowledgement mode",
      [sample(d.deliveredConsumeManualAck)],
    ),
    family(
      "channel_messages_delivered_total",
      "counter",
      "Total number of messages delivered to consumers in automatic acknowledgement mode",
      [sample(d.deliveredConsumeAutoAck)],
    ),
    family(
      "channel_messages_redelivered_total",
      "counter",
      "Total number of messages redelivered to consumers",
      [
        sample(d.redelivered),
      ],
    ),
    family("channel_messages_acked_total", "counter", "Total number of messages acknowledged by consumers", [
      sample(d.acknowledged),
    ]),
    family(
      "channel_get_empty_total",
      "counter",
      "Total number of times basic.get operations fetched no message",
      [sample(d.getEmpty)],
    ),
  ];
};

const connectionState: Group = (s, o) => {
  let samples: Sample[];
  if (o.perObject) {
    // RabbitMQ labels a connection's series `channel` too (with the connection's process id).
    samples = s.connections.map((c) => sample(c.channels.size, { channel: s.identity.connectionName(c) }));
  } else samples = [sample(s.channels.length)];
  return [family("connection_channels", "gauge", "Channels on a connection", samples)];
};

const queuePublished: Group = (s, o) => {
  const qs = s.queuesIn(o.vhosts);
  const samples = o.perObject
    ? qs.map((q) => sample(q.stats.published, { queue_vhost: q.vhost, queue: q.name }))
    : perQueue(qs, false, (q) => q.stats.published);
  return [
    family(
      "queue_messages_published_total",
      "counter",
      "Total number of messages published to queues",
      samples,
    ),
  ];
};

/** The groups in the order /metrics lists them, by their /metrics/detailed family names. */
export const GROUPS: ReadonlyMap<string, Group> = new Map([
  ["connection_churn_metrics", connectionChurn],
  ["node_coarse_metrics", nodeCoarse],
  ["node_metrics", nodeLimits],
  ["auth_attempt_metrics", authAttempts],
  ["queue_coarse_metrics", queueCoarse],
  ["queue_consumer_count", queueConsumerCount],
  ["queue_metrics", queueDetails],
  ["channel_metrics", channelState],
  ["channel_exchange_metrics", channelExchange],
  ["channel_queue_metrics", channelQueue],
  ["connection_metrics", connectionState],
  ["channel_queue_exchange_metrics", queuePublished],
]);

/** Groups that can only be asked for on /metrics/detailed, named rabbitmq_cluster_*. */
export const CLUSTER_GROUPS: ReadonlyMap<string, Group> = new Map<string, Group>([
  ["vhost_status", (s) => [
    family(
      "vhost_status",
      "gauge",
      "Whether a given vhost is running",
      [...s.broker.vhosts.keys()].map((vhost) => sample(1, { vhost })),
    ),
  ]],
  ["exchange_bindings", (s) => [
    family(
      "exchange_bindings",
      "gauge",
      "Number of bindings for an exchange. This value is cluster-wide.",
      exchanges(s).map((x) => sample(x.bindings, x.labels)),
    ),
  ]],
  ["exchange_names", (s) => [
    family(
      "exchange_name",
      "gauge",
      "Enumerates exchanges without any additional info. This value is cluster-wide. A cheaper alternative to `exchange_bindings`",
      exchanges(s).map((x) => sample(1, x.labels)),
    ),
  ]],
]);

/** Named, non-internal exchanges with their binding counts (RabbitMQ leaves out the default and internal ones). */
function exchanges(s: Scrape): { labels: Labels; bindings: number }[] {
  const out: { labels: Labels; bindings: number }[] = [];
  for (const v of s.broker.vhosts.values()) {
    for (const x of v.exchanges.values()) {
      if (x.name === "" || x.internal) continue;
      out.push({ labels: { vhost: v.name, exchange: x.name, type: x.type }, bindings: x.bindings.size });
    }
  }
  return out;
}
