// RabbitMQ's extensions to AMQP 0-9-1, driven with amqplib:
// TTL, queue expiry, dead-lettering and its x-death header, length limits
// and overflow modes, priority queues, consumer priorities, single active
// consumer, alternate / internal exchanges, CC/BCC, direct reply-to,
// consumer timeout and argument validation. Every expectation (values,
// header layout, reply texts) was taken from a real RabbitMQ 3.10.8; where
// Warren does more than RabbitMQ does, the test says so.
//
// Against RabbitMQ (to check the tests themselves):
//   WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5682/ \
//     deno test -A tests/integration/extensions_amqplib.test.ts
// The consumer-timeout test then needs that node started with
// `consumer_timeout = 2000` in rabbitmq.conf and `{rabbit, [{channel_tick_interval, 500}]}`
// in advanced.config (RabbitMQ checks the timeout on its channel tick, every
// 60 s by default).
import assert from "node:assert/strict";
import type { Channel, ConfirmChannel, ConsumeMessage } from "../helpers/amqplib.ts";
import {
  type AmqpError,
  body,
  channel,
  confirmChannel,
  drain,
  eventually,
  expectChannelError,
  EXTERNAL,
  getEventually,
  queueExists,
  readyCount,
  replyText,
  scenario,
  Session,
  sleep,
  text,
  waitFor,
  withTimeout,
} from "../helpers/amqp_session.ts";
import { spawnBroker } from "../helpers/broker_process.ts";

// deno-lint-ignore no-explicit-any
type Headers = Record<string, any>;

/** Publishes on a confirm channel and resolves true for basic.ack, false for basic.nack. */
function publishConfirmed(
  ch: ConfirmChannel,
  exchange: string,
  routingKey: string,
  content: string,
  options: Record<string, unknown> = {},
): Promise<boolean> {
  return new Promise((resolve) => {
    ch.publish(exchange, routingKey, body(content), options, (err: unknown) => resolve(!err));
  });
}

/** A RabbitMQ timestamp field as amqplib decodes it: seconds since the epoch, tagged. */
function assertRecentTimestamp(value: unknown, what: string) {
  assert.equal(typeof value, "object", `${what}: a tagged timestamp`);
  const ts = value as { "!": string; value: number };
  assert.equal(ts["!"], "timestamp", `${what}: field type timestamp`);
  assert.ok(
    Math.abs(ts.value - Date.now() / 1000) < 60,
    `${what}: seconds since the epoch, now (${ts.value})`,
  );
}

/** x-death[i] without its time (checked separately). */
function deathWithoutTime(headers: Headers, i: number): Headers {
  const d = { ...headers["x-death"][i] };
  assertRecentTimestamp(d.time, `x-death[${i}].time`);
  delete d.time;
  return d;
}

// ================================================================== TTL

scenario(
  "x-message-ttl: messages expire without a consumer, are never delivered, depth drops to 0",
  async (s) => {
    const conn = await s.connect();
    // confirms: a confirmed message is in its queue, so a depth read
    // afterwards cannot be one taken before it arrived
    const ch = await confirmChannel(conn);
    const q = s.queue("ttl");
    await ch.assertQueue(q, { messageTtl: 200 });
    for (let i = 0; i < 5; i++) ch.sendToQueue(q, body(`m${i}`));
    await ch.waitForConfirms();
    // no consumer, no basic.get: the broker must remove them on its own
    await eventually(() => readyCount(ch, q), 0, "depth after the TTL", 3_000);
    assert.equal(await ch.get(q, { noAck: true }), false, "nothing left to get");
    // a consumer that comes later sees nothing
    const got: string[] = [];
    await ch.consume(q, (m) => m && got.push(text(m)), { noAck: true });
    ch.sendToQueue(q, body("fresh"));
    await waitFor(() => got.length === 1, "the fresh message");
    assert.deepEqual(got, ["fresh"]);
  },
);

scenario("per-message expiration and x-message-ttl: the lower of the two wins", async (s) => {
  const conn = await s.connect();
  const ch = await confirmChannel(conn);
  const q = s.queue("ttl-lower");
  await ch.assertQueue(q, { messageTtl: 1_000 });
  // head: per-message 50 ms < queue 1000 ms
  ch.sendToQueue(q, body("short"), { expiration: "50" });
  // per-message 60 s > queue 1000 ms: the queue's TTL applies
  ch.sendToQueue(q, body("long"), { expiration: "60000" });
  ch.sendToQueue(q, body("none"));
  await ch.waitForConfirms();
  // well before the queue's TTL, the 50 ms message is gone
  await eventually(() => readyCount(ch, q), 2, "the 50 ms message expires at 50 ms", 600);
  await eventually(() => readyCount(ch, q), 0, "the 60 s message expired at the queue's 1000 ms", 3_000);
  assert.equal(await ch.get(q, { noAck: true }), false);
});

scenario(
  "a delivered message keeps its expiration property; expired ones are skipped by basic.get",
  async (s) => {
    const conn = await s.connect();
    const ch = await channel(conn);
    const q = s.queue("ttl-get");
    await ch.assertQueue(q);
    ch.sendToQueue(q, body("keep"), { expiration: "60000" });
    ch.sendToQueue(q, body("dies"), { expiration: "100" });
    ch.sendToQueue(q, body("stays"));
    const first = await getEventually(ch, q);
    assert.equal(text(first), "keep");
    assert.equal(first.properties.expiration, "60000", "expiration is delivered as published");
    await sleep(300);
    const next = await ch.get(q, { noAck: true });
    assert.equal(text(next || null), "stays", "the expired message is never delivered");
  },
);

scenario(
  "per-message TTL: short-lived messages behind a long-lived head are never delivered (and, in Warren, leave the depth)",
  async (s) => {
    const conn = await s.connect();
    const ch = await confirmChannel(conn);
    const q = s.queue("ttl-nonhead");
    await ch.assertQueue(q);
    ch.sendToQueue(q, body("head"), { expiration: "60000" });
    ch.sendToQueue(q, body("s1"), { expiration: "100" });
    ch.sendToQueue(q, body("s2"), { expiration: "100" });
    ch.sendToQueue(q, body("tail"));
    await ch.waitForConfirms();
    await sleep(500);
    if (EXTERNAL) {
      // RabbitMQ 3.10 expires per-message TTLs only at the head of a classic
      // queue: s1 and s2 still count until they reach it. Warren removes
      // them wherever they are, so only Warren is held to a depth of 2 here.
      assert.equal(await readyCount(ch, q), 4, "RabbitMQ: non-head expired messages still counted");
    } else {
      await eventually(
        () => readyCount(ch, q),
        2,
        "expired non-head messages removed without a consumer",
        2_000,
      );
    }
    assert.deepEqual(await drain(ch, q), ["head", "tail"], "s1 and s2 are never delivered");
    assert.equal(await readyCount(ch, q), 0);
  },
);

scenario("an invalid expiration property closes the channel with RabbitMQ's 406 texts", async (s) => {
  const conn = await s.connect();
  const q = s.queue("ttl-bad");
  await (await channel(conn)).assertQueue(q);
  const cases: Array<[string, string]> = [
    ["abc", "PRECONDITION_FAILED - invalid expiration 'abc': no_integer"],
    ["-1", "PRECONDITION_FAILED - invalid expiration '-1': {value_negative,-1}"],
    ["1.5", "PRECONDITION_FAILED - invalid expiration '1.5': {leftover_string,\".5\"}"],
  ];
  for (const [expiration, expected] of cases) {
    const ch = await channel(conn);
    await expectChannelError(
      ch,
      () => ch.sendToQueue(q, body("x"), { expiration }),
      406,
      expected,
      `expiration ${expiration}`,
    );
  }
});

// A passive declare counts as use in RabbitMQ (it restarts the expiry
// timer), so these tests wait without polling before they look.
scenario("x-expires: an unused queue is deleted after the period; a consumer keeps it alive", async (s) => {
  const conn = await s.connect();
  const ch = await channel(conn);
  const idle = s.queue("expires-idle");
  const used = s.queue("expires-used");
  await ch.assertQueue(idle, { expires: 300 });
  await ch.assertQueue(used, { expires: 300 });
  ch.sendToQueue(idle, body("messages do not count as use"));
  const { consumerTag } = await ch.consume(used, () => {}, { noAck: true });
  await sleep(1_000);
  assert.equal(await queueExists(conn, idle), false, "unused queue deleted (with its message)");
  assert.equal(await queueExists(conn, used), true, "a queue with a consumer is in use");
  await ch.cancel(consumerTag);
  await sleep(1_000);
  assert.equal(await queueExists(conn, used), false, "deleted once the consumer left");
});

scenario("x-expires: a redeclare (even passive) restarts the period", async (s) => {
  const conn = await s.connect();
  const ch = await channel(conn);
  const q = s.queue("expires-touched");
  await ch.assertQueue(q, { expires: 500 });
  for (let i = 0; i < 8; i++) {
    await sleep(200);
    await ch.checkQueue(q); // 1.6 s in all, never 500 ms untouched
  }
  await sleep(1_200);
  assert.equal(await queueExists(conn, q), false, "deleted once left alone");
});

// ========================================================== dead-lettering

/** A fanout dead-letter exchange with one queue behind it. */
async function deadLetterSink(s: Session, ch: Channel) {
  const dlx = s.exchange("dlx");
  const dlq = s.queue("dlq");
  await ch.assertExchange(dlx, "fanout", { durable: false });
  await ch.assertQueue(dlq);
  await ch.bindQueue(dlq, dlx, "");
  return { dlx, dlq };
}

scenario(
  "reject and nack without requeue dead-letter with x-death and x-first-death-* as RabbitMQ writes them",
  async (s) => {
    const conn = await s.connect();
    const ch = await channel(conn);
    const { dlx, dlq } = await deadLetterSink(s, ch);
    const src = s.exchange("dl-src");
    await ch.assertExchange(src, "direct", { durable: false });
    const q = s.queue("dl-work");
    await ch.assertQueue(q, { deadLetterExchange: dlx });
    await ch.bindQueue(q, src, "rk1");
    await ch.bindQueue(q, src, "cc1");

    ch.publish(src, "rk1", body("rejected"), {
      headers: { app: "v" },
      CC: ["cc1"],
      BCC: ["bcc1"],
      expiration: "60000",
      priority: 3,
      correlationId: "c-1",
    });
    ch.publish(src, "rk1", body("nacked"));
    ch.publish(src, "rk1", body("requeued"));
    const m1 = await getEventually(ch, q, false);
    const m2 = await getEventually(ch, q, false);
    const m3 = await getEventually(ch, q, false);
    ch.reject(m1, false);
    ch.nack(m2, false, false);
    ch.nack(m3, false, true); // requeue: not dead-lettered

    const d1 = await getEventually(ch, dlq);
    assert.equal(text(d1), "rejected");
    assert.equal(d1.fields.exchange, dlx, "delivered from the dead-letter exchange");
    assert.equal(d1.fields.routingKey, "rk1", "with the original routing key");
    const h = d1.properties.headers as Headers;
    assert.deepEqual(deathWithoutTime(h, 0), {
      count: 1,
      reason: "rejected",
      queue: q,
      exchange: src,
      "routing-keys": ["rk1", "cc1"],
      "original-expiration": "60000",
    });
    assert.equal(h["x-death"].length, 1);
    assert.equal(h["x-first-death-reason"], "rejected");
    assert.equal(h["x-first-death-queue"], q);
    assert.equal(h["x-first-death-exchange"], src);
    assert.equal(h.app, "v", "other headers kept");
    assert.deepEqual(h.CC, ["cc1"], "CC kept (no dead-letter routing key)");
    assert.equal(h.BCC, undefined, "BCC never delivered");
    assert.equal(d1.properties.expiration, undefined, "expiration removed, kept as original-expiration");
    assert.equal(d1.properties.priority, 3);
    assert.equal(d1.properties.correlationId, "c-1");

    const d2 = await getEventually(ch, dlq);
    assert.equal(text(d2), "nacked");
    assert.equal(
      (d2.properties.headers as Headers)["x-death"][0].reason,
      "rejected",
      "nack reason is 'rejected'",
    );
    assert.equal((d2.properties.headers as Headers)["x-death"][0]["original-expiration"], undefined);
    await sleep(200);
    assert.equal(await ch.get(dlq, { noAck: true }), false, "the requeued message was not dead-lettered");
    assert.equal(text(await getEventually(ch, q)), "requeued");
  },
);

scenario(
  "expired messages are dead-lettered with reason 'expired' and x-dead-letter-routing-key",
  async (s) => {
    const conn = await s.connect();
    const ch = await channel(conn);
    const dlx = s.exchange("dlx-direct");
    await ch.assertExchange(dlx, "direct", { durable: false });
    const dlq = s.queue("dlq");
    await ch.assertQueue(dlq);
    await ch.bindQueue(dlq, dlx, "expired-rk");
    const q = s.queue("dl-ttl");
    await ch.assertQueue(q, { messageTtl: 100, deadLetterExchange: dlx, deadLetterRoutingKey: "expired-rk" });
    ch.sendToQueue(q, body("old"), { headers: { CC: ["nowhere"] } });
    ch.sendToQueue(q, body("older"), { expiration: "50" });

    // nobody consumes q: expiry must happen (and dead-letter) on its own
    let d1 = await getEventually(ch, dlq);
    let d2 = await getEventually(ch, dlq);
    if (EXTERNAL) assert.deepEqual([text(d1), text(d2)], ["old", "older"], "dead-lettered in queue order");
    else {
      // Warren expires messages wherever they are, so the shorter-lived one may die first.
      assert.deepEqual([text(d1), text(d2)].sort(), ["old", "older"]);
      if (text(d1) !== "old") [d1, d2] = [d2, d1];
    }
    assert.equal(d1.fields.exchange, dlx);
    assert.equal(d1.fields.routingKey, "expired-rk", "routed with x-dead-letter-routing-key");
    const h1 = d1.properties.headers as Headers;
    assert.deepEqual(deathWithoutTime(h1, 0), {
      count: 1,
      reason: "expired",
      queue: q,
      exchange: "",
      "routing-keys": [q, "nowhere"],
    });
    assert.equal(h1.CC, undefined, "CC removed when a dead-letter routing key replaces the keys");
    assert.deepEqual(
      [h1["x-first-death-reason"], h1["x-first-death-queue"], h1["x-first-death-exchange"]],
      ["expired", q, ""],
    );
    const h2 = d2.properties.headers as Headers;
    assert.equal(h2["x-death"][0]["original-expiration"], "50");
    assert.equal(d2.properties.expiration, undefined);
    assert.equal(await readyCount(ch, q), 0);
  },
);

scenario("max-length overflow (drop-head) dead-letters the dropped head with reason 'maxlen'", async (s) => {
  const conn = await s.connect();
  const ch = await channel(conn);
  const { dlx, dlq } = await deadLetterSink(s, ch);
  const q = s.queue("dl-maxlen");
  await ch.assertQueue(q, { maxLength: 2, deadLetterExchange: dlx });
  for (const b of ["a", "b", "c", "d"]) ch.sendToQueue(q, body(b));
  const d1 = await getEventually(ch, dlq);
  const d2 = await getEventually(ch, dlq);
  assert.deepEqual([text(d1), text(d2)], ["a", "b"], "the oldest are dropped");
  assert.deepEqual(deathWithoutTime(d1.properties.headers as Headers, 0), {
    count: 1,
    reason: "maxlen",
    queue: q,
    exchange: "",
    "routing-keys": [q],
  });
  assert.equal(d1.fields.routingKey, q, "no dead-letter routing key: the original key");
  assert.deepEqual(await drain(ch, q), ["c", "d"]);
});

scenario(
  "dead-letter cycles: a message expiring back into its own queue is dropped, not re-queued",
  async (s) => {
    const conn = await s.connect();
    const ch = await channel(conn);
    const fx = s.exchange("cycle-fx");
    await ch.assertExchange(fx, "fanout", { durable: false });
    const self = s.queue("cycle-self");
    const monitor = s.queue("cycle-monitor");
    await ch.assertQueue(self, { messageTtl: 100, deadLetterExchange: fx });
    await ch.assertQueue(monitor);
    await ch.bindQueue(self, fx, "");
    await ch.bindQueue(monitor, fx, "");
    ch.publish(fx, "", body("loop"));
    // the monitor sees the original and the single dead-lettered copy; the
    // copy routed back to `self` is a cycle (x-death names `self`, no
    // rejection in between) and is dropped
    await sleep(800);
    assert.equal(await readyCount(ch, self), 0, "not re-queued into its own queue");
    const seen = await drain(ch, monitor);
    assert.deepEqual(seen, ["loop", "loop"], "one original + exactly one dead-lettered copy");
  },
);

scenario("dead-letter cycles: A expires into B, B expires into A — dropped at the second hop", async (s) => {
  const conn = await s.connect();
  const ch = await channel(conn);
  const a = s.queue("cycle-a");
  const b = s.queue("cycle-b");
  await ch.assertQueue(a, { messageTtl: 100, deadLetterExchange: "", deadLetterRoutingKey: b });
  await ch.assertQueue(b, { messageTtl: 100, deadLetterExchange: "", deadLetterRoutingKey: a });
  ch.sendToQueue(a, body("ping-pong"));
  await sleep(700);
  // without cycle detection the message would be in one of them at any time
  for (let i = 0; i < 5; i++) {
    assert.deepEqual([await readyCount(ch, a), await readyCount(ch, b)], [0, 0], "dropped, not looping");
    await sleep(60);
  }
});

scenario(
  "a rejected message may cycle: reject back into its own queue increments x-death count",
  async (s) => {
    const conn = await s.connect();
    const ch = await channel(conn);
    const q = s.queue("cycle-reject");
    await ch.assertQueue(q, { deadLetterExchange: "" }); // dead-letters to the default exchange with key q
    ch.sendToQueue(q, body("again"));
    for (let count = 1; count <= 3; count++) {
      const m = await getEventually(ch, q, false);
      ch.reject(m, false);
      const back = await getEventually(ch, q, false);
      const deaths = (back.properties.headers as Headers)["x-death"];
      assert.equal(deaths.length, 1, "one entry per (queue, reason)");
      assert.equal(deaths[0].count, count, `x-death count after ${count} rejection(s)`);
      assert.equal(deaths[0].reason, "rejected");
      ch.nack(back, false, true);
    }
  },
);

scenario(
  "retry with backoff: work queue -> reject -> TTL retry queue -> back to work, x-death counts increase",
  async (s) => {
    const conn = await s.connect();
    const ch = await channel(conn);
    const work = s.queue("retry-work");
    const retry = s.queue("retry-wait");
    const DELAY_MS = 300;
    await ch.assertQueue(work, { deadLetterExchange: "", deadLetterRoutingKey: retry });
    await ch.assertQueue(retry, { messageTtl: DELAY_MS, deadLetterExchange: "", deadLetterRoutingKey: work });

    const attempts: Array<{ at: number; msg: ConsumeMessage }> = [];
    await ch.prefetch(1);
    await ch.consume(work, (m) => {
      if (!m) return;
      attempts.push({ at: Date.now(), msg: m });
      if (attempts.length < 4) ch.reject(m, false); // fail three times
      else ch.ack(m);
    });
    ch.sendToQueue(work, body("job"), { headers: { "job-id": 7 }, messageId: "job-7" });
    await waitFor(() => attempts.length === 4, "four attempts", 8_000);

    assert.equal(attempts[0].msg.properties.headers?.["x-death"], undefined, "first attempt: no x-death");
    for (let i = 1; i < 4; i++) {
      const { at, msg } = attempts[i];
      assert.ok(at - attempts[i - 1].at >= DELAY_MS - 50, `attempt ${i} waited the retry TTL`);
      assert.equal(text(msg), "job");
      assert.equal(msg.fields.redelivered, false, "a dead-lettered message is a new delivery");
      assert.equal(msg.fields.routingKey, work);
      assert.equal(msg.properties.messageId, "job-7");
      const h = msg.properties.headers as Headers;
      assert.equal(h["job-id"], 7);
      const deaths = h["x-death"] as Headers[];
      assert.equal(deaths.length, 2, "one entry for work/rejected, one for retry/expired");
      // the most recent death first
      assert.deepEqual(
        deaths.map((d) => [d.queue, d.reason, d.count, d.exchange, d["routing-keys"]]),
        [
          [retry, "expired", i, "", [retry]],
          [work, "rejected", i, "", [work]],
        ],
        `x-death after attempt ${i}`,
      );
      for (const d of deaths) assertRecentTimestamp(d.time, "x-death time");
      assert.deepEqual(
        [h["x-first-death-reason"], h["x-first-death-queue"], h["x-first-death-exchange"]],
        ["rejected", work, ""],
        "x-first-death-* never change",
      );
    }
    await eventually(() => readyCount(ch, retry), 0, "retry queue empty");
  },
);

// ========================================================== length limits

scenario("x-max-length and x-max-length-bytes drop from the head by default", async (s) => {
  const conn = await s.connect();
  const ch = await channel(conn);
  const byCount = s.queue("maxlen");
  const byBytes = s.queue("maxbytes");
  await ch.assertQueue(byCount, { maxLength: 3 });
  await ch.assertQueue(byBytes, { arguments: { "x-max-length-bytes": 10 } });
  for (let i = 1; i <= 6; i++) ch.sendToQueue(byCount, body(`m${i}`));
  for (const b of ["aaaa", "bbbb", "cccc"]) ch.sendToQueue(byBytes, body(b)); // body bytes count: 12 > 10
  await eventually(() => readyCount(ch, byCount), 3, "max-length 3");
  assert.deepEqual(await drain(ch, byCount), ["m4", "m5", "m6"], "the newest three are kept");
  await eventually(() => readyCount(ch, byBytes), 2, "max-length-bytes 10");
  assert.deepEqual(await drain(ch, byBytes), ["bbbb", "cccc"]);
  ch.sendToQueue(byBytes, body("x".repeat(11))); // alone larger than the limit
  await sleep(200);
  assert.equal(await readyCount(ch, byBytes), 0, "a message larger than the byte limit is dropped");
  const zero = s.queue("maxlen-zero");
  await ch.assertQueue(zero, { maxLength: 0 });
  ch.sendToQueue(zero, body("nothing fits"));
  await sleep(200);
  assert.equal(await readyCount(ch, zero), 0, "x-max-length 0 keeps nothing");
});

scenario(
  "x-overflow reject-publish: the publisher gets basic.nack, the queue keeps the oldest, nothing is dead-lettered",
  async (s) => {
    const conn = await s.connect();
    const ch = await confirmChannel(conn);
    const dlq = s.queue("rp-dlq");
    await ch.assertQueue(dlq);
    const q = s.queue("reject-publish");
    await ch.assertQueue(q, {
      maxLength: 2,
      deadLetterExchange: "",
      deadLetterRoutingKey: dlq,
      arguments: { "x-overflow": "reject-publish" },
    });
    const results: boolean[] = [];
    for (const b of ["a", "b", "c", "d"]) results.push(await publishConfirmed(ch, "", q, b));
    assert.deepEqual(results, [true, true, false, false], "acks, then nacks once full");
    assert.equal(await readyCount(ch, q), 2);
    assert.deepEqual(await drain(ch, q), ["a", "b"], "the oldest are kept");
    assert.equal(await publishConfirmed(ch, "", q, "e"), true, "room again after draining");
    await sleep(100);
    assert.equal(await readyCount(ch, dlq), 0, "reject-publish does not dead-letter");

    // without confirms the rejected message is silently dropped
    const plain = await channel(conn);
    const q2 = s.queue("reject-publish-plain");
    await plain.assertQueue(q2, { maxLength: 1, arguments: { "x-overflow": "reject-publish" } });
    plain.sendToQueue(q2, body("first"));
    plain.sendToQueue(q2, body("second"));
    await eventually(() => readyCount(plain, q2), 1, "one kept");
    assert.deepEqual(await drain(plain, q2), ["first"]);
  },
);

scenario(
  "x-overflow reject-publish-dlx: nack to the publisher and the rejected message is dead-lettered",
  async (s) => {
    const conn = await s.connect();
    const ch = await confirmChannel(conn);
    const dlq = s.queue("rpd-dlq");
    await ch.assertQueue(dlq);
    const q = s.queue("reject-publish-dlx");
    await ch.assertQueue(q, {
      maxLength: 1,
      deadLetterExchange: "",
      deadLetterRoutingKey: dlq,
      arguments: { "x-overflow": "reject-publish-dlx" },
    });
    assert.equal(await publishConfirmed(ch, "", q, "kept"), true);
    assert.equal(await publishConfirmed(ch, "", q, "refused"), false);
    const d = await getEventually(ch, dlq);
    assert.equal(text(d), "refused", "the NEW message is dead-lettered, not the head");
    assert.deepEqual(deathWithoutTime(d.properties.headers as Headers, 0), {
      count: 1,
      reason: "maxlen",
      queue: q,
      exchange: "",
      "routing-keys": [q],
    });
    assert.deepEqual(await drain(ch, q), ["kept"]);
  },
);

// ========================================================== priorities

scenario(
  "priority queue: higher priority first, FIFO within a priority, above x-max-priority counts as the max",
  async (s) => {
    const conn = await s.connect();
    const ch = await channel(conn);
    const q = s.queue("prio");
    await ch.assertQueue(q, { maxPriority: 5 });
    const published: Array<[string, number | undefined]> = [
      ["p-none-1", undefined],
      ["p1-a", 1],
      ["p5-a", 5],
      ["p9", 9], // above the max: treated as 5
      ["p0", 0],
      ["p3", 3],
      ["p5-b", 5],
      ["p1-b", 1],
      ["p-none-2", undefined],
      ["p200", 200],
    ];
    for (const [b, priority] of published) {
      ch.sendToQueue(q, body(b), priority === undefined ? {} : { priority });
    }
    await eventually(() => readyCount(ch, q), published.length, "all queued");
    const got: ConsumeMessage[] = [];
    await ch.consume(q, (m) => m && got.push(m), { noAck: true });
    await waitFor(() => got.length === published.length, "all delivered");
    assert.deepEqual(got.map(text), [
      "p5-a",
      "p9",
      "p5-b",
      "p200",
      "p3",
      "p1-a",
      "p1-b",
      "p-none-1",
      "p0",
      "p-none-2",
    ]);
    assert.equal(got[1].properties.priority, 9, "the priority property is delivered unchanged");
  },
);

scenario(
  "priority queue: a consumer with prefetch gets the highest priority message that arrived meanwhile",
  async (s) => {
    const conn = await s.connect();
    const ch = await channel(conn);
    const q = s.queue("prio-live");
    await ch.assertQueue(q, { maxPriority: 10 });
    await ch.prefetch(1);
    const got: string[] = [];
    let first: ConsumeMessage | null = null;
    await ch.consume(q, (m) => {
      if (!m) return;
      got.push(text(m));
      if (!first) first = m; // hold the first one unacked
      else ch.ack(m);
    });
    ch.sendToQueue(q, body("blocker"), { priority: 1 });
    await waitFor(() => got.length === 1, "blocker delivered");
    ch.sendToQueue(q, body("low"), { priority: 1 });
    ch.sendToQueue(q, body("mid"), { priority: 5 });
    ch.sendToQueue(q, body("high"), { priority: 10 });
    await eventually(() => readyCount(ch, q), 3, "three waiting");
    ch.ack(first!);
    await waitFor(() => got.length === 4, "the rest");
    assert.deepEqual(got, ["blocker", "high", "mid", "low"]);
  },
);

scenario("x-max-priority out of range or of the wrong type is 406 with RabbitMQ's text", async (s) => {
  const conn = await s.connect();
  const cases: Array<[unknown, string]> = [
    [256, "{max_value_exceeded,256}"],
    [-1, "{value_negative,-1}"],
    ["high", '"expected integer, got longstr"'],
  ];
  for (const [value, reason] of cases) {
    const ch = await channel(conn);
    const q = s.queue("prio-bad");
    await expectChannelError(
      ch,
      () => ch.assertQueue(q, { arguments: { "x-max-priority": value } }),
      406,
      `PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue '${q}' in vhost '/': ${reason}`,
      `x-max-priority ${String(value)}`,
    );
  }
  const ch = await channel(conn);
  const ok = s.queue("prio-255");
  await ch.assertQueue(ok, { maxPriority: 255 });
  await expectChannelError(
    ch,
    () => ch.assertQueue(ok, { maxPriority: 10 }),
    406,
    `PRECONDITION_FAILED - inequivalent arg 'x-max-priority' for queue '${ok}' in vhost '/': received '10' but current is '255'`,
    "redeclare with another x-max-priority",
  );
});

scenario(
  "consumer priorities: x-priority consumers are served first while they have prefetch room",
  async (s) => {
    const conn = await s.connect();
    const ch = await channel(conn);
    const q = s.queue("consumer-prio");
    await ch.assertQueue(q);
    await ch.prefetch(2);
    const got: Array<[string, string]> = [];
    const on = (who: string) => (m: ConsumeMessage | null) => m && got.push([who, text(m)]);
    await ch.consume(q, on("low"), { priority: 1 });
    await ch.consume(q, on("high"), { priority: 10 });
    await ch.consume(q, on("default")); // priority 0
    for (let i = 0; i < 7; i++) ch.sendToQueue(q, body(`${i}`));
    await waitFor(() => got.length === 6, "six deliveries (three consumers x prefetch 2)");
    await sleep(200);
    assert.deepEqual(got, [
      ["high", "0"],
      ["high", "1"],
      ["low", "2"],
      ["low", "3"],
      ["default", "4"],
      ["default", "5"],
    ]);
    assert.equal(await readyCount(ch, q), 1, "the seventh waits for room");
  },
);

scenario("x-priority on basic.consume must be an integer: 406 with RabbitMQ's text", async (s) => {
  const conn = await s.connect();
  const ch = await channel(conn);
  const { queue } = await ch.assertQueue("", { exclusive: true });
  await expectChannelError(
    ch,
    () => ch.consume(queue, () => {}, { arguments: { "x-priority": "high" } }),
    406,
    `PRECONDITION_FAILED - invalid arg 'x-priority' for queue '${queue}' in vhost '/': "expected integer, got longstr"`,
    "x-priority longstr",
  );
});

scenario(
  "single active consumer: one consumer gets everything; on cancel the next one takes over",
  async (s) => {
    const c1 = await s.connect();
    const c2 = await s.connect();
    const ch1 = await channel(c1);
    const ch2 = await channel(c2);
    const q = s.queue("sac");
    await ch1.assertQueue(q, { arguments: { "x-single-active-consumer": true } });
    const got1: string[] = [];
    const got2: string[] = [];
    const { consumerTag } = await ch1.consume(q, (m) => m && got1.push(text(m)), { noAck: true });
    await ch2.consume(q, (m) => m && got2.push(text(m)), { noAck: true });
    assert.equal((await ch1.checkQueue(q)).consumerCount, 2, "both consumers registered");
    for (let i = 0; i < 6; i++) ch1.sendToQueue(q, body(`a${i}`));
    await waitFor(() => got1.length === 6, "all to the first consumer");
    await sleep(200);
    assert.deepEqual(got2, [], "the second consumer is idle while the first is active");

    await ch1.cancel(consumerTag);
    for (let i = 0; i < 3; i++) ch1.sendToQueue(q, body(`b${i}`));
    await waitFor(() => got2.length === 3, "fail-over to the second consumer");
    assert.deepEqual(got2, ["b0", "b1", "b2"]);
  },
);

scenario(
  "single active consumer: unacked messages go to the next consumer when the active one's connection dies",
  async (s) => {
    const c1 = await s.connect();
    const c2 = await s.connect();
    const ch1 = await channel(c1);
    const ch2 = await channel(c2);
    const q = s.queue("sac-failover");
    await ch1.assertQueue(q, { arguments: { "x-single-active-consumer": true } });
    const got1: string[] = [];
    const got2: ConsumeMessage[] = [];
    await ch1.consume(q, (m) => m && got1.push(text(m))); // never acks
    await ch2.consume(q, (m) => {
      if (m) {
        got2.push(m);
        ch2.ack(m);
      }
    });
    for (let i = 0; i < 3; i++) ch1.sendToQueue(q, body(`m${i}`));
    await waitFor(() => got1.length === 3, "the active consumer has all three");
    assert.equal(got2.length, 0);
    s.kill(c1);
    await waitFor(() => got2.length === 3, "the waiting consumer takes over");
    assert.deepEqual(got2.map(text), ["m0", "m1", "m2"], "in order");
    assert.ok(got2.every((m) => m.fields.redelivered), "marked redelivered");
  },
);

// ========================================================== exchanges

scenario(
  "alternate-exchange receives what the exchange cannot route; routable messages are unaffected",
  async (s) => {
    const conn = await s.connect();
    const ch = await confirmChannel(conn);
    const ae = s.exchange("ae");
    const x = s.exchange("with-ae");
    const aeq = s.queue("ae-q");
    const bound = s.queue("bound-q");
    await ch.assertExchange(ae, "fanout", { durable: false });
    await ch.assertExchange(x, "direct", { durable: false, alternateExchange: ae });
    await ch.assertQueue(aeq);
    await ch.assertQueue(bound);
    await ch.bindQueue(aeq, ae, "");
    await ch.bindQueue(bound, x, "known");
    const returned: string[] = [];
    ch.on("return", (m: ConsumeMessage) => returned.push(text(m)));
    assert.equal(await publishConfirmed(ch, x, "known", "routed"), true);
    assert.equal(await publishConfirmed(ch, x, "unknown", "unroutable", { mandatory: true }), true);
    await sleep(100);
    assert.deepEqual(returned, [], "routed via the alternate exchange: not returned");
    const alt = await getEventually(ch, aeq);
    assert.equal(text(alt), "unroutable");
    assert.equal(alt.fields.exchange, x, "delivered with the original exchange and key");
    assert.equal(alt.fields.routingKey, "unknown");
    assert.deepEqual(await drain(ch, aeq), []);
    assert.deepEqual(await drain(ch, bound), ["routed"]);

    // an alternate exchange that does not exist: the message is unroutable
    const x2 = s.exchange("with-missing-ae");
    await ch.assertExchange(x2, "direct", { durable: false, alternateExchange: `${ae}-missing` });
    assert.equal(await publishConfirmed(ch, x2, "k", "lost", { mandatory: true }), true);
    await waitFor(() => returned.length === 1, "basic.return");
    assert.deepEqual(returned, ["lost"]);
  },
);

scenario("CC and BCC headers add routing keys; BCC is stripped before delivery, CC is kept", async (s) => {
  const conn = await s.connect();
  const ch = await channel(conn);
  const x = s.exchange("sender-selected");
  await ch.assertExchange(x, "direct", { durable: false });
  const names: Record<string, string> = {};
  for (const k of ["main", "cc", "bcc", "other"]) {
    names[k] = s.queue(`ssd-${k}`);
    await ch.assertQueue(names[k]);
    await ch.bindQueue(names[k], x, k);
  }
  ch.publish(x, "main", body("hi"), { headers: { CC: ["cc"], BCC: ["bcc"], keep: "me" } });
  for (const k of ["main", "cc", "bcc"]) {
    const m = await getEventually(ch, names[k]);
    assert.equal(text(m), "hi", k);
    assert.equal(m.fields.routingKey, "main", `${k}: delivered with the publish routing key`);
    const h = m.properties.headers as Headers;
    assert.deepEqual(h.CC, ["cc"], `${k}: CC kept`);
    assert.equal("BCC" in h, false, `${k}: BCC stripped`);
    assert.equal(h.keep, "me");
  }
  await sleep(100);
  assert.equal(await readyCount(ch, names.other), 0);

  // through the default exchange, CC/BCC name queues
  ch.sendToQueue(names.main, body("dflt"), { CC: [names.cc], BCC: [names.bcc] });
  for (const k of ["main", "cc", "bcc"]) assert.equal(text(await getEventually(ch, names[k])), "dflt", k);

  // a CC header that is not an array of strings is refused
  await expectChannelError(
    ch,
    () => ch.publish(x, "main", body("bad"), { headers: { CC: "cc" } }),
    406,
    'PRECONDITION_FAILED - invalid message: {unacceptable_type_in_header,"CC",longstr}',
    "CC longstr",
  );
});

scenario(
  "internal exchange: reachable only through an exchange-to-exchange binding; publishing to it is 403",
  async (s) => {
    const conn = await s.connect();
    const ch = await channel(conn);
    const internal = s.exchange("internal");
    const front = s.exchange("front");
    const q = s.queue("internal-q");
    await ch.assertExchange(internal, "fanout", { durable: false, internal: true });
    await ch.assertExchange(front, "fanout", { durable: false });
    await ch.assertQueue(q);
    await ch.bindQueue(q, internal, "");
    await ch.bindExchange(internal, front, "");
    ch.publish(front, "", body("via e2e"));
    assert.equal(text(await getEventually(ch, q)), "via e2e");
    await expectChannelError(
      ch,
      () => ch.publish(internal, "", body("direct")),
      403,
      `ACCESS_REFUSED - cannot publish to internal exchange '${internal}' in vhost '/'`,
      "publish to internal",
    );
    const ch2 = await channel(conn);
    await sleep(100);
    assert.equal(await readyCount(ch2, q), 0, "the direct publish was not routed");
  },
);

// ========================================================== direct reply-to

const REPLY_TO = "amq.rabbitmq.reply-to";

scenario("direct reply-to: RPC round trip without a callback queue", async (s) => {
  const serverConn = await s.connect();
  const clientConn = await s.connect();
  const srv = await channel(serverConn);
  const cli = await channel(clientConn);
  const rpcQueue = s.queue("rpc");
  await srv.assertQueue(rpcQueue);
  const seenReplyTo: string[] = [];
  await srv.consume(rpcQueue, (m) => {
    if (!m) return;
    seenReplyTo.push(m.properties.replyTo);
    const n = Number(text(m));
    srv.sendToQueue(m.properties.replyTo, body(String(n * n)), { correlationId: m.properties.correlationId });
    srv.ack(m);
  });

  const replies: ConsumeMessage[] = [];
  const ok = await cli.consume(REPLY_TO, (m) => m && replies.push(m), { noAck: true });
  assert.ok(ok.consumerTag, "basic.consume_ok with a tag");
  for (const n of [3, 4, 5]) {
    cli.sendToQueue(rpcQueue, body(String(n)), { replyTo: REPLY_TO, correlationId: `c${n}` });
  }
  await waitFor(() => replies.length === 3, "three replies");
  assert.deepEqual(replies.map((m) => [m.properties.correlationId, text(m)]), [
    ["c3", "9"],
    ["c4", "16"],
    ["c5", "25"],
  ]);
  for (const rt of seenReplyTo) {
    assert.ok(rt.startsWith(`${REPLY_TO}.`), `the server sees a rewritten reply_to (${rt})`);
    assert.equal(rt, seenReplyTo[0], "the same address for one channel");
  }
  for (const m of replies) {
    assert.equal(m.fields.exchange, "");
    assert.equal(m.fields.routingKey, seenReplyTo[0], "delivered with the reply address as routing key");
    assert.equal(m.fields.consumerTag, ok.consumerTag);
  }
  // RabbitMQ's direct reply-to guide: a server may passive-declare the reply
  // address to learn whether the requester is still there; an address
  // nobody owns (or whose channel closed) is 404.
  await sleep(100);
  const probe = await channel(serverConn);
  assert.equal((await probe.checkQueue(seenReplyTo[0])).messageCount, 0, "declare-ok for a live address");
  await cli.close();
  const gone = await channel(serverConn);
  await expectChannelError(
    gone,
    () => gone.checkQueue(seenReplyTo[0]),
    404,
    `NOT_FOUND - no queue '${seenReplyTo[0]}' in vhost '/'`,
    "passive declare of a closed requester's address",
  );
});

scenario("direct reply-to misuse: RabbitMQ's 406 texts", async (s) => {
  const conn = await s.connect();
  const target = s.queue("rpc-misuse");
  await (await channel(conn)).assertQueue(target);

  const ackMode = await channel(conn);
  await expectChannelError(
    ackMode,
    () => ackMode.consume(REPLY_TO, () => {}, { noAck: false }),
    406,
    "PRECONDITION_FAILED - reply consumer cannot acknowledge",
    "consume amq.rabbitmq.reply-to in ack mode",
  );

  const noConsumer = await channel(conn);
  await expectChannelError(
    noConsumer,
    () => noConsumer.sendToQueue(target, body("x"), { replyTo: REPLY_TO }),
    406,
    "PRECONDITION_FAILED - fast reply consumer does not exist",
    "publish with reply_to amq.rabbitmq.reply-to before consuming it",
  );

  const twice = await channel(conn);
  await twice.consume(REPLY_TO, () => {}, { noAck: true });
  await expectChannelError(
    twice,
    () => twice.consume(REPLY_TO, () => {}, { noAck: true }),
    406,
    "PRECONDITION_FAILED - reply consumer already set",
    "second reply consumer on one channel",
  );
  const check = await channel(conn);
  assert.equal(await readyCount(check, target), 0, "the refused publish was not routed");
});

// ========================================================== consumer timeout

// Warren: a child process started with consumer_timeout = 2000 in its config
// file. RabbitMQ: the external node must be configured the same way (see the
// header of this file).
const CONSUMER_TIMEOUT_MS = 2_000;

Deno.test({
  name: "amqplib: consumer timeout: a delivery unacked past consumer_timeout closes its channel with 406",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    let url = Deno.env.get("WARREN_TEST_AMQP_URL");
    let stop = async () => {};
    if (!url) {
      const dir = await Deno.makeTempDir({ prefix: "warren-consumer-timeout-" });
      const conf = `${dir}/rabbitmq.conf`;
      await Deno.writeTextFile(conf, `consumer_timeout = ${CONSUMER_TIMEOUT_MS}\n`);
      const broker = await spawnBroker({ args: ["--config", conf, "--data-dir", `${dir}/data`] });
      url = broker.url;
      stop = async () => {
        broker.kill("SIGTERM");
        await withTimeout(broker.exited, 10_000, "broker exit").catch(() => broker.kill("SIGKILL"));
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      };
    }
    const s = new Session(url);
    try {
      await withTimeout(
        (async () => {
          const conn = await s.connect();
          const ch = await channel(conn);
          const q = s.queue("consumer-timeout");
          await ch.assertQueue(q);
          const closed = new Promise<AmqpError>((resolve) => ch.once("error", resolve));
          const got: ConsumeMessage[] = [];
          const start = Date.now();
          await ch.consume(q, (m) => m && got.push(m)); // never acks
          ch.sendToQueue(q, body("slow"));
          await waitFor(() => got.length === 1, "delivery");
          const err = await withTimeout(
            closed,
            CONSUMER_TIMEOUT_MS + 10_000,
            "channel closed by the timeout",
          );
          assert.ok(Date.now() - start >= CONSUMER_TIMEOUT_MS - 100, "not before the timeout");
          assert.equal(err.code, 406);
          assert.equal(
            replyText(err),
            `PRECONDITION_FAILED - delivery acknowledgement on channel 1 timed out. Timeout value used: ${CONSUMER_TIMEOUT_MS} ms. This timeout value can be configured, see consumers doc guide to learn more`,
          );
          // only the channel closed; the message is back in the queue as redelivered
          const ch2 = await channel(conn);
          const again = await getEventually(ch2, q);
          assert.equal(text(again), "slow");
          assert.equal(again.fields.redelivered, true);
        })(),
        30_000,
        "consumer timeout",
      );
    } finally {
      await s.close();
      await stop();
    }
  },
});

// ========================================================== argument validation

scenario("invalid queue arguments get 406 PRECONDITION_FAILED with RabbitMQ's texts", async (s) => {
  const conn = await s.connect();
  // amqplib encodes small integers as 'byte' ('b'), hence {unacceptable_type,byte}
  const cases: Array<[Record<string, unknown>, (q: string) => string]> = [
    [
      { "x-overflow": "bogus" },
      (q) => `invalid arg 'x-overflow' for queue '${q}' in vhost '/': invalid_overflow`,
    ],
    [
      { "x-overflow": 5 },
      (q) => `invalid arg 'x-overflow' for queue '${q}' in vhost '/': {unacceptable_type,byte}`,
    ],
    [
      { "x-message-ttl": -1 },
      (q) => `invalid arg 'x-message-ttl' for queue '${q}' in vhost '/': {value_negative,-1}`,
    ],
    [
      { "x-message-ttl": "1000" },
      (q) => `invalid arg 'x-message-ttl' for queue '${q}' in vhost '/': "expected integer, got longstr"`,
    ],
    [
      { "x-message-ttl": true },
      (q) => `invalid arg 'x-message-ttl' for queue '${q}' in vhost '/': "expected integer, got bool"`,
    ],
    [{ "x-expires": 0 }, (q) => `invalid arg 'x-expires' for queue '${q}' in vhost '/': {value_zero,0}`],
    [
      { "x-expires": -5 },
      (q) => `invalid arg 'x-expires' for queue '${q}' in vhost '/': {value_negative,-5}`,
    ],
    [
      { "x-max-length": -1 },
      (q) => `invalid arg 'x-max-length' for queue '${q}' in vhost '/': {value_negative,-1}`,
    ],
    [
      { "x-max-length": "10" },
      (q) => `invalid arg 'x-max-length' for queue '${q}' in vhost '/': "expected integer, got longstr"`,
    ],
    [
      { "x-max-length-bytes": -1 },
      (q) => `invalid arg 'x-max-length-bytes' for queue '${q}' in vhost '/': {value_negative,-1}`,
    ],
    [
      { "x-dead-letter-routing-key": "rk" },
      (q) =>
        `invalid arg 'x-dead-letter-routing-key' for queue '${q}' in vhost '/': routing_key_but_no_dlx_defined`,
    ],
    [
      { "x-single-active-consumer": "yes" },
      (q) =>
        `invalid arg 'x-single-active-consumer' for queue '${q}' in vhost '/': {unacceptable_type,longstr}`,
    ],
  ];
  for (const [args, reason] of cases) {
    const ch = await channel(conn);
    const q = s.queue("bad-args");
    await expectChannelError(
      ch,
      () => ch.assertQueue(q, { arguments: args }),
      406,
      `PRECONDITION_FAILED - ${reason(q)}`,
      JSON.stringify(args),
    );
    assert.equal(await queueExists(conn, q), false, `${JSON.stringify(args)}: no queue was created`);
  }
  // an integer where a string is expected: a different text in RabbitMQ
  const ch = await channel(conn);
  const q = s.queue("bad-dlx");
  await expectChannelError(
    ch,
    () => ch.assertQueue(q, { arguments: { "x-dead-letter-exchange": 5 } }),
    406,
    `PRECONDITION_FAILED - invalid type 'byte' for arg 'x-dead-letter-exchange' in queue '${q}' in vhost '/'`,
    "x-dead-letter-exchange byte",
  );
});

scenario("redeclaring with a different TTL is 406 inequivalent arg", async (s) => {
  const conn = await s.connect();
  const ch = await channel(conn);
  const q = s.queue("ttl-redeclare");
  await ch.assertQueue(q, { messageTtl: 1000 });
  await ch.assertQueue(q, { messageTtl: 1000 }); // same: fine
  await expectChannelError(
    ch,
    () => ch.assertQueue(q, { messageTtl: 2000 }),
    406,
    `PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue '${q}' in vhost '/': received '2000' but current is '1000'`,
    "redeclare with x-message-ttl 2000",
  );
});
