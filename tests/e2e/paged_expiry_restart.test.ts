// Expiry of paged-out messages across a restart of the real entry point (child process,
// data dir kept) — WARREN ONLY: restarting the reference RabbitMQ inside a
// test is out of reach. A durable queue holds more persistent messages than
// Warren keeps in memory when the node stops; their TTL runs out while it
// is down. After the restart every one of them is dead-lettered at
// recovery, with no client touching the expiring queue.
import assert from "node:assert/strict";
import amqp from "../helpers/amqplib.ts";
import { Buffer } from "node:buffer";
import { type BrokerProcess, spawnBroker } from "../helpers/broker_process.ts";
import { PAGE_IN_BATCH, PAGE_OUT_AT_MESSAGES } from "../../src/broker/queue.ts";

const COUNT = PAGE_OUT_AT_MESSAGES + 4 * PAGE_IN_BATCH;
/** Long enough that most messages are still there when the node stops, however slow the publishing. */
const TTL_MS = 10_000;
const TEST_TIMEOUT_MS = 90_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stop(b: BrokerProcess): Promise<void> {
  b.kill("SIGTERM");
  const timer = setTimeout(() => b.kill("SIGKILL"), 10_000);
  await b.exited;
  clearTimeout(timer);
}

Deno.test({
  name: "paged messages whose TTL ran out while the node was down are dead-lettered at recovery, unasked",
  ignore: Boolean(Deno.env.get("WARREN_TEST_AMQP_URL")),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "warren-paged-restart-" });
    const running: BrokerProcess[] = [];
    const start = async () => {
      const b = await spawnBroker({ args: ["--data-dir", dataDir] });
      running.push(b);
      return b;
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      let broker = await start();
      let conn = await amqp.connect(broker.url);
      conn.on("error", () => {});
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue("paged-restart-dlq", { durable: true });
      await ch.assertQueue("paged-restart", {
        durable: true,
        arguments: {
          "x-message-ttl": TTL_MS,
          "x-dead-letter-exchange": "",
          "x-dead-letter-routing-key": "paged-restart-dlq",
        },
      });
      const publishedBy = Date.now() + TTL_MS;
      for (let sent = 0; sent < COUNT; sent += 1_000) {
        const n = Math.min(1_000, COUNT - sent);
        for (let i = 0; i < n; i++) {
          ch.sendToQueue("paged-restart", Buffer.from(`m${sent + i}`), { persistent: true });
        }
        await ch.waitForConfirms();
      }
      const before = (await ch.checkQueue("paged-restart")).messageCount;
      await conn.close();
      await stop(broker);
      assert.ok(before > PAGE_OUT_AT_MESSAGES, `the node stopped with paged messages (${before})`);

      await sleep(Math.max(0, publishedBy - Date.now()) + 500); // every TTL runs out while it is down
      broker = await start();
      conn = await amqp.connect(broker.url);
      conn.on("error", () => {});
      const c2 = await conn.createChannel();
      // Only the dead-letter queue is looked at: nothing asks the expiring queue for a message.
      const deadline = Date.now() + 30_000;
      let dead = 0;
      while (Date.now() < deadline) {
        dead = (await c2.checkQueue("paged-restart-dlq")).messageCount;
        if (dead === COUNT) break;
        await sleep(100);
      }
      assert.equal(dead, COUNT, "every message dead-lettered, before or after the restart");
      assert.equal((await c2.checkQueue("paged-restart")).messageCount, 0);
      await conn.close();
    };
    try {
      await Promise.race([
        run(),
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
