// The seed tutorials' scenarios (see ./pika/*.py for the pika originals),
// written with amqplib so a second, independent client library checks the
// broker. Every test starts a broker with startTestBroker(), bounds its own
// time and closes every connection it opened.
//
// Against RabbitMQ (to check the tests themselves):
//   WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5680/ \
//     deno test -A tests/integration/seeds_amqplib.test.ts
// amqplib 0.10.4 with @types/amqplib, pinned in ../helpers/amqplib.ts
import type { Channel, ConsumeMessage } from "../helpers/amqplib.ts";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  type AmqpError,
  channel,
  confirmChannel,
  type Connection,
  drain,
  eventually,
  expectChannelError,
  getEventually,
  type Message,
  queueExists,
  readyCount,
  replyText,
  scenario,
  type Session,
  sleep,
  text,
  uniq,
  WAIT_MS,
  waitFor,
  withTimeout,
} from "../helpers/amqp_session.ts";

/** After a channel error: a NEW channel on the same connection works. */
async function assertChannelWorks(conn: Connection, what: string): Promise<void> {
  const ch = await channel(conn);
  const { queue } = await ch.assertQueue("", { exclusive: true });
  ch.sendToQueue(queue, Buffer.from("still works"));
  const msg = await getEventually(ch, queue);
  assert.equal(msg.content.toString(), "still works", `${what}: new channel works`);
  await ch.deleteQueue(queue);
  await ch.close();
}

// -------------------------------------------------------------- scenarios

scenario("hello world: send to a named queue via the default exchange, consume in FIFO order", async (s) => {
  const queue = s.queue("hello");
  const producer = await s.connect();
  const pch = await channel(producer);
  await pch.assertQueue(queue);
  const expected = [
    "Hello World!",
    ...Array.from({ length: 40 }, (_, i) => `data${String(i).padStart(2, "0")}`),
  ];
  expected.push("第二条消息");
  for (const body of expected) pch.sendToQueue(queue, Buffer.from(body, "utf8"));
  // amqplib may put connection.close ahead of a channel's pending publishes;
  // closing the channel first flushes them in order
  await pch.close();
  await producer.close();

  const conn = await s.connect();
  const ch = await channel(conn);
  // consumer declares too: idempotent, reports the waiting messages
  const ok = await ch.assertQueue(queue);
  assert.equal(ok.queue, queue);
  assert.equal(ok.consumerCount, 0);
  await eventually(() => readyCount(ch, queue), expected.length, "message_count on redeclare");

  const got: ConsumeMessage[] = [];
  const { consumerTag } = await ch.consume(queue, (m) => m && got.push(m), { noAck: true });
  await waitFor(() => got.length >= expected.length, "all hello messages");
  assert.deepEqual(got.map(text), expected, "bodies in FIFO order");
  for (const m of got) {
    assert.equal(m.fields.exchange, "");
    assert.equal(m.fields.routingKey, queue);
    assert.equal(m.fields.redelivered, false);
    assert.equal(m.fields.consumerTag, consumerTag);
  }
  assert.equal(got.at(-1)!.content.toString("utf8"), "第二条消息");
  assert.equal(await readyCount(ch, queue), 0, "auto-acked messages are gone");

  const other = await s.connect();
  const och = await channel(other);
  assert.equal((await och.checkQueue(queue)).consumerCount, 1, "consumer counted from another connection");
  await ch.cancel(consumerTag);
  await eventually(async () => (await och.checkQueue(queue)).consumerCount, 0, "consumer_count after cancel");
  await och.deleteQueue(queue);
});

scenario(
  "hello world with basic_get: message_count, delivery tags, empty queue, requeue on channel close",
  async (s) => {
    const queue = s.queue("hello-get");
    const conn = await s.connect();
    let ch = await channel(conn);
    await ch.assertQueue(queue);
    for (let i = 0; i < 40; i++) ch.sendToQueue(queue, Buffer.from(`data${String(i).padStart(2, "0")}`));

    let msg = await ch.get(queue, { noAck: true });
    assert.ok(msg, "basic.get returned a message");
    assert.equal(msg.content.toString(), "data00");
    assert.equal(msg.fields.deliveryTag, 1);
    assert.equal(msg.fields.exchange, "");
    assert.equal(msg.fields.routingKey, queue);
    assert.equal(msg.fields.redelivered, false);
    assert.equal(msg.fields.messageCount, 39, "message_count after first get");
    msg = await ch.get(queue, { noAck: true });
    assert.ok(msg);
    assert.equal(msg.content.toString(), "data01");
    assert.equal(msg.fields.deliveryTag, 2);
    assert.equal(msg.fields.messageCount, 38);

    // manual ack get
    msg = await ch.get(queue, { noAck: false });
    assert.ok(msg);
    assert.equal(msg.content.toString(), "data02");
    assert.equal(msg.fields.messageCount, 37);
    assert.equal(await readyCount(ch, queue), 37, "ready while one is unacked");
    ch.ack(msg);

    // unacked, then channel close -> requeued, redelivered
    msg = await ch.get(queue, { noAck: false });
    assert.ok(msg);
    assert.equal(msg.content.toString(), "data03");
    await ch.close();
    ch = await channel(conn);
    msg = await ch.get(queue, { noAck: false });
    assert.ok(msg);
    assert.equal(msg.content.toString(), "data03", "requeued message comes back first");
    assert.equal(msg.fields.redelivered, true);
    assert.equal(msg.fields.deliveryTag, 1, "delivery tags are per channel");
    ch.ack(msg);

    const rest = await drain(ch, queue);
    assert.deepEqual(rest, Array.from({ length: 36 }, (_, i) => `data${String(i + 4).padStart(2, "0")}`));
    assert.equal(await ch.get(queue, { noAck: true }), false, "basic.get-empty");
    await ch.deleteQueue(queue);
  },
);

async function roundRobin(s: Session, consumers: number, messages: number): Promise<number[][]> {
  const queue = s.queue(`work-${consumers}`);
  const received: number[][] = [];
  for (let c = 0; c < consumers; c++) {
    const ch = await channel(await s.connect());
    await ch.assertQueue(queue);
    const got: number[] = [];
    received.push(got);
    await ch.consume(queue, (m) => m && got.push(Number(m.content.toString().split("-")[1])), {
      noAck: true,
    });
  }
  const pch = await channel(await s.connect());
  for (let i = 0; i < messages; i++) pch.sendToQueue(queue, Buffer.from(`task-${i}`));
  const total = () => received.reduce((n, g) => n + g.length, 0);
  await waitFor(() => total() >= messages, `${messages} tasks`);
  await sleep(200);
  assert.deepEqual(
    received.flat().sort((a, b) => a - b),
    [...Array(messages).keys()],
    "each task exactly once",
  );
  received.forEach((got, c) => {
    assert.equal(got.length, messages / consumers, `consumer ${c} share ${JSON.stringify(received)}`);
    assert.deepEqual(got, [...got].sort((a, b) => a - b), `consumer ${c} in order`);
    assert.equal(new Set(got.map((i) => i % consumers)).size, 1, `round robin ${JSON.stringify(received)}`);
  });
  await pch.deleteQueue(queue);
  return received;
}

scenario("work queue distributes messages round robin between two (and three) consumers", async (s) => {
  await roundRobin(s, 2, 10);
  await roundRobin(s, 3, 12);
});

async function fairShares(s: Session, prefetch: number | null): Promise<[number, number]> {
  const queue = s.queue(`fair-${prefetch}`);
  const slow = await channel(await s.connect());
  const fast = await channel(await s.connect());
  const slowGot: ConsumeMessage[] = [];
  let fastGot = 0;
  for (const ch of [slow, fast]) {
    await ch.assertQueue(queue, { durable: true });
    if (prefetch !== null) await ch.prefetch(prefetch);
  }
  await slow.consume(queue, (m) => m && slowGot.push(m), { noAck: false }); // busy: acks later
  await fast.consume(queue, (m) => {
    if (!m) return;
    fastGot++;
    fast.ack(m);
  }, { noAck: false });
  const pch = await channel(await s.connect());
  for (let i = 0; i < 10; i++) pch.sendToQueue(queue, Buffer.from(`m${i}`), { persistent: true });
  await waitFor(() => slowGot.length + fastGot >= 10, "10 deliveries");
  await sleep(200);
  const shares: [number, number] = [slowGot.length, fastGot];
  for (const m of slowGot) slow.ack(m);
  await sleep(200);
  assert.equal(slowGot.length + fastGot, 10, "total deliveries");
  assert.equal(await readyCount(pch, queue), 0, "queue drained");
  await pch.deleteQueue(queue);
  return shares;
}

scenario("fair dispatch: prefetch 1 sends work to the idle consumer, no qos splits evenly", async (s) => {
  assert.deepEqual(await fairShares(s, null), [5, 5], "without prefetch: (slow, fast)");
  assert.deepEqual(await fairShares(s, 1), [1, 9], "with prefetch 1: (slow, fast)");
  // prefetch does not limit a noAck consumer (seed 003)
  const queue = s.queue("fair-noack");
  const ch = await channel(await s.connect());
  await ch.assertQueue(queue);
  for (let i = 0; i < 5; i++) ch.sendToQueue(queue, Buffer.from(`m${i}`));
  await ch.prefetch(1);
  let n = 0;
  await ch.consume(queue, () => n++, { noAck: true });
  await waitFor(() => n >= 5, "noAck consumer with prefetch 1 gets everything");
  await ch.deleteQueue(queue);
});

scenario(
  "unacked messages are redelivered (redelivered=true) after the consumer dies or closes",
  async (s) => {
    const queue = s.queue("ack");
    const pch = await channel(await s.connect());
    await pch.assertQueue(queue);
    for (let i = 0; i < 5; i++) pch.sendToQueue(queue, Buffer.from(`m${i}`));

    // consumer acks m0, m1 and dies (socket destroyed, no AMQP close)
    const dying = await s.connect();
    const dch = await channel(dying);
    const seen: string[] = [];
    await dch.consume(queue, (m) => {
      if (!m) return;
      seen.push(text(m));
      if (seen.length <= 2) dch.ack(m);
    }, { noAck: false });
    await waitFor(() => seen.length >= 5, "dying consumer got 5");
    await dch.checkQueue(queue); // round trip: the acks were processed
    assert.deepEqual(seen, ["m0", "m1", "m2", "m3", "m4"]);
    assert.equal(await readyCount(pch, queue), 0, "held by the dying consumer");
    s.kill(dying);

    const conn = await s.connect();
    const ch = await channel(conn);
    const consumeAll = async (n: number) => {
      const got: [string, boolean][] = [];
      const { consumerTag } = await ch.consume(queue, (m) => {
        if (!m) return;
        got.push([text(m), m.fields.redelivered]);
        ch.ack(m);
      });
      await waitFor(() => got.length >= n, `${n} messages`);
      await sleep(150);
      await ch.cancel(consumerTag);
      return got;
    };
    assert.deepEqual(
      await consumeAll(3),
      [["m2", true], ["m3", true], ["m4", true]],
      "after the consumer died",
    );
    pch.sendToQueue(queue, Buffer.from("fresh"));
    assert.deepEqual(await consumeAll(1), [["fresh", false]]);

    // graceful connection close without acking
    pch.sendToQueue(queue, Buffer.from("g1"));
    const c2 = await s.connect();
    const ch2 = await channel(c2);
    let g = 0;
    await ch2.consume(queue, () => g++, { noAck: false });
    await waitFor(() => g >= 1, "g1 delivered");
    await c2.close();
    assert.deepEqual(await consumeAll(1), [["g1", true]], "after connection.close without ack");

    // channel close without acking
    pch.sendToQueue(queue, Buffer.from("c1"));
    const ch3 = await channel(conn);
    let c = 0;
    await ch3.consume(queue, () => c++, { noAck: false });
    await waitFor(() => c >= 1, "c1 delivered");
    await ch3.close();
    assert.deepEqual(await consumeAll(1), [["c1", true]], "after channel.close without ack");
    assert.equal(await readyCount(pch, queue), 0);
    await pch.deleteQueue(queue);
  },
);

scenario(
  "durable queue and persistent messages are accepted and delivered with properties intact",
  async (s) => {
    const queue = s.queue("durable");
    const exchange = s.exchange("durable-x");
    const producer = await s.connect();
    const pch = await channel(producer);
    assert.equal((await pch.assertQueue(queue, { durable: true })).queue, queue);
    pch.sendToQueue(queue, Buffer.from("zll nb!"), { deliveryMode: 2 });
    pch.sendToQueue(queue, Buffer.from("transient"), { deliveryMode: 1 });
    await pch.assertExchange(exchange, "direct", { durable: true });
    await pch.bindQueue(queue, exchange, "k");
    pch.publish(exchange, "k", Buffer.from("via-x"), { persistent: true });
    await pch.close();
    await producer.close();

    const ch = await channel(await s.connect());
    await ch.assertQueue(queue, { durable: true });
    await ch.assertExchange(exchange, "direct", { durable: true });
    await eventually(() => readyCount(ch, queue), 3, "message_count");
    const got: [string, number | undefined][] = [];
    await ch.consume(queue, (m) => {
      if (!m) return;
      got.push([text(m), m.properties.deliveryMode]);
      ch.ack(m);
    });
    await waitFor(() => got.length >= 3, "3 durable messages");
    assert.deepEqual(got, [["zll nb!", 2], ["transient", 1], ["via-x", 2]]);
    assert.equal(await readyCount(ch, queue), 0);
    await ch.deleteQueue(queue);
    await ch.deleteExchange(exchange);
  },
);

scenario(
  "fanout exchange broadcasts to exclusive server-named amq.gen- queues; unbound messages dropped",
  async (s) => {
    const exchange = s.exchange("logs");
    const producer = await s.connect();
    const pch = await channel(producer);
    await pch.assertExchange(exchange, "fanout", { durable: false });
    for (let i = 0; i < 5; i++) pch.publish(exchange, "", Buffer.from(`early-${i}`)); // nobody bound: dropped

    const consumer = await s.connect();
    const ch = await channel(consumer);
    await ch.assertExchange(exchange, "fanout", { durable: false });
    const q1 = (await ch.assertQueue("", { exclusive: true })).queue;
    const q2 = (await ch.assertQueue("", { exclusive: true })).queue;
    for (const q of [q1, q2]) assert.ok(q.startsWith("amq.gen-"), `server-named queue ${q}`);
    assert.notEqual(q1, q2);
    await ch.bindQueue(q1, exchange, "");
    await ch.bindQueue(q2, exchange, "");
    const got: Record<string, string[]> = { [q1]: [], [q2]: [] };
    for (const q of [q1, q2]) {
      await ch.consume(q, (m) => {
        if (!m) return;
        assert.equal(m.fields.exchange, exchange);
        assert.equal(m.fields.routingKey, "whatever");
        got[q].push(text(m));
      }, { noAck: true });
    }
    const other = await s.connect();
    const och = await channel(other);
    const q3 = (await och.assertQueue("", { exclusive: true })).queue;
    await och.bindQueue(q3, exchange, "");
    const got3: string[] = [];
    await och.consume(q3, (m) => m && got3.push(text(m)), { noAck: true });
    const shared = (await pch.assertQueue("", { exclusive: false, durable: false })).queue;
    s.queues.add(shared);
    assert.ok(shared.startsWith("amq.gen-"));
    await pch.bindQueue(shared, exchange, "ignored");

    const expected = Array.from({ length: 40 }, (_, i) => `data-${String(i).padStart(2, "0")}`);
    for (const body of expected) pch.publish(exchange, "whatever", Buffer.from(body));
    await waitFor(
      () => got[q1].length >= 40 && got[q2].length >= 40 && got3.length >= 40,
      "40 on every queue",
    );
    await sleep(200);
    assert.deepEqual(got[q1], expected);
    assert.deepEqual(got[q2], expected);
    assert.deepEqual(got3, expected);
    await eventually(() => readyCount(pch, shared), 40, "unconsumed bound queue holds copies");

    await consumer.close();
    await other.close();
    for (const q of [q1, q2, q3]) {
      await eventually(() => queueExists(producer, q), false, `exclusive ${q} gone with its connection`);
    }
    await pch.deleteQueue(shared);
    await pch.deleteExchange(exchange);
  },
);

scenario(
  "direct exchange routes by exact key: multiple keys per queue, one key to two queues, unbind",
  async (s) => {
    const exchange = s.exchange("color");
    const conn = await s.connect();
    const ch = await channel(conn);
    await ch.assertExchange(exchange, "direct", { durable: false });
    const [q1, q2, q3] = await Promise.all(
      [0, 1, 2].map(async () => (await ch.assertQueue("", { exclusive: true })).queue),
    );
    await ch.bindQueue(q1, exchange, "orange");
    await ch.bindQueue(q2, exchange, "black");
    await ch.bindQueue(q2, exchange, "green");
    await ch.bindQueue(q3, exchange, "black");
    await ch.bindQueue(q3, exchange, "black"); // idempotent
    const got: Record<string, string[]> = { [q1]: [], [q2]: [], [q3]: [] };
    for (const q of [q1, q2, q3]) {
      await ch.consume(q, (m) => m && got[q].push(`${m.fields.routingKey}:${text(m)}`), { noAck: true });
    }

    const pch = await channel(await s.connect());
    const sent: [string, string][] = [];
    for (let i = 0; i < 30; i++) {
      const rk = ["orange", "black", "green", "red", ""][i % 5];
      const body = `${rk}-data-${String(i).padStart(2, "0")}`;
      pch.publish(exchange, rk, Buffer.from(body));
      sent.push([rk, body]);
    }
    pch.publish(exchange, "Orange", Buffer.from("case")); // case sensitive: unrouted
    const want = (keys: string[]) => sent.filter(([rk]) => keys.includes(rk)).map(([rk, b]) => `${rk}:${b}`);
    await waitFor(
      () => got[q1].length >= 6 && got[q2].length >= 12 && got[q3].length >= 6,
      "direct deliveries",
    );
    await sleep(200);
    assert.deepEqual(got[q1], want(["orange"]), "q1 (orange)");
    assert.deepEqual(got[q2], want(["black", "green"]), "q2 (black, green)");
    assert.deepEqual(got[q3], want(["black"]), "q3 (black)");

    await ch.unbindQueue(q2, exchange, "green");
    for (const q of [q1, q2, q3]) got[q].length = 0;
    pch.publish(exchange, "green", Buffer.from("g"));
    pch.publish(exchange, "black", Buffer.from("b"));
    await waitFor(() => got[q2].length > 0 && got[q3].length > 0, "black after unbind");
    await sleep(200);
    assert.deepEqual(got[q2], ["black:b"]);
    assert.deepEqual(got[q3], ["black:b"]);
    assert.deepEqual(got[q1], []);

    // 1.8.2: subscriber 1 bound Jack; subscriber 2 bound Bob and Jack
    const ex2 = s.exchange("meng1");
    await ch.assertExchange(ex2, "direct", { durable: false });
    const sub1 = (await ch.assertQueue("", { exclusive: true })).queue;
    const sub2 = (await ch.assertQueue("", { exclusive: true })).queue;
    await ch.bindQueue(sub1, ex2, "Jack");
    await ch.bindQueue(sub2, ex2, "Bob");
    await ch.bindQueue(sub2, ex2, "Jack");
    // same channel as the gets below, so the gets are ordered after routing
    ch.publish(ex2, "Bob", Buffer.from("hello Bob"));
    ch.publish(ex2, "Jack", Buffer.from("hello Jack"));
    ch.publish(ex2, "Tom", Buffer.from("hello Tom"));
    assert.deepEqual(await drain(ch, sub1), ["hello Jack"]);
    assert.deepEqual(await drain(ch, sub2), ["hello Bob", "hello Jack"]);
    await ch.deleteExchange(ex2);
    await ch.deleteExchange(exchange);
  },
);

scenario("topic exchange: phone.*, *.red, #, bnb.# bindings receive exactly the matching keys", async (s) => {
  const exchange = s.exchange("products");
  const bindings: Record<string, string[]> = {
    phoneAny: ["phone.*"],
    anyRed: ["*.red"],
    all: ["#"],
    bnb: ["nb", "bnb.#"],
    both: ["phone.*", "*.red"],
    mid: ["*.*.big", "pc.#.big"],
    exact: ["tv.blue"],
  };
  const keys = ["phone", "pc", "tv"].flatMap((p) => ["red", "green", "blue"].map((c) => `${p}.${c}`));
  keys.push("phone", "phone.red.big", "red", "x.red", "bnb", "bnb.xxxx", "bnb.a.b", "nb", "nb.x", "xbnb.y");
  keys.push("pc.big", "pc.a.b.big", "tv.blue.", "");
  const expected: Record<string, string[]> = {
    phoneAny: ["phone.red", "phone.green", "phone.blue"],
    anyRed: ["phone.red", "pc.red", "tv.red", "x.red"],
    all: keys,
    bnb: ["bnb", "bnb.xxxx", "bnb.a.b", "nb"],
    both: ["phone.red", "phone.green", "phone.blue", "pc.red", "tv.red", "x.red"],
    mid: ["phone.red.big", "pc.big", "pc.a.b.big"],
    exact: ["tv.blue"],
  };
  const ch = await channel(await s.connect());
  await ch.assertExchange(exchange, "topic", { durable: false });
  const got: Record<string, string[]> = {};
  for (const [name, patterns] of Object.entries(bindings)) {
    const q = (await ch.assertQueue("", { exclusive: true })).queue;
    for (const p of patterns) await ch.bindQueue(q, exchange, p);
    got[name] = [];
    await ch.consume(q, (m) => {
      if (!m) return;
      assert.equal(text(m), `msg:${m.fields.routingKey}`);
      got[name].push(m.fields.routingKey);
    }, { noAck: true });
  }
  const pch = await channel(await s.connect());
  for (const rk of keys) pch.publish(exchange, rk, Buffer.from(`msg:${rk}`));
  await waitFor(
    () => Object.keys(expected).every((n) => got[n].length >= expected[n].length),
    "topic deliveries",
  );
  await sleep(300);
  for (const [name, want] of Object.entries(expected)) {
    assert.deepEqual(got[name], want, `queue bound ${JSON.stringify(bindings[name])}`);
  }
  await pch.deleteExchange(exchange);
});

scenario("headers exchange routes on x-match all / any / default", async (s) => {
  const exchange = s.exchange("headers");
  const bindings: Record<string, Record<string, unknown>> = {
    all: { "x-match": "all", format: "pdf", type: "report" },
    any: { "x-match": "any", format: "pdf", type: "report" },
    default: { format: "pdf" },
    number: { "x-match": "all", level: 3 },
  };
  const messages: [string, Record<string, unknown> | undefined][] = [
    ["pdf-report", { format: "pdf", type: "report" }],
    ["pdf", { format: "pdf" }],
    ["report", { type: "report" }],
    ["zip", { format: "zip" }],
    ["none", undefined],
    ["empty", {}],
    ["pdf-report-extra", { format: "pdf", type: "report", extra: 1 }],
    ["pdf-log", { format: "pdf", type: "log" }],
    ["level3", { level: 3 }],
    ["level4", { level: 4 }],
  ];
  const expected: Record<string, string[]> = {
    all: ["pdf-report", "pdf-report-extra"],
    any: ["pdf-report", "pdf", "report", "pdf-report-extra", "pdf-log"],
    default: ["pdf-report", "pdf", "pdf-report-extra", "pdf-log"],
    number: ["level3"],
  };
  const ch = await channel(await s.connect());
  await ch.assertExchange(exchange, "headers", { durable: false });
  const got: Record<string, string[]> = {};
  for (const [name, args] of Object.entries(bindings)) {
    const q = (await ch.assertQueue("", { exclusive: true })).queue;
    await ch.bindQueue(q, exchange, "", args);
    got[name] = [];
    await ch.consume(q, (m) => m && got[name].push(text(m)), { noAck: true });
  }
  const pch = await channel(await s.connect());
  messages.forEach(([body, headers], i) => pch.publish(exchange, `rk-${i}`, Buffer.from(body), { headers }));
  await waitFor(
    () => Object.keys(expected).every((n) => got[n].length >= expected[n].length),
    "headers deliveries",
  );
  await sleep(300);
  for (const [name, want] of Object.entries(expected)) {
    assert.deepEqual(got[name], want, `binding ${JSON.stringify(bindings[name])}`);
  }
  await pch.deleteExchange(exchange);
});

scenario("RPC: fibonacci server answers on reply_to with the request's correlation_id", async (s) => {
  const rpcQueue = s.queue("rpc_queue");
  const addQueue = s.queue("add_queue");
  const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));

  // server
  const server = await channel(await s.connect());
  await server.assertQueue(rpcQueue);
  await server.assertQueue(addQueue);
  await server.prefetch(1);
  let handled = 0;
  const serve = (compute: (body: string) => string) => (m: ConsumeMessage | null) => {
    if (!m) return;
    server.sendToQueue(m.properties.replyTo, Buffer.from(compute(text(m))), {
      correlationId: m.properties.correlationId,
    });
    server.ack(m);
    handled++;
  };
  await server.consume(rpcQueue, serve((b) => String(fib(Number(b)))));
  await server.consume(
    addQueue,
    serve((b) => String(b.split(/\s+/).reduce((a, x) => a + (Number(x) || 0), 0))),
  );

  // client
  class RpcClient {
    ch!: Channel;
    callbackQueue = "";
    pending = new Map<string, (body: string) => void>();
    ignored = 0;
    async init() {
      this.ch = await channel(await s.connect());
      this.callbackQueue = (await this.ch.assertQueue("", { exclusive: true })).queue;
      await this.ch.consume(this.callbackQueue, (m) => {
        if (!m) return;
        const resolve = this.pending.get(m.properties.correlationId);
        if (resolve) resolve(text(m));
        else this.ignored++;
      }, { noAck: true });
      return this;
    }
    call(body: string, queue = rpcQueue): Promise<string> {
      const corrId = crypto.randomUUID();
      const answer = new Promise<string>((resolve) => this.pending.set(corrId, resolve));
      this.ch.sendToQueue(queue, Buffer.from(body), { replyTo: this.callbackQueue, correlationId: corrId });
      return withTimeout(answer, WAIT_MS, `rpc ${body}`).finally(() => this.pending.delete(corrId));
    }
  }
  const client = await new RpcClient().init();
  assert.ok(client.callbackQueue.startsWith("amq.gen-"));
  for (const n of [0, 1, 2, 10, 20]) assert.equal(Number(await client.call(String(n))), fib(n), `fib(${n})`);
  client.ch.sendToQueue(client.callbackQueue, Buffer.from("stray"), { correlationId: "not-mine" });
  assert.equal(await client.call("15"), "610");
  assert.equal(client.ignored, 1, "stray reply ignored");
  assert.equal(await client.call("1 3 5", addQueue), "9");
  assert.equal(await client.call("2 4 6", addQueue), "12");
  // concurrent calls from two clients: each gets only its own answers
  const other = await new RpcClient().init();
  const [a, b, c] = await Promise.all([other.call("12"), client.call("7"), other.call("5")]);
  assert.deepEqual([a, b, c], ["144", "13", "5"]);
  assert.equal(other.ignored, 0);
  assert.equal(handled, 11, "requests handled by the server");
});

scenario("many channels on one connection work independently", async (s) => {
  const N = 20;
  const conn = await s.connect();
  const channels = await Promise.all(Array.from({ length: N }, () => channel(conn)));
  const queues = channels.map((_, i) => s.queue(`chan-${i}`));
  for (let i = 0; i < N; i++) await channels[i].assertQueue(queues[i]);
  const got: string[][] = queues.map(() => []);
  for (let i = 0; i < N; i++) {
    await channels[(i + 1) % N].consume(queues[i], (m) => m && got[i].push(text(m)), { noAck: true });
  }
  channels.forEach((ch, i) => {
    for (let j = 0; j < 3; j++) ch.sendToQueue(queues[i], Buffer.from(`c${i}-m${j}`));
  });
  await waitFor(() => got.every((g) => g.length >= 3), "3 messages per queue");
  got.forEach((g, i) => assert.deepEqual(g, [0, 1, 2].map((j) => `c${i}-m${j}`)));

  for (let i = 0; i < N; i += 2) await channels[i].close();
  got.forEach((g) => (g.length = 0));
  for (let i = 1; i < N; i += 2) channels[i].sendToQueue(queues[(i - 1 + N) % N], Buffer.from("after"));
  await waitFor(
    () => [...Array(N).keys()].filter((i) => i % 2 === 1).every((i) => got[(i - 1 + N) % N].length > 0),
    "after",
  );
  const extra = await channel(conn);
  for (const q of queues) await extra.deleteQueue(q);
});

scenario("message properties, header tables and large bodies round trip unchanged", async (s) => {
  const queue = s.queue("props");
  const ch = await channel(await s.connect());
  await ch.assertQueue(queue);
  const headers = {
    str: "text",
    unicode: "第二条消息",
    byte: 42,
    short: 1000,
    int: 100000,
    neg: -7,
    long: 2 ** 40,
    double: 3.5,
    true: true,
    false: false,
    void: null,
    bytes: Buffer.from([0, 1, 254, 255]),
    nested: { a: 1, b: { c: "deep", d: [1, 2] } },
    list: [1, "two", true, { x: 1 }, [2, 3], null],
    emptyTable: {},
    emptyList: [],
    timestamp: { "!": "timestamp", value: 1700000000 },
    decimal: { "!": "decimal", value: { places: 2, digits: 314 } },
    float: { "!": "float", value: 1.5 },
  };
  const options = {
    contentType: "application/json",
    contentEncoding: "utf-8",
    headers,
    deliveryMode: 2,
    priority: 5,
    correlationId: "corr-1234",
    replyTo: "reply-queue",
    expiration: "600000",
    messageId: "msg-0001",
    timestamp: 1700000000,
    type: "order.created",
    userId: "guest",
    appId: "warren-tests",
  };
  const binary = Buffer.alloc(1024);
  for (let i = 0; i < binary.length; i++) binary[i] = i % 256;
  const large = Buffer.alloc(1024 * 1024 + 17);
  for (let i = 0; i < large.length; i++) large[i] = (i * 31) % 251;
  ch.sendToQueue(queue, Buffer.from('{"hello": "world"}'), options);
  ch.sendToQueue(queue, Buffer.from("no properties"));
  ch.sendToQueue(queue, Buffer.alloc(0), { contentType: "text/plain" });
  ch.sendToQueue(queue, binary);
  ch.sendToQueue(queue, large, { messageId: "large" });

  const got: ConsumeMessage[] = [];
  await ch.consume(queue, (m) => m && got.push(m), { noAck: true });
  await waitFor(() => got.length >= 5, "5 messages");

  const p = got[0].properties;
  assert.equal(got[0].content.toString(), '{"hello": "world"}');
  for (const [k, v] of Object.entries(options)) {
    if (k === "headers") continue;
    assert.deepEqual((p as unknown as Record<string, unknown>)[k], v, `property ${k}`);
  }
  // amqplib decodes a float ('f') as a plain number; 1.5 is exact in 32 bits
  assert.deepEqual(p.headers, { ...headers, float: 1.5 }, "headers table");

  const none = got[1].properties as unknown as Record<string, unknown>;
  assert.equal(got[1].content.toString(), "no properties");
  for (const k of Object.keys(options)) {
    if (k !== "headers") assert.equal(none[k], undefined, `unset property ${k}`);
  }
  assert.equal(got[2].content.length, 0, "empty body");
  assert.equal(got[2].properties.contentType, "text/plain");
  assert.ok(got[3].content.equals(binary), "binary body");
  assert.equal(got[4].content.length, large.length, "large body length");
  assert.ok(got[4].content.equals(large), "large body content");
  assert.equal(got[4].properties.messageId, "large");
  await ch.deleteQueue(queue);
});

scenario("mandatory publish of an unroutable message comes back as basic.return 312 NO_ROUTE", async (s) => {
  const exchange = s.exchange("mandatory");
  const queue = s.queue("mandatory-q");
  const ch = await channel(await s.connect());
  await ch.assertExchange(exchange, "direct", { durable: false });
  await ch.assertQueue(queue);
  await ch.bindQueue(queue, exchange, "routed");
  const returned: Message[] = [];
  ch.on("return", (m: Message) => returned.push(m));

  ch.publish(exchange, "nowhere", Buffer.from("x")); // not mandatory: dropped
  ch.sendToQueue(uniq("no-such-queue"), Buffer.from("dropped"));
  await sleep(200);
  assert.equal(returned.length, 0, "no returns without mandatory");

  ch.publish(exchange, "nowhere", Buffer.from("come back"), {
    mandatory: true,
    messageId: "m-1",
    headers: { h: 1 },
  });
  const missing = uniq("no-such-queue");
  ch.sendToQueue(missing, Buffer.from("default exchange"), { mandatory: true });
  ch.publish(exchange, "routed", Buffer.from("stays"), { mandatory: true });
  await waitFor(() => returned.length >= 2, "2 basic.return");
  await sleep(200);
  assert.equal(returned.length, 2);
  const [r1, r2] = returned as unknown as {
    fields: { replyCode: number; replyText: string; exchange: string; routingKey: string };
    properties: Message["properties"];
    content: Buffer;
  }[];
  assert.deepEqual(
    [r1.fields.replyCode, r1.fields.replyText, r1.fields.exchange, r1.fields.routingKey],
    [312, "NO_ROUTE", exchange, "nowhere"],
  );
  assert.equal(r1.content.toString(), "come back");
  assert.equal(r1.properties.messageId, "m-1");
  assert.deepEqual(r1.properties.headers, { h: 1 });
  assert.deepEqual([r2.fields.replyCode, r2.fields.exchange, r2.fields.routingKey], [312, "", missing]);
  assert.equal(r2.content.toString(), "default exchange");
  await eventually(() => readyCount(ch, queue), 1, "routable mandatory message queued");

  // confirm channel: the return arrives before the ack
  const cch = await confirmChannel(await s.connect());
  const events: string[] = [];
  cch.on("return", () => events.push("return"));
  await new Promise<void>((resolve, reject) =>
    cch.publish(exchange, "nowhere", Buffer.from("unroutable"), { mandatory: true }, (err) => {
      events.push(err ? "nack" : "ack");
      if (err) reject(err);
      else resolve();
    })
  );
  assert.deepEqual(events, ["return", "ack"], "basic.return precedes basic.ack");
  await ch.deleteQueue(queue);
  await ch.deleteExchange(exchange);
});

scenario(
  "publisher confirms ack every publish; publish to a missing exchange closes the channel 404",
  async (s) => {
    const queue = s.queue("confirms");
    const exchange = s.exchange("confirms-x");
    const conn = await s.connect();
    const ch = await confirmChannel(conn);
    await ch.assertQueue(queue, { durable: true });
    await ch.assertExchange(exchange, "fanout", { durable: false });
    let acked = 0;
    for (let i = 0; i < 50; i++) {
      ch.sendToQueue(queue, Buffer.from(`m${i}`), { persistent: true }, (err) => {
        if (!err) acked++;
      });
    }
    ch.publish(exchange, "", Buffer.from("nobody"), {}, (err) => {
      if (!err) acked++;
    });
    await ch.waitForConfirms();
    assert.equal(acked, 51, "every publish acked (unroutable too)");
    assert.equal(await readyCount(ch, queue), 50, "confirmed messages are queued");

    const other = await confirmChannel(conn);
    const missing = uniq("missing");
    await expectChannelError(
      other,
      () => other.publish(missing, "k", Buffer.from("x"), {}, () => {}),
      404,
      `NOT_FOUND - no exchange '${missing}' in vhost '/'`,
      "confirm-mode publish to a missing exchange",
    );
    assert.deepEqual(await drain(ch, queue), Array.from({ length: 50 }, (_, i) => `m${i}`));
    await ch.deleteQueue(queue);
    await ch.deleteExchange(exchange);
  },
);

scenario("404 NOT_FOUND channel errors (missing queue / exchange) leave the connection usable", async (s) => {
  const missingQ = uniq("missing-q");
  const missingX = uniq("missing-x");
  const noQueue = `NOT_FOUND - no queue '${missingQ}' in vhost '/'`;
  const noExchange = `NOT_FOUND - no exchange '${missingX}' in vhost '/'`;
  const conn = await s.connect();
  const cases: [string, (ch: Channel) => Promise<unknown>, string][] = [
    ["passive queue declare of a missing queue", (ch) => ch.checkQueue(missingQ), noQueue],
    ["passive exchange declare of a missing exchange", (ch) => ch.checkExchange(missingX), noExchange],
    ["publish to a missing exchange", async (ch) => {
      ch.publish(missingX, "k", Buffer.from("x"));
      await ch.assertQueue("", { exclusive: true });
    }, noExchange],
    ["consume a missing queue", (ch) => ch.consume(missingQ, () => {}), noQueue],
    ["get from a missing queue", (ch) => ch.get(missingQ), noQueue],
    ["purge a missing queue", (ch) => ch.purgeQueue(missingQ), noQueue],
    ["bind to a missing exchange", async (ch) => {
      const { queue } = await ch.assertQueue("", { exclusive: true });
      await ch.bindQueue(queue, missingX, "k");
    }, noExchange],
    ["bind a missing queue", (ch) => ch.bindQueue(missingQ, "amq.direct", "k"), noQueue],
  ];
  for (const [what, action, text] of cases) {
    const ch = await channel(conn);
    await expectChannelError(ch, () => action(ch), 404, text, what);
    await assertChannelWorks(conn, what);
  }
  // deleting what does not exist is fine on RabbitMQ 3.x
  const ch = await channel(conn);
  await ch.deleteQueue(missingQ);
  await ch.deleteExchange(missingX);
});

scenario(
  "406 PRECONDITION_FAILED for inequivalent redeclare, unknown delivery tag, wrong user_id",
  async (s) => {
    const queue = s.queue("precond");
    const exchange = s.exchange("precond-x");
    const conn = await s.connect();
    const setup = await channel(conn);
    await setup.assertQueue(queue, { durable: false, autoDelete: false });
    await setup.assertExchange(exchange, "direct", { durable: false });
    // a fake delivery to ack/nack/reject tags the channel never issued
    const fake = (tag: number) => ({ fields: { deliveryTag: tag } }) as unknown as Message;
    const sync = (ch: Channel) => ch.assertQueue("", { exclusive: true });
    const cases: [string, (ch: Channel) => Promise<unknown>, string][] = [
      [
        "redeclare queue durable",
        (ch) => ch.assertQueue(queue, { durable: true }),
        `PRECONDITION_FAILED - inequivalent arg 'durable' for queue '${queue}' in vhost '/': received 'true' but current is 'false'`,
      ],
      [
        "redeclare queue auto_delete",
        (ch) => ch.assertQueue(queue, { durable: false, autoDelete: true }),
        `PRECONDITION_FAILED - inequivalent arg 'auto_delete' for queue '${queue}' in vhost '/': received 'true' but current is 'false'`,
      ],
      [
        "redeclare exchange with another type",
        (ch) => ch.assertExchange(exchange, "fanout", { durable: false }),
        `PRECONDITION_FAILED - inequivalent arg 'type' for exchange '${exchange}' in vhost '/': received 'fanout' but current is 'direct'`,
      ],
      [
        "redeclare exchange durable",
        (ch) => ch.assertExchange(exchange, "direct", { durable: true }),
        `PRECONDITION_FAILED - inequivalent arg 'durable' for exchange '${exchange}' in vhost '/': received 'true' but current is 'false'`,
      ],
      [
        "redeclare amq.topic as direct",
        (ch) => ch.assertExchange("amq.topic", "direct", { durable: true }),
        "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'amq.topic' in vhost '/': received 'direct' but current is 'topic'",
      ],
      ["ack an unknown delivery tag", async (ch) => {
        ch.ack(fake(99));
        await sync(ch);
      }, "PRECONDITION_FAILED - unknown delivery tag 99"],
      ["nack an unknown delivery tag", async (ch) => {
        ch.nack(fake(7));
        await sync(ch);
      }, "PRECONDITION_FAILED - unknown delivery tag 7"],
      ["reject an unknown delivery tag", async (ch) => {
        ch.reject(fake(5));
        await sync(ch);
      }, "PRECONDITION_FAILED - unknown delivery tag 5"],
      ["ack the same delivery twice", async (ch) => {
        const { queue: q } = await ch.assertQueue("", { exclusive: true });
        ch.sendToQueue(q, Buffer.from("x"));
        const m = await getEventually(ch, q, false);
        ch.ack(m);
        ch.ack(m);
        await sync(ch);
      }, "PRECONDITION_FAILED - unknown delivery tag 1"],
      ["ack an auto-acked delivery", async (ch) => {
        const { queue: q } = await ch.assertQueue("", { exclusive: true });
        ch.sendToQueue(q, Buffer.from("x"));
        ch.ack(await getEventually(ch, q, true));
        await sync(ch);
      }, "PRECONDITION_FAILED - unknown delivery tag 1"],
      ["publish with a user_id that is not the authenticated user", async (ch) => {
        ch.sendToQueue(queue, Buffer.from("x"), { userId: "bob" });
        await sync(ch);
      }, "PRECONDITION_FAILED - user_id property set to 'bob' but authenticated user was 'guest'"],
    ];
    for (const [what, action, text] of cases) {
      const ch = await channel(conn);
      await expectChannelError(ch, () => action(ch), 406, text, what);
      await assertChannelWorks(conn, what);
    }
    const ch = await channel(conn);
    await ch.assertQueue(queue, { durable: false, autoDelete: false });
    await ch.assertExchange(exchange, "direct", { durable: false });
    await ch.assertExchange("amq.direct", "direct", { durable: true });
    assert.equal(await readyCount(ch, queue), 0, "user_id mismatch message not enqueued");
    await ch.deleteQueue(queue);
    await ch.deleteExchange(exchange);
  },
);

scenario("403 ACCESS_REFUSED for the reserved amq. prefix and the default exchange", async (s) => {
  const suffix = uniq("r");
  const conn = await s.connect();
  const cases: [string, (ch: Channel) => Promise<unknown>, string][] = [
    [
      "declare exchange amq.x...",
      (ch) => ch.assertExchange(`amq.x${suffix}`, "direct", { durable: false }),
      `ACCESS_REFUSED - exchange name 'amq.x${suffix}' contains reserved prefix 'amq.*'`,
    ],
    [
      "declare queue amq.q...",
      (ch) => ch.assertQueue(`amq.q${suffix}`),
      `ACCESS_REFUSED - queue name 'amq.q${suffix}' contains reserved prefix 'amq.*'`,
    ],
    [
      "delete amq.direct",
      (ch) => ch.deleteExchange("amq.direct"),
      "ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed",
    ],
    ["bind to the default exchange", async (ch) => {
      const { queue } = await ch.assertQueue("", { exclusive: true });
      await ch.bindQueue(queue, "", "k");
    }, "ACCESS_REFUSED - operation not permitted on the default exchange"],
  ];
  for (const [what, action, text] of cases) {
    const ch = await channel(conn);
    await expectChannelError(ch, () => action(ch), 403, text, what);
    await assertChannelWorks(conn, what);
  }
  const ch = await channel(conn);
  await expectChannelError(
    ch,
    () => ch.checkExchange(`amq.x${suffix}`),
    404,
    `NOT_FOUND - no exchange 'amq.x${suffix}' in vhost '/'`,
    "passive declare of a missing amq.* exchange",
  );
  const ok = await channel(conn);
  for (
    const [name, type] of [["amq.direct", "direct"], ["amq.fanout", "fanout"], ["amq.topic", "topic"], [
      "amq.headers",
      "headers",
    ], ["amq.match", "headers"]]
  ) {
    await ok.checkExchange(name);
    await ok.assertExchange(name, type, { durable: true });
  }
});

scenario("405 RESOURCE_LOCKED when another connection uses an exclusive queue", async (s) => {
  const named = s.queue("exclusive");
  const locked = (q: string) =>
    `RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '${q}' in vhost '/'. ` +
    "It could be originally declared on another connection or the exclusive property value does not match " +
    "that of the original declaration.";
  const owner = await s.connect();
  const och = await channel(owner);
  await och.assertQueue(named, { exclusive: true });
  const generated = (await och.assertQueue("", { exclusive: true })).queue;
  const other = await s.connect();
  const cases: [string, (ch: Channel, q: string) => Promise<unknown>][] = [
    ["passive declare", (ch, q) => ch.checkQueue(q)],
    ["consume", (ch, q) => ch.consume(q, () => {})],
    ["get", (ch, q) => ch.get(q)],
    ["purge", (ch, q) => ch.purgeQueue(q)],
    ["bind", (ch, q) => ch.bindQueue(q, "amq.fanout", "")],
    ["delete", (ch, q) => ch.deleteQueue(q)],
  ];
  for (const q of [named, generated]) {
    for (const [what, action] of cases) {
      const ch = await channel(other);
      await expectChannelError(ch, () => action(ch, q), 405, locked(q), `${what} on ${q}`);
      await assertChannelWorks(other, what);
    }
  }
  for (const exclusive of [true, false]) {
    const ch = await channel(other);
    await expectChannelError(
      ch,
      () => ch.assertQueue(named, { exclusive }),
      405,
      locked(named),
      `redeclare exclusive=${exclusive}`,
    );
  }
  const gch = await channel(other);
  await expectChannelError(
    gch,
    () => gch.assertQueue(generated, { exclusive: true }),
    403,
    `ACCESS_REFUSED - queue name '${generated}' contains reserved prefix 'amq.*'`,
    "redeclare another connection's amq.gen- queue",
  );
  // publishing into another connection's exclusive queue is allowed (RPC replies)
  const pch = await channel(other);
  pch.sendToQueue(generated, Buffer.from("reply"));
  pch.sendToQueue(named, Buffer.from("reply2"));
  await pch.assertQueue("", { exclusive: true });
  assert.equal(text(await getEventually(och, generated)), "reply");
  assert.equal(text(await getEventually(och, named)), "reply2");
  await och.assertQueue(named, { exclusive: true });
  await och.checkQueue(named);

  await owner.close();
  await eventually(() => queueExists(other, named), false, "exclusive queue deleted with its owner");
  await eventually(() => queueExists(other, generated), false, "server-named exclusive queue deleted");
  const ch = await channel(other);
  await ch.assertQueue(named);
  await ch.deleteQueue(named);
});

scenario(
  "wrong password is refused (403), unknown exchange type closes the connection (503), channel errors stay isolated",
  async (s) => {
    const url = new URL(s.url);
    url.password = "wrong-password";
    await assert.rejects(
      () => s.connect(url.toString()),
      (err: Error) => {
        assert.match(
          err.message,
          /403 \(ACCESS-REFUSED\) with message "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN/,
        );
        return true;
      },
      "wrong password",
    );
    url.username = uniq("nobody");
    await assert.rejects(() => s.connect(url.toString()), /403 \(ACCESS-REFUSED\)/, "unknown user");

    // unknown exchange type: connection-level 503
    const conn = await s.connect();
    const connError = new Promise<AmqpError>((resolve) => conn.once("error", resolve));
    const connClosed = new Promise<void>((resolve) => conn.once("close", () => resolve()));
    const ch = await channel(conn);
    const bogus = uniq("bogus-type");
    await assert.rejects(() => ch.assertExchange(bogus, "bogus", { durable: false }));
    const err = await withTimeout(connError, WAIT_MS, "connection error");
    assert.equal(err.code, 503);
    assert.equal(replyText(err), "COMMAND_INVALID - unknown exchange type 'bogus'");
    await withTimeout(connClosed, WAIT_MS, "connection close");

    const conn2 = await s.connect();
    await assertChannelWorks(conn2, "new connection after 503");
    const check = await channel(conn2);
    await expectChannelError(
      check,
      () => check.checkExchange(bogus),
      404,
      "NOT_FOUND - no exchange",
      "bogus exchange not created",
      false,
    );

    // a channel error does not disturb other channels
    const queue = s.queue("isolation");
    const consumerCh = await channel(conn2);
    await consumerCh.assertQueue(queue);
    const got: string[] = [];
    await consumerCh.consume(queue, (m) => m && got.push(text(m)), { noAck: true });
    const publisherCh = await channel(conn2);
    publisherCh.sendToQueue(queue, Buffer.from("before"));
    await waitFor(() => got.length >= 1, "before");
    const bad = await channel(conn2);
    await expectChannelError(
      bad,
      () => bad.checkQueue(uniq("nope")),
      404,
      "NOT_FOUND - no queue",
      "third channel",
      false,
    );
    publisherCh.sendToQueue(queue, Buffer.from("after"));
    await waitFor(() => got.length >= 2, "after");
    assert.deepEqual(got, ["before", "after"]);
    await publisherCh.deleteQueue(queue);
  },
);

scenario("auto_delete queue is deleted when its last consumer goes away", async (s) => {
  const conn = await s.connect();
  const ch = await channel(conn);
  const q1 = s.queue("autodel-idle");
  await ch.assertQueue(q1, { autoDelete: true });
  ch.sendToQueue(q1, Buffer.from("x"));
  await eventually(() => readyCount(ch, q1), 1, "idle auto_delete queue keeps its message");
  const tagA = (await ch.consume(q1, () => {}, { noAck: true })).consumerTag;
  const other = await s.connect();
  const och = await channel(other);
  const tagB = (await och.consume(q1, () => {}, { noAck: true })).consumerTag;
  await ch.cancel(tagA);
  assert.equal(await queueExists(conn, q1), true, "one consumer remains");
  await och.cancel(tagB);
  await eventually(() => queueExists(conn, q1), false, "deleted after the last cancel");

  const q2 = s.queue("autodel-conn");
  await och.assertQueue(q2, { autoDelete: true });
  await och.consume(q2, () => {}, { noAck: false });
  await other.close();
  await eventually(() => queueExists(conn, q2), false, "deleted when the consumer's connection closed");
});

scenario("basic.reject / basic.nack requeue or drop messages", async (s) => {
  const queue = s.queue("reject");
  const ch = await channel(await s.connect());
  await ch.assertQueue(queue);
  for (let i = 0; i < 6; i++) ch.sendToQueue(queue, Buffer.from(`m${i}`));
  const get = () => getEventually(ch, queue, false);

  let m = await get();
  assert.equal(text(m), "m0");
  ch.reject(m, true);
  m = await get();
  assert.deepEqual([text(m), m.fields.redelivered], ["m0", true], "rejected+requeued comes back first");
  ch.reject(m, false);
  m = await get();
  assert.deepEqual([text(m), m.fields.redelivered], ["m1", false], "after drop");
  await get();
  const m3 = await get();
  ch.nack(m3, true, true); // multiple: m1..m3
  const seen: [string, boolean][] = [];
  for (let i = 0; i < 3; i++) {
    const x = await get();
    seen.push([text(x), x.fields.redelivered]);
    ch.ack(x);
  }
  assert.deepEqual(seen, [["m1", true], ["m2", true], ["m3", true]], "nack multiple requeue");
  m = await get();
  assert.equal(text(m), "m4");
  ch.nack(m, false, false);
  m = await get();
  assert.deepEqual([text(m), m.fields.redelivered], ["m5", false]);
  ch.ack(m);
  assert.equal(await ch.get(queue, { noAck: true }), false, "empty");

  ch.sendToQueue(queue, Buffer.from("again"));
  const deliveries: [string, boolean][] = [];
  await ch.consume(queue, (msg) => {
    if (!msg) return;
    deliveries.push([text(msg), msg.fields.redelivered]);
    if (msg.fields.redelivered) ch.ack(msg);
    else ch.reject(msg, true);
  });
  await waitFor(() => deliveries.length >= 2, "redelivery to the consumer");
  assert.deepEqual(deliveries, [["again", false], ["again", true]]);
  await ch.deleteQueue(queue);
});

scenario("queue purge, queue delete and exchange delete with if_empty / if_unused guards", async (s) => {
  const queue = s.queue("purge");
  const exchange = s.exchange("purge-x");
  const conn = await s.connect();
  const ch = await channel(conn);
  await ch.assertQueue(queue);
  for (let i = 0; i < 5; i++) ch.sendToQueue(queue, Buffer.from(`m${i}`));
  const held = await getEventually(ch, queue, false);
  assert.equal((await ch.purgeQueue(queue)).messageCount, 4, "purge-ok message count");
  assert.equal(await readyCount(ch, queue), 0);
  ch.reject(held, true); // the unacked one survived the purge
  await eventually(() => readyCount(ch, queue), 1, "unacked message kept by purge");

  const c2 = await channel(conn);
  await expectChannelError(
    c2,
    () => c2.deleteQueue(queue, { ifEmpty: true }),
    406,
    `PRECONDITION_FAILED - queue '${queue}' in vhost '/' not empty`,
    "delete if_empty",
  );
  const consumer = await channel(conn);
  const got: string[] = [];
  const { consumerTag } = await consumer.consume(queue, (m) => m && got.push(text(m)), { noAck: true });
  await waitFor(() => got.length >= 1, "consumer got the message");
  const c3 = await channel(conn);
  await expectChannelError(
    c3,
    () => c3.deleteQueue(queue, { ifUnused: true }),
    406,
    `PRECONDITION_FAILED - queue '${queue}' in vhost '/' in use`,
    "delete if_unused",
  );
  // deleting a queue with a consumer cancels the consumer (basic.cancel from the server)
  const cancelled = new Promise<ConsumeMessage | null>((resolve) => {
    consumer.on("cancel", () => resolve(null));
  });
  assert.equal((await ch.deleteQueue(queue)).messageCount, 0, "delete-ok message count");
  await withTimeout(cancelled, WAIT_MS, "server basic.cancel");
  assert.ok(consumerTag);

  await ch.assertExchange(exchange, "fanout", { durable: false });
  const { queue: tmp } = await ch.assertQueue("", { exclusive: true });
  await ch.bindQueue(tmp, exchange, "");
  const c4 = await channel(conn);
  await expectChannelError(
    c4,
    () => c4.deleteExchange(exchange, { ifUnused: true }),
    406,
    `PRECONDITION_FAILED - exchange '${exchange}' in vhost '/' in use`,
    "exchange delete if_unused",
  );
  await ch.unbindQueue(tmp, exchange, "");
  await ch.deleteExchange(exchange, { ifUnused: true });
  const c5 = await channel(conn);
  await expectChannelError(
    c5,
    () => c5.checkExchange(exchange),
    404,
    "NOT_FOUND - no exchange",
    "deleted",
    false,
  );
});
