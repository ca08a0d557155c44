// Resource alarms with a real client: a publisher is blocked (and told so)
// while the memory alarm is set, its messages stop arriving, consumers keep
// draining, and everything resumes once the alarm clears. Warren only: the
// shared RabbitMQ node's alarms cannot be set for one test. Checked by hand
// on a private RabbitMQ 3.10.8 node (set_vm_memory_high_watermark absolute 1):
// a publisher blocked by the alarm shows state "blocking" and closes at once
// (117 ms) if it publishes no more; one that publishes under the alarm is no
// longer read, and its connection.close goes unanswered — as in Warren.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "../helpers/amqplib.ts";
import { type AlarmLimits, memoryInUseBytes } from "../../src/server/alarms.ts";
import { startServer } from "../../src/server/server.ts";

const until = async (cond: () => boolean, what: string, timeoutMs = 5000) => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** A broker on a free port with these alarm limits. */
const serverWithAlarms = (alarms: AlarmLimits) =>
  startServer({ port: 0, hostname: "127.0.0.1", logLevel: "error", alarms });

Deno.test({
  name: "a memory alarm blocks publishers with connection.blocked and unblocks them when it clears",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const server = await serverWithAlarms({
      memoryHighWatermark: { absoluteBytes: 1 },
      diskFreeLimitBytes: 0,
      dataDir: null,
    });
    const pub = await amqp.connect(`amqp://guest:guest@127.0.0.1:${server.port}/`);
    const sub = await amqp.connect(`amqp://guest:guest@127.0.0.1:${server.port}/`);
    try {
      assert.deepEqual([...server.alarms!.active], ["memory"]);
      const events: string[] = [];
      pub.on("blocked", (reason: string) => events.push(`blocked:${reason}`));
      pub.on("unblocked", () => events.push("unblocked"));
      const pch = await pub.createChannel();
      const sch = await sub.createChannel();
      await sch.assertQueue("alarmed");
      const received: string[] = [];
      await sch.consume("alarmed", (m) => m && received.push(m.content.toString()), { noAck: true });

      pch.sendToQueue("alarmed", Buffer.from("first"));
      await until(() => events.length > 0, "connection.blocked");
      assert.deepEqual(events, ["blocked:low on memory"]);
      // The first publish may have been read before the block; later ones must wait.
      await new Promise((r) => setTimeout(r, 100));
      const before = received.length;
      pch.sendToQueue("alarmed", Buffer.from("held"));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(received.length, before, "a blocked publisher's message was routed");
      assert.ok(!received.includes("held"));

      server.alarms!.limits.memoryHighWatermark = { absoluteBytes: Number.MAX_SAFE_INTEGER };
      server.alarms!.check();
      await until(() => received.includes("held"), "the held message after the alarm cleared");
      assert.deepEqual(events, ["blocked:low on memory", "unblocked"]);
    } finally {
      // a publisher blocked under the alarm never gets its close-ok: the server's close ends it
      await Promise.race([pub.close().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
      await sub.close().catch(() => {});
      await server.close();
    }
  },
});

Deno.test({
  name: "a disk alarm (free space under the data dir below the limit) blocks publishers until it clears",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "warren-disk-alarm-" });
    // No disk has this much free space, so the alarm is set at once.
    const server = await serverWithAlarms({
      memoryHighWatermark: { absoluteBytes: Number.MAX_SAFE_INTEGER },
      diskFreeLimitBytes: Number.MAX_SAFE_INTEGER,
      dataDir,
    });
    const pub = await amqp.connect(`amqp://guest:guest@127.0.0.1:${server.port}/`);
    try {
      assert.deepEqual([...server.alarms!.active], ["disk"]);
      const events: string[] = [];
      pub.on("blocked", (reason: string) => events.push(`blocked:${reason}`));
      pub.on("unblocked", () => events.push("unblocked"));
      const ch = await pub.createChannel();
      ch.sendToQueue("nowhere", Buffer.from("x"));
      await until(() => events.length > 0, "connection.blocked");
      assert.deepEqual(events, ["blocked:low on disk"]);
      server.alarms!.limits.diskFreeLimitBytes = 0;
      server.alarms!.check();
      await until(() => events.length > 1, "connection.unblocked");
      assert.deepEqual(events, ["blocked:low on disk", "unblocked"]);
    } finally {
      // a publisher blocked under the alarm never gets its close-ok: the server's close ends it
      await Promise.race([pub.close().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
      await server.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a publisher blocked by the memory alarm can still close its connection if it publishes no more",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const server = await serverWithAlarms({
      memoryHighWatermark: { absoluteBytes: Number.MAX_SAFE_INTEGER },
      diskFreeLimitBytes: 0,
      dataDir: null,
    });
    const pub = await amqp.connect(`amqp://guest:guest@127.0.0.1:${server.port}/`);
    try {
      let blocked = false;
      pub.on("blocked", () => (blocked = true));
      const ch = await pub.createConfirmChannel();
      ch.sendToQueue("nowhere", Buffer.from("x"));
      await ch.waitForConfirms();
      server.alarms!.limits.memoryHighWatermark = { absoluteBytes: 1 };
      server.alarms!.check();
      await until(() => blocked, "connection.blocked");
      const closed = await Promise.race([
        pub.close().then(() => "closed"),
        new Promise((r) => setTimeout(() => r("close-ok never came"), 5000)),
      ]);
      assert.equal(closed, "closed");
    } finally {
      await server.close();
    }
  },
});

Deno.test({
  name: "the memory alarm clears once the queues are drained, and the publisher publishes again and closes",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const headroomBytes = 48 * 1024 * 1024;
    const server = await serverWithAlarms({
      memoryHighWatermark: { absoluteBytes: memoryInUseBytes() + headroomBytes },
      diskFreeLimitBytes: 0,
      dataDir: null,
    });
    const url = `amqp://guest:guest@127.0.0.1:${server.port}/`;
    const pub = await amqp.connect(url);
    const sub = await amqp.connect(url);
    try {
      const events: string[] = [];
      pub.on("blocked", () => events.push("blocked"));
      pub.on("unblocked", () => events.push("unblocked"));
      const pch = await pub.createChannel();
      const sch = await sub.createChannel();
      await sch.assertQueue("alarm-flood", { durable: false, autoDelete: true });
      const body = Buffer.alloc(4096);
      // Flood until the alarm blocks the publisher (in-memory store: nothing pages out). The client
      // shares this process, so what it buffers counts towards the alarm: it waits for its socket to
      // drain rather than buffer without bound (what the node does not read would never be freed).
      for (let sent = 0; events.length === 0; sent += 200) {
        assert.ok(sent < 400_000, "the memory alarm never went off");
        let full = false;
        for (let i = 0; i < 200; i++) full = !pch.sendToQueue("alarm-flood", body) || full;
        await new Promise((r) => {
          const t = setTimeout(r, full ? 50 : 1);
          if (full) pch.once("drain", () => (clearTimeout(t), r(null)));
        });
      }
      let received = 0;
      let after = false;
      await sch.consume("alarm-flood", (m) => {
        received++;
        if (m?.content.toString() === "after") after = true;
      }, { noAck: true });
      await until(() => events.includes("unblocked"), "the alarm to clear after the drain", 30_000);
      assert.ok(received > 0);
      pch.sendToQueue("alarm-flood", Buffer.from("after"));
      await until(() => after, "a message published after the alarm cleared", 10_000);
      const closed = await Promise.race([
        pub.close().then(() => "closed"),
        new Promise((r) => setTimeout(() => r("close-ok never came"), 5000)),
      ]);
      assert.equal(closed, "closed");
      assert.deepEqual(events, ["blocked", "unblocked"]);
    } finally {
      // a publisher blocked under the alarm never gets its close-ok: the server's close ends it
      await Promise.race([pub.close().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
      await sub.close().catch(() => {});
      await server.close();
    }
  },
});
