// Hand-written AMQP sequences run on Warren (in-process) and on a real
// RabbitMQ 3.10.8 (tests/helpers/rabbitmq.ts), compared answer by answer:
// reply codes and texts, which side closes, deliveries with their tags,
// redelivered flags and x-death headers, confirms, returns, message and
// consumer counts (see runner.ts). Each sequence pins one behaviour; the ones
// that pin a fix name it. A sequence passes when both brokers answer the same,
// or when it is meant to show a deliberate difference (known_differences.ts)
// and does.
import assert from "node:assert/strict";
import type { BasicProperties } from "../../src/amqp/properties.ts";
import { startTestBroker } from "../helpers/broker.ts";
import { rabbitMqUnavailable, startTestRabbit } from "../helpers/rabbitmq.ts";
import { describeDivergence, runSequence, type SequenceNames, sequenceNames } from "./compare.ts";
import type { Op } from "./runner.ts";

const TEST_TIMEOUT_MS = 120_000;

type Args = Record<string, unknown>;

/** Operation builders; `c` is a connection index, `ch` a channel number. */
const open = (c = 0): Op => ({ kind: "connection.open", conn: c });
const close = (c = 0): Op => ({ kind: "connection.close", conn: c });
const call = (c: number, ch: number, method: string, args: Args, reply: string | null): Op => ({
  kind: "method",
  conn: c,
  ch,
  method,
  args,
  reply,
});
const channel = (c: number, ch: number): Op => call(c, ch, "channel.open", {}, "channel.open-ok");
const declare = (c: number, ch: number, queue: string, extra: Args = {}): Op =>
  call(c, ch, "queue.declare", { queue, ...extra }, "queue.declare-ok");
const exchange = (c: number, ch: number, name: string, type: string, extra: Args = {}): Op =>
  call(c, ch, "exchange.declare", { exchange: name, type, ...extra }, "exchange.declare-ok");
const bind = (c: number, ch: number, queue: string, x: string, routingKey = ""): Op =>
  call(c, ch, "queue.bind", { queue, exchange: x, routingKey }, "queue.bind-ok");
const publish = (c: number, ch: number, exchangeName: string, routingKey: string, body: string, extra: {
  mandatory?: boolean;
  properties?: BasicProperties;
} = {}): Op => ({
  kind: "publish",
  conn: c,
  ch,
  args: { exchange: exchangeName, routingKey, mandatory: extra.mandatory ?? false },
  body,
  properties: extra.properties ?? {},
});
const get = (c: number, ch: number, queue: string, noAck = false): Op =>
  call(c, ch, "basic.get", { queue, noAck }, "basic.get-ok|basic.get-empty");
const consume = (c: number, ch: number, queue: string, extra: Args = {}): Op =>
  call(c, ch, "basic.consume", { queue, consumerTag: "", ...extra }, "basic.consume-ok");
const ack = (c: number, ch: number, deliveryTag: number, multiple = false): Op =>
  call(c, ch, "basic.ack", { deliveryTag, multiple }, null);
const reject = (c: number, ch: number, deliveryTag: number, requeue: boolean): Op =>
  call(c, ch, "basic.reject", { deliveryTag, requeue }, null);
const nack = (c: number, ch: number, deliveryTag: number, multiple: boolean, requeue: boolean): Op =>
  call(c, ch, "basic.nack", { deliveryTag, multiple, requeue }, null);
const closeChannel = (c: number, ch: number): Op =>
  call(
    c,
    ch,
    "channel.close",
    { replyCode: 200, replyText: "bye", classId: 0, methodId: 0 },
    "channel.close-ok",
  );

interface Script {
  name: string;
  ops: (n: SequenceNames) => Op[];
  /** the id of the deliberate difference this sequence shows, if it is meant to differ */
  differs?: string;
}

export const SCRIPTS: Script[] = [
  {
    name: "deliveries carry per-channel tags; rejected and nacked messages come back redelivered",
    ops: ({ queues: [q] }) => [
      open(),
      channel(0, 1),
      declare(0, 1, q),
      publish(0, 1, "", q, "a"),
      publish(0, 1, "", q, "b"),
      publish(0, 1, "", q, "c"),
      get(0, 1, q),
      reject(0, 1, 1, true),
      call(0, 1, "basic.qos", { prefetchSize: 0, prefetchCount: 2, global: false }, "basic.qos-ok"),
      consume(0, 1, q),
      nack(0, 1, 3, true, true),
      ack(0, 1, 5),
      ack(0, 1, 6, true),
      get(0, 1, q),
      close(),
    ],
  },
  {
    name: "closing a channel hands its unacked messages to another connection's consumer",
    ops: ({ queues: [q] }) => [
      open(0),
      open(1),
      channel(0, 1),
      channel(1, 1),
      declare(0, 1, q),
      publish(0, 1, "", q, "a"),
      publish(0, 1, "", q, "b"),
      consume(0, 1, q),
      consume(1, 1, q),
      closeChannel(0, 1),
      ack(1, 1, 2, true),
      close(1),
      close(0),
    ],
  },
  {
    name: "expired and rejected messages are dead-lettered with x-death headers",
    ops: ({ queues: [ttl, work, dead], exchanges: [dlx] }) => [
      open(),
      channel(0, 1),
      exchange(0, 1, dlx, "fanout"),
      declare(0, 1, dead),
      bind(0, 1, dead, dlx),
      declare(0, 1, ttl, { arguments: { "x-dead-letter-exchange": dlx, "x-message-ttl": 0 } }),
      declare(0, 1, work, {
        arguments: { "x-dead-letter-exchange": dlx, "x-dead-letter-routing-key": "rk" },
      }),
      publish(0, 1, "", ttl, "expired-at-once", { properties: { headers: { app: "x" } } }),
      publish(0, 1, "", work, "rejected"),
      get(0, 1, work),
      reject(0, 1, 1, false),
      consume(0, 1, dead),
      nack(0, 1, 3, true, false),
      close(),
    ],
  },
  {
    name: "max-length: drop-head dead-letters the oldest, reject-publish nacks the confirm",
    ops: ({ queues: [head, reject, dead], exchanges: [dlx] }) => [
      open(),
      channel(0, 1),
      exchange(0, 1, dlx, "fanout"),
      declare(0, 1, dead),
      bind(0, 1, dead, dlx),
      declare(0, 1, head, { arguments: { "x-max-length": 1, "x-dead-letter-exchange": dlx } }),
      declare(0, 1, reject, { arguments: { "x-max-length": 1, "x-overflow": "reject-publish" } }),
      call(0, 1, "confirm.select", {}, "confirm.select-ok"),
      publish(0, 1, "", head, "first"),
      publish(0, 1, "", head, "second"),
      publish(0, 1, "", reject, "kept"),
      publish(0, 1, "", reject, "refused"),
      publish(0, 1, "", `${dead}-nowhere`, "returned", { mandatory: true }),
      get(0, 1, dead, true),
      get(0, 1, head, true),
      close(),
    ],
  },
  {
    name: "delete if-unused / if-empty and purge answer with RabbitMQ's counts and errors",
    ops: ({ queues: [q], exchanges: [x] }) => [
      open(),
      channel(0, 1),
      declare(0, 1, q),
      exchange(0, 1, x, "direct"),
      bind(0, 1, q, x, "k"),
      publish(0, 1, x, "k", "one"),
      call(0, 1, "exchange.delete", { exchange: x, ifUnused: true }, "exchange.delete-ok"),
      channel(0, 2),
      call(0, 2, "queue.delete", { queue: q, ifEmpty: true }, "queue.delete-ok"),
      channel(0, 3),
      consume(0, 3, q, { noAck: true }),
      call(0, 1, "queue.delete", { queue: q, ifUnused: true }, "queue.delete-ok"),
      channel(0, 2),
      call(0, 2, "queue.purge", { queue: q }, "queue.purge-ok"),
      call(0, 2, "queue.delete", { queue: q }, "queue.delete-ok"),
      close(),
    ],
  },
  {
    name: "a message with TTL 0 that no consumer takes is gone at once (fix)",
    ops: ({ queues: [ttlQueue, priority, plain] }) => [
      open(),
      channel(0, 1),
      declare(0, 1, ttlQueue, { arguments: { "x-message-ttl": 0, "x-max-length": 1 } }),
      declare(0, 1, priority, { arguments: { "x-max-priority": 5 } }),
      declare(0, 1, plain),
      publish(0, 1, "", ttlQueue, "queue-ttl", { properties: { expiration: "3600000" } }),
      publish(0, 1, "", priority, "message-ttl", { properties: { expiration: "0", priority: 5 } }),
      publish(0, 1, "", plain, "message-ttl", { properties: { expiration: "0" } }),
      consume(0, 1, plain, { noAck: true }),
      publish(0, 1, "", plain, "delivered", { properties: { expiration: "0" } }),
      close(),
    ],
  },
  {
    name: "x-max-length 0 with drop-head still hands a message to a consumer ready for it (fix)",
    ops: ({ queues: [q] }) => [
      open(),
      channel(0, 1),
      declare(0, 1, q, { arguments: { "x-max-length": 0 } }),
      publish(0, 1, "", q, "dropped"),
      consume(0, 1, q),
      publish(0, 1, "", q, "delivered"),
      ack(0, 1, 1),
      close(),
    ],
  },
  {
    name: "a requeued message whose TTL ran out while it was unacked expires at once (fix)",
    ops: ({ queues: [q, dead] }) => [
      open(),
      channel(0, 1),
      declare(0, 1, dead),
      declare(0, 1, q, {
        arguments: { "x-message-ttl": 0, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": dead },
      }),
      channel(0, 2),
      consume(0, 2, q),
      publish(0, 1, "", q, "delivered-then-requeued"),
      closeChannel(0, 2),
      get(0, 1, dead, true),
      close(),
    ],
  },
  {
    name: "messages requeued at different times go back in arrival order (fix)",
    ops: ({ queues: [q] }) => [
      open(),
      channel(0, 1),
      channel(0, 2),
      declare(0, 1, q),
      publish(0, 1, "", q, "first"),
      publish(0, 1, "", q, "second"),
      publish(0, 1, "", q, "third"),
      get(0, 1, q),
      get(0, 2, q),
      closeChannel(0, 1),
      closeChannel(0, 2),
      channel(0, 1),
      consume(0, 1, q, { noAck: true }),
      close(),
    ],
  },
  {
    name: "requeued messages are held to max-length with drop-head (fix)",
    ops: ({ queues: [q] }) => [
      open(),
      channel(0, 1),
      declare(0, 1, q, { arguments: { "x-max-length": 1 } }),
      consume(0, 1, q),
      publish(0, 1, "", q, "a"),
      publish(0, 1, "", q, "b"),
      call(0, 1, "basic.recover", { requeue: true }, "basic.recover-ok"),
      closeChannel(0, 1),
      channel(0, 1),
      get(0, 1, q, true),
      close(),
    ],
  },
  {
    name: "an exclusive queue is never durable, so redeclaring it non-durable matches (fix)",
    ops: ({ queues: [q] }) => [
      open(),
      channel(0, 1),
      declare(0, 1, q, { durable: true, exclusive: true }),
      declare(0, 1, q, { durable: false, exclusive: true }),
      declare(0, 1, q, { durable: true, exclusive: true, autoDelete: true }),
      close(),
    ],
  },
  {
    name:
      "an exclusive consume on a single-active-consumer queue is refused with 403, even with no consumer (fix)",
    ops: ({ queues: [q] }) => [
      open(),
      channel(0, 1),
      declare(0, 1, q, { arguments: { "x-single-active-consumer": true } }),
      consume(0, 1, q, { exclusive: true }),
      channel(0, 1),
      consume(0, 1, q),
      close(),
    ],
  },
  {
    name: "a passive declare of the empty name is a 404, not the last declared queue (fix)",
    ops: ({ queues: [q] }) => [
      open(),
      channel(0, 1),
      declare(0, 1, "", { passive: true }),
      channel(0, 1),
      declare(0, 1, q),
      declare(0, 1, "", { passive: true }),
      channel(0, 1),
      call(0, 1, "queue.purge", { queue: "" }, "queue.purge-ok"),
      close(),
    ],
  },
  {
    name: "bind errors: the default exchange is refused first, then the source is looked up before the " +
      "destination; an unknown exchange type comes before everything (fix)",
    ops: ({ queues: [q], exchanges: [x, y] }) => [
      open(),
      channel(0, 1),
      bind(0, 1, q, x),
      channel(0, 1),
      bind(0, 1, q, ""),
      channel(0, 1),
      call(0, 1, "exchange.bind", { destination: x, source: y, routingKey: "" }, "exchange.bind-ok"),
      channel(0, 1),
      call(0, 1, "exchange.bind", { destination: "", source: y, routingKey: "" }, "exchange.bind-ok"),
      channel(0, 1),
      exchange(0, 1, x, "direct"),
      call(0, 1, "exchange.bind", { destination: x, source: y, routingKey: "" }, "exchange.bind-ok"),
      channel(0, 1),
      exchange(0, 1, "", "direct"),
      channel(0, 1),
      exchange(0, 1, "amq.direct", "x-bogus"),
      close(),
    ],
  },
  {
    name: "consume checks a reused tag, then the queue, then its arguments (fix)",
    ops: ({ queues: [q] }) => [
      open(),
      channel(0, 1),
      consume(0, 1, q, { arguments: { "x-priority": "high" } }),
      channel(0, 1),
      declare(0, 1, q),
      consume(0, 1, q, { arguments: { "x-priority": "high" } }),
      channel(0, 1),
      consume(0, 1, q, { consumerTag: "t1" }),
      consume(0, 1, `${q}-missing`, { consumerTag: "t1" }),
      close(),
    ],
  },
  {
    name: "redeclaring reports the first inequivalent argument in RabbitMQ's order (fix)",
    ops: ({ queues: [q] }) => [
      open(),
      channel(0, 1),
      declare(0, 1, q, {
        arguments: {
          "x-dead-letter-exchange": "",
          "x-expires": 3_600_000,
          "x-message-ttl": 1000,
          "x-max-length": 5,
          "x-overflow": "drop-head",
        },
      }),
      declare(0, 1, q),
      channel(0, 1),
      declare(0, 1, q, { arguments: { "x-expires": 3_600_000, "x-dead-letter-exchange": "" } }),
      close(),
    ],
  },
  {
    name: "invalid queue arguments: the first bad one in RabbitMQ's order is reported (fix)",
    ops: ({ queues: [q] }) => [
      open(),
      channel(0, 1),
      declare(0, 1, q, { arguments: { "x-dead-letter-routing-key": "k", "x-overflow": "bogus" } }),
      channel(0, 1),
      declare(0, 1, q, { arguments: { "x-max-priority": "5", "x-message-ttl": -1 } }),
      channel(0, 1),
      declare(0, 1, q, { arguments: { "x-single-active-consumer": "yes", "x-max-length": "2" } }),
      channel(0, 1),
      declare(0, 1, q, { arguments: { "x-message-ttl": "1000", "x-dead-letter-exchange": 5 } }),
      close(),
    ],
  },
  {
    name: "channel.flow(active=false) is honoured by Warren where RabbitMQ 3.x closes with 540 (deliberate)",
    differs: "channel-flow-off",
    ops: () => [
      open(),
      channel(0, 1),
      call(0, 1, "channel.flow", { active: false }, "channel.flow-ok"),
      close(),
    ],
  },
];

Deno.test({
  name: "differential: scripted sequences answer as RabbitMQ 3.10 does",
  ignore: rabbitMqUnavailable(),
  async fn(t) {
    const runTag = crypto.randomUUID().slice(0, 6);
    const [rabbit, warren] = await Promise.all([startTestRabbit(), startTestBroker()]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const all = (async () => {
        for (const [i, script] of SCRIPTS.entries()) {
          await t.step(script.name, async () => {
            const names = sequenceNames(`diff-${runTag}-${i}`);
            const r = await runSequence((_v, step) => script.ops(names)[step] ?? null, {
              rabbit: rabbit.url,
              warren: warren.url,
            }, names);
            const header = `"${script.name}" differs from RabbitMQ`;
            if (script.differs) {
              assert.ok(r.divergence !== null, `"${script.name}" was meant to differ (${script.differs})`);
              assert.equal(r.divergence.known?.id, script.differs, describeDivergence(r, header));
            } else {
              assert.ok(r.divergence === null, r.divergence ? describeDivergence(r, header, 100) : "");
            }
          });
        }
      })();
      await Promise.race([
        all,
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`timed out after ${TEST_TIMEOUT_MS} ms`)),
            TEST_TIMEOUT_MS,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
      await warren.close();
      await rabbit.close();
    }
  },
});
