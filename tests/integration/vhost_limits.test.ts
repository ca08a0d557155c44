// Virtual host limits (max-connections, max-queues) over the management API,
// enforced on amqplib clients: a connection beyond the limit is refused at
// connection.open (amqplib only says so; a raw client reads the close's code
// and text), a queue declared beyond it is refused, and both come
// back when the limit is lifted. Also run green against RabbitMQ 3.10.8
// (WARREN_TEST_MANAGEMENT_URL=http://127.0.0.1:15682 WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5682/),
// whose texts these are. The restart test is Warren's alone.
import assert from "node:assert/strict";
import amqp from "../helpers/amqplib.ts";
import { callApi, type ManagedBroker, ownVHost, until, withBroker } from "../helpers/management_api.ts";
import { spawnBroker } from "../helpers/broker_process.ts";
import { plainResponse, PROTOCOL_HEADER, RawAmqpClient } from "../helpers/raw_amqp.ts";

const TEST_TIMEOUT_MS = 30_000;

function vhostUrl(b: ManagedBroker, vhost: string): string {
  return b.amqpUrl.replace(/\/[^/]*$/, "/") + encodeURIComponent(vhost);
}

async function setLimit(b: ManagedBroker, vhost: string, name: string, value: unknown) {
  return await b.api("PUT", `/api/vhost-limits/${encodeURIComponent(vhost)}/${name}`, { body: { value } });
}

/** What the broker answers a raw client's connection.open into `vhost` with. */
async function openReply(b: ManagedBroker, vhost: string): Promise<string> {
  const c = await RawAmqpClient.connect(Number(new URL(b.amqpUrl).port));
  try {
    await c.send(PROTOCOL_HEADER);
    await c.expectMethod("connection.start");
    await c.sendStartOk(plainResponse("guest", "guest"));
    const tune = await c.expectMethod("connection.tune");
    await c.sendMethod(0, "connection.tune-ok", {
      channelMax: tune.channelMax,
      frameMax: tune.frameMax,
      heartbeat: 0,
    });
    await c.sendMethod(0, "connection.open", { virtualHost: vhost });
    const m = await c.readMethod();
    const a = m.args;
    return m.name === "connection.close"
      ? `${a.replyCode} ${a.replyText} ${a.classId}/${a.methodId}`
      : m.name;
  } finally {
    await c.close();
  }
}

async function openError(url: string): Promise<string> {
  try {
    const c = await amqp.connect(url);
    await c.close();
    return "opened";
  } catch (e) {
    return (e as Error).message;
  }
}

Deno.test({
  name: "a connection beyond max-connections is refused at connection.open; lifting the limit admits it",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withBroker(async (b) => {
      const vhost = "limits-conn";
      const drop = await ownVHost(b, vhost);
      try {
        assert.equal((await setLimit(b, vhost, "max-connections", 1)).status, 204);
        const first = await amqp.connect(vhostUrl(b, vhost));
        try {
          assert.match(await openError(vhostUrl(b, vhost)), /ConnectionClose/);
          assert.equal(
            await openReply(b, vhost),
            "530 NOT_ALLOWED - access to vhost 'limits-conn' refused for user 'guest': " +
              "connection limit (1) is reached 10/40",
          );
        } finally {
          await first.close();
        }
        // Once the first has gone there is room again (RabbitMQ untracks a closed connection a moment later).
        await until(() => openError(vhostUrl(b, vhost)), (r) =>
          r === "opened", "a connection after the first closed");

        assert.equal((await setLimit(b, vhost, "max-connections", 0)).status, 204);
        assert.match(await openReply(b, vhost), /connection limit \(0\) is reached/);
        assert.equal((await setLimit(b, vhost, "max-connections", -1)).status, 204);
        assert.equal(await openError(vhostUrl(b, vhost)), "opened");
        assert.equal((await b.api("DELETE", `/api/vhost-limits/${vhost}/max-connections`)).status, 204);
        assert.equal(await openError(vhostUrl(b, vhost)), "opened");
      } finally {
        await drop();
      }
    }, TEST_TIMEOUT_MS),
});

Deno.test({
  name: "a queue declared beyond max-queues is refused with 406; existing queues may be redeclared",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withBroker(async (b) => {
      const vhost = "limits-queues";
      const drop = await ownVHost(b, vhost);
      const conn = await amqp.connect(vhostUrl(b, vhost));
      conn.on("error", () => {});
      try {
        assert.equal((await setLimit(b, vhost, "max-queues", 1)).status, 204);
        let ch = await conn.createChannel();
        ch.on("error", () => {});
        await ch.assertQueue("limits-q1", { durable: false });
        await assert.rejects(
          ch.assertQueue("limits-q2", { durable: false }),
          /406 .*PRECONDITION_FAILED - cannot declare queue 'limits-q2': queue limit in vhost 'limits-queues' \(1\) is reached/,
        );
        ch = await conn.createChannel();
        await ch.assertQueue("limits-q1", { durable: false });

        assert.equal((await setLimit(b, vhost, "max-queues", 0)).status, 204);
        ch.on("error", () => {});
        await assert.rejects(
          ch.assertQueue("limits-q3", { durable: false }),
          /queue limit in vhost .* \(0\) is reached/,
        );
        ch = await conn.createChannel();
        assert.equal((await setLimit(b, vhost, "max-queues", -1)).status, 204);
        await ch.assertQueue("limits-q2", { durable: false });
        await ch.close();
      } finally {
        await conn.close();
        await drop();
      }
    }, TEST_TIMEOUT_MS),
});

Deno.test({
  name: "vhost limits are listed, validated and exported as RabbitMQ's vhost-limits parameter",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withBroker(async (b) => {
      const vhost = "limits-api";
      const drop = await ownVHost(b, vhost);
      try {
        assert.equal((await setLimit(b, vhost, "max-connections", 10)).status, 204);
        assert.equal((await setLimit(b, vhost, "max-queues", 20)).status, 204);
        const listed = (await b.api("GET", "/api/vhost-limits")).body as { vhost: string; value: unknown }[];
        assert.deepEqual(listed.find((l) => l.vhost === vhost)?.value, {
          "max-connections": 10,
          "max-queues": 20,
        });
        assert.deepEqual((await b.api("GET", `/api/vhost-limits/${vhost}`)).body, [
          { vhost, value: { "max-connections": 10, "max-queues": 20 } },
        ]);

        const unknown = await setLimit(b, vhost, "max-channels", 1);
        assert.equal(unknown.status, 400);
        assert.equal(
          unknown.body.reason,
          'Validation failed\n\nUnrecognised terms [{<<"max-channels">>,1}] in limits\n',
        );
        const fraction = await setLimit(b, vhost, "max-queues", 1.5);
        assert.equal(fraction.status, 400);
        assert.equal(
          fraction.body.reason,
          "Validation failed\n\nmax-queues should be a number, actually was 1.5\n",
        );

        const defs = (await b.api("GET", `/api/definitions`)).body;
        assert.deepEqual(
          defs.parameters.filter((p: { vhost: string }) => p.vhost === vhost),
          [{
            vhost,
            component: "vhost-limits",
            name: "limits",
            value: { "max-connections": 10, "max-queues": 20 },
          }],
        );

        assert.equal((await b.api("DELETE", `/api/vhost-limits/${vhost}/max-queues`)).status, 204);
        assert.deepEqual((await b.api("GET", `/api/vhost-limits/${vhost}`)).body, [
          { vhost, value: { "max-connections": 10 } },
        ]);
        assert.equal((await b.api("GET", `/api/vhost-limits/limits-no-such-vhost`)).status, 404);
      } finally {
        await drop();
      }
    }, TEST_TIMEOUT_MS),
});

Deno.test({
  // Warren only: the shared RabbitMQ node is not restarted by tests.
  name: "vhost limits and operator policies survive a restart and are enforced after it",
  ignore: Deno.env.get("WARREN_TEST_AMQP_URL") !== undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "warren-limits-" });
    let broker = await spawnBroker({ args: ["--data-dir", dataDir] });
    const call = (method: string, path: string, body?: unknown) =>
      callApi(`http://127.0.0.1:${broker.managementPort}`, method, path, { body });
    try {
      assert.equal((await call("PUT", "/api/vhost-limits/%2F/max-queues", { value: 0 })).status, 204);
      const op = { pattern: "^kept", definition: { "max-length": 1 } };
      assert.equal((await call("PUT", "/api/operator-policies/%2F/kept-op", op)).status, 201);
      broker.kill();
      await broker.exited;
      broker = await spawnBroker({ args: ["--data-dir", dataDir] });

      assert.deepEqual((await call("GET", "/api/vhost-limits")).body, [{
        vhost: "/",
        value: { "max-queues": 0 },
      }]);
      assert.equal(
        (await call("GET", "/api/operator-policies/%2F/kept-op")).body.definition["max-length"],
        1,
      );
      const conn = await amqp.connect(broker.url);
      conn.on("error", () => {});
      try {
        const ch = await conn.createChannel();
        ch.on("error", () => {});
        await assert.rejects(ch.assertQueue("kept-q"), /queue limit in vhost '\/' \(0\) is reached/);
      } finally {
        await conn.close();
      }
    } finally {
      broker.kill();
      await broker.exited;
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "definitions import vhost limits and operator policies as parameters, and they take effect",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withBroker(async (b) => {
      const vhost = "limits-import";
      const drop = await ownVHost(b, vhost);
      try {
        const defs = {
          parameters: [
            { vhost, component: "vhost-limits", name: "limits", value: { "max-queues": 0 } },
            {
              vhost,
              component: "operator_policy",
              name: "limits-op",
              value: {
                pattern: "^limits-",
                definition: { "max-length": 1 },
                priority: 0,
                "apply-to": "queues",
              },
            },
          ],
        };
        const imported = await b.api("POST", "/api/definitions", { body: defs });
        assert.ok(imported.status < 300, JSON.stringify(imported.body));
        assert.deepEqual((await b.api("GET", `/api/vhost-limits/${vhost}`)).body, [
          { vhost, value: { "max-queues": 0 } },
        ]);
        const op = (await b.api("GET", `/api/operator-policies/${vhost}/limits-op`)).body;
        assert.deepEqual(op.definition, { "max-length": 1 });

        const conn = await amqp.connect(vhostUrl(b, vhost));
        conn.on("error", () => {});
        try {
          const ch = await conn.createChannel();
          ch.on("error", () => {});
          await assert.rejects(ch.assertQueue("limits-q", { durable: false }), /queue limit in vhost/);
        } finally {
          await conn.close();
        }
      } finally {
        await drop();
      }
    }, TEST_TIMEOUT_MS),
});
