// The benchmark scenarios. Each one sets up its topology over a
// control connection, runs producer and consumer roles in workers or
// subprocesses, and returns its metrics plus loss/duplicate counts and who
// used how much CPU and memory.
import { AmqpConnection } from "./amqp_client.ts";
import type { Broker } from "./brokers.ts";
import { coresUsed, memoryKiB, RssWatcher, sampleCpu } from "./procstat.ts";
import { RoleHandle, type RoleMode } from "./role_host.ts";
import type { BenchClient, ConsumerConfig, ConsumerResult, ProducerConfig, ProducerResult } from "./roles.ts";
import { clockMs } from "./message.ts";
import { ratePerS } from "./stats.ts";
import { runShovel } from "./shovel_scenario.ts";
import { runChurn } from "./churn_scenario.ts";
import type { FieldTable } from "../../src/amqp/field_table.ts";
import { type FairnessOptions, measureFairness } from "./fairness.ts";
import { runStreamFanoutRss, runStreamPublish, runStreamReplay } from "./stream_scenarios.ts";

export interface BenchOptions {
  durationMs: number;
  mode: RoleMode;
  maxMessages: number;
  /** published-but-unconsumed cap for throughput scenarios; 0 = none */
  maxBacklog: number;
  idleConnections: number;
  restartMessages: number;
  /** messages queued in scenario backlog-10M */
  backlogMessages: number;
  /** records filled and replayed in stream-replay */
  streamRecords: number;
  /** size of the stream (1 KiB records) replayed in stream-fanout-rss */
  streamFanoutMiB: number;
  consumerRoles: number;
  /** the client of the producer and consumer roles (set-up and scenarios 7-9 always use the harness's) */
  client: BenchClient;
  /** queues (each with a consumer) in scenario 12 */
  manyQueues: number;
  /** concurrent open-publish-close loops in scenario 13 */
  churnLoops: number;
  log: (line: string) => void;
}

export interface RunResult {
  scenario: string;
  broker: string;
  round: number;
  metrics: Record<string, number>;
  lost: number;
  duplicates: number;
  /** CPU cores used by the load generator (all its processes/threads) during the run */
  generatorCores: number;
  brokerCores: number;
  brokerPeakRssMiB: number;
  details: Record<string, unknown>;
}

export type Target =
  | { kind: "ratio"; op: ">=" | "<="; value: number }
  | { kind: "absolute"; op: "<="; value: number };

export interface MetricSpec {
  key: string;
  higherIsBetter: boolean;
  target?: Target;
}

export interface Scenario {
  id: string;
  group: number;
  title: string;
  metrics: MetricSpec[];
  /** needs a broker the harness can stop and start */
  needsManaged?: boolean;
  /** slow: runs only with --full or when named in --scenarios */
  onlyWhenFull?: boolean;
  /** measured on a freshly started broker (memory from earlier scenarios would blur it) */
  freshBroker?: boolean;
  run(broker: Broker, opts: BenchOptions): Promise<Omit<RunResult, "scenario" | "broker" | "round">>;
}

const THROUGHPUT: MetricSpec[] = [
  { key: "msg/s", higherIsBetter: true, target: { kind: "ratio", op: ">=", value: 2 } },
];
/** Persistent with fsync before confirm: the target is 3x RabbitMQ. */
const PERSISTENT_THROUGHPUT: MetricSpec[] = [
  { key: "msg/s", higherIsBetter: true, target: { kind: "ratio", op: ">=", value: 3 } },
];
const LATENCY: MetricSpec[] = [
  { key: "p50 ms", higherIsBetter: false },
  { key: "p99 ms", higherIsBetter: false, target: { kind: "ratio", op: "<=", value: 0.5 } },
  { key: "max ms", higherIsBetter: false, target: { kind: "ratio", op: "<=", value: 1 } },
];

const KIB = 1024;

const FAIRNESS: MetricSpec[] = [
  { key: "p50 ms", higherIsBetter: false },
  { key: "p99 ms", higherIsBetter: false, target: { kind: "absolute", op: "<=", value: 50 } },
  { key: "max ms", higherIsBetter: false },
  { key: "dropped", higherIsBetter: false, target: { kind: "absolute", op: "<=", value: 0 } },
];

export const SCENARIOS: Scenario[] = [
  flowScenario("1-16B", 1, "transient 16 B, 1->1, auto-ack", THROUGHPUT, { bodyBytes: 16, noAck: true }),
  flowScenario("1-1KiB", 1, "transient 1 KiB, 1->1, auto-ack", THROUGHPUT, { bodyBytes: KIB, noAck: true }),
  flowScenario("2-16B", 2, "transient 16 B, manual ack, prefetch 100", THROUGHPUT, {
    bodyBytes: 16,
    noAck: false,
    prefetch: 100,
  }),
  flowScenario("2-1KiB", 2, "transient 1 KiB, manual ack, prefetch 100", THROUGHPUT, {
    bodyBytes: KIB,
    noAck: false,
    prefetch: 100,
  }),
  flowScenario("3-persistent", 3, "persistent 1 KiB, durable, confirms (100), acks", PERSISTENT_THROUGHPUT, {
    bodyBytes: KIB,
    noAck: false,
    prefetch: 100,
    persistent: true,
    durable: true,
    confirmWindow: 100,
  }),
  flowScenario("4-1k", 4, "latency at 1k msg/s, 16 B", LATENCY, {
    bodyBytes: 16,
    noAck: true,
    ratePerS: 1000,
  }),
  flowScenario("4-10k", 4, "latency at 10k msg/s, 16 B", LATENCY, {
    bodyBytes: 16,
    noAck: true,
    ratePerS: 10_000,
  }),
  flowScenario("5-fanout", 5, "fanout to 10 queues, 16 B, auto-ack", [
    { key: "deliveries/s", higherIsBetter: true },
    { key: "msg/s", higherIsBetter: true },
  ], { bodyBytes: 16, noAck: true, fanout: 10 }),
  flowScenario(
    "6-topic",
    6,
    "topic exchange, 1000 bindings, 16 B",
    THROUGHPUT.map((m) => ({ ...m, target: undefined })),
    {
      bodyBytes: 16,
      noAck: true,
      topicBindings: 1000,
    },
  ),
  flowScenario("10-confirm1", 10, "persistent 1 KiB, durable, confirms one at a time", [
    { key: "confirm p50 ms", higherIsBetter: false, target: { kind: "ratio", op: "<=", value: 0.5 } },
    { key: "confirm p99 ms", higherIsBetter: false },
    { key: "msg/s", higherIsBetter: true },
  ], {
    bodyBytes: KIB,
    noAck: false,
    prefetch: 100,
    persistent: true,
    durable: true,
    confirmWindow: 1,
  }),
  flowScenario(
    "11-quorum",
    11,
    "persistent 1 KiB, quorum queue, confirms (100), acks",
    PERSISTENT_THROUGHPUT,
    {
      bodyBytes: KIB,
      noAck: false,
      prefetch: 100,
      persistent: true,
      durable: true,
      quorum: true,
      confirmWindow: 100,
    },
  ),
  {
    id: "12-queues",
    group: 12,
    title: "many queues with a consumer each, 20 msg/s each, 16 B",
    metrics: [
      { key: "msg/s", higherIsBetter: true },
      { key: "p99 ms", higherIsBetter: false },
      { key: "RSS MiB", higherIsBetter: false },
    ],
    freshBroker: true,
    run: (broker, opts) =>
      runFlow(broker, opts, "12-queues", {
        bodyBytes: 16,
        noAck: false,
        prefetch: 10,
        manyQueues: opts.manyQueues,
        ratePerS: MANY_QUEUES_RATE_PER_QUEUE * opts.manyQueues,
      }),
  },
  {
    id: "13-churn",
    group: 13,
    title: "connection churn: open, publish 1 message, close",
    metrics: [{ key: "cycles/s", higherIsBetter: true, target: { kind: "ratio", op: ">=", value: 2 } }],
    run: runChurn,
  },
  {
    id: "7-idle",
    group: 7,
    title: "idle connections (each with a channel)",
    metrics: [{ key: "KiB/conn", higherIsBetter: false, target: { kind: "ratio", op: "<=", value: 0.5 } }],
    freshBroker: true,
    run: runIdleConnections,
  },
  {
    id: "8-restart",
    group: 8,
    title: "restart with 1M persistent 1 KiB queued",
    metrics: [
      { key: "startup ms", higherIsBetter: false, target: { kind: "ratio", op: "<=", value: 0.1 } },
      { key: "RSS MiB", higherIsBetter: false, target: { kind: "absolute", op: "<=", value: 150 } },
    ],
    needsManaged: true,
    onlyWhenFull: true,
    run: runRestart,
  },
  {
    id: "backlog-10M",
    group: 15,
    title: "10M transient 16 B queued in a non-durable queue, no consumer",
    metrics: [
      { key: "RSS MiB", higherIsBetter: false, target: { kind: "absolute", op: "<=", value: 300 } },
      { key: "fill msg/s", higherIsBetter: true },
    ],
    freshBroker: true,
    onlyWhenFull: true,
    run: runBacklog,
  },
  {
    id: "9-shovel",
    group: 9,
    title: "shovel node to node, persistent 1 KiB, on-confirm",
    metrics: [{ key: "msg/s", higherIsBetter: true, target: { kind: "ratio", op: ">=", value: 1 } }],
    needsManaged: true,
    run: runShovel,
  },
  fairnessScenario("14-flood", "another connection's round trip while one floods 16 B publishes", {
    kind: "small",
    floodInto: "nowhere",
  }),
  fairnessScenario("14-headers", "... while one floods 4,096-header messages via a headers exchange", {
    kind: "headers",
    floodInto: "headers exchange",
  }),
  {
    id: "stream-publish",
    group: 16,
    title: "stream: publish 1 KiB, confirms (100)",
    metrics: THROUGHPUT,
    run: runStreamPublish,
  },
  {
    id: "stream-replay",
    group: 16,
    title: "stream: replay from 'first', prefetch 1000, multiple acks",
    metrics: THROUGHPUT,
    run: runStreamReplay,
  },
  {
    id: "stream-fanout-rss",
    group: 17,
    title: "stream: broker RSS replaying to 10 consumers at 10 offsets",
    metrics: [
      { key: "RSS MiB", higherIsBetter: false, target: { kind: "absolute", op: "<=", value: 150 } },
      { key: "deliveries/s", higherIsBetter: true },
    ],
    freshBroker: true,
    onlyWhenFull: true,
    run: runStreamFanoutRss,
  },
];

/** Scenario group 14: does one client pushing as hard as it can starve the others (fairness.ts)? */
function fairnessScenario(
  id: string,
  title: string,
  flood: Pick<FairnessOptions, "kind" | "floodInto">,
): Scenario {
  return {
    id,
    group: 14,
    title,
    metrics: FAIRNESS,
    run: async (broker, opts) => {
      const pid = broker.pid();
      const brk0 = sampleCpu(pid === null ? [] : [pid]);
      const rss = new RssWatcher(pid);
      const r = await measureFairness({
        url: broker.url,
        ...flood,
        floodMs: opts.durationMs,
        idleConnections: 3,
        heartbeatS: 2,
        probeIntervalMs: 10,
      });
      const brk1 = sampleCpu(pid === null ? [] : [pid]);
      return {
        metrics: {
          "p50 ms": r.p50Ms,
          "p99 ms": r.p99Ms,
          "max ms": r.maxMs,
          dropped: r.idleDropped + (r.floodClosedByBroker === null ? 0 : 1),
          "flood msg/s": r.floodMsgPerS,
          "round trips": r.probesDuringFlood,
        },
        lost: 0,
        duplicates: 0,
        generatorCores: NaN,
        brokerCores: coresUsed(brk0, brk1),
        brokerPeakRssMiB: rss.stop() / 1024,
        details: { idleDropReason: r.idleDropReason, floodClosedByBroker: r.floodClosedByBroker },
      };
    },
  };
}

interface FlowSpec {
  bodyBytes: number;
  noAck: boolean;
  prefetch?: number;
  persistent?: boolean;
  durable?: boolean;
  confirmWindow?: number;
  ratePerS?: number;
  /** publish to a fanout exchange bound to this many queues */
  fanout?: number;
  /** publish to a topic exchange with this many bindings over 10 queues */
  topicBindings?: number;
  /** declare the queue as x-queue-type quorum */
  quorum?: boolean;
  /** this many queues on the default exchange, one consumer each, messages spread round-robin */
  manyQueues?: number;
}

const MANY_QUEUES_RATE_PER_QUEUE = 20;
/** Scenario 12's consumers share connections, as an application with many queues would. */
const MANY_QUEUES_PER_CONNECTION = 100;

function flowScenario(
  id: string,
  group: number,
  title: string,
  metrics: MetricSpec[],
  spec: FlowSpec,
): Scenario {
  return { id, group, title, metrics, run: (broker, opts) => runFlow(broker, opts, id, spec) };
}

function uniqueName(id: string): string {
  return `bench.${id}.${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

interface Topology {
  exchange: string;
  exchangeType: string | null;
  queues: string[];
  bindings: [queue: string, key: string][];
  routingKeys: string[];
  /** tracker (sequence space) of each queue */
  trackerOf: number[];
  trackers: number;
  queueArguments: FieldTable;
}

function topologyFor(id: string, spec: FlowSpec): Topology {
  const base = uniqueName(id);
  if (spec.manyQueues) {
    const queues = Array.from({ length: spec.manyQueues }, (_, i) => `${base}.q${i}`);
    return {
      exchange: "",
      exchangeType: null,
      queues,
      bindings: [],
      routingKeys: queues,
      trackerOf: queues.map(() => 0),
      trackers: 1,
      queueArguments: {},
    };
  }
  if (spec.fanout) {
    const queues = Array.from({ length: spec.fanout }, (_, i) => `${base}.q${i}`);
    return {
      exchange: `${base}.x`,
      exchangeType: "fanout",
      queues,
      bindings: queues.map((q) => [q, ""]),
      routingKeys: [""],
      trackerOf: queues.map((_, i) => i),
      trackers: queues.length,
      queueArguments: {},
    };
  }
  if (spec.topicBindings) {
    const queues = Array.from({ length: 10 }, (_, i) => `${base}.q${i}`);
    const bindings: [string, string][] = [];
    const routingKeys: string[] = [];
    // Every key matches exactly one binding: half the patterns use '*', half '#'.
    for (let i = 0; i < spec.topicBindings; i++) {
      bindings.push([queues[i % queues.length], i % 2 === 0 ? `stock.${i}.*` : `*.${i}.#`]);
      routingKeys.push(`stock.${i}.nyse`);
    }
    return {
      exchange: `${base}.x`,
      exchangeType: "topic",
      queues,
      bindings,
      routingKeys,
      trackerOf: queues.map(() => 0),
      trackers: 1,
      queueArguments: {},
    };
  }
  return oneQueueTopology(`${base}.q`, spec.quorum ? { "x-queue-type": "quorum" } : {});
}

/** One queue, published to through the default exchange. */
function oneQueueTopology(queue: string, queueArguments: FieldTable = {}): Topology {
  return {
    exchange: "",
    exchangeType: null,
    queues: [queue],
    bindings: [],
    routingKeys: [queue],
    trackerOf: [0],
    trackers: 1,
    queueArguments,
  };
}

async function declareTopology(c: AmqpConnection, t: Topology, durable: boolean): Promise<void> {
  if (t.exchangeType) await c.exchangeDeclare(1, t.exchange, t.exchangeType, { durable });
  await Promise.all(t.queues.map((q) => c.queueDeclare(1, q, { durable, arguments: t.queueArguments })));
  // pipelined: all binds go out at once, replies come back in order
  await Promise.all(t.bindings.map(([q, key]) => c.queueBind(1, q, t.exchange, key)));
}

async function deleteTopology(c: AmqpConnection, t: Topology): Promise<void> {
  await Promise.all(t.queues.map((q) => c.queueDelete(1, q)));
  if (t.exchangeType) await c.exchangeDelete(1, t.exchange);
}

async function openControl(broker: Broker): Promise<AmqpConnection> {
  const c = await AmqpConnection.open(broker.url, { name: "bench-control" });
  await c.openChannel(1);
  return c;
}

interface FlowOutcome {
  producer: ProducerResult;
  consumers: ConsumerResult[];
  generatorCores: number;
  brokerCores: number;
  brokerPeakRssMiB: number;
  elapsedMs: number;
}

/** Starts consumers, then the producer; waits for both; reads CPU and memory around it. */
async function driveFlow(
  broker: Broker,
  opts: BenchOptions,
  t: Topology,
  producerCfg: Omit<ProducerConfig, "role" | "client" | "url" | "exchange" | "routingKeys">,
  consumerCfg: Omit<ConsumerConfig, "role" | "client" | "url" | "queues" | "trackers"> | null,
): Promise<FlowOutcome> {
  const roles: RoleHandle[] = [];
  try {
    const consumerRoles: RoleHandle[] = [];
    const ownerOf: number[] = new Array(t.trackers).fill(0);
    if (consumerCfg) {
      // All queues of one tracker go to the same role, so duplicates across queues are seen.
      const nRoles = Math.max(1, Math.min(opts.consumerRoles, t.trackers));
      for (let r = 0; r < nRoles; r++) {
        const queues = t.queues
          .map((queue, i) => ({ queue, tracker: t.trackerOf[i] }))
          .filter((q) => q.tracker % nRoles === r);
        for (const q of queues) ownerOf[q.tracker] = r;
        const h = RoleHandle.spawn(opts.mode, {
          role: "consumer",
          client: opts.client,
          url: broker.url,
          queues,
          trackers: t.trackers,
          ...consumerCfg,
        });
        roles.push(h);
        consumerRoles.push(h);
      }
      await Promise.all(consumerRoles.map((h) => h.next("ready", 60_000)));
    }
    const producer = RoleHandle.spawn(opts.mode, {
      role: "producer",
      client: opts.client,
      url: broker.url,
      exchange: t.exchange,
      routingKeys: t.routingKeys,
      ...producerCfg,
    });
    roles.push(producer);
    await producer.next("ready", 60_000);

    // Relay consumer progress to the producer for its backlog limit.
    const counts: number[][] = consumerRoles.map(() => new Array(t.trackers).fill(0));
    consumerRoles.forEach((h, r) => {
      h.onProgress = (c) => {
        counts[r] = c;
        let consumed = Infinity;
        for (let k = 0; k < t.trackers; k++) consumed = Math.min(consumed, counts[ownerOf[k]][k]);
        producer.send({ type: "consumed", count: consumed });
      };
    });

    const generatorPids = [...new Set([Deno.pid, ...roles.map((h) => h.pid)])];
    const brokerPid = broker.pid();
    const gen0 = sampleCpu(generatorPids);
    const brk0 = sampleCpu(brokerPid === null ? [] : [brokerPid]);
    const rss = new RssWatcher(brokerPid);
    const t0 = clockMs();
    producer.send({ type: "start" });
    const pDone = await producer.next("done", producerCfg.durationMs + 180_000);
    const pResult = pDone.result as ProducerResult;
    const cResults: ConsumerResult[] = [];
    for (let r = 0; r < consumerRoles.length; r++) {
      const expect = Array.from({ length: t.trackers }, (_, k) => (ownerOf[k] === r ? pResult.sent : 0));
      consumerRoles[r].send({ type: "expect", counts: expect });
    }
    for (const h of consumerRoles) {
      const done = await h.next("done", 600_000);
      cResults.push(done.result as ConsumerResult);
    }
    const gen1 = sampleCpu(generatorPids);
    const brk1 = sampleCpu(brokerPid === null ? [] : [brokerPid]);
    const peakKiB = rss.stop();
    return {
      producer: pResult,
      consumers: cResults,
      generatorCores: coresUsed(gen0, gen1),
      brokerCores: brokerPid === null ? NaN : coresUsed(brk0, brk1),
      brokerPeakRssMiB: peakKiB / 1024,
      elapsedMs: clockMs() - t0,
    };
  } finally {
    await Promise.all(roles.map((h) => h.close().catch(() => {})));
  }
}

async function runFlow(broker: Broker, opts: BenchOptions, id: string, spec: FlowSpec) {
  const t = topologyFor(id, spec);
  const control = await openControl(broker);
  try {
    await declareTopology(control, t, spec.durable ?? false);
    const paced = (spec.ratePerS ?? 0) > 0;
    const maxMessages = paced
      ? Math.min(opts.maxMessages, Math.ceil((spec.ratePerS! * opts.durationMs) / 1000) + 10)
      : opts.maxMessages;
    const out = await driveFlow(broker, opts, t, {
      bodyBytes: spec.bodyBytes,
      persistent: spec.persistent ?? false,
      confirmWindow: spec.confirmWindow ?? 0,
      ratePerS: spec.ratePerS ?? 0,
      durationMs: opts.durationMs,
      maxMessages,
      maxBacklog: paced ? 0 : opts.maxBacklog,
    }, {
      noAck: spec.noAck,
      prefetch: spec.prefetch ?? 0,
      maxMessages,
      idleTimeoutMs: 10_000,
      latencySamples: 1_000_000,
      queuesPerConnection: spec.manyQueues ? MANY_QUEUES_PER_CONNECTION : 1,
    });
    const p = out.producer;
    let unique = 0, duplicates = 0, lost = 0, lastMs = p.startMs, timedOut = false;
    for (const c of out.consumers) {
      for (const tr of c.trackers) {
        unique += tr.unique;
        duplicates += tr.duplicates + tr.foreign;
        lost += tr.lost;
      }
      if (c.lastMs > lastMs) lastMs = c.lastMs;
      timedOut ||= c.timedOut;
    }
    const latency = out.consumers[0].latency;
    const consumeElapsedMs = lastMs - p.startMs;
    const deliveriesPerS = ratePerS(unique, consumeElapsedMs);
    const metrics: Record<string, number> = {
      "msg/s": ratePerS(unique / t.trackers, consumeElapsedMs),
      "deliveries/s": deliveriesPerS,
      "publish msg/s": ratePerS(p.sent, p.lastPublishMs - p.startMs),
      "p50 ms": latency.p50Ms,
      "p99 ms": latency.p99Ms,
      "max ms": latency.maxMs,
      "confirm p50 ms": p.confirmLatency?.p50Ms ?? NaN,
      "confirm p99 ms": p.confirmLatency?.p99Ms ?? NaN,
      "RSS MiB": out.brokerPeakRssMiB,
    };
    return {
      metrics,
      lost,
      duplicates,
      generatorCores: out.generatorCores,
      brokerCores: out.brokerCores,
      brokerPeakRssMiB: out.brokerPeakRssMiB,
      details: {
        sent: p.sent,
        confirmed: p.confirmed,
        nacked: p.nacked,
        delivered: unique,
        consumeElapsedMs: Math.round(consumeElapsedMs),
        timedOut,
        missingSample: out.consumers.flatMap((c) => c.trackers.flatMap((tr) => tr.missingSample)).slice(0, 5),
      },
    };
  } finally {
    try {
      await deleteTopology(control, t);
    } finally {
      await control.close();
    }
  }
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runIdleConnections(broker: Broker, opts: BenchOptions) {
  const pid = broker.pid();
  const n = opts.idleConnections;
  const conns: AmqpConnection[] = [];
  await settle(1000);
  const before = pid === null ? NaN : memoryKiB(pid).rssKiB;
  const brk0 = sampleCpu(pid === null ? [] : [pid]);
  const t0 = performance.now();
  try {
    const BATCH = 50;
    for (let i = 0; i < n; i += BATCH) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(BATCH, n - i) }, async () => {
          const c = await AmqpConnection.open(broker.url, { name: "bench-idle", initialWriteBytes: 512 });
          conns.push(c);
          await c.openChannel(1);
          return c;
        }),
      );
      if (batch.length === 0) break;
    }
    const openMs = performance.now() - t0;
    await settle(2000);
    const after = pid === null ? NaN : memoryKiB(pid).rssKiB;
    const brk1 = sampleCpu(pid === null ? [] : [pid]);
    const alive = conns.filter((c) => !c.closed).length;
    return {
      metrics: { "KiB/conn": (after - before) / n, "connections/s": ratePerS(n, openMs) },
      lost: n - alive,
      duplicates: 0,
      generatorCores: NaN,
      brokerCores: coresUsed(brk0, brk1),
      brokerPeakRssMiB: after / 1024,
      details: { connections: n, alive, rssBeforeMiB: before / 1024, rssAfterMiB: after / 1024, openMs },
    };
  } finally {
    for (let i = 0; i < conns.length; i += 100) {
      await Promise.all(conns.slice(i, i + 100).map((c) => c.close().catch(() => {})));
    }
  }
}

async function passiveCount(broker: Broker, queue: string): Promise<number> {
  const c = await openControl(broker);
  try {
    return (await c.queueDeclare(1, queue, { passive: true })).messageCount;
  } finally {
    await c.close();
  }
}

/** Fills a non-durable queue with transient 16 B messages (confirmed) and reads the broker's RSS with all of them queued. */
async function runBacklog(broker: Broker, opts: BenchOptions) {
  const n = opts.backlogMessages;
  const queue = uniqueName("backlog");
  const t = oneQueueTopology(queue);
  let control = await openControl(broker);
  await declareTopology(control, t, false);
  await control.close();
  try {
    opts.log(`  filling ${queue} with ${n} transient 16 B messages`);
    const fill = await driveFlow(broker, opts, t, {
      bodyBytes: 16,
      persistent: false,
      confirmWindow: 1000,
      ratePerS: 0,
      durationMs: 60 * 60_000,
      maxMessages: n,
      maxBacklog: 0,
    }, null);
    const queued = await passiveCount(broker, queue);
    const fillRate = ratePerS(fill.producer.confirmed, fill.producer.endMs - fill.producer.startMs);
    await settle(3000);
    const pid = broker.pid();
    const mem = pid === null ? { rssKiB: NaN, hwmKiB: NaN } : memoryKiB(pid);
    opts.log(`  ${queued} queued at ${Math.round(fillRate)} msg/s; RSS ${Math.round(mem.rssKiB / 1024)} MiB`);
    return {
      metrics: { "RSS MiB": mem.rssKiB / 1024, "fill msg/s": fillRate },
      lost: Math.max(0, n - queued),
      duplicates: 0,
      generatorCores: fill.generatorCores,
      brokerCores: fill.brokerCores,
      brokerPeakRssMiB: mem.hwmKiB / 1024,
      details: { confirmed: fill.producer.confirmed, queued, bytesPerMessage: (mem.rssKiB * 1024) / queued },
    };
  } finally {
    control = await openControl(broker);
    await deleteTopology(control, t).finally(() => control.close());
  }
}

async function runRestart(broker: Broker, opts: BenchOptions) {
  const n = opts.restartMessages;
  const queue = uniqueName("restart");
  const t = oneQueueTopology(queue);
  let control = await openControl(broker);
  await declareTopology(control, t, true);
  await control.close();
  try {
    opts.log(`  filling ${queue} with ${n} persistent 1 KiB messages`);
    const fill = await driveFlow(broker, opts, t, {
      bodyBytes: KIB,
      persistent: true,
      confirmWindow: 1000,
      ratePerS: 0,
      durationMs: 30 * 60_000,
      maxMessages: n,
      maxBacklog: 0,
    }, null);
    const filled = await passiveCount(broker, queue);
    const fillRate = ratePerS(fill.producer.confirmed, fill.producer.endMs - fill.producer.startMs);
    opts.log(`  filled: ${filled} in queue (${Math.round(fillRate)} msg/s); restarting`);
    await broker.stop();
    const t0 = performance.now();
    const handshakeMs = await broker.start();
    let count = -1;
    const deadline = t0 + 15 * 60_000;
    while (performance.now() < deadline) {
      try {
        count = await passiveCount(broker, queue);
        if (count >= filled) break;
      } catch { /* the queue may not be recovered yet */ }
      await settle(5);
    }
    const startupMs = performance.now() - t0;
    const pid = broker.pid();
    const rssAtReady = pid === null ? NaN : memoryKiB(pid).rssKiB;
    await settle(3000);
    const mem = pid === null ? { rssKiB: NaN, hwmKiB: NaN } : memoryKiB(pid);
    opts.log(`  back up in ${Math.round(startupMs)} ms with ${count} messages; draining to check them`);
    // Drain with a consumer to count loss and duplicates by sequence number.
    const drain = await drainQueue(broker, opts, t, n);
    return {
      metrics: { "startup ms": startupMs, "RSS MiB": rssAtReady / 1024 },
      lost: drain.lost + Math.max(0, n - fill.producer.confirmed),
      duplicates: drain.duplicates,
      generatorCores: fill.generatorCores,
      brokerCores: fill.brokerCores,
      brokerPeakRssMiB: mem.hwmKiB / 1024,
      details: {
        confirmed: fill.producer.confirmed,
        countBeforeRestart: filled,
        countAfterRestart: count,
        fillMsgPerS: fillRate,
        handshakeMs,
        rssAtReadyMiB: rssAtReady / 1024,
        rssAfter3sMiB: mem.rssKiB / 1024,
        hwmMiB: mem.hwmKiB / 1024,
        drainMsgPerS: drain.rate,
      },
    };
  } finally {
    try {
      control = await openControl(broker);
      await deleteTopology(control, t);
      await control.close();
    } catch (e) {
      opts.log(`  could not delete ${queue}: ${e}`);
    }
  }
}

/** Consumes every message of a filled queue (auto-ack) and checks sequence numbers 0..n-1. */
async function drainQueue(broker: Broker, opts: BenchOptions, t: Topology, n: number) {
  const h = RoleHandle.spawn(opts.mode, {
    role: "consumer",
    client: "harness",
    url: broker.url,
    queues: [{ queue: t.queues[0], tracker: 0 }],
    trackers: 1,
    noAck: true,
    prefetch: 0,
    maxMessages: n,
    idleTimeoutMs: 15_000,
    latencySamples: 1,
  });
  try {
    await h.next("ready", 60_000);
    h.send({ type: "expect", counts: [n] });
    const r = (await h.next("done", 30 * 60_000)).result as ConsumerResult;
    const tr = r.trackers[0];
    return {
      lost: tr.lost,
      duplicates: tr.duplicates + tr.foreign,
      rate: ratePerS(tr.unique, r.lastMs - r.firstMs),
    };
  } finally {
    await h.close();
  }
}
