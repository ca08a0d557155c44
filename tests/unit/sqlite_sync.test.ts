// Under warren.sync = full the store commits without SQLite's fsync and then
// fdatasyncs the write-ahead log off the event loop: these pin that a
// whenDurable callback (a publisher confirm) runs only after that fdatasync,
// never at COMMIT, that what was confirmed is read back after a restart, and
// that close() leaves nothing waiting.
import assert from "node:assert/strict";
import { encodeProperties } from "../../src/amqp/properties.ts";
import { Message } from "../../src/broker/message.ts";
import type { Queue } from "../../src/broker/queue.ts";
import { bootNode } from "../../src/server/boot.ts";
import { SqliteStore } from "../../src/store/sqlite_store.ts";
import { setLogLevel } from "../../src/log.ts";

setLogLevel("warning"); // the store's start-up lines

const PERSISTENT = encodeProperties({ deliveryMode: 2 });

function open(path: string) {
  const store = new SqliteStore(path, { sync: "full" });
  const { broker } = bootNode(store);
  return { store, vhost: broker.vhost("/")! };
}

function declare(vhost: ReturnType<typeof open>["vhost"]): Queue {
  return vhost.declareQueue({
    name: "durable",
    passive: false,
    durable: true,
    exclusive: false,
    autoDelete: false,
    arguments: {},
    owner: {},
  }).queue;
}

function publish(q: Queue, body: string): void {
  q.enqueue(new Message("", q.name, PERSISTENT, new TextEncoder().encode(body), true));
}

Deno.test("a confirm waits for the fdatasync after its commit, and the confirmed messages survive a restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "warren-sync-unit-" });
  try {
    const path = `${dir}/warren.db`;
    let { store, vhost } = open(path);
    const q = declare(vhost);
    await store.settled();
    publish(q, "first");
    const answers: boolean[] = [];
    store.whenDurable((ok) => answers.push(ok));
    store.flush(); // committed, not yet synced
    assert.equal(answers.length, 0, "answered at COMMIT, before the fdatasync");
    publish(q, "second"); // committed while the first sync may still run: waits for the next one
    store.whenDurable((ok) => answers.push(ok));
    store.flush();
    await store.settled();
    assert.deepEqual(answers, [true, true]);
    // nothing pending, nothing unsynced: answered at once
    store.whenDurable((ok) => answers.push(ok));
    assert.deepEqual(answers, [true, true, true]);
    store.close();

    ({ store, vhost } = open(path));
    try {
      const recovered = vhost.queues.get("durable")!;
      const bodies: string[] = [];
      for (let e = recovered.get(true); e; e = recovered.get(true)) {
        bodies.push(new TextDecoder().decode(e.message.body));
      }
      assert.deepEqual(bodies, ["first", "second"]);
    } finally {
      await store.settled();
      store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("close() syncs and answers what still waits for an fdatasync", async () => {
  const dir = await Deno.makeTempDir({ prefix: "warren-sync-unit-" });
  try {
    const { store, vhost } = open(`${dir}/warren.db`);
    const q = declare(vhost);
    await store.settled();
    publish(q, "last");
    const answers: boolean[] = [];
    store.whenDurable((ok) => answers.push(ok));
    store.flush();
    publish(q, "very last");
    store.whenDurable((ok) => answers.push(ok));
    const inFlight = store.settled();
    store.close();
    assert.deepEqual(answers, [true, true]);
    await inFlight; // the fdatasync started before close() still ends, and answers nobody twice
    assert.deepEqual(answers, [true, true]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
