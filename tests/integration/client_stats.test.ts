// The statistics the management API reports per exchange, channel and
// connection: publish_out (one per queue a message reached), a channel's
// message_stats (publish, confirm, deliver_get, ack) and a connection's
// recv_oct / send_oct. Also run green against RabbitMQ 3.10.8 with
// WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5682/ and
// WARREN_TEST_MANAGEMENT_URL=http://127.0.0.1:15682 (RabbitMQ collects its
// statistics every 5 s, so the test polls).
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "../helpers/amqplib.ts";
import { startTestNode, type TestNode } from "../helpers/broker.ts";

const AUTH = `Basic ${btoa("guest:guest")}`;
const POLL_TIMEOUT_MS = 20_000;

// deno-lint-ignore no-explicit-any
type Json = any;

async function get(base: string, path: string): Promise<Json> {
  const res = await fetch(`${base}/api${path}`, { headers: { authorization: AUTH } });
  assert.equal(res.status, 200, path);
  return await res.json();
}

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + POLL_TIMEOUT_MS;
  while (true) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) assert.fail(`${what}: last ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

Deno.test("publish_out, a channel's message_stats and a connection's octets count what the client did", async () => {
  const externalAmqp = Deno.env.get("WARREN_TEST_AMQP_URL");
  const node: TestNode | undefined = externalAmqp ? undefined : await startTestNode();
  const amqpUrl = externalAmqp ?? node!.url;
  const base = Deno.env.get("WARREN_TEST_MANAGEMENT_URL") ?? node!.managementUrl;
  const tag = `cs-${crypto.randomUUID().slice(0, 8)}`;
  const conn = await amqp.connect(amqpUrl, { clientProperties: { connection_name: tag } });
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange(`${tag}-fan`, "fanout", { durable: false, autoDelete: false });
    await ch.assertExchange(`${tag}-none`, "fanout", { durable: false, autoDelete: false });
    for (const q of [`${tag}-q1`, `${tag}-q2`]) {
      await ch.assertQueue(q, { durable: false });
      await ch.bindQueue(q, `${tag}-fan`, "");
    }
    for (let i = 0; i < 3; i++) ch.publish(`${tag}-fan`, "", Buffer.from("m"));
    for (let i = 0; i < 2; i++) ch.publish(`${tag}-none`, "", Buffer.from("m"));
    await ch.waitForConfirms();
    const m1 = await ch.get(`${tag}-q1`, { noAck: false });
    const m2 = await ch.get(`${tag}-q2`, { noAck: false });
    assert.ok(m1 && m2);
    ch.ack(m2);

    const fan = await eventually(
      () => get(base, `/exchanges/%2F/${tag}-fan`),
      (x) => x.message_stats?.publish_out === 6,
      "publish_out of the fanout",
    );
    assert.equal(fan.message_stats.publish_in, 3);
    const none = await get(base, `/exchanges/%2F/${tag}-none`);
    assert.equal(none.message_stats?.publish_out, undefined, "no publish_out before anything was routed");

    const c = await eventually(
      () => get(base, "/connections"),
      (list: Json[]) => list.some((x) => x.client_properties?.connection_name === tag && x.recv_oct > 0),
      "the connection's octets",
    ).then((list: Json[]) => list.find((x) => x.client_properties?.connection_name === tag));
    assert.ok(c.recv_oct > 0 && c.send_oct > 0);
    assert.equal(typeof c.recv_oct_details.rate, "number");

    const stats = await eventually(
      async () =>
        ((await get(base, `/connections/${encodeURIComponent(c.name)}/channels`)) as Json[])[0]
          ?.message_stats,
      (s: Json) => s?.ack === 1,
      "the channel's message_stats",
    );
    assert.deepEqual(
      [stats.publish, stats.confirm, stats.deliver_get, stats.ack],
      [5, 5, 2, 1],
    );
    for (const k of ["publish", "confirm", "deliver_get", "ack"]) {
      assert.equal(typeof stats[`${k}_details`].rate, "number");
    }
    await ch.deleteQueue(`${tag}-q1`);
    await ch.deleteQueue(`${tag}-q2`);
    await ch.deleteExchange(`${tag}-fan`);
    await ch.deleteExchange(`${tag}-none`);
  } finally {
    await conn.close().catch(() => {});
    await node?.close();
  }
});
