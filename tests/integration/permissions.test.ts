// configure / write / read permissions, each refused on its own, as an
// AMQP client sees it: channel.close 403 with RabbitMQ's text. The user,
// vhost and queue are set up over the management API.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "../helpers/amqplib.ts";
import { startTestNode, type TestNode } from "../helpers/broker.ts";

const TEST_TIMEOUT_MS = 15_000;

interface AmqpErr extends Error {
  code?: number;
}

async function put(node: TestNode, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${node.managementUrl}${path}`, {
    method: "PUT",
    headers: { authorization: `Basic ${btoa("guest:guest")}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  await res.body?.cancel();
  assert.ok(res.status === 201 || res.status === 204, `PUT ${path}: ${res.status}`);
}

/** Vhost v, queue x in it, and user u with the given patterns on v. */
async function setUp(node: TestNode, perms: { configure: string; write: string; read: string }) {
  await put(node, "/api/vhosts/v", {});
  await put(node, "/api/queues/v/x", { durable: false });
  await put(node, "/api/users/u", { password: "pw", tags: "" });
  await put(node, "/api/permissions/v/u", perms);
}

/** Runs `op` on a fresh channel as u; resolves with the error the broker closed the channel with. */
async function refusal(node: TestNode, op: (ch: amqp.Channel) => Promise<unknown>): Promise<AmqpErr> {
  const conn = await amqp.connect(`amqp://u:pw@127.0.0.1:${node.port}/v`);
  conn.on("error", () => {});
  try {
    const ch = await conn.createChannel();
    const closed = new Promise<AmqpErr>((resolve) => ch.on("error", (e: AmqpErr) => resolve(e)));
    await op(ch).catch(() => {});
    return await closed;
  } finally {
    await conn.close().catch(() => {});
  }
}

const REFUSED_QUEUE = "ACCESS_REFUSED - access to queue 'x' in vhost 'v' refused for user 'u'";

function permissionTest(name: string, fn: (node: TestNode) => Promise<void>) {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const node = await startTestNode();
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([
          fn(node),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error("test timed out")), TEST_TIMEOUT_MS);
          }),
        ]);
      } finally {
        clearTimeout(timer);
        await node.close();
      }
    },
  });
}

permissionTest(
  "without configure permission, queue.declare is refused with 403 ACCESS_REFUSED",
  async (node) => {
    await setUp(node, { configure: "", write: ".*", read: ".*" });
    const err = await refusal(node, (ch) => ch.assertQueue("x", { durable: false }));
    assert.equal(err.code, 403);
    assert.ok(err.message.includes(REFUSED_QUEUE), err.message);
    // Deleting needs configure too.
    const del = await refusal(node, (ch) => ch.deleteQueue("x"));
    assert.equal(del.code, 403);
    assert.ok(del.message.includes(REFUSED_QUEUE), del.message);
  },
);

permissionTest(
  "without write permission, binding to the queue and publishing are refused with 403",
  async (node) => {
    await setUp(node, { configure: ".*", write: "", read: ".*" });
    const bind = await refusal(node, (ch) => ch.bindQueue("x", "amq.direct", "k"));
    assert.equal(bind.code, 403);
    assert.ok(bind.message.includes(REFUSED_QUEUE), bind.message);
    const publish = await refusal(node, async (ch) => {
      ch.sendToQueue("x", Buffer.from("m"));
      await ch.checkQueue("x"); // a round trip, so the refusal has time to arrive
    });
    assert.equal(publish.code, 403);
    assert.ok(
      publish.message.includes(
        "ACCESS_REFUSED - access to exchange 'amq.default' in vhost 'v' refused for user 'u'",
      ),
      publish.message,
    );
  },
);

permissionTest(
  "without read permission, basic.consume, basic.get and queue.purge are refused with 403",
  async (node) => {
    await setUp(node, { configure: ".*", write: ".*", read: "" });
    const consume = await refusal(node, (ch) => ch.consume("x", () => {}));
    assert.equal(consume.code, 403);
    assert.ok(consume.message.includes(REFUSED_QUEUE), consume.message);
    const get = await refusal(node, (ch) => ch.get("x"));
    assert.equal(get.code, 403);
    assert.ok(get.message.includes(REFUSED_QUEUE), get.message);
    const purge = await refusal(node, (ch) => ch.purgeQueue("x"));
    assert.equal(purge.code, 403);
    assert.ok(purge.message.includes(REFUSED_QUEUE), purge.message);
  },
);

permissionTest("with all three granted the same operations succeed", async (node) => {
  await setUp(node, { configure: "^x$", write: ".*", read: "^(x|amq\\.direct)$" });
  const conn = await amqp.connect(`amqp://u:pw@127.0.0.1:${node.port}/v`);
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue("x", { durable: false });
    await ch.bindQueue("x", "amq.direct", "k");
    ch.publish("amq.direct", "k", Buffer.from("m"));
    await ch.waitForConfirms();
    const m = await ch.get("x", { noAck: true });
    assert.ok(m && m.content.toString() === "m");
    await ch.purgeQueue("x");
  } finally {
    await conn.close();
  }
});
