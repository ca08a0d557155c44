// The families outside rabbitmq_prometheus's metric groups: the process
// start time, resource alarms, object totals, build and identity info, and
// the rabbitmq_global_* message counters (RabbitMQ's global collector,
// labelled by protocol and, for deliveries, by queue type).
import { RABBITMQ_COMPAT_VERSION } from "../definitions.ts";
import { VERSION } from "../../version.ts";
import { type MetricFamily, type MetricType, type Sample, sample } from "./text_format.ts";
import type { Scrape } from "./scrape.ts";
import { COUNTED_QUEUE_TYPES, type DeliveryCounters } from "../../broker/node_counters.ts";

function family(name: string, type: MetricType, help: string, samples: Sample[]): MetricFamily {
  return { name, type, help, samples };
}

export function processStartTime(s: Scrape): MetricFamily {
  return family(
    "process_start_time_seconds",
    "gauge",
    "Start time of the process since unix epoch in seconds.",
    [sample(Math.floor(s.identity.startedAtMs / 1000))],
  );
}

export function alarms(s: Scrape): MetricFamily[] {
  const active = s.node.alarms?.active;
  const on = (kind: "memory" | "disk") => (active?.has(kind) ? 1 : 0);
  return [
    // Warren raises no file descriptor alarm: accept() backs off instead.
    family(
      "rabbitmq_alarms_file_descriptor_limit",
      "untyped",
      "is 1 if file descriptor limit alarm is in effect",
      [sample(0)],
    ),
    family(
      "rabbitmq_alarms_free_disk_space_watermark",
      "untyped",
      "is 1 if free disk space watermark alarm is in effect",
      [sample(on("disk"))],
    ),
    family(
      "rabbitmq_alarms_memory_used_watermark",
      "untyped",
      "is 1 if VM memory watermark alarm is in effect",
      [sample(on("memory"))],
    ),
  ];
}

export function totals(s: Scrape): MetricFamily[] {
  let consumers = 0;
  for (const ch of s.channels) consumers += ch.consumers.size;
  return [
    family("rabbitmq_connections", "gauge", "Connections currently open", [sample(s.connections.length)]),
    family("rabbitmq_channels", "gauge", "Channels currently open", [sample(s.channels.length)]),
    family("rabbitmq_consumers", "gauge", "Consumers currently connected", [sample(consumers)]),
    family("rabbitmq_queues", "gauge", "Queues available", [sample(s.queues.length)]),
  ];
}

/**
 * rabbitmq_build_info, with the product labels RabbitMQ adds for its own
 * distributions; erlang_version names the runtime, as the management API's
 * overview does.
 */
export function identity(s: Scrape): MetricFamily[] {
  const id = s.identity;
  return [
    family("rabbitmq_build_info", "untyped", "RabbitMQ & Erlang/OTP version info", [
      sample(1, {
        product_name: "Warren",
        product_version: VERSION,
        rabbitmq_version: RABBITMQ_COMPAT_VERSION,
        prometheus_plugin_version: VERSION,
        prometheus_client_version: VERSION,
        erlang_version: `Deno ${Deno.version.deno}`,
      }),
    ]),
    family("rabbitmq_identity_info", "untyped", "RabbitMQ node & cluster identity info", [
      sample(1, {
        rabbitmq_node: id.nodeName,
        rabbitmq_cluster: id.clusterName,
        rabbitmq_cluster_permanent_id: id.clusterId,
      }),
    ]),
  ];
}

const AMQP = { protocol: "amqp091" } as const;

type DeadLetterReason = "rejected" | "expired" | "maxlen" | "delivery_limit";
/** The queue types that can dead-letter for a reason: RabbitMQ lists no others (streams never do). */
const DEAD_LETTERING_TYPES: Record<DeadLetterReason, readonly ("classic" | "quorum")[]> = {
  rejected: ["classic", "quorum"],
  expired: ["classic", "quorum"],
  maxlen: ["classic", "quorum"],
  delivery_limit: ["quorum"],
};

export function globalCounters(s: Scrape): MetricFamily[] {
  const c = s.counters;
  // RabbitMQ has one series per queue type, labelled with the type's module.
  const byType = (value: (d: DeliveryCounters) => number) =>
    COUNTED_QUEUE_TYPES.map((t) =>
      sample(value(c.deliveries[t]), { protocol: "amqp091", queue_type: `rabbit_${t}_queue` })
    );
  // Without a dead-letter exchange the message is dropped ("disabled").
  const byReason = (r: DeadLetterReason) =>
    DEAD_LETTERING_TYPES[r].flatMap((t) => [
      sample(c.deadLettered[t].withExchange[r], {
        queue_type: `rabbit_${t}_queue`,
        dead_letter_strategy: "at_most_once",
      }),
      sample(c.deadLettered[t].withoutExchange[r], {
        queue_type: `rabbit_${t}_queue`,
        dead_letter_strategy: "disabled",
      }),
    ]);
  let consumers = 0;
  let publishers = 0;
  for (const ch of s.channels) {
    consumers += ch.consumers.size;
    if (ch.publisher.published > 0) publishers++;
  }
  const counter = (name: string, help: string, samples: Sample[]) =>
    family(`rabbitmq_global_${name}`, "counter", help, samples);
  return [
    family("rabbitmq_global_consumers", "gauge", "Current number of consumers", [sample(consumers, AMQP)]),
    counter(
      "messages_acknowledged_total",
      "Total number of messages acknowledged by consumers",
      byType((d) => d.acknowledged),
    ),
    counter("messages_confirmed_total", "Total number of messages confirmed to publishers", [
      sample(c.confirmed, AMQP),
    ]),
    counter(
      "messages_dead_lettered_delivery_limit_total",
      "Total number of messages dead-lettered due to delivery-limit exceeded",
      byReason("delivery_limit"),
    ),
    counter(
      "messages_dead_lettered_expired_total",
      "Total number of messages dead-lettered due to message TTL exceeded",
      byReason("expired"),
    ),
    counter(
      "messages_dead_lettered_maxlen_total",
      "Total number of messages dead-lettered due to overflow drop-head or reject-publish-dlx",
      byReason("maxlen"),
    ),
    counter(
      "messages_dead_lettered_rejected_total",
      "Total number of messages dead-lettered due to basic.reject or basic.nack",
      byReason("rejected"),
    ),
    counter(
      "messages_delivered_consume_auto_ack_total",
      "Total number of messages delivered to consumers using basic.consume with automatic acknowledgment",
      byType((d) => d.deliveredConsumeAutoAck),
    ),
    counter(
      "messages_delivered_consume_manual_ack_total",
      "Total number of messages delivered to consumers using basic.consume with manual acknowledgment",
      byType((d) => d.deliveredConsumeManualAck),
    ),
    counter(
      "messages_delivered_get_auto_ack_total",
      "Total number of messages delivered to consumers using basic.get with automatic acknowledgment",
      byType((d) => d.deliveredGetAutoAck),
    ),
    counter(
      "messages_delivered_get_manual_ack_total",
      "Total number of messages delivered to consumers using basic.get with manual acknowledgment",
      byType((d) => d.deliveredGetManualAck),
    ),
    counter(
      "messages_delivered_total",
      "Total number of messages delivered to consumers",
      byType((d) =>
        d.deliveredConsumeAutoAck + d.deliveredConsumeManualAck + d.deliveredGetAutoAck +
        d.deliveredGetManualAck
      ),
    ),
    counter(
      "messages_get_empty_total",
      "Total number of times basic.get operations fetched no message",
      byType((d) => d.getEmpty),
    ),
    counter(
      "messages_received_confirm_total",
      "Total number of messages received from publishers expecting confirmations",
      [sample(c.receivedConfirm, AMQP)],
    ),
    counter("messages_received_total", "Total number of messages received from publishers", [
      sample(c.received, AMQP),
    ]),
    counter(
      "messages_redelivered_total",
      "Total number of messages redelivered to consumers",
      byType((d) => d.redelivered),
    ),
    counter("messages_routed_total", "Total number of messages routed to queues or streams", [
      sample(c.routed, AMQP),
    ]),
    counter(
      "messages_unroutable_dropped_total",
      "Total number of messages published as non-mandatory into an exchange and dropped as unroutable",
      [sample(c.unroutableDropped, AMQP)],
    ),
    counter(
      "messages_unroutable_returned_total",
      "Total number of messages published as mandatory into an exchange and returned to the publisher as unroutable",
      [sample(c.unroutableReturned, AMQP)],
    ),
    family("rabbitmq_global_publishers", "gauge", "Current number of publishers", [sample(publishers, AMQP)]),
  ];
}
