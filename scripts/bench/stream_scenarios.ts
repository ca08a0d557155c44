// The stream-queue scenarios (x-queue-type stream, AMQP 0-9-1 on both
// brokers): publishing 1 KiB records with confirms, replaying a filled
// stream from `first` to one consumer, and the broker's memory while ten
// consumers replay one large stream from ten different offsets. Records are
// the benchmark's stamped messages published in order by one producer, so
// on a fresh stream a record's offset equals its sequence number and every
// consumer can check it saw each record of its range exactly once.
import { AmqpConnection } from "./amqp_client.ts";
import type { Broker } from "./brokers.ts";
import { coresUsed, type CpuSample, RssWatcher, sampleCpu } from "./procstat.ts";
import { RoleHandle } from "./role_host.ts";
import type { ConsumerConfig, ConsumerResult, ProducerResult } from "./roles.ts";
import type { BenchOptions, RunResult } from "./scenarios.ts";
import { ratePerS } from "./stats.ts";

const RECORD_BYTES = 1024;
const PUBLISH_CONFIRM_WINDOW = 100;
/** Filling is set-up, not measured: a wider window fills faster on both brokers. */
const FILL_CONFIRM_WINDOW = 1000;
const REPLAY_PREFETCH = 1000;
const FANOUT_CONSUMERS = 10;
const FILL_TIMEOUT_MS = 60 * 60_000;
const REPLAY_TIMEOUT_MS = 60 * 60_000;
const ROLE_READY_TIMEOUT_MS = 60_000;

type Outcome = Omit<RunResult, "scenario" | "broker" | "round">;

function streamName(id: string): string {
  return `bench.${id}.${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Runs `work` on a fresh control connection (channel 1 open) and closes it. */
async function withControl<T>(broker: Broker, work: (c: AmqpConnection) => Promise<T>): Promise<T> {
  const c = await AmqpConnection.open(broker.url, { name: "bench-control" });
  try {
    await c.openChannel(1);
    return await work(c);
  } finally {
    await c.close();
  }
}

/** Declares a durable stream, runs `body`, and deletes the stream whatever happened. */
async function withStream<T>(broker: Broker, id: string, body: (queue: string) => Promise<T>): Promise<T> {
  const queue = streamName(id);
  await withControl(
    broker,
    (c) => c.queueDeclare(1, queue, { durable: true, arguments: { "x-queue-type": "stream" } }),
  );
  try {
    return await body(queue);
  } finally {
    await withControl(broker, (c) => c.queueDelete(1, queue));
  }
}

interface Measured<T> {
  result: T;
  generatorCores: number;
  brokerCores: number;
  brokerPeakRssMiB: number;
}

/** Runs `work` while reading the broker's and the generator's CPU and the broker's peak RSS. */
async function measure<T>(broker: Broker, roles: RoleHandle[], work: () => Promise<T>): Promise<Measured<T>> {
  const generatorPids = [...new Set([Deno.pid, ...roles.map((h) => h.pid)])];
  const brokerPid = broker.pid();
  const brokerPids = brokerPid === null ? [] : [brokerPid];
  const gen0: CpuSample = sampleCpu(generatorPids);
  const brk0: CpuSample = sampleCpu(brokerPids);
  const rss = new RssWatcher(brokerPid);
  try {
    const result = await work();
    return {
      result,
      generatorCores: coresUsed(gen0, sampleCpu(generatorPids)),
      brokerCores: brokerPid === null ? NaN : coresUsed(brk0, sampleCpu(brokerPids)),
      brokerPeakRssMiB: rss.stop() / 1024,
    };
  } finally {
    rss.stop();
  }
}

/** One producer role publishing stamped 1 KiB records to `queue` until `maxMessages` or `durationMs`. */
async function publish(
  broker: Broker,
  opts: BenchOptions,
  queue: string,
  p: { confirmWindow: number; durationMs: number; maxMessages: number },
): Promise<Measured<ProducerResult>> {
  const h = RoleHandle.spawn(opts.mode, {
    role: "producer",
    // the harness's client: amqplib's role has no x-stream-offset or multiple acks
    client: "harness",
    url: broker.url,
    exchange: "",
    routingKeys: [queue],
    bodyBytes: RECORD_BYTES,
    persistent: true,
    confirmWindow: p.confirmWindow,
    ratePerS: 0,
    durationMs: p.durationMs,
    maxMessages: p.maxMessages,
    maxBacklog: 0,
  });
  try {
    await h.next("ready", ROLE_READY_TIMEOUT_MS);
    return await measure(broker, [h], async () => {
      h.send({ type: "start" });
      return (await h.next("done", p.durationMs + FILL_TIMEOUT_MS)).result as ProducerResult;
    });
  } finally {
    await h.close();
  }
}

/** Fills a stream with exactly `records` confirmed records; throws if the broker refused any. */
async function fill(broker: Broker, opts: BenchOptions, queue: string, records: number): Promise<number> {
  opts.log(`  filling ${queue} with ${records} records of ${RECORD_BYTES} B`);
  const out = await publish(broker, opts, queue, {
    confirmWindow: FILL_CONFIRM_WINDOW,
    durationMs: FILL_TIMEOUT_MS,
    maxMessages: records,
  });
  const p = out.result;
  if (p.confirmed !== records) {
    throw new Error(`filling the stream: ${p.confirmed} of ${records} confirmed (${p.nacked} nacked)`);
  }
  const rate = ratePerS(p.confirmed, p.endMs - p.startMs);
  opts.log(`  filled in ${Math.round(p.endMs - p.startMs)} ms (${Math.round(rate)} msg/s)`);
  return rate;
}

interface ReplayTotals {
  unique: number;
  lost: number;
  duplicates: number;
  elapsedMs: number;
  timedOut: boolean;
}

/**
 * One consumer role with a connection per start offset, all on `queue`, each with
 * its own tracker; resolves once every consumer has seen the rest of the stream.
 */
async function replay(
  broker: Broker,
  opts: BenchOptions,
  queue: string,
  records: number,
  offsets: (number | "first")[],
): Promise<Measured<ReplayTotals>> {
  const cfg: ConsumerConfig = {
    role: "consumer",
    client: "harness",
    url: broker.url,
    queues: offsets.map((streamOffset, tracker) => ({ queue, tracker, streamOffset })),
    trackers: offsets.length,
    noAck: false,
    prefetch: REPLAY_PREFETCH,
    ackMultiple: true,
    maxMessages: records,
    idleTimeoutMs: 30_000,
    latencySamples: 1,
  };
  const expected = offsets.map((o) => records - (o === "first" ? 0 : o));
  const h = RoleHandle.spawn(opts.mode, cfg);
  try {
    // Measured from the spawn on: the role starts consuming (and the broker reading)
    // before it reports ready.
    return await measure(broker, [h], async () => {
      await h.next("ready", ROLE_READY_TIMEOUT_MS);
      h.send({ type: "expect", counts: expected });
      const r = (await h.next("done", REPLAY_TIMEOUT_MS)).result as ConsumerResult;
      let unique = 0, lost = 0, duplicates = 0;
      r.trackers.forEach((tr, i) => {
        unique += tr.unique;
        duplicates += tr.duplicates + tr.foreign;
        lost += Math.max(0, expected[i] - tr.unique);
      });
      return { unique, lost, duplicates, elapsedMs: r.lastMs - r.firstMs, timedOut: r.timedOut };
    });
  } finally {
    await h.close();
  }
}

/** stream-publish: 1 KiB records with confirms (window 100) into a stream, no consumer. */
export function runStreamPublish(broker: Broker, opts: BenchOptions): Promise<Outcome> {
  return withStream(broker, "stream-publish", async (queue) => {
    const out = await publish(broker, opts, queue, {
      confirmWindow: PUBLISH_CONFIRM_WINDOW,
      durationMs: opts.durationMs,
      maxMessages: opts.maxMessages,
    });
    const p = out.result;
    return {
      // confirmed records over the whole run, the last confirms and the close included
      metrics: { "msg/s": ratePerS(p.confirmed, p.endMs - p.startMs) },
      // nothing consumes here: a record the broker did not confirm counts as lost
      lost: p.sent - p.confirmed,
      duplicates: 0,
      generatorCores: out.generatorCores,
      brokerCores: out.brokerCores,
      brokerPeakRssMiB: out.brokerPeakRssMiB,
      details: { sent: p.sent, confirmed: p.confirmed, nacked: p.nacked },
    };
  });
}

/** stream-replay: fill `opts.streamRecords` records, then read them all from `first`. */
export function runStreamReplay(broker: Broker, opts: BenchOptions): Promise<Outcome> {
  const records = opts.streamRecords;
  return withStream(broker, "stream-replay", async (queue) => {
    const fillRate = await fill(broker, opts, queue, records);
    const out = await replay(broker, opts, queue, records, ["first"]);
    const r = out.result;
    return {
      metrics: { "msg/s": ratePerS(r.unique, r.elapsedMs) },
      lost: r.lost,
      duplicates: r.duplicates,
      generatorCores: out.generatorCores,
      brokerCores: out.brokerCores,
      brokerPeakRssMiB: out.brokerPeakRssMiB,
      details: { records, delivered: r.unique, fillMsgPerS: fillRate, timedOut: r.timedOut },
    };
  });
}

/**
 * stream-fanout-rss: fill a stream of `opts.streamFanoutMiB` MiB of 1 KiB records, then
 * ten consumers replay it from offsets 0, N/10, 2N/10, ...; the broker's peak RSS
 * during the replay is the metric.
 */
export function runStreamFanoutRss(broker: Broker, opts: BenchOptions): Promise<Outcome> {
  const records = Math.round((opts.streamFanoutMiB * 1024 * 1024) / RECORD_BYTES);
  return withStream(broker, "stream-fanout-rss", async (queue) => {
    const fillRate = await fill(broker, opts, queue, records);
    const pid = broker.pid();
    const rssAfterFill = new RssWatcher(pid).stop() / 1024;
    const offsets = Array.from(
      { length: FANOUT_CONSUMERS },
      (_, i) => Math.floor((i * records) / FANOUT_CONSUMERS),
    );
    opts.log(`  replaying to ${FANOUT_CONSUMERS} consumers from offsets ${offsets.join(", ")}`);
    const out = await replay(broker, opts, queue, records, offsets);
    const r = out.result;
    return {
      metrics: { "RSS MiB": out.brokerPeakRssMiB, "deliveries/s": ratePerS(r.unique, r.elapsedMs) },
      lost: r.lost,
      duplicates: r.duplicates,
      generatorCores: out.generatorCores,
      brokerCores: out.brokerCores,
      brokerPeakRssMiB: out.brokerPeakRssMiB,
      details: {
        streamMiB: opts.streamFanoutMiB,
        records,
        delivered: r.unique,
        fillMsgPerS: fillRate,
        rssAfterFillMiB: rssAfterFill,
        timedOut: r.timedOut,
      },
    };
  });
}
