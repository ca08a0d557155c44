// The counters behind message_stats and queue totals, in one fixed order
// per kind of object, and the once-a-second sampling that turns them into
// rates. Everything is read live from the model: no collected copy.
import type { Exchange } from "../broker/exchange/exchange.ts";
import type { Queue } from "../broker/queue.ts";
import type { VHost } from "../broker/vhost.ts";
import type { Broker } from "../broker/broker.ts";
import type { Channel } from "../server/channel.ts";
import type { Connection } from "../server/connection.ts";
import type { HistorySample, RateTracker, SampleRange } from "./rates.ts";
import { queueDepth } from "./queue_depth.ts";

/** Index of each counter in a queue's (and a vhost's, and the node's) counter array. */
export const C = {
  publish: 0,
  deliverGet: 1,
  ack: 2,
  redeliver: 3,
  messages: 4,
  ready: 5,
  unacked: 6,
} as const;
export const COUNTER_COUNT = 7;

export function queueCounters(q: Queue): number[] {
  const s = q.stats;
  const { ready, unacked } = queueDepth(q);
  return [s.published, s.delivered, s.acked, s.redelivered, ready + unacked, ready, unacked];
}

/** An exchange's counters: publish_in, publish_out. */
export function exchangeCounters(x: Exchange): number[] {
  return [x.publishIn, x.publishOut];
}

/** A channel's counters, in the order of CHANNEL_STATS. */
export function channelCounters(ch: Channel): number[] {
  return [ch.publishedCount, ch.confirmedCount, ch.deliveries.deliveredCount, ch.ackedCount];
}
export const CHANNEL_STATS = ["publish", "confirm", "deliver_get", "ack"] as const;

/** A connection's counters: recv_oct, send_oct. */
export function connectionCounters(c: Connection): number[] {
  return [c.recvOct, c.sendOct];
}

/**
 * A vhost's totals: the sums over its queues, except "publish", which counts
 * messages published into the vhost (a message routed to three queues is one
 * publish, as in RabbitMQ's vhost and overview statistics).
 */
export function vhostCounters(v: VHost): number[] {
  const out = new Array<number>(COUNTER_COUNT).fill(0);
  for (const q of v.queues.values()) {
    const c = queueCounters(q);
    for (let i = 0; i < COUNTER_COUNT; i++) out[i] += c[i];
  }
  out[C.publish] = v.publishedCount;
  return out;
}

/** Records every object's counters once; called by the sampling timer. */
export function sampleCounters(
  broker: Broker,
  rates: RateTracker,
  connections: Iterable<Connection> = [],
  nowMs = Date.now(),
): void {
  for (const c of connections) {
    rates.record(c, connectionCounters(c), nowMs, false);
    for (const ch of c.channels.values()) rates.record(ch, channelCounters(ch), nowMs, false);
  }
  for (const v of broker.vhosts.values()) {
    const vc = new Array<number>(COUNTER_COUNT).fill(0);
    for (const q of v.queues.values()) {
      const c = queueCounters(q);
      rates.record(q, c, nowMs);
      for (let i = 0; i < COUNTER_COUNT; i++) vc[i] += c[i];
    }
    vc[C.publish] = v.publishedCount;
    rates.record(v, vc, nowMs);
    for (const x of v.exchanges.values()) rates.record(x, exchangeCounters(x), nowMs);
  }
}

/** The `samples` a request asked for: RabbitMQ's lengths_* (message counts) and msg_rates_* (counters). */
export interface SampleRanges {
  lengths?: SampleRange;
  msgRates?: SampleRange;
}

/** Where the samples of one object (or of a sum of objects) come from, for one request. */
export interface StatsHistory {
  ranges: SampleRanges;
  samples(index: number, range: SampleRange): HistorySample[];
}

function rangeParam(query: URLSearchParams, prefix: string): SampleRange | undefined {
  const age = Number(query.get(`${prefix}_age`));
  const incr = Number(query.get(`${prefix}_incr`));
  if (!(Number.isInteger(age) && age > 0 && Number.isInteger(incr) && incr > 0)) return undefined;
  return { ageMs: age * 1000, incrMs: incr * 1000 };
}

/**
 * The history a request asks for about the objects `keys` (summed when there
 * are several, as the overview sums the vhosts a user can see), or undefined
 * when it asks for none.
 */
export function statsHistory(
  rates: RateTracker,
  keys: readonly object[],
  query: URLSearchParams,
): StatsHistory | undefined {
  const ranges: SampleRanges = {
    lengths: rangeParam(query, "lengths"),
    msgRates: rangeParam(query, "msg_rates"),
  };
  if (!ranges.lengths && !ranges.msgRates) return undefined;
  return {
    ranges,
    samples(index, range) {
      const nowMs = Date.now();
      const sums = new Map<number, number>();
      for (const key of keys) {
        for (const s of rates.samples(key, index, range, nowMs)) {
          sums.set(s.timestamp, (sums.get(s.timestamp) ?? 0) + s.sample);
        }
      }
      return [...sums].sort((a, b) => b[0] - a[0]).map(([timestamp, sample]) => ({ sample, timestamp }));
    },
  };
}

/** A "<name>_details" object: the rate, and with a range RabbitMQ's samples, avg and avg_rate. */
function details(
  rate: number,
  index: number,
  range?: SampleRange,
  history?: StatsHistory,
): Record<string, unknown> {
  if (!range || !history) return { rate };
  const samples = history.samples(index, range);
  const n = samples.length;
  const avg = n ? samples.reduce((sum, s) => sum + s.sample, 0) / n : 0;
  const spanS = n > 1 ? (samples[0].timestamp - samples[n - 1].timestamp) / 1000 : 0;
  const avgRate = spanS > 0 ? (samples[0].sample - samples[n - 1].sample) / spanS : 0;
  return { rate, samples, avg_rate: avgRate, avg };
}

/** RabbitMQ's message_stats object from a counter array and its rates (and history, when asked for). */
export function messageStats(
  c: readonly number[],
  r: readonly number[],
  history?: StatsHistory,
): Record<string, unknown> {
  const range = history?.ranges.msgRates;
  const out: Record<string, unknown> = {};
  for (
    const [name, i] of [["publish", C.publish], ["deliver_get", C.deliverGet], ["ack", C.ack], [
      "redeliver",
      C.redeliver,
    ]] as const
  ) {
    out[name] = c[i];
    out[`${name}_details`] = details(r[i], i, range, history);
  }
  return out;
}

/** messages / messages_ready / messages_unacknowledged with their *_details (and history, when asked for). */
export function queueTotals(
  c: readonly number[],
  r: readonly number[],
  history?: StatsHistory,
): Record<string, unknown> {
  const range = history?.ranges.lengths;
  return {
    messages: c[C.messages],
    messages_details: details(r[C.messages], C.messages, range, history),
    messages_ready: c[C.ready],
    messages_ready_details: details(r[C.ready], C.ready, range, history),
    messages_unacknowledged: c[C.unacked],
    messages_unacknowledged_details: details(r[C.unacked], C.unacked, range, history),
  };
}
