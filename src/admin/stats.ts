// The counters behind message_stats and queue totals, in one fixed order
// per kind of object, and the once-a-second sampling that turns them into
// rates. Everything is read live from the model: no collected copy.
import type { Exchange } from "../broker/exchange/exchange.ts";
import type { Queue } from "../broker/queue.ts";
import type { VHost } from "../broker/vhost.ts";
import type { Broker } from "../broker/broker.ts";
import type { RateTracker } from "./rates.ts";

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
  const ready = q.messageCount;
  return [s.published, s.delivered, s.acked, s.redelivered, ready + q.unackedCount, ready, q.unackedCount];
}

export function exchangeCounters(x: Exchange): number[] {
  return [x.publishIn];
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

export function nodeCounters(broker: Broker): number[] {
  const out = new Array<number>(COUNTER_COUNT).fill(0);
  for (const v of broker.vhosts.values()) {
    const c = vhostCounters(v);
    for (let i = 0; i < COUNTER_COUNT; i++) out[i] += c[i];
  }
  return out;
}

/** Records every object's counters once; called by the sampling timer. */
export function sampleCounters(
  broker: Broker,
  rates: RateTracker,
  nodeKey: object,
  nowMs = Date.now(),
): void {
  const total = new Array<number>(COUNTER_COUNT).fill(0);
  for (const v of broker.vhosts.values()) {
    const vc = new Array<number>(COUNTER_COUNT).fill(0);
    for (const q of v.queues.values()) {
      const c = queueCounters(q);
      rates.record(q, c, nowMs);
      for (let i = 0; i < COUNTER_COUNT; i++) vc[i] += c[i];
    }
    vc[C.publish] = v.publishedCount;
    rates.record(v, vc, nowMs);
    for (let i = 0; i < COUNTER_COUNT; i++) total[i] += vc[i];
    for (const x of v.exchanges.values()) rates.record(x, exchangeCounters(x), nowMs);
  }
  rates.record(nodeKey, total, nowMs);
}

function details(rate: number): { rate: number } {
  return { rate };
}

/** RabbitMQ's message_stats object from a counter array and its rates. */
export function messageStats(c: readonly number[], r: readonly number[]): Record<string, unknown> {
  return {
    publish: c[C.publish],
    publish_details: details(r[C.publish]),
    deliver_get: c[C.deliverGet],
    deliver_get_details: details(r[C.deliverGet]),
    ack: c[C.ack],
    ack_details: details(r[C.ack]),
    redeliver: c[C.redeliver],
    redeliver_details: details(r[C.redeliver]),
  };
}

/** messages / messages_ready / messages_unacknowledged with their *_details rates. */
export function queueTotals(c: readonly number[], r: readonly number[]): Record<string, unknown> {
  return {
    messages: c[C.messages],
    messages_details: details(r[C.messages]),
    messages_ready: c[C.ready],
    messages_ready_details: details(r[C.ready]),
    messages_unacknowledged: c[C.unacked],
    messages_unacknowledged_details: details(r[C.unacked]),
  };
}
