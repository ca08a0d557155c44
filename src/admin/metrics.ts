// /metrics in the Prometheus text format, with rabbitmq_prometheus's metric
// names where one exists (so existing dashboards find them): node-wide
// totals for everyone, per-queue labels only for monitoring users. Counters
// are *_total, for Prometheus to rate(); the live rates the API computes are
// exported too, as warren_*_per_second gauges.
import type { AdminContext } from "./context.ts";
import { C, nodeCounters, queueCounters } from "./stats.ts";

interface Family {
  name: string;
  help: string;
  type: "gauge" | "counter";
  samples: [Record<string, string>, number][];
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function render(families: Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help}`);
    lines.push(`# TYPE ${f.name} ${f.type}`);
    for (const [labels, value] of f.samples) {
      const keys = Object.keys(labels);
      const l = keys.length === 0 ? "" : `{${keys.map((k) => `${k}="${escapeLabel(labels[k])}"`).join(",")}}`;
      lines.push(`${f.name}${l} ${Number.isFinite(value) ? value : 0}`);
    }
  }
  return lines.join("\n") + "\n";
}

/** `perQueue`: add the families labelled by vhost and queue, which name every queue on the node. */
export function renderMetrics(ctx: AdminContext, options: { perQueue: boolean }): string {
  const connections = [...ctx.node.connections].filter((c) => c.hasOpened);
  let channels = 0;
  let consumers = 0;
  for (const c of connections) {
    channels += c.channels.size;
    for (const ch of c.channels.values()) consumers += ch.consumers.size;
  }
  let queues = 0;
  let exchanges = 0;
  const perQueue: { vhost: string; queue: string; c: number[]; r: number[]; consumers: number }[] = [];
  for (const v of ctx.broker.vhosts.values()) {
    exchanges += v.exchanges.size;
    queues += v.queues.size;
    if (!options.perQueue) continue;
    for (const q of v.queues.values()) {
      const c = queueCounters(q);
      perQueue.push({
        vhost: v.name,
        queue: q.name,
        c,
        r: ctx.rates.rates(q, c),
        consumers: q.consumerCount,
      });
    }
  }
  const node = nodeCounters(ctx.broker);
  const nodeRates = ctx.rates.rates(ctx.nodeKey, node);
  const one = (name: string, help: string, type: Family["type"], value: number): Family => ({
    name,
    help,
    type,
    samples: [[{}, value]],
  });
  const queueFamily = (
    name: string,
    help: string,
    type: Family["type"],
    pick: (x: (typeof perQueue)[number]) => number,
  ): Family => ({
    name,
    help,
    type,
    samples: perQueue.map((x) => [{ vhost: x.vhost, queue: x.queue }, pick(x)]),
  });
  const queueFamilies = !options.perQueue ? [] : [
    queueFamily(
      "rabbitmq_queue_messages_ready",
      "Messages ready to be delivered",
      "gauge",
      (x) => x.c[C.ready],
    ),
    queueFamily(
      "rabbitmq_queue_messages_unacked",
      "Messages delivered and not yet acknowledged",
      "gauge",
      (x) => x.c[C.unacked],
    ),
    queueFamily(
      "rabbitmq_queue_messages",
      "Ready plus unacknowledged messages",
      "gauge",
      (x) => x.c[C.messages],
    ),
    queueFamily("rabbitmq_queue_consumers", "Consumers on the queue", "gauge", (x) => x.consumers),
    queueFamily(
      "rabbitmq_queue_messages_published_total",
      "Messages published into the queue",
      "counter",
      (x) => x.c[C.publish],
    ),
    queueFamily(
      "rabbitmq_queue_messages_delivered_total",
      "Messages delivered or fetched from the queue",
      "counter",
      (x) => x.c[C.deliverGet],
    ),
    queueFamily("rabbitmq_queue_messages_acked_total", "Messages acknowledged", "counter", (x) => x.c[C.ack]),
    queueFamily(
      "rabbitmq_queue_messages_redelivered_total",
      "Messages redelivered",
      "counter",
      (x) => x.c[C.redeliver],
    ),
    queueFamily(
      "warren_queue_messages_published_per_second",
      "Publish rate into the queue, live",
      "gauge",
      (x) => x.r[C.publish],
    ),
    queueFamily(
      "warren_queue_messages_delivered_per_second",
      "Deliver/get rate from the queue, live",
      "gauge",
      (x) => x.r[C.deliverGet],
    ),
    queueFamily("warren_queue_messages_acked_per_second", "Ack rate, live", "gauge", (x) => x.r[C.ack]),
  ];
  return render([
    {
      name: "rabbitmq_identity_info",
      help: "Node and cluster names",
      type: "gauge",
      samples: [[{ rabbitmq_node: ctx.nodeName, rabbitmq_cluster: ctx.clusterName }, 1]],
    },
    one("rabbitmq_connections", "Connections currently open", "gauge", connections.length),
    one("rabbitmq_channels", "Channels currently open", "gauge", channels),
    one("rabbitmq_consumers", "Consumers currently connected", "gauge", consumers),
    one("rabbitmq_queues", "Queues available", "gauge", queues),
    one("rabbitmq_exchanges", "Exchanges available", "gauge", exchanges),
    one("rabbitmq_global_messages_received_total", "Messages published", "counter", node[C.publish]),
    one(
      "rabbitmq_global_messages_delivered_total",
      "Messages delivered to consumers or fetched by basic.get",
      "counter",
      node[C.deliverGet],
    ),
    one("rabbitmq_global_messages_acknowledged_total", "Messages acknowledged", "counter", node[C.ack]),
    one("rabbitmq_global_messages_redelivered_total", "Messages redelivered", "counter", node[C.redeliver]),
    one("warren_messages_ready", "Ready messages in all queues", "gauge", node[C.ready]),
    one("warren_messages_unacked", "Unacknowledged messages in all queues", "gauge", node[C.unacked]),
    one("warren_messages_published_per_second", "Publish rate, live", "gauge", nodeRates[C.publish]),
    one("warren_messages_delivered_per_second", "Deliver/get rate, live", "gauge", nodeRates[C.deliverGet]),
    one("warren_messages_acked_per_second", "Ack rate, live", "gauge", nodeRates[C.ack]),
    ...queueFamilies,
  ]);
}
