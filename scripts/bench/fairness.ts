// Does one hostile publisher starve everyone else? One connection floods
// the broker (flood_worker.ts, in its own thread) while, from this thread,
// another connection times round trips (a passive queue.declare every
// probeIntervalMs) and idle connections that negotiated short heartbeats
// wait to see whether the broker drops them for "missed heartbeats".
// Used by the benchmark's fairness scenarios and by tests/e2e/fairness.test.ts.
import { AmqpConnection, withTimeout } from "./amqp_client.ts";
import type { FloodCommand, FloodKind, FloodReport } from "./flood_worker.ts";
import { percentile } from "./stats.ts";

export interface FairnessOptions {
  url: string;
  kind: FloodKind;
  floodMs: number;
  /** Idle connections that negotiate heartbeats and send their own. */
  idleConnections: number;
  /** The idle connections' heartbeat, and the flood's (which is never silent, but always busy). */
  heartbeatS: number;
  probeIntervalMs: number;
  /**
   * Where the flood goes: nowhere (unroutable, through the default exchange),
   * a queue, or a queue behind a headers exchange (whose routing reads every
   * message's headers). The queue keeps the newest FLOOD_QUEUE_MAX_LENGTH.
   */
  floodInto: "nowhere" | "queue" | "headers exchange";
}

export interface FairnessResult {
  /** Round trips that completed while the flood ran. */
  probesDuringFlood: number;
  p50Ms: number;
  p99Ms: number;
  /** The longest round trip, counting one still unanswered when the flood stopped. */
  maxMs: number;
  idleDropped: number;
  /** Why an idle connection was dropped, the first one. */
  idleDropReason: string | null;
  floodMessages: number;
  floodMsgPerS: number;
  /** The broker closed the flooding connection itself (a limit, say): its reason. */
  floodClosedByBroker: string | null;
}

const WORKER_ENTRY = new URL("./flood_worker.ts", import.meta.url);
const SETUP_TIMEOUT_MS = 30_000;
/** How long after the flood stops a probe still may take before the measurement gives up on it. */
const PROBE_GRACE_MS = 60_000;
/** The flood's queue drops its oldest messages past this, so the flood costs no memory to speak of. */
const FLOOD_QUEUE_MAX_LENGTH = 100;

/** The flood's worker with a queue of what it reported, so a report is never missed. */
class FloodHandle {
  readonly #worker = new Worker(WORKER_ENTRY, { type: "module" });
  readonly #reports: FloodReport[] = [];
  #wake: (() => void) | null = null;

  constructor() {
    this.#worker.onmessage = (e: MessageEvent<FloodReport>) => this.#push(e.data);
    this.#worker.onerror = (e) => {
      e.preventDefault();
      this.#push({ type: "error", message: `flood worker failed: ${e.message}` });
    };
  }

  #push(report: FloodReport): void {
    this.#reports.push(report);
    this.#wake?.();
  }

  send(cmd: FloodCommand): void {
    this.#worker.postMessage(cmd);
  }

  async next<T extends FloodReport["type"]>(type: T, timeoutMs: number): Promise<FloodReport & { type: T }> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const report = this.#reports.shift();
      if (report?.type === "error") throw new Error(report.message);
      if (report?.type === type) return report as FloodReport & { type: T };
      if (report) continue;
      if (Date.now() >= deadline) throw new Error(`flood worker: no '${type}' within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
  }

  terminate(): void {
    this.#worker.terminate();
  }
}

export async function measureFairness(o: FairnessOptions): Promise<FairnessResult> {
  const tag = `fairness.${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const idle: AmqpConnection[] = [];
  let probe: AmqpConnection | null = null;
  const flood = new FloodHandle();
  try {
    for (let i = 0; i < o.idleConnections; i++) {
      const c = await AmqpConnection.open(o.url, { name: `${tag}.idle${i}`, heartbeatS: o.heartbeatS });
      idle.push(c);
      await c.openChannel(1);
    }
    probe = await AmqpConnection.open(o.url, { name: `${tag}.probe` });
    await probe.openChannel(1);
    const probeQueue = `${tag}.probe`;
    await probe.queueDeclare(1, probeQueue, { exclusive: true });
    const floodQueue = `${tag}.flood`;
    const floodExchange = `${tag}.headers`;
    if (o.floodInto !== "nowhere") {
      await probe.queueDeclare(1, floodQueue, { arguments: { "x-max-length": FLOOD_QUEUE_MAX_LENGTH } });
    }
    if (o.floodInto === "headers exchange") {
      await probe.exchangeDeclare(1, floodExchange, "headers");
      await probe.call(1, "queue.bind", {
        queue: floodQueue,
        exchange: floodExchange,
        routingKey: "",
        arguments: { "x-match": "any", "0": true, "no such header": true },
      }, ["queue.bind-ok"]);
    }
    flood.send({
      type: "connect",
      url: o.url,
      kind: o.kind,
      exchange: o.floodInto === "headers exchange" ? floodExchange : "",
      routingKey: o.floodInto === "queue" ? floodQueue : `${tag}.nowhere`,
      heartbeatS: o.heartbeatS,
    });
    await flood.next("ready", SETUP_TIMEOUT_MS);
    flood.send({ type: "start" });
    const t0 = performance.now();
    const floodEnd = t0 + o.floodMs;
    const rtts: number[] = [];
    let probesDuringFlood = 0;
    let unansweredMs = 0;
    while (performance.now() < floodEnd) {
      const sent = performance.now();
      const answered = probe.queueDeclare(1, probeQueue, { passive: true }).then(() => performance.now());
      // Stop the flood on time even while a probe waits; the probe then gets its grace period.
      const first = await Promise.race([answered, sleep(Math.max(0, floodEnd - sent)).then(() => null)]);
      if (first === null) {
        flood.send({ type: "stop" });
        const done = await withTimeout(answered, PROBE_GRACE_MS, "a round trip after the flood").catch(() =>
          NaN
        );
        unansweredMs = (Number.isNaN(done) ? performance.now() : done) - sent;
        break;
      }
      rtts.push(first - sent);
      probesDuringFlood++;
      const wait = sent + o.probeIntervalMs - performance.now();
      if (wait > 0) await sleep(wait);
    }
    flood.send({ type: "stop" });
    const stopped = await flood.next("stopped", SETUP_TIMEOUT_MS);
    const floodElapsedMs = performance.now() - t0;
    // A dropped connection shows up once the broker's close reaches it: give it a moment.
    await sleep(200);
    const dropped = idle.filter((c) => c.closed);
    if (unansweredMs > 0) rtts.push(unansweredMs);
    return {
      probesDuringFlood,
      p50Ms: percentile(rtts, 50),
      p99Ms: percentile(rtts, 99),
      maxMs: rtts.length ? Math.max(...rtts) : NaN,
      idleDropped: dropped.length,
      idleDropReason: dropped[0]?.closeError?.message ?? null,
      floodMessages: stopped.sentMessages,
      floodMsgPerS: (stopped.sentMessages * 1000) / floodElapsedMs,
      floodClosedByBroker: stopped.closedByBroker,
    };
  } finally {
    flood.terminate();
    if (probe && !probe.closed) {
      if (o.floodInto !== "nowhere") await probe.queueDelete(1, `${tag}.flood`).catch(() => {});
      if (o.floodInto === "headers exchange") await probe.exchangeDelete(1, `${tag}.headers`).catch(() => {});
      await probe.close().catch(() => {});
    }
    await Promise.all(idle.map((c) => c.close().catch(() => {})));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
