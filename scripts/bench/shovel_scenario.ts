// Scenario 9: a dynamic shovel moving persistent 1 KiB messages on-confirm
// from one node to another of the same kind — Warren to Warren (the shovel
// runs inside the source Warren, defined through its management API), or
// RabbitMQ to RabbitMQ (rabbitmq_shovel enabled on the source node, the
// shovel defined with rabbitmqctl). The source queue is filled first; the
// clock runs from the moment the shovel is defined until the destination
// queue holds every message. The scenario starts its own pair of nodes, so
// each kind gets the plugin or port it needs; the harness's broker only
// says which kind.
import { ClientConnection } from "../../src/client/amqp_client.ts";
import { encodeProperties } from "../../src/amqp/properties.ts";
import { type Broker, freePort, RabbitBroker, WarrenBroker } from "./brokers.ts";
import { coresUsed, memoryKiB, sampleCpu } from "./procstat.ts";
import type { BenchOptions, RunResult } from "./scenarios.ts";

const BODY_BYTES = 1024;
/** Enough to keep a 20k msg/s shovel busy for several seconds. */
const DEFAULT_MESSAGES = 200_000;
const CONFIRM_WINDOW = 1000;
/** Unconfirmed messages in flight; the shovel's rate is about this many per destination fsync. */
const PREFETCH = Number(Deno.env.get("BENCH_SHOVEL_PREFETCH") ?? 1000);
const MOVE_TIMEOUT_MS = 600_000;
const SRC_QUEUE = "bench.shovel.src";
const DEST_QUEUE = "bench.shovel.dest";
const MAIN_TS = new URL("../../main.ts", import.meta.url).pathname;

interface Node {
  broker: Broker;
  /** How the shovel is defined on this node (source nodes only). */
  defineShovel(value: Record<string, unknown>): Promise<void>;
  dir: string;
}

async function warrenNode(): Promise<Node> {
  const dir = await Deno.makeTempDir({ prefix: "warren-bench-shovel-" });
  const managementPort = freePort();
  const broker = new WarrenBroker({
    mainTs: MAIN_TS,
    dataDir: `${dir}/data`,
    port: freePort(),
    logFile: `${dir}/warren.log`,
    extraArgs: ["--management-port", String(managementPort), "--prometheus-port", String(freePort())],
  });
  return {
    broker,
    dir,
    async defineShovel(value) {
      const res = await fetch(`http://127.0.0.1:${managementPort}/api/parameters/shovel/%2F/bench`, {
        method: "PUT",
        headers: { authorization: `Basic ${btoa("guest:guest")}`, "content-type": "application/json" },
        body: JSON.stringify({ value }),
      });
      if (res.status >= 300) throw new Error(`defining the shovel: ${res.status} ${await res.text()}`);
    },
  };
}

async function rabbitNode(): Promise<Node> {
  const dir = await Deno.makeTempDir({ prefix: "rabbit-bench-shovel-" });
  const nodeName = `bench-shovel-${crypto.randomUUID().slice(0, 8)}@localhost`;
  const broker = new RabbitBroker({
    baseDir: dir,
    nodeName,
    port: freePort(),
    distPort: freePort(),
    plugins: ["rabbitmq_shovel"],
  });
  return {
    broker,
    dir,
    async defineShovel(value) {
      await broker.ctl(["set_parameter", "shovel", "bench", JSON.stringify(value)]);
    },
  };
}

async function connect(url: string): Promise<ClientConnection> {
  const u = new URL(url);
  const socket = await Deno.connect({ hostname: u.hostname, port: Number(u.port) });
  return await ClientConnection.open(socket, {
    username: "guest",
    password: "guest",
    vhost: "/",
    heartbeatS: 0,
    frameMaxBytes: 131_072,
    channelMax: 16,
    handshakeTimeoutMs: 10_000,
    connectionName: "bench-shovel",
  });
}

/** Fills the source queue with persistent messages, CONFIRM_WINDOW unconfirmed at most. */
async function fill(url: string, count: number): Promise<void> {
  const c = await connect(url);
  try {
    const ch = await c.channel();
    await ch.call("queue.declare", { queue: SRC_QUEUE, durable: true });
    await ch.confirmSelect();
    let confirmed = 0;
    let wake: (() => void) | null = null;
    ch.onConfirm = (tag, multiple, ack) => {
      if (!ack) throw new Error(`publish ${tag} nacked`);
      confirmed = multiple ? Math.max(confirmed, tag) : confirmed + 1;
      wake?.();
    };
    const props = encodeProperties({ deliveryMode: 2 });
    const body = new Uint8Array(BODY_BYTES).fill(120);
    for (let sent = 0; sent < count;) {
      while (sent - confirmed >= CONFIRM_WINDOW) await new Promise<void>((r) => (wake = r));
      ch.publish("", SRC_QUEUE, props, body);
      sent++;
      if (sent % 100 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    while (confirmed < count) await new Promise<void>((r) => (wake = r));
  } finally {
    await c.close();
  }
}

async function depth(ch: Awaited<ReturnType<ClientConnection["channel"]>>, queue: string): Promise<number> {
  return (await ch.call("queue.declare", { queue, passive: true })).messageCount;
}

export async function runShovel(
  broker: Broker,
  opts: BenchOptions,
): Promise<Omit<RunResult, "scenario" | "broker" | "round">> {
  const kind = broker.name === "rabbitmq" ? rabbitNode : warrenNode;
  const count = Math.min(opts.maxMessages, DEFAULT_MESSAGES);
  const src = await kind();
  const dest = await kind();
  try {
    await Promise.all([src.broker.start(), dest.broker.start()]);
    opts.log(`  filling ${count} persistent ${BODY_BYTES} B messages`);
    await fill(src.broker.url, count);
    const watch = await connect(dest.broker.url);
    const watchSrc = await connect(src.broker.url);
    try {
      const ch = await watch.channel();
      await ch.call("queue.declare", { queue: DEST_QUEUE, durable: true });
      const srcCh = await watchSrc.channel();
      const pid = src.broker.pid();
      const cpu0 = sampleCpu(pid === null ? [] : [pid]);
      const t0 = performance.now();
      await src.defineShovel({
        "src-uri": "amqp://",
        "src-queue": SRC_QUEUE,
        "dest-uri": dest.broker.url.replace(/\/?$/, "/%2f"),
        "dest-queue": DEST_QUEUE,
        "ack-mode": "on-confirm",
        "src-prefetch-count": PREFETCH,
      });
      let moved = 0;
      let peakKiB = 0;
      while (moved < count) {
        if (performance.now() - t0 > MOVE_TIMEOUT_MS) {
          throw new Error(`shovel moved ${moved}/${count} in time`);
        }
        await new Promise((r) => setTimeout(r, 20));
        moved = await depth(ch, DEST_QUEUE);
        if (pid !== null) peakKiB = Math.max(peakKiB, memoryKiB(pid).rssKiB || 0);
      }
      const elapsedMs = performance.now() - t0;
      const cpu1 = sampleCpu(pid === null ? [] : [pid]);
      const left = await depth(srcCh, SRC_QUEUE);
      return {
        metrics: { "msg/s": count / (elapsedMs / 1000) },
        lost: Math.max(0, count - moved),
        duplicates: Math.max(0, moved - count),
        generatorCores: NaN,
        brokerCores: coresUsed(cpu0, cpu1),
        brokerPeakRssMiB: peakKiB / 1024,
        details: { messages: count, elapsedMs: Math.round(elapsedMs), leftInSource: left },
      };
    } finally {
      await watch.close();
      await watchSrc.close();
    }
  } finally {
    await Promise.all([src.broker.stop(), dest.broker.stop()]);
    await Deno.remove(src.dir, { recursive: true }).catch(() => {});
    await Deno.remove(dest.dir, { recursive: true }).catch(() => {});
  }
}
