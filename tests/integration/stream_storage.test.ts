// Stream queues on Warren's SQLite store: records keep their offsets across
// a restart, long replays go in bounded batches, a deleted stream leaves no
// rows, and what Warren adds beyond RabbitMQ 3.10 over AMQP 0-9-1 (as LavinMQ
// does): server-side offset tracking and filtering. Warren-only: RabbitMQ
// cannot be restarted from a test, and it has neither tracking nor filtering
// over 0-9-1.
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import amqp, { type Channel, type ConsumeMessage } from "../helpers/amqplib.ts";
import { body, sleep, waitFor, withTimeout } from "../helpers/amqp_session.ts";
import { type Server, startServer } from "../../src/server/server.ts";
import { SqliteStore } from "../../src/store/sqlite_store.ts";
import { StreamQueue } from "../../src/broker/stream_queue.ts";
import { Message } from "../../src/broker/message.ts";
import { EMPTY_PROPERTIES } from "../../src/amqp/properties.ts";

const STREAM = { "x-queue-type": "stream" };
type Connection = Awaited<ReturnType<typeof amqp.connect>>;

/** A node on a data file that can be stopped and started again; closes everything it opened. */
class Node {
  server: Server | null = null;
  readonly conns: Connection[] = [];
  constructor(readonly file: string) {}

  async start(): Promise<void> {
    this.server = await startServer({
      port: 0,
      hostname: "127.0.0.1",
      logLevel: "error",
      store: new SqliteStore(this.file, { sync: "full" }),
    });
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.conns.splice(0).map((c) => withTimeout(c.close(), 2_000, "close").catch(() => {})),
    );
    await this.server?.close();
    this.server = null;
  }

  async channel(prefetch = 100): Promise<Channel> {
    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${this.server!.port}/`);
    conn.on("error", () => {});
    this.conns.push(conn);
    const ch = await conn.createConfirmChannel();
    ch.on("error", () => {});
    await ch.prefetch(prefetch);
    return ch;
  }

  stream(name: string): StreamQueue {
    const q = this.server!.broker.vhosts.get("/")!.queues.get(name);
    assert.ok(q instanceof StreamQueue);
    return q;
  }
}

function storageTest(name: string, fn: (node: Node) => Promise<void>): void {
  Deno.test({
    name: `streams on SQLite: ${name}`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: "warren-streams-" });
      const node = new Node(`${dir}/warren.db`);
      await node.start();
      try {
        await withTimeout(fn(node), 30_000, name);
      } finally {
        await node.stop();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

async function publish(ch: Channel, queue: string, n: number, from = 0, options = {}): Promise<void> {
  for (let i = from; i < from + n; i++) ch.sendToQueue(queue, body(`m${i}`), options);
  await (ch as unknown as { waitForConfirms(): Promise<void> }).waitForConfirms();
}

async function consume(
  ch: Channel,
  queue: string,
  args: Record<string, unknown>,
  options: { ack?: boolean; consumerTag?: string } = {},
): Promise<ConsumeMessage[]> {
  const got: ConsumeMessage[] = [];
  await ch.consume(queue, (m) => {
    if (m === null) return;
    got.push(m);
    if (options.ack !== false) ch.ack(m);
  }, { arguments: args, consumerTag: options.consumerTag });
  return got;
}

const offsets = (ms: ConsumeMessage[]) => ms.map((m) => Number(m.properties.headers?.["x-stream-offset"]));
const bodies = (ms: ConsumeMessage[]) => ms.map((m) => m.content.toString());
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

storageTest(
  "confirmed records keep their offsets across a restart, and appends go on after them",
  async (node) => {
    let ch = await node.channel();
    await ch.assertQueue("s", { durable: true, arguments: STREAM });
    await publish(ch, "s", 10);
    await node.stop();
    await node.start();
    assert.deepEqual(node.stream("s").streamInfo(), {
      segments: 1,
      bytes: node.stream("s").streamInfo().bytes,
      firstOffset: 0,
      lastOffset: 9,
      records: 10,
    });
    ch = await node.channel();
    await publish(ch, "s", 5, 10);
    const got = await consume(ch, "s", { "x-stream-offset": "first" });
    await waitFor(() => got.length === 15, "15 records");
    assert.deepEqual(offsets(got), range(0, 15));
    assert.deepEqual(bodies(got), range(0, 15).map((i) => `m${i}`));
  },
);

storageTest(
  "a long replay goes in bounded batches, in order, to readers at different offsets",
  async (node) => {
    const ch = await node.channel();
    await ch.assertQueue("long", { durable: true, arguments: STREAM });
    await publish(ch, "long", 3000);
    const a = await consume(await node.channel(50), "long", { "x-stream-offset": "first" });
    const b = await consume(await node.channel(7), "long", { "x-stream-offset": 1234 });
    await waitFor(() => a.length === 3000 && b.length === 1766, "two replays", 20_000);
    assert.deepEqual(offsets(a), range(0, 3000));
    assert.deepEqual(offsets(b), range(1234, 3000));
  },
);

storageTest("`last` starts at the newest chunk: the records one commit wrote", async (node) => {
  const ch = await node.channel();
  await ch.assertQueue("chunks", { durable: true, arguments: STREAM });
  await publish(ch, "chunks", 3);
  // Four publishes in one turn of the event loop: one group commit, one chunk.
  const vhost = node.server!.broker.vhosts.get("/")!;
  const x = vhost.exchanges.get("")!;
  for (let i = 3; i < 7; i++) {
    vhost.publish(x, new Message("", "chunks", EMPTY_PROPERTIES, body(`m${i}`), true));
  }
  await waitFor(() => node.stream("chunks").streamInfo().lastOffset === 6, "seven records");
  const got = await consume(await node.channel(), "chunks", { "x-stream-offset": "last" });
  await waitFor(() => got.length === 4, "the last chunk");
  await sleep(100);
  assert.deepEqual(offsets(got), [3, 4, 5, 6]);
});

storageTest("deleting a stream deletes its records", async (node) => {
  const ch = await node.channel();
  await ch.assertQueue("gone", { durable: true, arguments: STREAM });
  await publish(ch, "gone", 20);
  await ch.deleteQueue("gone");
  node.server!.broker.store.flush();
  await node.stop();
  const db = new DatabaseSync(node.file);
  try {
    const { n } = db.prepare("SELECT count(*) AS n FROM stream_chunks").get() as { n: number };
    assert.equal(n, 0);
  } finally {
    db.close();
  }
  await node.start();
});

storageTest(
  "offset tracking: a named consumer resumes after its last ack, across reconnects and restarts",
  async (node) => {
    let ch = await node.channel(1000);
    await ch.assertQueue("tracked", { durable: true, arguments: STREAM });
    await publish(ch, "tracked", 10);
    // x-stream-offset void asks for tracking (from the start the first time), as in LavinMQ.
    const first = await consume(ch, "tracked", { "x-stream-offset": null }, { consumerTag: "reader-1" });
    await waitFor(() => first.length === 10, "first read");
    await ch.close();
    ch = await node.channel(1000);
    await publish(ch, "tracked", 5, 10);
    const second = await consume(ch, "tracked", { "x-stream-offset": null }, { consumerTag: "reader-1" });
    await waitFor(() => second.length === 5, "resumed read");
    assert.deepEqual(offsets(second), range(10, 15));
    // Automatic tracking with a starting point: `next` the first time, then where it stopped.
    const auto = { "x-stream-automatic-offset-tracking": true, "x-stream-offset": "next" };
    const third = await consume(ch, "tracked", auto, { consumerTag: "reader-2" });
    await publish(ch, "tracked", 3, 15);
    await waitFor(() => third.length === 3 && second.length === 8, "tail reads");
    const saved = () =>
      node.server!.broker.store.streamConsumerOffset(node.stream("tracked").storeId, "reader-2");
    await waitFor(() => saved() === 18, "the acks reached the broker");
    await node.stop();
    await node.start();
    ch = await node.channel(1000);
    await publish(ch, "tracked", 2, 18);
    const afterRestart = await consume(ch, "tracked", auto, { consumerTag: "reader-2" });
    await waitFor(() => afterRestart.length === 2, "read after restart");
    assert.deepEqual(offsets(afterRestart), [18, 19]);
    // An unacked delivery is read again: only acks move the saved offset.
    const unacked = await consume(ch, "tracked", { "x-stream-offset": null }, {
      consumerTag: "reader-3",
      ack: false,
    });
    await waitFor(() => unacked.length === 20, "unacked read");
    await ch.close();
    ch = await node.channel(1000);
    const again = await consume(ch, "tracked", { "x-stream-offset": null }, { consumerTag: "reader-3" });
    await waitFor(() => again.length === 20, "read again from the start");
    // A consumer without tracking arguments is not tracked, even with a named tag.
    const plain = await consume(ch, "tracked", { "x-stream-offset": 5 }, {
      consumerTag: "reader-2" + "-plain",
    });
    await waitFor(() => plain.length === 15, "plain read");
  },
);

storageTest(
  "filtering: x-stream-filter takes a value or a list; x-stream-match-unfiltered adds the rest",
  async (node) => {
    const ch = await node.channel();
    await ch.assertQueue("filtered", { durable: true, arguments: STREAM });
    const send = (b: string, filter?: string) =>
      ch.sendToQueue(
        "filtered",
        body(b),
        filter === undefined ? {} : { headers: { "x-stream-filter-value": filter } },
      );
    send("red-1", "red");
    send("blue-1", "blue");
    send("none-1");
    send("green-1", "green");
    send("red-2", "red");
    send("both-1", "blue,green");
    await (ch as unknown as { waitForConfirms(): Promise<void> }).waitForConfirms();
    const red = await consume(await node.channel(), "filtered", {
      "x-stream-offset": "first",
      "x-stream-filter": "red",
    });
    const blueGreen = await consume(await node.channel(), "filtered", {
      "x-stream-offset": "first",
      "x-stream-filter": ["blue", "green"],
      "x-stream-match-unfiltered": true,
    });
    const all = await consume(await node.channel(), "filtered", { "x-stream-offset": "first" });
    await waitFor(() => all.length === 6 && red.length === 2 && blueGreen.length === 4, "filtered reads");
    await sleep(100);
    assert.deepEqual(bodies(red), ["red-1", "red-2"]);
    assert.deepEqual(bodies(blueGreen), ["blue-1", "none-1", "green-1", "both-1"]);
    assert.deepEqual(offsets(blueGreen), [1, 2, 3, 5]);
  },
);

storageTest("segments and what retention removed are the same after a restart", async (node) => {
  let ch = await node.channel();
  await ch.assertQueue("kept", {
    durable: true,
    arguments: { ...STREAM, "x-stream-max-segment-size-bytes": 100, "x-max-length-bytes": 400 },
  });
  for (let i = 0; i < 10; i++) await publish(ch, "kept", 10, i * 10); // ten commits
  const before = node.stream("kept").streamInfo();
  assert.ok(
    before.firstOffset > 0 && before.lastOffset === 99 && before.segments > 1,
    JSON.stringify(before),
  );
  await node.stop();
  await node.start();
  assert.deepEqual(node.stream("kept").streamInfo(), before);
  ch = await node.channel();
  const got = await consume(ch, "kept", { "x-stream-offset": "first" });
  await waitFor(() => got.length === before.records, "the kept records");
  assert.deepEqual(offsets(got), range(before.firstOffset, 100));
});
