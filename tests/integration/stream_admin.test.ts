// Stream queues seen from the side of an operator: the management API's
// queue and consumer JSON, `ctl list_queues`, and definitions export and
// import. RabbitMQ 3.10.8 (the dev node, a stream declared with pika with
// x-max-length-bytes, x-max-age and x-stream-max-segment-size-bytes, 2000
// records published, consumers at offsets 100 and "first") showed for
// GET /api/queues/%2F/<stream>:
//   type "stream", durable true, auto_delete false, exclusive false, the
//   declared arguments (x-queue-type included), messages = messages_ready
//   = 2004 for the 2000 records published (RabbitMQ counts offsets, and
//   spends a few on entries of its own), messages_unacknowledged 0 with
//   deliveries unacked, members and online [node], readers {node: 2}, and
//   no consumer_capacity, consumer_utilisation, exclusive_consumer_tag,
//   head_message_timestamp, recoverable_slaves or single_active_consumer_tag;
//   consumer_details with each consumer's arguments ({"x-stream-offset": 100},
//   {"x-stream-offset": "first"}) but not where it has read to; nothing about
//   segments or size on disk. POST .../get answered 400 {"error": "bad_request",
//   "reason": "540 basic.get not supported by stream queues queue '<stream>' in
//   vhost '/'"}, DELETE .../contents 400 with the reason "queue.purge not
//   supported by stream queues queue '<stream>' in vhost '/'" (no reply code).
// Warren shows the same, with messages the exact record count, plus its own
// fields where RabbitMQ has none: stream_bytes, stream_segments,
// stream_first_offset, stream_last_offset on the queue, and on each of its
// consumers stream_offset (the last offset delivered to it, -1 before the
// first) and stream_next_offset (where it reads next).
// The first test runs against RabbitMQ too (it was run green against the dev
// node):
//   WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5682/ \
//   WARREN_TEST_MANAGEMENT_URL=http://127.0.0.1:15682 \
//     deno test -A tests/integration/stream_admin.test.ts
// The ctl and definitions test is Warren-only; what RabbitMQ printed and
// exported for the same stream is in its comments.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "../helpers/amqplib.ts";
import { startManagedBroker, until } from "../helpers/management_api.ts";
import { ctlTest } from "../helpers/ctl_node.ts";
import { type Connection, withTimeout } from "../helpers/amqp_session.ts";

const TEST_TIMEOUT_MS = 30_000;
const STREAM_ARGS = {
  "x-queue-type": "stream",
  "x-max-length-bytes": 10_000_000,
  "x-max-age": "7D",
  "x-stream-max-segment-size-bytes": 500_000,
};
const RECORDS = 10;

function uniqueName(): string {
  return `stream-admin-${crypto.randomUUID().slice(0, 8)}`;
}

/** Declares a stream with STREAM_ARGS and publishes RECORDS confirmed records "r0".."r9". */
async function filledStream(conn: Connection, queue: string): Promise<void> {
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue(queue, { durable: true, arguments: STREAM_ARGS });
  for (let i = 0; i < RECORDS; i++) ch.sendToQueue(queue, Buffer.from(`r${i}`));
  await ch.waitForConfirms();
  await ch.close();
}

/** A consumer (prefetch 100, manual ack, never acking) from `offset`; resolves once it got `count`. */
async function consumeFrom(
  conn: Connection,
  queue: string,
  tag: string,
  offset: string | number,
  count: number,
): Promise<void> {
  const ch = await conn.createChannel();
  await ch.prefetch(100);
  let got = 0;
  await new Promise<void>((resolve, reject) => {
    ch.consume(queue, (m) => {
      if (m && ++got === count) resolve();
    }, { consumerTag: tag, arguments: { "x-stream-offset": offset } }).catch(reject);
  });
}

Deno.test({
  name: "the management API shows a stream's type, arguments, records, readers and each consumer's offset",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const broker = await startManagedBroker();
    const external = broker.node === null;
    const queue = uniqueName();
    const conn = await amqp.connect(broker.amqpUrl);
    try {
      await withTimeout(
        (async () => {
          await filledStream(conn, queue);
          await consumeFrom(conn, queue, "from-first", "first", RECORDS);
          await consumeFrom(conn, queue, "from-six", 6, RECORDS - 6);
        })(),
        TEST_TIMEOUT_MS,
        "filling the stream and reading it",
      );
      const path = `/api/queues/%2F/${encodeURIComponent(queue)}`;
      const q = (await until(
        () => broker.api("GET", path),
        (r) => r.status === 200 && r.body.consumers === 2 && r.body.messages >= RECORDS,
        "the stream with its two consumers",
      )).body;
      assert.equal(q.type, "stream");
      assert.equal(q.durable, true);
      assert.equal(q.auto_delete, false);
      assert.equal(q.exclusive, false);
      assert.deepEqual(q.arguments, STREAM_ARGS);
      // Delivered but unacked records stay in the stream: nothing counts as unacknowledged.
      assert.equal(q.messages_unacknowledged, 0);
      assert.equal(q.messages_ready, q.messages);
      assert.deepEqual(q.members, [q.node]);
      assert.deepEqual(q.online, [q.node]);
      assert.deepEqual(q.readers, { [q.node]: 2 });
      for (
        const absent of [
          "consumer_capacity",
          "consumer_utilisation",
          "exclusive_consumer_tag",
          "head_message_timestamp",
          "recoverable_slaves",
          "single_active_consumer_tag",
        ]
      ) {
        assert.ok(!(absent in q), `${absent} is not shown for a stream`);
      }
      const consumers = new Map<string, Record<string, unknown>>(
        q.consumer_details.map((c: { consumer_tag: string }) => [c.consumer_tag, c]),
      );
      assert.deepEqual(consumers.get("from-first")?.arguments, { "x-stream-offset": "first" });
      assert.deepEqual(consumers.get("from-six")?.arguments, { "x-stream-offset": 6 });
      assert.equal(consumers.get("from-six")?.prefetch_count, 100);
      // Getting and purging over HTTP: RabbitMQ's 400s, with the texts of the AMQP refusals.
      const what = `stream queues queue '${queue}' in vhost '/'`;
      const got = await broker.api("POST", `${path}/get`, {
        body: { count: 1, ackmode: "ack_requeue_true", encoding: "auto" },
      });
      assert.deepEqual([got.status, got.body], [400, {
        error: "bad_request",
        reason: `540 basic.get not supported by ${what}`,
      }]);
      const purged = await broker.api("DELETE", `${path}/contents`);
      assert.deepEqual([purged.status, purged.body], [400, {
        error: "bad_request",
        reason: `queue.purge not supported by ${what}`,
      }]);
      if (!external) {
        assert.equal(q.messages, RECORDS);
        assert.ok(q.stream_bytes > 0, `stream_bytes ${q.stream_bytes}`);
        assert.equal(q.stream_segments, 1);
        assert.equal(q.stream_first_offset, 0);
        assert.equal(q.stream_last_offset, RECORDS - 1);
        // Both have been delivered the last record, and would be sent the next one published.
        for (const tag of ["from-first", "from-six"]) {
          assert.equal(consumers.get(tag)?.stream_offset, RECORDS - 1, tag);
          assert.equal(consumers.get(tag)?.stream_next_offset, RECORDS, tag);
        }
        const listed = await broker.api("GET", "/api/consumers/%2F");
        const mine = listed.body.filter((c: { queue: { name: string } }) => c.queue.name === queue);
        assert.deepEqual(mine.map((c: { stream_offset: number }) => c.stream_offset), [
          RECORDS - 1,
          RECORDS - 1,
        ]);
      }
    } finally {
      try {
        const ch = await conn.createChannel();
        await ch.deleteQueue(queue);
        await conn.close();
      } finally {
        await broker.close();
      }
    }
  },
});

// RabbitMQ 3.10.8 for the stream of the header (rabbitmqctl list_queues name type messages):
//   streamsurf.obs	stream	2004
// and its definitions export listed it as
//   {"name": ..., "vhost": "/", "durable": true, "auto_delete": false,
//    "arguments": {"x-max-age": "7D", "x-max-length-bytes": 10000000, "x-queue-type": "stream",
//                  "x-stream-max-segment-size-bytes": 500000}}
ctlTest(
  "ctl list_queues and definitions export and import keep a stream's type and arguments",
  async ({ ctl, node }) => {
    const queue = uniqueName();
    const conn = await amqp.connect(node.url);
    try {
      await filledStream(conn, queue);
    } finally {
      await conn.close();
    }
    const listed = await ctl("list_queues", "name", "type", "messages");
    assert.equal(listed.code, 0, listed.err.join("\n"));
    assert.ok(
      listed.out.some((l) => new RegExp(`^${queue}\\s+stream\\s+${RECORDS}$`).test(l)),
      listed.out.join("\n"),
    );

    const auth = { authorization: `Basic ${btoa("guest:guest")}`, "content-type": "application/json" };
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${node.managementUrl}${path}`, { ...init, headers: auth });
    const defs = await (await api("/api/definitions")).json();
    const exported = defs.queues.find((x: { name: string }) => x.name === queue);
    assert.deepEqual(exported, {
      name: queue,
      vhost: "/",
      durable: true,
      auto_delete: false,
      arguments: STREAM_ARGS,
    });
    const del = await api(`/api/queues/%2F/${queue}`, { method: "DELETE" });
    await del.body?.cancel();
    const imported = await api("/api/definitions", { method: "POST", body: JSON.stringify(defs) });
    await imported.body?.cancel();
    assert.ok(imported.ok, `import: ${imported.status}`);
    const q = await (await api(`/api/queues/%2F/${queue}`)).json();
    assert.equal(q.type, "stream", "import keeps the type");
    assert.deepEqual(q.arguments, STREAM_ARGS);
  },
);
