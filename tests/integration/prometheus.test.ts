// The Prometheus listener (rabbitmq_prometheus's port): RabbitMQ's metric
// names, types and labels on /metrics, /metrics/per-object and
// /metrics/detailed; counters that count what clients did; and every panel
// of RabbitMQ's Grafana dashboard RabbitMQ-Overview finding its series (the
// panels' metric names are in tests/fixtures/grafana_rabbitmq_overview_panels.json).
//
// Each test starts its own node (AMQP, management and Prometheus listeners
// on free ports) and closes it. With WARREN_TEST_AMQP_URL and
// WARREN_TEST_RABBITMQ_PROMETHEUS_URL set, the same tests run against that
// RabbitMQ instead; they were run green against RabbitMQ 3.10.8 that way
// (amqp://guest:guest@127.0.0.1:5682/, http://127.0.0.1:15693). A shared
// node has other clients, so there a counter must have grown by at least
// what the test did; on Warren, by exactly that.
//
// The last test compares the metric names and types Warren serves with a
// RabbitMQ node's (WARREN_TEST_RABBITMQ_PROMETHEUS_URL); it is skipped when
// none is given.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "../helpers/amqplib.ts";
import { startServer } from "../../src/server/server.ts";
import { type AdminServer, startAdminServer } from "../../src/admin/admin_server.ts";
import { startPrometheusServer } from "../../src/admin/prometheus/prometheus_server.ts";
import { labelSets, parsePrometheusText, type ScrapedFamily } from "../helpers/prometheus_text.ts";
import { ignoreWithoutSharedRabbit, sharedRabbitPrometheusUrl } from "../helpers/rabbitmq.ts";

const TEST_TIMEOUT_MS = 30_000;
const FIXTURE = new URL("../fixtures/grafana_rabbitmq_overview_panels.json", import.meta.url);
const RABBITMQ_METRICS_URL = sharedRabbitPrometheusUrl() ?? undefined;
const EXTERNAL_AMQP_URL = Deno.env.get("WARREN_TEST_AMQP_URL");

interface Target {
  amqpUrl: string;
  /** http://host:port of the Prometheus listener */
  metricsUrl: string;
  external: boolean;
  /** The in-process node's management API (http://host:port); null for an external broker. */
  managementUrl: string | null;
  /** The in-process node's admin server; null for an external broker. */
  node: { admin: AdminServer } | null;
  close(): Promise<void>;
}

async function startTarget(): Promise<Target> {
  if (EXTERNAL_AMQP_URL && RABBITMQ_METRICS_URL) {
    return {
      amqpUrl: EXTERNAL_AMQP_URL,
      metricsUrl: RABBITMQ_METRICS_URL.replace(/\/+$/, ""),
      external: true,
      managementUrl: null,
      node: null,
      close: () => Promise.resolve(),
    };
  }
  const server = await startServer({
    port: 0,
    hostname: "127.0.0.1",
    logLevel: "error",
    alarms: { memoryHighWatermark: { relative: 0.4 }, diskFreeLimitBytes: 50_000_000, dataDir: null },
  });
  const admin = await startAdminServer({ node: server, port: 0, hostname: "127.0.0.1" });
  const prometheus = startPrometheusServer({ context: admin.context, port: 0, hostname: "127.0.0.1" });
  return {
    amqpUrl: `amqp://guest:guest@127.0.0.1:${server.port}/`,
    metricsUrl: `http://127.0.0.1:${prometheus.port}`,
    external: false,
    managementUrl: `http://127.0.0.1:${admin.port}`,
    node: { admin },
    async close() {
      await prometheus.close();
      await admin.close();
      await server.close();
    },
  };
}

function withTarget(
  name: string,
  fn: (t: Target) => Promise<void>,
  options: { ignore?: boolean } = {},
): void {
  Deno.test({
    name,
    ignore: options.ignore ?? false,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const t = await startTarget();
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([
          fn(t),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`timed out after ${TEST_TIMEOUT_MS} ms`)),
              TEST_TIMEOUT_MS,
            );
          }),
        ]);
      } finally {
        clearTimeout(timer);
        await t.close();
      }
    },
  });
}

async function scrape(url: string): Promise<Map<string, ScrapedFamily>> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

function uniquePrefix(): string {
  return `prom-${crypto.randomUUID().slice(0, 8)}`;
}

/** The sum of a family's samples whose labels include `match`. */
function total(
  families: Map<string, ScrapedFamily>,
  name: string,
  match: Record<string, string> = {},
): number {
  const f = families.get(name);
  assert.ok(f, `${name} is served`);
  let sum = 0;
  for (const s of f.samples) {
    if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  }
  return sum;
}

/** A counter, the labels to sum it over, and by how much it should have grown. */
type Growth = [name: string, labels: Record<string, string>, delta: number];

/**
 * Each counter grew by exactly its delta between the scrapes; on an external
 * RabbitMQ, which other clients share, by at least that much.
 */
function assertGrowth(
  t: Target,
  before: Map<string, ScrapedFamily>,
  after: Map<string, ScrapedFamily>,
  expected: Growth[],
): void {
  for (const [name, labels, delta] of expected) {
    const grown = total(after, name, labels) - total(before, name, labels);
    const what = `${name} ${JSON.stringify(labels)}`;
    if (t.external) assert.ok(grown >= delta, `${what} grew by ${grown}, at least ${delta} expected`);
    else assert.equal(grown, delta, what);
  }
}

/**
 * Polls until `check` passes: counters of closing connections settle a
 * moment after the client returns, and RabbitMQ refreshes its queue and
 * channel figures only every collect_statistics_interval (5 s).
 */
async function eventually(check: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 12_000;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Clients doing a bit of everything the counters count: a confirm channel
 * publishing 5 routed and 2 unroutable messages (one mandatory, returned),
 * gets with and without ack and an empty one, a manual-ack consumer that
 * nacks one message back (so it is redelivered), an auto-ack consumer of 2
 * more messages, and a second connection opened and closed. Returns with
 * the first connection still open and a consumer holding one unacked
 * message, so gauges have something to show; `finish` closes everything.
 */
async function traffic(url: string, prefix: string) {
  const conn = await amqp.connect(url);
  const pub = await conn.createConfirmChannel();
  const q1 = `${prefix}-q1`;
  const q2 = `${prefix}-q2`;
  await pub.assertQueue(q1, { durable: false });
  await pub.assertQueue(q2, { durable: false });
  await pub.checkQueue(q1); // passive: not counted as a declaration
  for (let i = 0; i < 5; i++) pub.sendToQueue(q1, Buffer.from(`m${i}`));
  const returned = new Promise((resolve) => pub.once("return", resolve));
  pub.publish("", `${prefix}-nowhere`, Buffer.from("r"), { mandatory: true });
  pub.publish("", `${prefix}-nowhere`, Buffer.from("d"));
  await pub.waitForConfirms();
  await returned;

  const sub = await conn.createChannel();
  const got = await sub.get(q1, { noAck: false });
  assert.ok(got);
  sub.ack(got);
  assert.ok(await sub.get(q1, { noAck: true }));
  assert.equal(await sub.get(q2, { noAck: false }), false);

  await sub.prefetch(10);
  const seen: amqp.ConsumeMessage[] = [];
  let nacked = false;
  const allSeen = new Promise<void>((resolve) => {
    sub.consume(q1, (m) => {
      if (!m) return;
      seen.push(m);
      if (!nacked) {
        nacked = true;
        sub.nack(m, false, true);
      } else if (seen.length < 4) sub.ack(m);
      if (seen.length === 4) resolve();
    });
  });
  await allSeen;

  const auto = await conn.createChannel();
  for (let i = 0; i < 2; i++) sub.sendToQueue(q2, Buffer.from(`a${i}`));
  let autoSeen = 0;
  await new Promise<void>((resolve) => {
    auto.consume(q2, () => {
      if (++autoSeen === 2) resolve();
    }, { noAck: true });
  });

  const other = await amqp.connect(url);
  await other.createChannel();
  await other.close();

  return {
    async finish() {
      sub.ack(seen[3]);
      await pub.deleteQueue(q1);
      await pub.deleteQueue(q2);
      await conn.close();
    },
  };
}

withTarget(
  "/metrics answers in the text format, aggregated: one sample per family, no queue named",
  async (t) => {
    const prefix = uniquePrefix();
    const run = await traffic(t.amqpUrl, prefix);
    try {
      const res = await fetch(`${t.metricsUrl}/metrics`);
      const body = await res.text();
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4");
      assert.ok(!body.includes(prefix), "aggregated /metrics names no queue");
      const families = parsePrometheusText(body);
      for (
        const name of [
          "rabbitmq_queue_messages_ready",
          "rabbitmq_queue_messages",
          "rabbitmq_channel_consumers",
        ]
      ) {
        const f = families.get(name)!;
        assert.equal(f.samples.length, 1, name);
        assert.deepEqual(f.samples[0].labels, {}, name);
      }
      assert.equal(families.get("rabbitmq_connections")?.type, "gauge");
      assert.equal(families.get("rabbitmq_connections_opened_total")?.type, "counter");
      assert.equal(families.get("rabbitmq_identity_info")?.type, "untyped");
      assert.equal(
        families.get("rabbitmq_queue_messages_unacked")?.help,
        "Messages delivered to consumers but not yet acknowledged",
      );
    } finally {
      await run.finish();
    }
  },
);

withTarget(
  "counters count what clients did: churn, logins, publishes, confirms, routing, deliveries by mode, acks",
  async (t) => {
    const before = await scrape(`${t.metricsUrl}/metrics`);
    const run = await traffic(t.amqpUrl, uniquePrefix());
    await run.finish();
    // A socket that never gets as far as connection.open, and a refused login, count as closed only.
    const url = new URL(t.amqpUrl);
    const bare = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
    bare.close();
    url.password = "not-the-password";
    await assert.rejects(amqp.connect(url.href));
    const amqpClassic = { protocol: "amqp091", queue_type: "rabbit_classic_queue" };
    const expected: Growth[] = [
      ["rabbitmq_connections_opened_total", {}, 2],
      ["rabbitmq_connections_closed_total", {}, 4],
      ["rabbitmq_auth_attempts_succeeded_total", { protocol: "amqp091" }, 2],
      ["rabbitmq_auth_attempts_failed_total", { protocol: "amqp091" }, 1],
      ["rabbitmq_channels_opened_total", {}, 4],
      ["rabbitmq_channels_closed_total", {}, 4],
      ["rabbitmq_queues_declared_total", {}, 2],
      ["rabbitmq_queues_created_total", {}, 2],
      ["rabbitmq_queues_deleted_total", {}, 2],
      ["rabbitmq_global_messages_received_total", { protocol: "amqp091" }, 9],
      ["rabbitmq_global_messages_received_confirm_total", { protocol: "amqp091" }, 7],
      ["rabbitmq_global_messages_confirmed_total", { protocol: "amqp091" }, 7],
      ["rabbitmq_global_messages_routed_total", { protocol: "amqp091" }, 7],
      ["rabbitmq_global_messages_unroutable_returned_total", { protocol: "amqp091" }, 1],
      ["rabbitmq_global_messages_unroutable_dropped_total", { protocol: "amqp091" }, 1],
      ["rabbitmq_global_messages_delivered_get_manual_ack_total", amqpClassic, 1],
      ["rabbitmq_global_messages_delivered_get_auto_ack_total", amqpClassic, 1],
      ["rabbitmq_global_messages_get_empty_total", amqpClassic, 1],
      ["rabbitmq_global_messages_delivered_consume_manual_ack_total", amqpClassic, 4],
      ["rabbitmq_global_messages_delivered_consume_auto_ack_total", amqpClassic, 2],
      ["rabbitmq_global_messages_delivered_total", amqpClassic, 8],
      ["rabbitmq_global_messages_redelivered_total", amqpClassic, 1],
      ["rabbitmq_global_messages_acknowledged_total", amqpClassic, 4],
    ];
    await eventually(async () => {
      const after = await scrape(`${t.metricsUrl}/metrics`);
      assertGrowth(t, before, after, expected);
    });
  },
);

withTarget(
  "dead-lettered messages are counted by reason, and by whether the queue had a dead-letter exchange",
  async (t) => {
    const before = await scrape(`${t.metricsUrl}/metrics`);
    const prefix = uniquePrefix();
    const conn = await amqp.connect(t.amqpUrl);
    try {
      const ch = await conn.createChannel();
      const ttl = `${prefix}-ttl`;
      const dlx = `${prefix}-dlx`;
      const max = `${prefix}-max`;
      await ch.assertQueue(ttl, { arguments: { "x-message-ttl": 0 } });
      await ch.assertQueue(dlx, { arguments: { "x-dead-letter-exchange": "amq.fanout" } });
      await ch.assertQueue(max, { arguments: { "x-max-length": 1 } });
      ch.sendToQueue(ttl, Buffer.from("expires"));
      for (const body of ["1", "2", "3"]) ch.sendToQueue(max, Buffer.from(body)); // drops 1 and 2
      ch.sendToQueue(dlx, Buffer.from("rejected"));
      let got: amqp.GetMessage | false = false;
      while (!(got = await ch.get(dlx))) await new Promise((r) => setTimeout(r, 20));
      ch.nack(got, false, false);
      got = await ch.get(max);
      assert.ok(got);
      ch.reject(got, false);
      const classic = (strategy: string) => ({
        queue_type: "rabbit_classic_queue",
        dead_letter_strategy: strategy,
      });
      const expected: Growth[] = [
        ["rabbitmq_global_messages_dead_lettered_expired_total", classic("disabled"), 1],
        ["rabbitmq_global_messages_dead_lettered_maxlen_total", classic("disabled"), 2],
        ["rabbitmq_global_messages_dead_lettered_rejected_total", classic("disabled"), 1],
        ["rabbitmq_global_messages_dead_lettered_rejected_total", classic("at_most_once"), 1],
      ];
      await eventually(async () => {
        const after = await scrape(`${t.metricsUrl}/metrics`);
        assertGrowth(t, before, after, expected);
      });
    } finally {
      const cleanup = await conn.createChannel();
      for (const q of ["ttl", "dlx", "max"]) await cleanup.deleteQueue(`${prefix}-${q}`);
      await conn.close();
    }
  },
);

withTarget(
  "deliveries, acks and dead letters of a quorum queue are counted under queue_type rabbit_quorum_queue",
  async (t) => {
    const before = await scrape(`${t.metricsUrl}/metrics`);
    const queue = `${uniquePrefix()}-quorum`;
    const conn = await amqp.connect(t.amqpUrl);
    try {
      const ch = await conn.createChannel();
      await ch.assertQueue(queue, { durable: true, arguments: { "x-queue-type": "quorum" } });
      for (const body of ["1", "2", "3"]) ch.sendToQueue(queue, Buffer.from(body));
      let got: amqp.GetMessage | false = false;
      while (!(got = await ch.get(queue))) await new Promise((r) => setTimeout(r, 20));
      ch.ack(got);
      got = await ch.get(queue);
      assert.ok(got);
      ch.reject(got, false); // no dead-letter exchange: dropped ("disabled")
      const consumed = new Promise<amqp.ConsumeMessage>((resolve) => {
        ch.consume(queue, (m) => m && resolve(m), { noAck: false });
      });
      ch.ack(await consumed);
      const quorum = { protocol: "amqp091", queue_type: "rabbit_quorum_queue" };
      const expected: Growth[] = [
        ["rabbitmq_global_messages_delivered_get_manual_ack_total", quorum, 2],
        ["rabbitmq_global_messages_delivered_consume_manual_ack_total", quorum, 1],
        ["rabbitmq_global_messages_delivered_total", quorum, 3],
        ["rabbitmq_global_messages_acknowledged_total", quorum, 2],
        [
          "rabbitmq_global_messages_dead_lettered_rejected_total",
          { queue_type: "rabbit_quorum_queue", dead_letter_strategy: "disabled" },
          1,
        ],
      ];
      await eventually(async () => {
        const after = await scrape(`${t.metricsUrl}/metrics`);
        assertGrowth(t, before, after, expected);
        // Every family with a queue_type label has one series per type, as RabbitMQ lists them.
        const delivered = after.get("rabbitmq_global_messages_delivered_total")!;
        assert.deepEqual(delivered.samples.map((x) => x.labels.queue_type).sort(), [
          "rabbit_classic_queue",
          "rabbit_quorum_queue",
          "rabbit_stream_queue",
        ]);
        if (!t.external) {
          const classic = { protocol: "amqp091", queue_type: "rabbit_classic_queue" };
          const name = "rabbitmq_global_messages_delivered_total";
          assert.equal(
            total(after, name, classic) - total(before, name, classic),
            0,
            "nothing counted as classic",
          );
        }
      });
    } finally {
      const cleanup = await conn.createChannel();
      await cleanup.deleteQueue(queue);
      await conn.close();
    }
  },
);

withTarget(
  "a stream's deliveries and acks count under queue_type rabbit_stream_queue; per-object series list it",
  async (t) => {
    const before = await scrape(`${t.metricsUrl}/metrics`);
    const queue = `${uniquePrefix()}-stream`;
    const conn = await amqp.connect(t.amqpUrl);
    try {
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue(queue, { durable: true, arguments: { "x-queue-type": "stream" } });
      for (const body of ["1", "2", "3"]) ch.sendToQueue(queue, Buffer.from(body));
      await ch.waitForConfirms();
      const reader = await conn.createChannel();
      await reader.prefetch(10);
      let got = 0;
      await new Promise<void>((resolve) => {
        reader.consume(queue, (m) => {
          if (!m) return;
          reader.ack(m);
          if (++got === 3) resolve();
        }, { arguments: { "x-stream-offset": "first" } });
      });
      const stream = { protocol: "amqp091", queue_type: "rabbit_stream_queue" };
      const expected: Growth[] = [
        ["rabbitmq_global_messages_delivered_consume_manual_ack_total", stream, 3],
        ["rabbitmq_global_messages_delivered_total", stream, 3],
        ["rabbitmq_global_messages_acknowledged_total", stream, 3],
      ];
      await eventually(async () => {
        const after = await scrape(`${t.metricsUrl}/metrics`);
        assertGrowth(t, before, after, expected);
        // RabbitMQ's per-object queue series include streams, with their record count.
        const perObject = await scrape(`${t.metricsUrl}/metrics/per-object`);
        const mine = { vhost: "/", queue };
        assert.equal(total(perObject, "rabbitmq_queue_consumers", mine), 1);
        const records = total(perObject, "rabbitmq_queue_messages", mine);
        if (t.external) assert.ok(records >= 3, `rabbitmq_queue_messages ${records}`);
        else assert.equal(records, 3);
        assert.equal(total(perObject, "rabbitmq_queue_messages_unacked", mine), 0);
        // Nothing of a stream is held in memory or paged out: RabbitMQ lists no such series for it.
        for (const name of ["rabbitmq_queue_messages_ram", "rabbitmq_queue_messages_paged_out"]) {
          const series = perObject.get(name)?.samples ?? [];
          assert.ok(!series.some((x) => x.labels.queue === queue), `${name} has no series for the stream`);
        }
      });
    } finally {
      const cleanup = await conn.createChannel();
      await cleanup.deleteQueue(queue);
      await conn.close();
    }
  },
);

withTarget(
  "every RabbitMQ-Overview panel finds its series, with the labels its query joins and sums on",
  async (t) => {
    const dashboard = JSON.parse(await Deno.readTextFile(FIXTURE)) as {
      identityMetric: string;
      panels: {
        title: string;
        metrics: string[];
        identityLabels: string[];
        sumBy?: string[];
        sameLabels?: [string, string][];
        shownLabels?: Record<string, string[]>;
      }[];
    };
    assert.equal(dashboard.panels.length, 41);
    const run = await traffic(t.amqpUrl, uniquePrefix());
    try {
      const families = await scrape(`${t.metricsUrl}/metrics`);
      // group_left needs exactly one info series per scraped instance.
      const identity = families.get(dashboard.identityMetric);
      assert.equal(identity?.samples.length, 1, `${dashboard.identityMetric} has one sample`);
      const missing: string[] = [];
      for (const panel of dashboard.panels) {
        for (const label of [...panel.identityLabels, ...(panel.sumBy ?? [])]) {
          if (!identity.samples[0].labels[label]) {
            missing.push(
              `${panel.title}: ${dashboard.identityMetric}{${label}}`,
            );
          }
        }
        for (const name of panel.metrics) {
          const f = families.get(name);
          if (!f || f.samples.length === 0) missing.push(`${panel.title}: ${name}`);
          else if (f.samples.some((s) => !Number.isFinite(s.value))) {
            missing.push(
              `${panel.title}: ${name} is not finite`,
            );
          }
        }
        for (const [a, b] of panel.sameLabels ?? []) {
          const fa = families.get(a);
          const fb = families.get(b);
          if (fa && fb) {
            assert.deepEqual(
              labelSets(fa),
              labelSets(fb),
              `${panel.title}: ${a} and ${b} carry the same labels`,
            );
          }
        }
        for (const [name, labels] of Object.entries(panel.shownLabels ?? {})) {
          for (const label of labels) {
            if (!families.get(name)?.samples[0]?.labels[label]) {
              missing.push(
                `${panel.title}: ${name}{${label}}`,
              );
            }
          }
        }
      }
      assert.deepEqual(missing, []);
      // The gauges show what is open right now.
      await eventually(async () => {
        const now = await scrape(`${t.metricsUrl}/metrics`);
        assert.ok(total(now, "rabbitmq_connections") >= 1);
        assert.ok(total(now, "rabbitmq_channels") >= 3);
        assert.ok(total(now, "rabbitmq_channel_consumers") >= 2);
        assert.ok(total(now, "rabbitmq_queue_messages_unacked") >= 1);
        assert.ok(total(now, "rabbitmq_process_resident_memory_bytes") > 0);
        assert.ok(total(now, "rabbitmq_resident_memory_limit_bytes") > 0);
        assert.ok(total(now, "rabbitmq_disk_space_available_bytes") > 0);
        assert.ok(total(now, "rabbitmq_process_open_fds") > 0);
        assert.ok(total(now, "rabbitmq_process_max_fds") > total(now, "rabbitmq_process_open_fds"));
      });
    } finally {
      await run.finish();
    }
  },
);

withTarget("/metrics/per-object gives each queue its own series, labelled vhost and queue", async (t) => {
  const prefix = uniquePrefix();
  const run = await traffic(t.amqpUrl, prefix);
  try {
    await eventually(async () => {
      const families = await scrape(`${t.metricsUrl}/metrics/per-object`);
      const q1 = { vhost: "/", queue: `${prefix}-q1` };
      const ready = families.get("rabbitmq_queue_messages_ready")!.samples.filter((s) =>
        s.labels.queue === q1.queue
      );
      assert.deepEqual(ready.map((s) => s.labels), [q1]);
      assert.equal(total(families, "rabbitmq_queue_messages_unacked", q1), 1);
      assert.equal(total(families, "rabbitmq_queue_messages", q1), 1);
      assert.equal(total(families, "rabbitmq_queue_consumers", q1), 1);
      const channels = families.get("rabbitmq_channel_consumers")!;
      assert.ok(channels.samples.length >= 3);
      assert.ok(
        channels.samples.every((s) => typeof s.labels.channel === "string" && s.labels.channel !== ""),
      );
      assert.equal(families.get("rabbitmq_identity_info")?.samples.length, 1);
    });
  } finally {
    await run.finish();
  }
});

withTarget(
  "/metrics/detailed serves only the families asked for, queues only of the vhosts asked for",
  async (t) => {
    const prefix = uniquePrefix();
    const run = await traffic(t.amqpUrl, prefix);
    try {
      const base = `${t.metricsUrl}/metrics/detailed`;
      const none = await scrape(base);
      assert.deepEqual([...none.keys()].filter((n) => n.startsWith("rabbitmq_detailed_")), []);
      assert.equal(none.get("rabbitmq_identity_info")?.samples.length, 1);

      await eventually(async () => {
        const coarse = await scrape(`${base}?family=queue_coarse_metrics&family=connection_churn_metrics`);
        const detailed = [...coarse.keys()].filter((n) => n.startsWith("rabbitmq_detailed_"));
        for (
          const name of [
            "rabbitmq_detailed_queue_messages_ready",
            "rabbitmq_detailed_queue_messages_unacked",
            "rabbitmq_detailed_queue_messages",
            "rabbitmq_detailed_connections_opened_total",
            "rabbitmq_detailed_queues_deleted_total",
          ]
        ) assert.ok(detailed.includes(name), name);
        assert.ok(!detailed.includes("rabbitmq_detailed_queue_consumers"));
        assert.equal(
          total(coarse, "rabbitmq_detailed_queue_messages", { vhost: "/", queue: `${prefix}-q1` }),
          1,
        );

        const elsewhere = await scrape(`${base}?family=queue_coarse_metrics&vhost=${prefix}-no-such-vhost`);
        assert.equal(elsewhere.get("rabbitmq_detailed_queue_messages")?.samples.length, 0);
        const here = await scrape(`${base}?family=queue_coarse_metrics&vhost=%2F`);
        assert.ok(here.get("rabbitmq_detailed_queue_messages")!.samples.every((s) => s.labels.vhost === "/"));
        assert.equal(total(here, "rabbitmq_detailed_queue_messages", { queue: `${prefix}-q1` }), 1);
      });
    } finally {
      await run.finish();
    }
  },
);

withTarget("the listener answers only its metric paths: 404 elsewhere, 405 for other methods", async (t) => {
  const missing = await fetch(`${t.metricsUrl}/api/overview`);
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { error: "Object Not Found", reason: "Not Found" });
  const post = await fetch(`${t.metricsUrl}/metrics`, { method: "POST", body: "x" });
  await post.body?.cancel();
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("allow"), "HEAD, GET, OPTIONS");
  const head = await fetch(`${t.metricsUrl}/metrics`, { method: "HEAD" });
  assert.equal(head.status, 204);
  assert.equal(await head.text(), "");
});

withTarget("prometheus.return_per_object_metrics makes /metrics answer per object", async (t) => {
  const node = t.node!;
  const perObject = startPrometheusServer({
    context: node.admin.context,
    port: 0,
    hostname: "127.0.0.1",
    perObjectByDefault: true,
  });
  const prefix = uniquePrefix();
  const run = await traffic(t.amqpUrl, prefix);
  try {
    const families = await scrape(`http://127.0.0.1:${perObject.port}/metrics`);
    assert.equal(total(families, "rabbitmq_queue_messages", { vhost: "/", queue: `${prefix}-q1` }), 1);
    assert.equal(families.get("process_start_time_seconds")?.samples.length, 1);
  } finally {
    await run.finish();
    await perObject.close();
  }
}, { ignore: EXTERNAL_AMQP_URL !== undefined && RABBITMQ_METRICS_URL !== undefined });

// RabbitMQ 3.10.8's /api/overview lists {protocol: "http/prometheus", port: 15692, ...} among its listeners.
withTarget("the management API lists the Prometheus listener, as RabbitMQ's overview does", async (t) => {
  const auth = { authorization: `Basic ${btoa("guest:guest")}` };
  const overview = await (await fetch(`${t.managementUrl}/api/overview`, { headers: auth })).json();
  const port = Number(new URL(t.metricsUrl).port);
  const listener = overview.listeners.find((l: { protocol: string }) => l.protocol === "http/prometheus");
  assert.equal(listener?.port, port);
  const check = await fetch(`${t.managementUrl}/api/health/checks/port-listener/${port}`, { headers: auth });
  assert.deepEqual(await check.json(), { status: "ok", port });
}, { ignore: EXTERNAL_AMQP_URL !== undefined && RABBITMQ_METRICS_URL !== undefined });

/**
 * Names RabbitMQ 3.10 serves that Warren deliberately does not, and why.
 * A name on neither this list nor Warren's pages fails the comparison.
 */
const DELIBERATE_OMISSIONS: { names: RegExp; why: string }[] = [
  // The Erlang VM's and Mnesia's own statistics describe a runtime Warren does not run on.
  { names: /^erlang_(vm|mnesia)_/, why: "Erlang VM and Mnesia internals" },
  {
    names:
      /^rabbitmq_erlang_(processes_used|processes_limit|gc_runs_total|gc_reclaimed_bytes_total|scheduler_context_switches_total|scheduler_run_queue|net_ticktime_seconds)$/,
    why: "Erlang process, scheduler, GC and distribution figures; V8 exposes no equivalent counters",
  },
  {
    names: /^rabbitmq_(queue|channel|connection)_process_reductions_total$/,
    why: "Erlang reductions (work units of a process); Warren has no process per object",
  },
  { names: /^rabbitmq_queue_process_memory_bytes$/, why: "memory of an Erlang queue process" },
  // RabbitMQ's message store, queue index and Mnesia I/O; Warren's storage is one SQLite database.
  {
    names: /^rabbitmq_(io_.*|schema_db_.*|msg_store_.*|queue_index_.*)_total$/,
    why: "file I/O counters of RabbitMQ's own storage layers",
  },
  {
    names: /^rabbitmq_raft_/,
    why: "Raft log internals: Warren's quorum queues are single-node and keep no Raft log",
  },
  {
    names: /^rabbitmq_global_messages_dead_lettered_confirmed_total$/,
    why: "counted by RabbitMQ when target queues confirm at-least-once dead letters; not counted by Warren",
  },
  {
    names: /^rabbitmq_queue_consumer_(capacity|utilisation)$/,
    why: "RabbitMQ's measure of how often a queue could deliver at once; not sampled by Warren",
  },
  {
    names:
      /^rabbitmq_queue_(messages_(ram_bytes|persistent|persistent_bytes|bytes|ready_bytes|unacked_bytes|paged_out_bytes)|head_message_timestamp|disk_(reads|writes)_total)$/,
    why:
      "per-queue byte sizes, persistent counts, head timestamps and disk operations are not tracked per queue",
  },
  {
    names:
      /^rabbitmq_connection_(incoming|outgoing)_(bytes|packets)_total$|^rabbitmq_connection_pending_packets$/,
    why: "per-connection byte and packet counts are not kept on the read path",
  },
  {
    names: /^rabbitmq_auth_attempts_detailed_/,
    why: "per-source (address, user) authentication counts are not kept",
  },
  { names: /^telemetry_scrape_/, why: "the Erlang Prometheus client's own scrape summaries" },
];

function namesAndTypes(families: Map<string, ScrapedFamily>): Map<string, string> {
  return new Map([...families].map(([name, f]) => [name, f.type]));
}

withTarget("Warren serves RabbitMQ's metric names with RabbitMQ's types, but for a listed few", async (t) => {
  if (t.external) return; // this compares Warren with RabbitMQ; the external target is RabbitMQ itself
  for (const path of ["/metrics", "/metrics/per-object"]) {
    const rabbit = namesAndTypes(await scrape(`${RABBITMQ_METRICS_URL!.replace(/\/+$/, "")}${path}`));
    const warren = namesAndTypes(await scrape(`${t.metricsUrl}${path}`));
    const lacking = [...rabbit.keys()].filter((n) =>
      !warren.has(n) && !DELIBERATE_OMISSIONS.some((o) => o.names.test(n))
    );
    assert.deepEqual(lacking, [], `${path}: RabbitMQ's names Warren lacks`);
    const invented = [...warren.keys()].filter((n) => !rabbit.has(n));
    assert.deepEqual(invented, [], `${path}: names RabbitMQ does not serve`);
    const typed = [...warren].filter(([n, type]) => rabbit.get(n) !== type).map(([n, type]) =>
      `${n} ${type}`
    );
    assert.deepEqual(typed, [], `${path}: types that differ from RabbitMQ's`);
  }
}, { ignore: ignoreWithoutSharedRabbit(RABBITMQ_METRICS_URL ?? null) });
