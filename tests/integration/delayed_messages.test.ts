// Delayed messages with amqplib — WARREN ONLY: RabbitMQ 3.10
// needs the rabbitmq_delayed_message_exchange plugin for this, and the
// reference node has no such plugin, so these tests are skipped when
// WARREN_TEST_AMQP_URL points at an external broker. They keep the
// plugin's API (its README): exchange type `x-delayed-message`, the routing
// type in the required `x-delayed-type` argument, the delay in ms in the
// `x-delay` header; no header (or x-delay <= 0) routes at once; a delayed
// message is delivered with x-delay negated. A restart keeps waiting
// messages (tests/e2e/delayed_restart.test.ts).
import assert from "node:assert/strict";
import type { ConsumeMessage } from "../helpers/amqplib.ts";
import {
  body,
  channel,
  confirmChannel,
  expectChannelError,
  readyCount,
  scenario,
  sleep,
  text,
  waitFor,
} from "../helpers/amqp_session.ts";

const WARREN_ONLY = { warrenOnly: true };

scenario(
  "x-delayed-message (direct): a 300 ms message arrives after a 0 ms one published later",
  async (s) => {
    const ch = await channel(await s.connect());
    const x = s.exchange("delayed");
    const q = s.queue("delayed-q");
    const other = s.queue("delayed-other");
    await ch.assertExchange(x, "x-delayed-message", {
      durable: true,
      arguments: { "x-delayed-type": "direct" },
    });
    await ch.assertQueue(q);
    await ch.assertQueue(other);
    await ch.bindQueue(q, x, "jobs");
    await ch.bindQueue(other, x, "else");
    const got: Array<{ at: number; m: ConsumeMessage }> = [];
    await ch.consume(q, (m) => m && got.push({ at: Date.now(), m }), { noAck: true });
    const t0 = Date.now();
    ch.publish(x, "jobs", body("late"), { headers: { "x-delay": 300 } });
    ch.publish(x, "jobs", body("zero"), { headers: { "x-delay": 0 } });
    ch.publish(x, "jobs", body("negative"), { headers: { "x-delay": -5 } });
    ch.publish(x, "jobs", body("plain"));
    await waitFor(() => got.length === 4, "four deliveries");
    assert.deepEqual(got.map((g) => text(g.m)), ["zero", "negative", "plain", "late"]);
    assert.ok(got[3].at - t0 >= 290, `x-delay 300 honoured (${got[3].at - t0} ms)`);
    assert.equal(got[3].m.properties.headers?.["x-delay"], -300, "delivered with x-delay negated");
    assert.equal(got[3].m.fields.exchange, x);
    assert.equal(got[3].m.fields.routingKey, "jobs");
    await sleep(100);
    assert.equal(await readyCount(ch, other), 0, "routed by the direct type's rules");
  },
  WARREN_ONLY,
);

scenario(
  "x-delayed-message (topic): delayed messages are routed by topic patterns when they come due",
  async (s) => {
    const ch = await channel(await s.connect());
    const x = s.exchange("delayed-topic");
    const q = s.queue("delayed-topic-q");
    await ch.assertExchange(x, "x-delayed-message", {
      durable: false,
      arguments: { "x-delayed-type": "topic" },
    });
    await ch.assertQueue(q);
    await ch.bindQueue(q, x, "orders.*.created");
    const got: Array<[string, string]> = [];
    await ch.consume(q, (m) => m && got.push([text(m), m.fields.routingKey]), { noAck: true });
    ch.publish(x, "orders.eu.created", body("late"), { headers: { "x-delay": 250 } });
    ch.publish(x, "orders.eu.deleted", body("unrouted"), { headers: { "x-delay": 50 } });
    ch.publish(x, "orders.us.created", body("now"));
    await waitFor(() => got.length === 2, "two deliveries");
    await sleep(200);
    assert.deepEqual(got, [["now", "orders.us.created"], ["late", "orders.eu.created"]]);
  },
  WARREN_ONLY,
);

scenario(
  "delayed messages come due in delay order, not publish order, and are confirmed at publish",
  async (s) => {
    const ch = await confirmChannel(await s.connect());
    const x = s.exchange("delayed-order");
    const q = s.queue("delayed-order-q");
    await ch.assertExchange(x, "x-delayed-message", {
      durable: false,
      arguments: { "x-delayed-type": "fanout" },
    });
    await ch.assertQueue(q);
    await ch.bindQueue(q, x, "");
    const got: string[] = [];
    await ch.consume(q, (m) => m && got.push(text(m)), { noAck: true });
    for (const d of [400, 100, 300, 200]) ch.publish(x, "", body(`d${d}`), { headers: { "x-delay": d } });
    await ch.waitForConfirms();
    assert.deepEqual(got, [], "nothing delivered before its time");
    await waitFor(() => got.length === 4, "all four");
    assert.deepEqual(got, ["d100", "d200", "d300", "d400"]);
  },
  WARREN_ONLY,
);

scenario(
  "x-delayed-message without x-delayed-type is 406 PRECONDITION_FAILED",
  async (s) => {
    const ch = await channel(await s.connect());
    const x = s.exchange("delayed-bad");
    // the plugin's text; only its start is pinned (its wording has varied)
    await expectChannelError(
      ch,
      () => ch.assertExchange(x, "x-delayed-message", { durable: false }),
      406,
      "PRECONDITION_FAILED - Invalid argument, 'x-delayed-type' must be",
      "no x-delayed-type",
      false,
    );
  },
  WARREN_ONLY,
);
