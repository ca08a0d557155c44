// The three pages of rabbitmq_prometheus: /metrics (aggregated unless
// prometheus.return_per_object_metrics is set), /metrics/per-object (a
// sample per queue, channel and connection) and /metrics/detailed (only the
// groups named by `family`, per object, queues limited to the `vhost`
// parameters, under the rabbitmq_detailed_ and rabbitmq_cluster_ prefixes).
import { CLUSTER_GROUPS, type GroupOptions, GROUPS } from "./groups.ts";
import { alarms, globalCounters, identity, processStartTime, totals } from "./node_families.ts";
import type { Scrape } from "./scrape.ts";
import type { MetricFamily } from "./text_format.ts";

function prefixed(prefix: string, families: MetricFamily[]): MetricFamily[] {
  return families.map((f) => ({ ...f, name: prefix + f.name }));
}

/**
 * /metrics (page "metrics", per object or not) and /metrics/per-object.
 * Like RabbitMQ, only /metrics adds the process start time and the alarms.
 */
export function nodeMetrics(s: Scrape, page: "metrics" | "per-object", perObject: boolean): MetricFamily[] {
  const o: GroupOptions = { perObject, vhosts: null };
  const out: MetricFamily[] = page === "metrics" ? [processStartTime(s), ...alarms(s)] : [];
  for (const [name, group] of GROUPS) {
    // queue_metrics includes the consumer counts queue_consumer_count gives on its own.
    if (name === "queue_consumer_count") continue;
    out.push(...prefixed("rabbitmq_", group(s, o)));
  }
  out.push(...totals(s), ...identity(s), ...globalCounters(s));
  return out;
}

/** /metrics/detailed: the named groups only (unknown names are skipped), then build and identity info. */
export function detailedMetrics(
  s: Scrape,
  families: ReadonlySet<string>,
  vhosts: ReadonlySet<string> | null,
): MetricFamily[] {
  const o: GroupOptions = { perObject: true, vhosts };
  const out: MetricFamily[] = [];
  for (const [name, group] of GROUPS) {
    if (!families.has(name)) continue;
    if (name === "queue_consumer_count" && families.has("queue_metrics")) continue;
    out.push(...prefixed("rabbitmq_detailed_", group(s, o)));
  }
  for (const [name, group] of CLUSTER_GROUPS) {
    if (families.has(name)) out.push(...prefixed("rabbitmq_cluster_", group(s, o)));
  }
  out.push(...identity(s));
  return out;
}
