// Delayed messages' durable clocks, across a restart of the real entry point (child
// process, data dir kept) — WARREN ONLY: restarting the reference RabbitMQ
// inside a test is out of reach, and RabbitMQ 3.10 has no delayed-message
// exchange without its plugin.
//
// - a persistent message published with x-delay 1500 to a durable
//   x-delayed-message exchange is still delivered after SIGTERM + restart,
//   once its time has come, and not before;
// - a persistent message in a durable queue with x-message-ttl keeps its
//   clock running while the broker is down: after a restart past its expiry
//   it is gone (dead-lettered to the queue's DLX);
// - a durable queue with x-expires, unused across the restart, is deleted
//   (at the latest one period after the restart).
import assert from "node:assert/strict";
import amqp from "../helpers/amqplib.ts";
import { Buffer } from "node:buffer";
import { type BrokerProcess, spawnBroker } from "../helpers/broker_process.ts";

const TEST_TIMEOUT_MS = 45_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stop(b: BrokerProcess): Promise<void> {
  b.kill("SIGTERM");
  const timer = setTimeout(() => b.kill("SIGKILL"), 10_000);
  await b.exited;
  clearTimeout(timer);
}

async function connect(b: BrokerProcess) {
  const conn = await amqp.connect(b.url);
  conn.on("error", () => {});
  return conn;
}

function restartTest(name: string, fn: (start: () => Promise<BrokerProcess>) => Promise<void>) {
  Deno.test({
    name,
    ignore: Boolean(Deno.env.get("WARREN_TEST_AMQP_URL")),
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const dataDir = await Deno.makeTempDir({ prefix: "warren-ext-restart-" });
      const running: BrokerProcess[] = [];
      const start = async () => {
        const b = await spawnBroker({ args: ["--data-dir", dataDir] });
        running.push(b);
        return b;
      };
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([
          fn(start),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`timed out after ${TEST_TIMEOUT_MS}ms`)),
              TEST_TIMEOUT_MS,
            );
          }),
        ]);
      } finally {
        clearTimeout(timer);
        for (const b of running) await stop(b).catch(() => {});
        await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      }
    },
  });
}

restartTest(
  "a delayed message (x-delay 1500) survives a restart and arrives afterwards, not before",
  async (start) => {
    let broker = await start();
    let conn = await connect(broker);
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange("delayed-durable", "x-delayed-message", {
      durable: true,
      arguments: { "x-delayed-type": "direct" },
    });
    await ch.assertQueue("delayed-target", { durable: true });
    await ch.bindQueue("delayed-target", "delayed-durable", "k");
    const publishedAt = Date.now();
    ch.publish("delayed-durable", "k", Buffer.from("see you later"), {
      persistent: true,
      headers: { "x-delay": 1500 },
    });
    await ch.waitForConfirms();
    assert.equal((await ch.checkQueue("delayed-target")).messageCount, 0, "still waiting");
    await conn.close();
    await stop(broker);

    broker = await start();
    conn = await connect(broker);
    const c2 = await conn.createChannel();
    const got: Array<{ at: number; body: string; delay: unknown }> = [];
    await c2.consume("delayed-target", (m) => {
      if (m) {
        got.push({ at: Date.now(), body: m.content.toString(), delay: m.properties.headers?.["x-delay"] });
      }
    }, { noAck: true });
    const deadline = Date.now() + 10_000;
    while (got.length === 0 && Date.now() < deadline) await sleep(20);
    assert.equal(got.length, 1, "delivered after the restart");
    assert.equal(got[0].body, "see you later");
    assert.equal(got[0].delay, -1500);
    assert.ok(got[0].at - publishedAt >= 1_450, `not before its time (${got[0].at - publishedAt} ms)`);
    await sleep(300);
    assert.equal(got.length, 1, "exactly once");
    await conn.close();
  },
);

restartTest("message TTL and x-expires keep running while the broker is down", async (start) => {
  let broker = await start();
  let conn = await connect(broker);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue("ttl-dlq", { durable: true });
  await ch.assertQueue("ttl-durable", {
    durable: true,
    messageTtl: 1_500,
    deadLetterExchange: "",
    deadLetterRoutingKey: "ttl-dlq",
  });
  await ch.assertQueue("expires-durable", { durable: true, expires: 1_500 });
  ch.sendToQueue("ttl-durable", Buffer.from("short-lived"), { persistent: true });
  ch.sendToQueue("ttl-durable", Buffer.from("per-message"), { persistent: true, expiration: "1200" });
  await ch.waitForConfirms();
  await conn.close();
  await stop(broker);
  await sleep(2_000); // both TTLs and the queue's expiry pass while it is down

  broker = await start();
  conn = await connect(broker);
  const c2 = await conn.createChannel();
  c2.on("error", () => {});
  // nothing expired is ever delivered, even right after the restart
  const first = await c2.get("ttl-durable", { noAck: true });
  assert.equal(first, false, "expired while the broker was down");
  const dead: string[] = [];
  const deadline = Date.now() + 5_000;
  while (dead.length < 2 && Date.now() < deadline) {
    const m = await c2.get("ttl-dlq", { noAck: true });
    if (m) dead.push(m.content.toString());
    else await sleep(50);
  }
  assert.deepEqual(dead.sort(), ["per-message", "short-lived"], "dead-lettered as expired");
  // whether the expiry period restarts at boot (as RabbitMQ's recovery does)
  // or kept running, the unused queue is gone one period after the restart;
  // a passive declare would count as use, so look only once
  await sleep(2_000);
  const c3 = await conn.createChannel();
  c3.on("error", () => {});
  await assert.rejects(() => c3.checkQueue("expires-durable"), "the unused queue expired");
  await conn.close();
});
