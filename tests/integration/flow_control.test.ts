// Backpressure before the memory alarm: a queue whose backlog is past what
// it keeps in memory pages out (non-durable queues too) and pauses its
// publishers for a moment per FLOW_CREDIT_MESSAGES publishes, shown as
// state "flow" in /api/connections as RabbitMQ shows credit flow; and a
// client that never reads the basic.return it asked for stops being read
// while its unsent output is past OUTBOX_HOLD_READS_BYTES, while other
// clients go on. Warren only, as they look at the node's internals; by hand
// on the RabbitMQ 3.10.8 dev node, a 20 s amqplib flood of 16 B messages
// into a non-durable queue without consumers showed the connection in states
// "running" and "flow", as here. RabbitMQ reads an unread-returns publisher
// without bound (issue 14): Warren differs on purpose.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { DatabaseSync } from "node:sqlite";
import amqp from "../helpers/amqplib.ts";
import { publishFrames, RawAmqpClient } from "../helpers/raw_amqp.ts";
import { startServer } from "../../src/server/server.ts";
import { startAdminServer } from "../../src/admin/admin_server.ts";
import { SqliteStore } from "../../src/store/sqlite_store.ts";
import { PAGE_IN_BATCH, TRANSIENT_PAGE_OUT_AT_MESSAGES } from "../../src/broker/queue.ts";
import { OUTBOX_HOLD_READS_BYTES } from "../../src/server/limits.ts";

const until = async (cond: () => boolean, what: string, timeoutMs = 10_000) => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

Deno.test({
  name:
    "a non-durable queue's backlog pages out, its publisher is put in flow, and the paged rows go at restart",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "warren-flow-" });
    const server = await startServer({
      port: 0,
      hostname: "127.0.0.1",
      logLevel: "error",
      store: new SqliteStore(`${dir}/warren.db`, { sync: "normal" }),
    });
    const admin = await startAdminServer({ node: server, port: 0, hostname: "127.0.0.1", ctlSecret: null });
    const pub = await amqp.connect(`amqp://guest:guest@127.0.0.1:${server.port}/`);
    try {
      const ch = await pub.createConfirmChannel();
      await ch.assertQueue("flow-backlog", { durable: false });
      const total = TRANSIENT_PAGE_OUT_AT_MESSAGES + 20_000;
      for (let i = 0; i < total; i++) ch.sendToQueue("flow-backlog", Buffer.from(String(i)));
      let confirmed = false;
      const confirms = ch.waitForConfirms().then(() => (confirmed = true));
      // The state is looked at while the publishes are processed: "flow" lasts a second after a pause.
      const states = new Set<string>();
      while (!confirmed && !states.has("flow")) {
        const res = await fetch(`http://127.0.0.1:${admin.port}/api/connections`, {
          headers: { authorization: `Basic ${btoa("guest:guest")}` },
        });
        for (const c of await res.json() as { state: string }[]) states.add(c.state);
        await new Promise((r) => setTimeout(r, 20));
      }
      await confirms;
      const q = server.broker.vhost("/")!.queues.get("flow-backlog")!;
      assert.equal(q.messageCount, total);
      assert.ok(q.pagedCount > 0, "nothing was paged out");
      assert.ok(
        q.ready.length <= TRANSIENT_PAGE_OUT_AT_MESSAGES + PAGE_IN_BATCH,
        `${q.ready.length} held in memory`,
      );
      const conn = [...server.connections][0];
      assert.ok(conn.flowPauses > 0, "the publisher was never paused");
      assert.ok(states.has("flow"), `states seen: ${[...states]}`);

      // Paged messages come back in order.
      const got: number[] = [];
      const { consumerTag } = await ch.consume(
        "flow-backlog",
        (m) => m && got.push(Number(m.content.toString())),
        { noAck: true },
      );
      await until(() => got.length === total, "every message back");
      assert.ok(got.every((v, i) => v === i), "out of order");
      await ch.cancel(consumerTag);

      // Paged-out rows of a non-durable queue are not recovered.
      for (let i = 0; i < total; i++) ch.sendToQueue("flow-backlog", Buffer.from("again"));
      await ch.waitForConfirms();
    } finally {
      await pub.close().catch(() => {});
      await admin.close();
      await server.close();
    }
    try {
      const db = new DatabaseSync(`${dir}/warren.db`);
      const before = db.prepare("SELECT count(*) AS n FROM queue_messages").get() as { n: number };
      db.close();
      assert.ok(before.n > 0, "the test meant to leave paged rows behind");
      const store = new SqliteStore(`${dir}/warren.db`, { sync: "normal" });
      const snapshot = store.load();
      store.close();
      assert.deepEqual(snapshot.queues, []);
      const after = new DatabaseSync(`${dir}/warren.db`);
      const left = after.prepare(
        "SELECT (SELECT count(*) FROM queue_messages) AS rows, (SELECT count(*) FROM messages) AS messages",
      ).get();
      after.close();
      assert.deepEqual({ ...left }, { rows: 0, messages: 0 });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a publisher that never reads its mandatory returns is no longer read, and other clients go on",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const server = await startServer({ port: 0, hostname: "127.0.0.1", logLevel: "error" });
    const hog = await RawAmqpClient.connect(server.port);
    const other = await amqp.connect(`amqp://guest:guest@127.0.0.1:${server.port}/`);
    try {
      await hog.handshake();
      await hog.openChannel(1);
      const bodyBytes = 64 * 1024;
      const publishes = Math.ceil((3 * OUTBOX_HOLD_READS_BYTES) / bodyBytes);
      const counters = server.broker.vhost("/")!.counters;
      const frame = publishFrames(1, "", "no-such-queue", new Uint8Array(bodyBytes), { mandatory: true });
      // Never awaited as a whole: once Warren stops reading, these writes stall in the kernel.
      const sending = (async () => {
        for (let i = 0; i < publishes; i++) await hog.send(frame);
      })().catch(() => {});
      // Returns stop once the outbox is past its bound plus what the sockets buffer.
      let last = -1;
      for (let waitedMs = 0; counters.unroutableReturned !== last || last === 0; waitedMs += 300) {
        assert.ok(waitedMs < 20_000, "returns never stopped growing");
        last = counters.unroutableReturned;
        await new Promise((r) => setTimeout(r, 300));
      }
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(counters.unroutableReturned, last, "the hog is still being read");
      assert.ok(last < publishes, `all ${publishes} publishes were read`);

      const ch = await other.createChannel();
      const { queue } = await ch.assertQueue("", { exclusive: true });
      ch.sendToQueue(queue, Buffer.from("through"));
      let got = "";
      await ch.consume(queue, (m) => (got = m?.content.toString() ?? ""), { noAck: true });
      await until(() => got === "through", "another client's message");
      hog.conn.close();
      await sending;
    } finally {
      try {
        hog.conn.close();
      } catch { /* closed above */ }
      await other.close().catch(() => {});
      await server.close();
    }
  },
});
