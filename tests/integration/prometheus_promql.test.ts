// A real Prometheus server scrapes Warren's /metrics, and for every panel of
// RabbitMQ's RabbitMQ-Overview dashboard a query of the panel's shape is
// evaluated: its series (rate() of the counters), joined to
// rabbitmq_identity_info on `instance` with group_left of the labels the
// panel uses, summed by the panel's labels, with + or - between the series
// the panel combines. Each must return data. The queries are built here from
// tests/fixtures/grafana_rabbitmq_overview_panels.json (metric names and
// labels read off the dashboard), not copied from it.
//
// Needs the prometheus binary (Debian's `prometheus` package, or
// WARREN_TEST_PROMETHEUS_BIN); skipped without it. Run by hand with
// Prometheus 2.42 against Warren, and against RabbitMQ 3.10.8 (with
// WARREN_TEST_AMQP_URL and WARREN_TEST_RABBITMQ_PROMETHEUS_URL set), green.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "../helpers/amqplib.ts";
import { startServer } from "../../src/server/server.ts";
import { startAdminServer } from "../../src/admin/admin_server.ts";
import { startPrometheusServer } from "../../src/admin/prometheus/prometheus_server.ts";
import { parsePrometheusText } from "../helpers/prometheus_text.ts";

const TEST_TIMEOUT_MS = 60_000;
const FIXTURE = new URL("../fixtures/grafana_rabbitmq_overview_panels.json", import.meta.url);
const PROMETHEUS_BIN = Deno.env.get("WARREN_TEST_PROMETHEUS_BIN") ?? "/usr/bin/prometheus";
const RABBITMQ_METRICS_URL = Deno.env.get("WARREN_TEST_RABBITMQ_PROMETHEUS_URL");
const EXTERNAL_AMQP_URL = Deno.env.get("WARREN_TEST_AMQP_URL");

function hasPrometheus(): boolean {
  try {
    return Deno.statSync(PROMETHEUS_BIN).isFile;
  } catch {
    return false;
  }
}

interface Panel {
  title: string;
  metrics: string[];
  identityLabels: string[];
  sumBy?: string[];
  sameLabels?: [string, string][];
}

/** The panel's queries: one per series, or one per pair the panel combines with + or -. */
function panelQueries(panel: Panel, types: Map<string, string>, cluster: string): string[] {
  const join = `* on(instance) group_left(${panel.identityLabels.join(", ")}) ` +
    `rabbitmq_identity_info{rabbitmq_cluster="${cluster}"}`;
  const series = (m: string) => (types.get(m) === "counter" ? `rate(${m}[20s])` : m);
  const by = panel.sumBy ? ` by(${panel.sumBy.join(", ")})` : "";
  const paired = new Set((panel.sameLabels ?? []).flat());
  const queries = (panel.sameLabels ?? []).map(([a, b]) =>
    `sum(${series(a)} ${join} - ${series(b)} ${join})${by}`
  );
  for (const m of panel.metrics) if (!paired.has(m)) queries.push(`sum(${series(m)} ${join})${by}`);
  return queries;
}

async function query(promUrl: string, expr: string): Promise<unknown[]> {
  const res = await fetch(`${promUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`);
  const body = await res.json();
  assert.equal(body.status, "success", `${expr}: ${JSON.stringify(body)}`);
  return body.data.result;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test({
  name: "a Prometheus server scraping /metrics finds data for every RabbitMQ-Overview panel's query",
  // scripts/test.sh installs Prometheus, so in CI a missing binary fails the test instead of skipping it.
  ignore: !hasPrometheus() && Deno.env.get("CI") !== "true",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const external = EXTERNAL_AMQP_URL !== undefined && RABBITMQ_METRICS_URL !== undefined;
    const dir = await Deno.makeTempDir({ prefix: "warren-promql-" });
    const server = external ? null : await startServer({
      port: 0,
      hostname: "127.0.0.1",
      logLevel: "error",
      alarms: { memoryHighWatermark: { relative: 0.4 }, diskFreeLimitBytes: 50_000_000, dataDir: null },
    });
    const admin = server ? await startAdminServer({ node: server, port: 0, hostname: "127.0.0.1" }) : null;
    const metrics = admin
      ? startPrometheusServer({ context: admin.context, port: 0, hostname: "127.0.0.1" })
      : null;
    const amqpUrl = external ? EXTERNAL_AMQP_URL! : `amqp://guest:guest@127.0.0.1:${server!.port}/`;
    const target = external ? new URL(RABBITMQ_METRICS_URL!).host : `127.0.0.1:${metrics!.port}`;
    const promPort = freePort();
    await Deno.writeTextFile(
      `${dir}/prometheus.yml`,
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: broker\n    static_configs:\n      - targets: ["${target}"]\n`,
    );
    const prometheus = new Deno.Command(PROMETHEUS_BIN, {
      args: [
        `--config.file=${dir}/prometheus.yml`,
        `--storage.tsdb.path=${dir}/data`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const conn = await amqp.connect(amqpUrl);
    const queue = `promql-${crypto.randomUUID().slice(0, 8)}`;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${TEST_TIMEOUT_MS} ms`)), TEST_TIMEOUT_MS);
    });
    try {
      await Promise.race([
        deadline,
        (async () => {
          // Traffic while Prometheus scrapes, and a consumer holding one message unacked.
          const ch = await conn.createConfirmChannel();
          await ch.assertQueue(queue, { durable: false });
          for (let i = 0; i < 20; i++) ch.sendToQueue(queue, Buffer.from(`m${i}`));
          await ch.waitForConfirms();
          const sub = await conn.createChannel();
          await sub.prefetch(1);
          await sub.consume(queue, () => {});

          const metricsUrl = external ? RABBITMQ_METRICS_URL!.replace(/\/+$/, "") : `http://${target}`;
          const scraped = parsePrometheusText(await (await fetch(`${metricsUrl}/metrics`)).text());
          const types = new Map([...scraped].map(([name, f]) => [name, f.type]));
          const cluster = scraped.get("rabbitmq_identity_info")!.samples[0].labels.rabbitmq_cluster;
          const dashboard = JSON.parse(await Deno.readTextFile(FIXTURE)) as { panels: Panel[] };
          const promUrl = `http://127.0.0.1:${promPort}`;
          const giveUpAt = Date.now() + TEST_TIMEOUT_MS / 2;
          let empty: string[] = [];
          for (;;) {
            empty = [];
            for (const panel of dashboard.panels) {
              for (const q of panelQueries(panel, types, cluster)) {
                try {
                  if ((await query(promUrl, q)).length === 0) empty.push(`${panel.title}: ${q}`);
                } catch {
                  empty.push(`${panel.title}: ${q} (Prometheus not answering yet)`);
                }
              }
            }
            // rate() needs two scrapes; give Prometheus a few seconds before calling a panel empty.
            if (empty.length === 0 || Date.now() > giveUpAt) break;
            await new Promise((r) => setTimeout(r, 1000));
          }
          assert.deepEqual(empty, []);
        })(),
      ]);
    } finally {
      clearTimeout(timer);
      try {
        const ch = await conn.createChannel();
        await ch.deleteQueue(queue);
      } finally {
        await conn.close();
        prometheus.kill("SIGTERM");
        await prometheus.status;
        await metrics?.close();
        await admin?.close();
        await server?.close();
        await Deno.remove(dir, { recursive: true });
      }
    }
  },
});
