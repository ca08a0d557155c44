// The quorum queue model on the SQLite store, no sockets: what a restart
// reads back after returns and deliveries, whether the rows were committed
// before the count changed or not. (The SIGKILL end-to-end test in
// tests/e2e/durability.test.ts covers the same through the real process.)
import assert from "node:assert/strict";
import { encodeProperties } from "../../src/amqp/properties.ts";
import { Message, type QueueEntry } from "../../src/broker/message.ts";
import type { Queue } from "../../src/broker/queue.ts";
import { bootNode } from "../../src/server/boot.ts";
import { SqliteStore } from "../../src/store/sqlite_store.ts";
import { setLogLevel } from "../../src/log.ts";

setLogLevel("warning"); // the store's start-up lines

const TRANSIENT = encodeProperties({ deliveryMode: 1 });

function open(path: string) {
  const store = new SqliteStore(path, { sync: "normal" });
  const { broker } = bootNode(store);
  return { store, vhost: broker.vhost("/")! };
}

function publish(q: Queue, body: string): void {
  q.enqueue(new Message("", q.name, TRANSIENT, new TextEncoder().encode(body), false));
}

function drain(q: Queue): string[] {
  const out: string[] = [];
  while (true) {
    const e = q.get(true);
    if (!e) return out;
    out.push(`${new TextDecoder().decode(e.message.body)}:${e.deliveryCount}:${e.redelivered}`);
  }
}

Deno.test("quorum queue rows keep delivery counts across a restart, committed or not when counted", async () => {
  const dir = await Deno.makeTempDir({ prefix: "warren-quorum-unit-" });
  try {
    const path = `${dir}/warren.db`;
    let { store, vhost } = open(path);
    const q = vhost.declareQueue({
      name: "qq",
      passive: false,
      durable: true,
      exclusive: false,
      autoDelete: false,
      arguments: { "x-queue-type": "quorum" },
      owner: {},
    }).queue;
    for (const b of ["committed", "second", "returned", "untouched"]) publish(q, b);
    store.flush();
    const committed = q.get(false)!; // delivered after its row is written: an update
    const second = q.get(false)!;
    publish(q, "late"); // its row is not written yet when delivered below
    const returned = q.get(false)!;
    q.requeue([returned]); // to the back: a new row, counted once
    const untouched = q.get(false)!;
    q.requeue([untouched], true); // its channel closed: back to the head
    const rest: QueueEntry[] = [];
    for (let e = q.get(false); e; e = q.get(false)) rest.push(e);
    assert.deepEqual(
      [committed, second, returned, untouched, ...rest].map((e) => new TextDecoder().decode(e.message.body)),
      ["committed", "second", "returned", "untouched", "untouched", "late", "returned"],
    );
    store.flush();
    store.close(); // as a crash would leave it: everything above is on disk, nothing acked

    ({ store, vhost } = open(path));
    try {
      const recovered = vhost.queues.get("qq")!;
      assert.equal(recovered.type, "quorum");
      assert.deepEqual(drain(recovered).sort(), [
        "committed:1:true",
        "late:1:true",
        "returned:2:true",
        "second:1:true",
        "untouched:2:true",
      ]);
    } finally {
      store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
