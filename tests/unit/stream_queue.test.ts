// The stream queue model on the in-memory store, no sockets: how much a
// reader holds and asks the store for at a time, and a filtering reader
// that skips many records goes on in later turns instead of stalling.
import assert from "node:assert/strict";
import { EMPTY_PROPERTIES, encodeProperties } from "../../src/amqp/properties.ts";
import type { FieldTable } from "../../src/amqp/field_table.ts";
import type { Consumer } from "../../src/broker/consumer.ts";
import { Message, type QueueEntry } from "../../src/broker/message.ts";
import type { Queue } from "../../src/broker/queue.ts";
import { READ_BATCH_RECORDS, StreamQueue } from "../../src/broker/stream_queue.ts";
import { MemoryStore } from "../../src/store/memory_store.ts";
import type { StreamRecord } from "../../src/store/store.ts";

/** The in-memory store, counting what readers ask of it. */
class CountingStore extends MemoryStore {
  largestRead = 0;
  reads = 0;
  override readStreamRecords(queueId: number, fromOffset: number, limit: number): StreamRecord[] {
    this.reads++;
    this.largestRead = Math.max(this.largestRead, limit);
    return super.readStreamRecords(queueId, fromOffset, limit);
  }
}

/** A consumer with `credit` deliveries to take and a record of them. */
function consumer(args: FieldTable, credit: number): Consumer & { got: QueueEntry[] } {
  const got: QueueEntry[] = [];
  return {
    tag: "c",
    noAck: false,
    exclusive: false,
    get unacked() {
      return got.length;
    },
    arguments: args,
    owner: {},
    got,
    canDeliver: () => got.length < credit,
    deliver: (_q: Queue, e: QueueEntry) => void got.push(e),
    cancelledByBroker: () => {},
  };
}

function stream(store: MemoryStore): StreamQueue {
  const args = { "x-queue-type": "stream" };
  const storeId = store.saveQueue({
    vhost: "/",
    name: "s",
    durable: true,
    autoDelete: false,
    arguments: args,
  });
  return new StreamQueue("/", "s", {
    durable: true,
    exclusiveOwner: null,
    autoDelete: false,
    arguments: args,
  }, {
    store,
    storeId,
  });
}

Deno.test("a stream reader asks for one bounded batch at a time and holds no more than it", () => {
  const store = new CountingStore();
  const q = stream(store);
  for (let i = 0; i < 5000; i++) q.enqueue(new Message("", "s", EMPTY_PROPERTIES, new Uint8Array(10), true));
  const c = consumer({ "x-stream-offset": "first" }, 10);
  q.addConsumer(c);
  assert.equal(c.got.length, 10);
  assert.equal(store.reads, 1, "ten deliveries come from one read");
  assert.ok(store.largestRead <= READ_BATCH_RECORDS);
  assert.deepEqual(q.consumerOffsets().map((o) => [o.consumerTag, o.offset, o.nextOffset]), [["c", 9, 10]]);
  assert.deepEqual(q.streamInfo(), {
    segments: 1,
    bytes: 5000 * 12,
    firstOffset: 0,
    lastOffset: 4999,
    records: 5000,
  });
  q.close();
});

Deno.test("a filtering reader that skips many records goes on in later turns until it finds its own", async () => {
  const store = new CountingStore();
  const q = stream(store);
  const red = encodeProperties({ headers: { "x-stream-filter-value": "red" } });
  const blue = encodeProperties({ headers: { "x-stream-filter-value": "blue" } });
  for (let i = 0; i < 20 * READ_BATCH_RECORDS; i++) {
    q.enqueue(new Message("", "s", blue, new Uint8Array(1), true));
  }
  q.enqueue(new Message("", "s", red, new Uint8Array(1), true));
  const c = consumer({ "x-stream-offset": "first", "x-stream-filter": "red" }, 10);
  q.addConsumer(c);
  assert.equal(c.got.length, 0, "one dispatch reads a bounded number of batches");
  const deadline = Date.now() + 5_000;
  while (c.got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(c.got.map((e) => e.seq), [20 * READ_BATCH_RECORDS]);
  q.close();
});
