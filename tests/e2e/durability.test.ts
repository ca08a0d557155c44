// The durability contract, checked against the real entry point in a child
// process: SIGKILL at varying points must not lose or duplicate a confirmed
// persistent message, and a clean SIGTERM restart keeps durable state and
// drops transient state.
import amqp, { type Channel } from "../helpers/amqplib.ts";
import { Buffer } from "node:buffer";
import assert from "node:assert/strict";
import { type BrokerProcess, spawnBroker } from "../helpers/broker_process.ts";

/** Small seeded PRNG so a failing kill point can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function drain(
  ch: Channel,
  queue: string,
): Promise<{ seq: number; redelivered: boolean; tag: number }[]> {
  const out = [];
  while (true) {
    const m = await ch.get(queue, { noAck: false });
    if (m === false) return out;
    out.push({
      seq: Number(m.content.toString()),
      redelivered: m.fields.redelivered,
      tag: m.fields.deliveryTag,
    });
  }
}

async function connect(b: BrokerProcess) {
  const conn = await amqp.connect(b.url);
  conn.on("error", () => {});
  return conn;
}

for (const queueType of ["classic", "quorum"]) {
  Deno.test({
    name: `confirmed persistent messages in a ${queueType} queue survive SIGKILL exactly once, ` +
      "acks stay acked, unacked come back redelivered",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => killRounds(queueType),
  });
}

async function killRounds(queueType: string): Promise<void> {
  const seed = Number(Deno.env.get("WARREN_TEST_SEED") ?? Date.now() % 100000);
  console.log(`durability seed=${seed} (WARREN_TEST_SEED=${seed} replays it)`);
  const rand = prng(seed);
  const dataDir = await Deno.makeTempDir({ prefix: "warren-kill-" });
  let nextSeq = 0;
  let confirmed = new Set<number>();
  let published = new Set<number>();
  let acked = new Set<number>();
  let deliveredUnacked = new Set<number>();
  let broker: BrokerProcess | undefined;
  try {
    for (let round = 0; round < 4; round++) {
      broker = await spawnBroker({ args: ["--data-dir", dataDir] });
      const conn = await connect(broker);
      const ch = await conn.createChannel();
      if (round === 0) {
        await ch.assertExchange("orders", "topic", { durable: true });
        await ch.assertQueue("durable-q", { durable: true, arguments: { "x-queue-type": queueType } });
        await ch.bindQueue("durable-q", "orders", "orders.#");
        await ch.assertQueue("transient-q", { durable: false });
      } else {
        // What the previous round left must be exactly what it was promised.
        const found = await drain(ch, "durable-q");
        const seen = new Map<number, boolean>();
        for (const f of found) {
          assert.ok(!seen.has(f.seq), `round ${round}: message ${f.seq} came back twice`);
          seen.set(f.seq, f.redelivered);
          assert.ok(published.has(f.seq), `round ${round}: message ${f.seq} was never published`);
        }
        for (const s of confirmed) {
          if (acked.has(s)) assert.ok(!seen.has(s), `round ${round}: acked message ${s} came back`);
          else assert.ok(seen.has(s), `round ${round}: confirmed message ${s} was lost`);
        }
        console.log(
          `round ${round}: recovered ${found.length}, confirmed ${confirmed.size}, acked ${acked.size}, ` +
            `delivered-unacked ${deliveredUnacked.size}, published ${published.size}`,
        );
        for (const s of deliveredUnacked) {
          assert.equal(seen.get(s), true, `round ${round}: delivered-unacked message ${s} not redelivered`);
        }
        if (found.length > 0) ch.ack({ fields: { deliveryTag: found.at(-1)!.tag } } as never, true);
        const probe = await conn.createChannel();
        probe.on("error", () => {});
        await assert.rejects(
          probe.checkQueue("transient-q"),
          /404/,
          "a non-durable queue survived a restart",
        );
        // The durable exchange and binding still route.
        ch.publish("orders", "orders.check", Buffer.from("-1"), { persistent: true });
        await sleep(50);
        const routed = await ch.get("durable-q", { noAck: true });
        assert.ok(routed !== false && routed.content.toString() === "-1", "durable binding does not route");
        await ch.assertQueue("transient-q", { durable: false });
        confirmed = new Set();
        published = new Set();
        acked = new Set();
        deliveredUnacked = new Set();
        await ch.checkQueue("durable-q"); // a round trip: the acks above are processed
        await sleep(100);
      }

      // Phase 1: a confirmed batch, part of it consumed.
      const cch = await conn.createConfirmChannel();
      const publishBatch = (n: number) => {
        for (let i = 0; i < n; i++) {
          const seq = nextSeq++;
          published.add(seq);
          cch.publish("orders", "orders.new", Buffer.from(String(seq)), { persistent: true }, (err) => {
            if (!err) confirmed.add(seq);
          });
          if (rand() < 0.2) ch.publish("", "transient-q", Buffer.from("t"));
        }
      };
      publishBatch(300);
      await cch.waitForConfirms();
      const consumer = await conn.createChannel();
      await consumer.prefetch(80);
      const ackCount = 20 + Math.floor(rand() * 40);
      let got = 0;
      await new Promise<void>((resolve) => {
        consumer.consume("durable-q", (m) => {
          if (!m) return;
          got++;
          const seq = Number(m.content.toString());
          if (got <= ackCount) {
            acked.add(seq);
            consumer.ack(m);
          } else deliveredUnacked.add(seq);
          if (got === 80) resolve();
        });
      });
      await consumer.checkQueue("durable-q");
      await sleep(200); // acks and the delivery watermark reach the disk

      // Phase 2: keep publishing and kill the node at a random point.
      const killAfter = confirmed.size + 50 + Math.floor(rand() * 600);
      const deadline = Date.now() + 10_000;
      // Publish in small steps so the kill lands while messages are in flight.
      while (confirmed.size < killAfter && Date.now() < deadline) {
        publishBatch(25);
        await sleep(1);
      }
      broker.kill("SIGKILL");
      const status = await broker.exited;
      assert.equal(status.signal, "SIGKILL");
      broker = undefined;
      conn.close().catch(() => {});
    }
  } finally {
    broker?.kill("SIGKILL");
    await broker?.exited;
    await Deno.remove(dataDir, { recursive: true });
  }
}

Deno.test({
  name: "a SIGTERM restart keeps durable queues and persistent messages and drops transient ones",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "warren-term-" });
    let broker: BrokerProcess | undefined;
    try {
      broker = await spawnBroker({ args: ["--data-dir", dataDir] });
      const conn = await connect(broker);
      const closed = new Promise<unknown>((resolve) => conn.on("close", resolve));
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue("keep", { durable: true });
      await ch.assertQueue("gone", { durable: false });
      await ch.assertQueue("", { exclusive: true, durable: true });
      await ch.assertExchange("fan", "fanout", { durable: true });
      await ch.assertExchange("fan-transient", "fanout", { durable: false });
      await ch.bindQueue("keep", "fan", "");
      ch.publish("fan", "", Buffer.from("persistent"), { persistent: true, headers: { n: 1 } });
      ch.publish("fan", "", Buffer.from("transient"), { persistent: false });
      ch.sendToQueue("gone", Buffer.from("x"), { persistent: true });
      await ch.waitForConfirms();
      broker.kill("SIGTERM");
      const status = await broker.exited;
      assert.equal(status.code, 0, "SIGTERM exits 0");
      const closeErr = await closed as { code?: number } | undefined;
      assert.equal(closeErr?.code, 320, "clients get connection.close 320 CONNECTION_FORCED");

      broker = await spawnBroker({ args: ["--data-dir", dataDir] });
      const conn2 = await connect(broker);
      const ch2 = await conn2.createChannel();
      ch2.on("error", () => {});
      const q = await ch2.checkQueue("keep");
      assert.equal(q.messageCount, 1, "only the persistent message survives");
      const m = await ch2.get("keep", { noAck: true });
      assert.ok(m !== false);
      assert.equal(m.content.toString(), "persistent");
      assert.equal(m.properties.headers?.n, 1, "properties survive byte for byte");
      assert.equal(m.fields.redelivered, false, "a message never delivered is not marked redelivered");
      await ch2.checkExchange("fan");
      for (const [kind, name] of [["queue", "gone"], ["exchange", "fan-transient"]]) {
        const probe = await conn2.createChannel();
        probe.on("error", () => {});
        const check = kind === "queue" ? probe.checkQueue(name) : probe.checkExchange(name);
        await assert.rejects(check, /404/, `${kind} ${name} should not survive a restart`);
      }
      await conn2.close();
    } finally {
      broker?.kill("SIGKILL");
      await broker?.exited;
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

// The same sequence on a private RabbitMQ 3.10.8 node killed with SIGKILL gave
// exactly these messages back (in the order t, p1, p2, p0, which Warren does
// not copy: it recovers in queue order): a message that was out with a
// consumer comes back with its delivery count raised, a returned one keeps
// its count, and transient messages survive in a quorum queue. A held
// message whose raised count passes x-delivery-limit is dead-lettered
// (RabbitMQ does it while recovering; Warren when the queue first reads it).
Deno.test({
  name:
    "quorum queues: every confirmed message survives SIGKILL, with its x-delivery-count and redelivered flag",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "warren-quorum-kill-" });
    let broker: BrokerProcess | undefined;
    try {
      broker = await spawnBroker({ args: ["--data-dir", dataDir] });
      const conn = await connect(broker);
      const cch = await conn.createConfirmChannel();
      const quorum = { durable: true, arguments: { "x-queue-type": "quorum" } };
      await cch.assertQueue("qq", quorum);
      await cch.assertQueue("qq-consumed", quorum);
      await cch.assertQueue("qq-dead", { durable: true });
      await cch.assertQueue("qq-limit", {
        durable: true,
        arguments: {
          "x-queue-type": "quorum",
          "x-delivery-limit": 0,
          "x-dead-letter-exchange": "",
          "x-dead-letter-routing-key": "qq-dead",
        },
      });
      cch.sendToQueue("qq-limit", Buffer.from("held"), { persistent: true });
      cch.sendToQueue("qq-limit", Buffer.from("waiting"), { persistent: true });
      for (let i = 0; i < 4; i++) cch.sendToQueue("qq", Buffer.from(`p${i}`), { persistent: true });
      cch.sendToQueue("qq", Buffer.from("t"), { deliveryMode: 1 });
      cch.sendToQueue("qq-consumed", Buffer.from("c"), { deliveryMode: 1 });
      await cch.waitForConfirms();
      const ch = await conn.createChannel();
      const get = async () => {
        const m = await ch.get("qq", { noAck: false });
        assert.ok(m !== false);
        return m;
      };
      ch.reject(await get(), true); // p0: returned once, to the back
      assert.equal((await get()).content.toString(), "p1"); // held
      assert.equal((await get()).content.toString(), "p2"); // held
      const p3 = await get();
      ch.ack(p3);
      assert.equal((await ch.get("qq-limit", { noAck: false }) || undefined)?.content.toString(), "held");
      const consumer = await conn.createChannel();
      const consumed = new Promise<void>((resolve) => consumer.consume("qq-consumed", () => resolve()));
      await consumed;
      await ch.checkQueue("qq"); // a round trip: the ack above is processed
      await sleep(200); // the ack and the delivery counts reach the disk
      broker.kill("SIGKILL");
      assert.equal((await broker.exited).signal, "SIGKILL");
      broker = undefined;
      conn.close().catch(() => {});

      broker = await spawnBroker({ args: ["--data-dir", dataDir] });
      const conn2 = await connect(broker);
      const ch2 = await conn2.createChannel();
      const recovered = async (queue: string) => {
        const out: string[] = [];
        while (true) {
          const m = await ch2.get(queue, { noAck: false });
          if (m === false) return out.sort();
          const count = m.properties.headers?.["x-delivery-count"];
          out.push(
            `${m.content} redelivered=${m.fields.redelivered} count=${count} mode=${m.properties.deliveryMode}`,
          );
        }
      };
      assert.deepEqual(await recovered("qq"), [
        "p0 redelivered=true count=1 mode=2",
        "p1 redelivered=true count=1 mode=2",
        "p2 redelivered=true count=1 mode=2",
        "t redelivered=false count=0 mode=1",
      ]);
      assert.deepEqual(await recovered("qq-consumed"), ["c redelivered=true count=1 mode=1"]);
      assert.deepEqual(await recovered("qq-limit"), ["waiting redelivered=false count=0 mode=2"]);
      const dead = await ch2.get("qq-dead", { noAck: true });
      assert.ok(dead !== false, "the held message was dead-lettered");
      assert.equal(dead.content.toString(), "held");
      assert.equal(dead.properties.headers?.["x-first-death-reason"], "delivery_limit");
      // Counting goes on from there.
      ch2.nackAll(true);
      const again = await ch2.get("qq-consumed", { noAck: true });
      assert.ok(again !== false);
      assert.equal(again.properties.headers?.["x-delivery-count"], 2);
      await conn2.close();
    } finally {
      broker?.kill("SIGKILL");
      await broker?.exited;
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "confirmed stream records survive SIGKILL exactly once, each at the offset it had before",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: streamKillRounds,
});

/** Every record of the stream from `first`, read until the marker published after recovery. */
async function readStream(conn: Awaited<ReturnType<typeof connect>>, marker: string) {
  const pub = await conn.createConfirmChannel();
  pub.sendToQueue("stream-q", Buffer.from(marker));
  await pub.waitForConfirms();
  const ch = await conn.createChannel();
  await ch.prefetch(1000);
  const records: { offset: number; body: string }[] = [];
  await new Promise<void>((resolve) => {
    ch.consume("stream-q", (m) => {
      if (!m) return;
      ch.ack(m);
      const body = m.content.toString();
      if (body === marker) return resolve();
      records.push({ offset: Number(m.properties.headers?.["x-stream-offset"]), body });
    }, { arguments: { "x-stream-offset": "first" } });
  });
  await ch.close();
  return records;
}

async function streamKillRounds(): Promise<void> {
  const seed = Number(Deno.env.get("WARREN_TEST_SEED") ?? Date.now() % 100000);
  console.log(`stream durability seed=${seed} (WARREN_TEST_SEED=${seed} replays it)`);
  const rand = prng(seed);
  const dataDir = await Deno.makeTempDir({ prefix: "warren-kill-stream-" });
  let nextSeq = 0;
  const confirmed = new Set<number>();
  const published = new Set<number>();
  /** Where each record was found the last time: it must stay there. */
  const offsetOf = new Map<string, number>();
  let broker: BrokerProcess | undefined;
  try {
    for (let round = 0; round < 4; round++) {
      broker = await spawnBroker({ args: ["--data-dir", dataDir] });
      const conn = await connect(broker);
      if (round === 0) {
        const ch = await conn.createChannel();
        await ch.assertQueue("stream-q", { durable: true, arguments: { "x-queue-type": "stream" } });
      } else {
        const records = await readStream(conn, `marker-${round}`);
        const seen = new Set<string>();
        records.forEach((r, i) => {
          assert.ok(!seen.has(r.body), `round ${round}: record ${r.body} came back twice`);
          seen.add(r.body);
          if (i > 0) assert.equal(r.offset, records[i - 1].offset + 1, `round ${round}: offsets in a row`);
          const before = offsetOf.get(r.body);
          if (before !== undefined) assert.equal(r.offset, before, `round ${round}: ${r.body} moved`);
          offsetOf.set(r.body, r.offset);
          if (!r.body.startsWith("marker-")) {
            assert.ok(published.has(Number(r.body)), `round ${round}: ${r.body} was never published`);
          }
        });
        for (const s of confirmed) {
          assert.ok(seen.has(String(s)), `round ${round}: confirmed record ${s} lost`);
        }
        console.log(`round ${round}: ${records.length} records, ${confirmed.size} confirmed`);
      }
      // Publish with confirms in small steps and kill the node at a random point.
      const cch = await conn.createConfirmChannel();
      const killAfter = confirmed.size + 50 + Math.floor(rand() * 600);
      const deadline = Date.now() + 10_000;
      while (confirmed.size < killAfter && Date.now() < deadline) {
        for (let i = 0; i < 25; i++) {
          const seq = nextSeq++;
          published.add(seq);
          cch.sendToQueue("stream-q", Buffer.from(String(seq)), {}, (err) => {
            if (!err) confirmed.add(seq);
          });
        }
        await sleep(1);
      }
      broker.kill("SIGKILL");
      assert.equal((await broker.exited).signal, "SIGKILL");
      broker = undefined;
      conn.close().catch(() => {});
    }
  } finally {
    broker?.kill("SIGKILL");
    await broker?.exited;
    await Deno.remove(dataDir, { recursive: true });
  }
}
