// Expiry reaches messages a durable queue has paged out to
// the store. With more persistent messages than Warren keeps in memory
// (PAGE_OUT_AT_MESSAGES), every one of them is dead-lettered once it
// expires, with no consumer and no basic.get to help, and basic.get never
// answers get-empty while expired messages are still counted.
//
// Run green against RabbitMQ 3.10.8 as well (it dead-letters them all):
//   WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5682/ \
//     deno test -A tests/integration/paged_expiry.test.ts
// WARREN_TEST_PAGED_COUNT=50000 runs the full figure (both brokers
// passed it); the default keeps CI short while paging several batches.
import assert from "node:assert/strict";
import type { ConfirmChannel } from "../helpers/amqplib.ts";
import { body, EXTERNAL, Session, sleep, withTimeout } from "../helpers/amqp_session.ts";
import { startTestBroker } from "../helpers/broker.ts";
import { startServer } from "../../src/server/server.ts";
import { openStore } from "../../src/store/open_store.ts";
import { PAGE_IN_BATCH, PAGE_OUT_AT_MESSAGES, type Queue } from "../../src/broker/queue.ts";

const COUNT = Number(Deno.env.get("WARREN_TEST_PAGED_COUNT") ?? PAGE_OUT_AT_MESSAGES + 6 * PAGE_IN_BATCH);
// Long enough that the queue has paged out before the first message expires, even on a loaded machine.
const TTL_MS = 5_000;
const PUBLISH_WINDOW = 1_000;
const TEST_TIMEOUT_MS = 120_000;

interface Broker {
  url: string;
  /** The in-process queue, to see that it paged (null against an external broker). */
  queue(name: string): Queue | null;
  close(): Promise<void>;
}

/** A Warren with a SQLite store in a temp dir (only durable queues page), or the external broker. */
async function startBroker(): Promise<Broker> {
  if (EXTERNAL) {
    const b = await startTestBroker();
    return { url: b.url, queue: () => null, close: () => b.close() };
  }
  const dataDir = await Deno.makeTempDir({ prefix: "warren-paged-expiry-" });
  const server = await startServer({
    port: 0,
    hostname: "127.0.0.1",
    logLevel: "error",
    store: openStore({ dataDir, inMemory: false, sync: "normal" }),
  });
  return {
    url: `amqp://guest:guest@127.0.0.1:${server.port}/`,
    queue: (name) => (server.broker.vhost("/")?.queues.get(name) as Queue | undefined) ?? null,
    async close() {
      await server.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}

function pagedTest(name: string, fn: (s: Session, broker: Broker) => Promise<void>): void {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const broker = await startBroker();
      const session = new Session(broker.url);
      try {
        await withTimeout(fn(session, broker), TEST_TIMEOUT_MS, name);
      } finally {
        await session.close();
        await broker.close();
      }
    },
  });
}

/** Publishes `count` persistent messages with confirms; returns the most the queue ever had paged out. */
async function publishPersistent(
  ch: ConfirmChannel,
  queue: string,
  count: number,
  options: Record<string, unknown>,
  inProcess: Queue | null,
): Promise<number> {
  let maxPaged = 0;
  for (let sent = 0; sent < count;) {
    const n = Math.min(PUBLISH_WINDOW, count - sent);
    for (let i = 0; i < n; i++) ch.sendToQueue(queue, body(`m${sent + i}`), { persistent: true, ...options });
    sent += n;
    await ch.waitForConfirms();
    if (inProcess !== null) maxPaged = Math.max(maxPaged, inProcess.pagedCount);
  }
  return maxPaged;
}

async function waitForDepth(ch: ConfirmChannel, queue: string, depth: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  while (Date.now() < deadline) {
    last = (await ch.checkQueue(queue)).messageCount;
    if (last === depth) return;
    await sleep(100);
  }
  assert.fail(`${queue}: expected ${depth} messages, still ${last} after ${timeoutMs} ms`);
}

pagedTest(
  `x-message-ttl: all ${COUNT} paged persistent messages are dead-lettered without a consumer`,
  async (s, broker) => {
    const conn = await s.connect();
    const ch = await conn.createConfirmChannel();
    const dlq = s.queue("paged-ttl-dlq");
    const q = s.queue("paged-ttl");
    await ch.assertQueue(dlq, { durable: true });
    await ch.assertQueue(q, {
      durable: true,
      arguments: { "x-message-ttl": TTL_MS, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": dlq },
    });
    const maxPaged = await publishPersistent(ch, q, COUNT, {}, broker.queue(q));
    if (!EXTERNAL) assert.ok(maxPaged > 0, "the queue paged messages out to the store");
    await waitForDepth(ch, dlq, COUNT, 60_000);
    assert.equal((await ch.checkQueue(q)).messageCount, 0, "nothing left in the expiring queue");
  },
);

pagedTest(
  `per-message expiration: ${COUNT} paged messages are dead-lettered, and basic.get reaches the live one behind them`,
  async (s, broker) => {
    const conn = await s.connect();
    const ch = await conn.createConfirmChannel();
    const dlq = s.queue("paged-exp-dlq");
    const q = s.queue("paged-exp");
    await ch.assertQueue(dlq, { durable: true });
    await ch.assertQueue(q, {
      durable: true,
      arguments: { "x-dead-letter-exchange": "", "x-dead-letter-routing-key": dlq },
    });
    const maxPaged = await publishPersistent(ch, q, COUNT, { expiration: String(TTL_MS) }, broker.queue(q));
    ch.sendToQueue(q, body("alive"), { persistent: true });
    await ch.waitForConfirms();
    if (!EXTERNAL) assert.ok(maxPaged > 0, "the queue paged messages out to the store");
    await sleep(TTL_MS + 200);
    // Whatever the expiry has reached by now, the live message is what a get finds, never get-empty.
    const got = await ch.get(q, { noAck: true });
    assert.ok(got !== false, "basic.get found the live message behind the expired ones");
    assert.equal(got.content.toString(), "alive");
    await waitForDepth(ch, dlq, COUNT, 60_000);
    assert.equal((await ch.checkQueue(q)).messageCount, 0, "nothing left");
  },
);
