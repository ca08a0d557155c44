// Seeded random AMQP operation sequences for the differential test: several
// connections and channels declaring queues and exchanges with edge-case
// arguments (TTLs, length limits and overflow modes, dead-lettering,
// priorities, exclusive and auto-delete queues, arguments of the wrong type),
// binding and unbinding (missing objects included), publishing (mandatory,
// confirms, persistent, expiring), getting, consuming and cancelling
// (exclusive, duplicate tags), acking, nacking and rejecting (single and
// multiple, unknown tags and 0), recovering, purging, deleting with
// if-unused / if-empty, qos, and closing channels and connections.
//
// The same seed gives the same sequence as long as the broker answers the
// same: choices that depend on state (which delivery tag to ack, which
// channel is open) read it from the View of what RabbitMQ answered so far.
//
// Two limits keep transcripts free of timing: TTLs are 0 or an hour (never
// something that runs out mid-sequence), and a channel holds at most one
// consumer, because deliveries from two queues to one channel may interleave
// in any order on RabbitMQ.
import type { FieldTable } from "../../src/amqp/field_table.ts";
import type { AnyArgs } from "../helpers/raw_amqp.ts";
import type { BasicProperties } from "../../src/amqp/properties.ts";
import type { SequenceNames } from "./compare.ts";
import type { Op, View } from "./runner.ts";

const CONNECTIONS = 3;
const CHANNELS = 3;

/** mulberry32: small, fast, and the same on every platform. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Dice {
  constructor(readonly next: () => number) {}
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** One of the keys, with probability proportional to its weight. */
  weighted<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as [K, number][];
    let x = this.next() * entries.reduce((n, [, w]) => n + w, 0);
    for (const [k, w] of entries) {
      x -= w;
      if (x < 0) return k;
    }
    return entries[entries.length - 1][0];
  }
}

const OP_WEIGHTS = {
  queueDeclare: 12,
  exchangeDeclare: 5,
  queueBind: 7,
  queueUnbind: 2,
  exchangeBind: 2,
  exchangeUnbind: 1,
  publish: 20,
  get: 8,
  consume: 7,
  cancel: 3,
  ack: 8,
  nack: 4,
  reject: 4,
  recover: 2,
  purge: 2,
  queueDelete: 3,
  exchangeDelete: 2,
  qos: 3,
  confirm: 3,
  flow: 0.3,
  channelClose: 2,
  channelOpen: 2,
  connectionClose: 1,
};

/** The first steps of a sequence build something to work on. */
const SET_UP_WEIGHTS: Record<keyof typeof OP_WEIGHTS, number> = {
  ...Object.fromEntries(Object.keys(OP_WEIGHTS).map((k) => [k, 0])) as Record<
    keyof typeof OP_WEIGHTS,
    number
  >,
  queueDeclare: 4,
  exchangeDeclare: 2,
  queueBind: 2,
  consume: 1,
};

/** A sequence of at most `steps` operations (plus the opening of the first connection and channel). */
export function randomSequence(seed: number, names: SequenceNames, steps: number) {
  const d = new Dice(seededRandom(seed));
  const { queues, exchanges } = names;
  const missingQueue = `${queues[0]}-missing`;
  const missingExchange = `${exchanges[0]}-missing`;
  // Routing keys are also queue names on the default exchange, where other tests' queues live: a plain
  // "a" could route to one. These are the sequence's own (its prefix has no dots, so "*.b" matches `${p}.b`).
  const p = queues[0].replace(/-q0$/, "");
  const keys = [`${p}.a`, `${p}.b`, `${p}.a.b`, "#", "*.b", ""];
  let bodies = 0;
  const setUpSteps = 2 + d.int(2, 6);

  const queueName = (v: View): string => {
    if (v.visibleQueues.length > 0 && d.chance(0.6)) return d.pick(v.visibleQueues);
    if (v.generatedQueues.length > 0 && d.chance(0.15)) return d.pick(v.generatedQueues);
    return d.chance(0.05) ? missingQueue : d.pick(queues);
  };
  const exchangeName = (v: View): string => {
    if (v.declaredExchanges.length > 0 && d.chance(0.5)) return d.pick(v.declaredExchanges);
    // amq.* are shared by everyone on the node (other test files run in parallel): not routed through
    return d.chance(0.85) ? d.pick(exchanges) : d.pick(["", missingExchange]);
  };
  const routingKey = (v: View): string => d.chance(0.5) ? queueName(v) : d.pick(keys);

  function queueArguments(): AnyArgs {
    const a: AnyArgs = {};
    if (d.chance(0.15)) a["x-message-ttl"] = d.pick([0, 3_600_000, 3_600_000, -1, "1000", 1.5]);
    if (d.chance(0.15)) a["x-max-length"] = d.pick([0, 1, 2, 2, -1, "2"]);
    if (d.chance(0.05)) a["x-max-length-bytes"] = d.pick([2, 100_000, -1]);
    if (d.chance(0.12)) {
      a["x-overflow"] = d.pick(["drop-head", "reject-publish", "reject-publish-dlx", "bogus"]);
    }
    if (d.chance(0.15)) {
      a["x-dead-letter-exchange"] = d.pick([...exchanges, "", "", missingExchange, 5]);
    }
    if (d.chance(0.06)) a["x-dead-letter-routing-key"] = d.pick([...queues, keys[0]]);
    if (d.chance(0.1)) a["x-max-priority"] = d.pick([0, 2, 5, 255, 256, -1, "5"]);
    if (d.chance(0.04)) a["x-expires"] = d.pick([3_600_000, 0, -5, "1"]);
    if (d.chance(0.05)) a["x-single-active-consumer"] = d.pick([true, false, "yes"]);
    if (d.chance(0.04)) a["x-queue-type"] = d.pick(["classic", "quorum", "bogus"]);
    if (d.chance(0.03)) a["x-unknown-argument"] = "ignored";
    return a;
  }

  function properties(): BasicProperties {
    const p: BasicProperties = {};
    if (d.chance(0.3)) p.deliveryMode = d.pick([1, 2]);
    if (d.chance(0.12)) p.expiration = d.pick(["0", "3600000", "3600000", "-1", "soon", "1.5"]);
    if (d.chance(0.2)) p.priority = d.int(0, 9);
    if (d.chance(0.12)) p.headers = d.pick<FieldTable>([{ h: 1 }, { h: 2, k: "v" }, { "x-match": "any" }]);
    return p;
  }

  function channelMethod(v: View, conn: number, ch: number, setUp: boolean): Op | null {
    const m = (method: string, args: AnyArgs, reply: string | null): Op => ({
      kind: "method",
      conn,
      ch,
      method,
      args,
      reply,
    });
    const state = v.channel(conn, ch)!;
    const unacked = state.unacked;
    const tagFor = (): number => {
      if (unacked.length > 0 && d.chance(0.75)) return d.pick(unacked);
      return d.pick([0, state.maxTag + 1 + d.int(0, 5)]);
    };
    switch (d.weighted(setUp ? SET_UP_WEIGHTS : OP_WEIGHTS)) {
      case "queueDeclare": {
        const server = d.chance(0.08);
        return m("queue.declare", {
          queue: server ? "" : queueName(v),
          passive: d.chance(0.1),
          durable: d.chance(0.3),
          exclusive: d.chance(server ? 0.7 : 0.2),
          autoDelete: d.chance(0.2),
          arguments: queueArguments(),
        }, "queue.declare-ok");
      }
      case "exchangeDeclare": {
        const args: AnyArgs = {};
        if (d.chance(0.12)) args["alternate-exchange"] = d.pick([...exchanges, missingExchange]);
        return m("exchange.declare", {
          exchange: d.chance(0.92) ? d.pick(exchanges) : d.pick(["amq.direct", "amq.bogus", ""]),
          type: d.chance(0.95) ? d.pick(["direct", "fanout", "topic", "headers"]) : "x-bogus",
          passive: d.chance(0.08),
          durable: d.chance(0.3),
          autoDelete: d.chance(0.15),
          internal: d.chance(0.06),
          arguments: args,
        }, "exchange.declare-ok");
      }
      case "queueBind":
        return m("queue.bind", {
          queue: queueName(v),
          exchange: exchangeName(v),
          routingKey: routingKey(v),
          arguments: d.chance(0.15)
            ? d.pick([{ "x-match": "all", h: 1 }, { "x-match": "any", h: 2 }, { h: 1 }])
            : {},
        }, "queue.bind-ok");
      case "queueUnbind":
        return m("queue.unbind", {
          queue: queueName(v),
          exchange: exchangeName(v),
          routingKey: routingKey(v),
          arguments: {},
        }, "queue.unbind-ok");
      case "exchangeBind":
      case "exchangeUnbind": {
        const bind = d.chance(0.7);
        return m(bind ? "exchange.bind" : "exchange.unbind", {
          destination: exchangeName(v),
          source: exchangeName(v),
          routingKey: routingKey(v),
          arguments: {},
        }, bind ? "exchange.bind-ok" : "exchange.unbind-ok");
      }
      case "publish":
        return {
          kind: "publish",
          conn,
          ch,
          args: {
            exchange: d.chance(0.45) ? "" : exchangeName(v),
            routingKey: routingKey(v),
            mandatory: d.chance(0.3),
          },
          body: `m${++bodies}`,
          properties: properties(),
        };
      case "get":
        return m("basic.get", { queue: queueName(v), noAck: d.chance(0.35) }, "basic.get-ok|basic.get-empty");
      case "consume": {
        const tag = d.chance(0.5) ? "" : d.pick(["t1", "t2"]);
        // one consumer per channel (see the header); a second one only to try a duplicate tag
        if (state.consumers.size > 0 && !(tag !== "" && state.consumers.has(tag))) return null;
        return m("basic.consume", {
          queue: queueName(v),
          consumerTag: tag,
          noAck: d.chance(0.3),
          exclusive: d.chance(0.15),
          arguments: d.chance(0.05) ? { "x-priority": d.pick([1, "high"]) } : {},
        }, "basic.consume-ok");
      }
      case "cancel": {
        const tags = [...state.consumers.keys()];
        const tag = tags.length > 0 && d.chance(0.85) ? d.pick(tags) : "no-such-consumer";
        return m("basic.cancel", { consumerTag: tag }, "basic.cancel-ok");
      }
      case "ack":
        return m("basic.ack", { deliveryTag: tagFor(), multiple: d.chance(0.3) }, null);
      case "nack":
        return m(
          "basic.nack",
          { deliveryTag: tagFor(), multiple: d.chance(0.3), requeue: d.chance(0.6) },
          null,
        );
      case "reject":
        return m("basic.reject", { deliveryTag: tagFor(), requeue: d.chance(0.6) }, null);
      case "recover":
        return m("basic.recover", { requeue: d.chance(0.9) }, "basic.recover-ok");
      case "purge":
        return m("queue.purge", { queue: queueName(v) }, "queue.purge-ok");
      case "queueDelete":
        return m("queue.delete", {
          queue: queueName(v),
          ifUnused: d.chance(0.3),
          ifEmpty: d.chance(0.3),
        }, "queue.delete-ok");
      case "exchangeDelete":
        return m(
          "exchange.delete",
          { exchange: exchangeName(v), ifUnused: d.chance(0.3) },
          "exchange.delete-ok",
        );
      case "qos":
        return m(
          "basic.qos",
          { prefetchSize: 0, prefetchCount: d.int(0, 3), global: d.chance(0.2) },
          "basic.qos-ok",
        );
      case "confirm":
        return m("confirm.select", {}, "confirm.select-ok");
      case "flow":
        return m("channel.flow", { active: d.chance(0.5) }, "channel.flow-ok");
      case "channelClose":
        return m(
          "channel.close",
          { replyCode: 200, replyText: "bye", classId: 0, methodId: 0 },
          "channel.close-ok",
        );
      case "channelOpen": {
        // an open channel now and then: RabbitMQ closes the connection with 504
        const target = d.chance(0.1) ? ch : d.int(1, CHANNELS);
        if (target !== ch && v.channels(conn).includes(target)) return null;
        return {
          kind: "method",
          conn,
          ch: target,
          method: "channel.open",
          args: {},
          reply: "channel.open-ok",
        };
      }
      case "connectionClose":
        return { kind: "connection.close", conn };
    }
  }

  return (v: View, step: number): Op | null => {
    if (step === 0) return { kind: "connection.open", conn: 0 };
    if (step === 1) {
      return { kind: "method", conn: 0, ch: 1, method: "channel.open", args: {}, reply: "channel.open-ok" };
    }
    if (step >= steps + 2) return null;
    for (;;) {
      const closed = [...Array(CONNECTIONS).keys()].filter((c) => !v.openConns.includes(c));
      if (v.openConns.length === 0 || (closed.length > 0 && d.chance(0.04))) {
        return { kind: "connection.open", conn: d.pick(closed) };
      }
      const conn = d.pick(v.openConns);
      const open = v.channels(conn);
      if (open.length === 0 || (open.length < CHANNELS && d.chance(0.05))) {
        const free = [...Array(CHANNELS).keys()].map((i) => i + 1).filter((c) => !open.includes(c));
        return {
          kind: "method",
          conn,
          ch: d.pick(free),
          method: "channel.open",
          args: {},
          reply: "channel.open-ok",
        };
      }
      const op = channelMethod(v, conn, d.pick(open), step < setUpSteps);
      if (op !== null) return op;
    }
  };
}
