// Policies over the management HTTP API (/api/policies) against an
// in-process node, with amqplib clients watching their effect: a policy set
// or cleared changes matching queues and exchanges at once, declare-time
// arguments win over it, the highest priority wins, the queue and exchange
// JSON name it, definitions carry it, and it survives a restart.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "../helpers/amqplib.ts";
import { startTestNode, type TestNode } from "../helpers/broker.ts";
import { spawnBroker } from "../helpers/broker_process.ts";

const TEST_TIMEOUT_MS = 20_000;
const WAIT_MS = 3_000;

interface Reply {
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
}

/** One management API call as `auth` (guest by default) against http://127.0.0.1:port. */
async function api(
  port: number,
  method: string,
  path: string,
  options: { body?: unknown; auth?: [string, string] } = {},
): Promise<Reply> {
  const [user, pass] = options.auth ?? ["guest", "guest"];
  const headers: Record<string, string> = { authorization: `Basic ${btoa(`${user}:${pass}`)}` };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Retries probe() until it returns `expected`; fails after WAIT_MS. */
async function eventually<T>(probe: () => Promise<T>, expected: T, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (true) {
    const actual = await probe();
    if (actual === expected) return;
    if (Date.now() > deadline) assert.fail(`${what}: expected ${expected}, got ${actual}`);
    await sleep(20);
  }
}

type Conn = Awaited<ReturnType<typeof amqp.connect>>;

/** A confirm channel on a fresh connection, with helpers to fill and count queues. */
async function client(url: string) {
  const conn: Conn = await amqp.connect(url);
  conn.on("error", () => {});
  const ch = await conn.createConfirmChannel();
  return {
    conn,
    ch,
    async publish(queue: string, bodies: string[]): Promise<void> {
      for (const b of bodies) ch.sendToQueue(queue, Buffer.from(b));
      await ch.waitForConfirms();
    },
    async count(queue: string): Promise<number> {
      return (await ch.checkQueue(queue)).messageCount;
    },
    /** Takes every ready message (acknowledged), in order. */
    async drain(queue: string): Promise<string[]> {
      const out: string[] = [];
      for (let m = await ch.get(queue); m !== false; m = await ch.get(queue)) {
        out.push(m.content.toString());
        ch.ack(m);
      }
      return out;
    },
  };
}

const numbered = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `m${from + i}`);

function withNode(
  name: string,
  fn: (node: TestNode, c: Awaited<ReturnType<typeof client>>) => Promise<void>,
) {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const node = await startTestNode();
      let c: Awaited<ReturnType<typeof client>> | undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        c = await client(node.url);
        await Promise.race([
          fn(node, c),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`timed out after ${TEST_TIMEOUT_MS}ms`)),
              TEST_TIMEOUT_MS,
            );
          }),
        ]);
      } finally {
        clearTimeout(timer);
        await c?.conn.close().catch(() => {});
        await node.close();
      }
    },
  });
}

// ---- live effect ------------------------------------------------------------------

withNode(
  "a max-length policy set over HTTP trims a matching queue at once, caps it, and clearing it lifts the cap",
  async (node, c) => {
    const port = node.managementPort;
    await c.ch.assertQueue("capped.jobs", { durable: false });
    await c.ch.assertQueue("other", { durable: false });
    await c.publish("capped.jobs", numbered(1, 5));
    await c.publish("other", numbered(1, 5));

    const put = await api(port, "PUT", "/api/policies/%2F/cap", {
      body: { pattern: "^capped\\.", definition: { "max-length": 2 }, priority: 0, "apply-to": "queues" },
    });
    assert.equal(put.status, 201, JSON.stringify(put.body));
    // drop-head: the oldest go, at once, without a new publish.
    assert.equal(await c.count("capped.jobs"), 2);
    assert.equal(await c.count("other"), 5, "a queue the pattern does not match is untouched");

    const q = (await api(port, "GET", "/api/queues/%2F/capped.jobs")).body;
    assert.equal(q.policy, "cap");
    assert.deepEqual(q.effective_policy_definition, { "max-length": 2 });
    assert.deepEqual(q.arguments, {});
    const other = (await api(port, "GET", "/api/queues/%2F/other")).body;
    assert.deepEqual([other.policy, other.effective_policy_definition], [null, {}]);

    await c.publish("capped.jobs", numbered(6, 10));
    assert.deepEqual(await c.drain("capped.jobs"), ["m9", "m10"]);

    assert.equal((await api(port, "DELETE", "/api/policies/%2F/cap")).status, 204);
    await c.publish("capped.jobs", numbered(11, 15));
    assert.equal(await c.count("capped.jobs"), 5, "the cap is gone once the policy is cleared");
    const after = (await api(port, "GET", "/api/queues/%2F/capped.jobs")).body;
    assert.deepEqual([after.policy, after.effective_policy_definition], [null, {}]);
    assert.equal((await api(port, "GET", "/api/policies/%2F/cap")).status, 404);
    assert.equal((await api(port, "DELETE", "/api/policies/%2F/cap")).status, 404);
  },
);

withNode("a message-ttl policy set over HTTP makes messages in a matching queue expire", async (node, c) => {
  await c.ch.assertQueue("short.lived", { durable: false });
  const put = await api(node.managementPort, "PUT", "/api/policies/%2F/ttl", {
    body: { pattern: "^short\\.", definition: { "message-ttl": 100 }, "apply-to": "queues" },
  });
  assert.equal(put.status, 201, JSON.stringify(put.body));
  await c.publish("short.lived", numbered(1, 3));
  // Expired messages go without a consumer present.
  await eventually(() => c.count("short.lived"), 0, "messages expired by the policy's TTL");
  assert.equal(await c.ch.get("short.lived"), false);
});

withNode(
  "a queue's own arguments win over its policy: a lower x-max-length, and its x-dead-letter-exchange",
  async (node, c) => {
    // (For the limits RabbitMQ applies the lower of argument and policy, so the argument here is the lower.)
    const port = node.managementPort;
    for (const [x, q] of [["dlx.arg", "dead.arg"], ["dlx.policy", "dead.policy"]]) {
      await c.ch.assertExchange(x, "fanout", { durable: false });
      await c.ch.assertQueue(q, { durable: false });
      await c.ch.bindQueue(q, x, "");
    }
    const definition = { "max-length": 4, "dead-letter-exchange": "dlx.policy", "message-ttl": 60000 };
    await api(port, "PUT", "/api/policies/%2F/cap", { body: { pattern: "^limited$", definition } });
    const args = { "x-max-length": 2, "x-dead-letter-exchange": "dlx.arg" };
    await c.ch.assertQueue("limited", { durable: false, arguments: args });
    await c.publish("limited", numbered(1, 6));
    assert.equal(await c.count("limited"), 2, "x-max-length 2 applies, not the policy's 4");
    await eventually(
      () => c.count("dead.arg"),
      4,
      "the dropped heads dead-lettered through x-dead-letter-exchange",
    );
    assert.equal(await c.count("dead.policy"), 0, "not through the policy's dead-letter-exchange");

    const q = (await api(port, "GET", "/api/queues/%2F/limited")).body;
    // As in RabbitMQ the policy is still named as the queue's, with its whole definition (keys in order).
    assert.equal(q.policy, "cap");
    assert.deepEqual(Object.entries(q.effective_policy_definition), [
      ["dead-letter-exchange", "dlx.policy"],
      ["max-length", 4],
      ["message-ttl", 60000],
    ]);
    assert.deepEqual(q.arguments, args);
  },
);

withNode(
  "of two matching policies the higher priority wins, and clearing it hands over to the other",
  async (node, c) => {
    const port = node.managementPort;
    await c.ch.assertQueue("jobs.fast", { durable: false });
    const low = { pattern: "^jobs\\.", definition: { "max-length": 3 }, priority: 1, "apply-to": "queues" };
    const high = { pattern: "fast$", definition: { "max-length": 1 }, priority: 5, "apply-to": "all" };
    assert.equal((await api(port, "PUT", "/api/policies/%2F/low", { body: low })).status, 201);
    assert.equal((await api(port, "PUT", "/api/policies/%2F/high", { body: high })).status, 201);
    await c.publish("jobs.fast", numbered(1, 5));
    assert.equal(await c.count("jobs.fast"), 1);
    assert.equal((await api(port, "GET", "/api/queues/%2F/jobs.fast")).body.policy, "high");

    // Raising the other's priority above it switches over too.
    const raised = await api(port, "PUT", "/api/policies/%2F/low", { body: { ...low, priority: 9 } });
    assert.equal(raised.status, 204, "updating an existing policy is 204");
    await c.publish("jobs.fast", numbered(6, 10));
    assert.equal(await c.count("jobs.fast"), 3);
    assert.equal((await api(port, "GET", "/api/queues/%2F/jobs.fast")).body.policy, "low");

    await api(port, "PUT", "/api/policies/%2F/low", { body: low });
    assert.equal((await api(port, "DELETE", "/api/policies/%2F/high")).status, 204);
    await c.publish("jobs.fast", numbered(11, 15));
    assert.deepEqual(await c.drain("jobs.fast"), ["m13", "m14", "m15"]);
  },
);

withNode(
  "an alternate-exchange policy applies to matching exchanges only and shows in the exchange JSON",
  async (node, c) => {
    const port = node.managementPort;
    await c.ch.assertExchange("ae.orders", "direct", { durable: false });
    await c.ch.assertExchange("ae.unrouted", "fanout", { durable: false });
    await c.ch.assertQueue("ae.caught", { durable: false });
    await c.ch.bindQueue("ae.caught", "ae.unrouted", "");
    const put = await api(port, "PUT", "/api/policies/%2F/ae", {
      body: {
        pattern: "^ae\\.",
        definition: { "alternate-exchange": "ae.unrouted" },
        "apply-to": "exchanges",
      },
    });
    assert.equal(put.status, 201, JSON.stringify(put.body));
    c.ch.publish("ae.orders", "nobody-bound", Buffer.from("lost?"));
    await c.ch.waitForConfirms();
    assert.deepEqual(await c.drain("ae.caught"), ["lost?"]);
    assert.equal((await api(port, "GET", "/api/exchanges/%2F/ae.orders")).body.policy, "ae");
    const plain = (await api(port, "GET", "/api/exchanges/%2F/amq.direct")).body;
    assert.ok(!("policy" in plain), "as in RabbitMQ, an exchange without a policy has no policy field");
    const queue = (await api(port, "GET", "/api/queues/%2F/ae.caught")).body;
    assert.equal(queue.policy, null, "apply-to exchanges leaves queues of a matching name alone");
  },
);

// ---- the API itself ----------------------------------------------------------------------

withNode("policies API: RabbitMQ's JSON shapes, list order and per-vhost listing", async (node) => {
  const port = node.managementPort;
  await api(port, "PUT", "/api/vhosts/staging");
  await api(port, "PUT", "/api/policies/%2F/b-high", {
    body: { pattern: ".*", definition: { expires: 60000 }, priority: 7, "apply-to": "queues" },
  });
  await api(port, "PUT", "/api/policies/%2F/a-low", {
    body: { pattern: "^x", definition: { "max-length": 9 } },
  });
  await api(port, "PUT", "/api/policies/staging/s", {
    body: { pattern: "^s", definition: { "dead-letter-exchange": "dlx" }, priority: 3 },
  });
  const one = await api(port, "GET", "/api/policies/%2F/a-low");
  assert.deepEqual(one.body, {
    vhost: "/",
    name: "a-low",
    pattern: "^x",
    "apply-to": "all",
    definition: { "max-length": 9 },
    priority: 0,
  });
  const all = (await api(port, "GET", "/api/policies")).body;
  assert.deepEqual(
    all.map((p: { name: string }) => p.name),
    ["a-low", "s", "b-high"],
    "lowest priority first",
  );
  const root = (await api(port, "GET", "/api/policies/%2F")).body;
  assert.deepEqual(root.map((p: { name: string }) => p.name), ["a-low", "b-high"]);
  assert.equal((await api(port, "GET", "/api/policies/staging/s")).body.priority, 3);
  assert.equal((await api(port, "GET", "/api/policies/nowhere")).status, 404);
  assert.equal((await api(port, "GET", "/api/policies/%2F/missing")).status, 404);
});

withNode(
  "policies API: invalid policies are refused with 400 and RabbitMQ's reason, and change nothing",
  async (node) => {
    const port = node.managementPort;
    const put = (body: unknown) => api(port, "PUT", "/api/policies/%2F/bad", { body });
    const cases: [unknown, RegExp][] = [
      [{ definition: { "max-length": 1 } }, /key_missing,pattern/],
      [{ pattern: ".*" }, /key_missing,definition/],
      [{ pattern: ".*", definition: {} }, /Validation failed\n\nno policy provided/],
      [{ pattern: ".*", definition: { "max-lenght": 1 } }, /Validation failed[\s\S]*max-lenght/],
      [
        { pattern: ".*", definition: { "max-length": "two" } },
        /Validation failed[\s\S]*<<"two">> is not a valid maximum length/,
      ],
      [
        { pattern: "(", definition: { "max-length": 1 } },
        /Validation failed[\s\S]*pattern should be regular expression but is invalid/,
      ],
      [{ pattern: ".*", definition: { "max-length": 1 }, "apply-to": "widgets" }, /apply-to/],
      [
        { pattern: ".*", definition: { "max-length": 1 }, priority: "5" },
        /priority should be a number, actually was <<"5">>/,
      ],
      [{ pattern: ".*", definition: { "max-length": 1 }, priority: 1.5 }, /priority/],
      [{ pattern: ".*", definition: "max-length=1" }, /definition/],
    ];
    for (const [body, reason] of cases) {
      const r = await put(body);
      assert.equal(r.status, 400, `${JSON.stringify(body)} -> ${r.status}`);
      assert.match(r.body.reason, reason, JSON.stringify(body));
    }
    assert.deepEqual((await api(port, "GET", "/api/policies")).body, []);
    const missingVhost = await api(port, "PUT", "/api/policies/nowhere/p", {
      body: { pattern: ".*", definition: { "max-length": 1 } },
    });
    assert.deepEqual([missingVhost.status, missingVhost.body], [404, {
      error: "not_found",
      reason: "vhost_not_found",
    }]);
  },
);

withNode("policies API: administrators and policymakers with access to the vhost only", async (node) => {
  const port = node.managementPort;
  const body = { pattern: ".*", definition: { "max-length": 5 } };
  for (const [user, tags] of [["mgmt", "management"], ["maker", "policymaker"], ["watcher", "monitoring"]]) {
    assert.equal(
      (await api(port, "PUT", `/api/users/${user}`, { body: { password: "pw", tags } })).status,
      201,
    );
  }
  assert.equal((await api(port, "PUT", "/api/policies/%2F/by-guest", { body })).status, 201);
  for (const user of ["mgmt", "watcher"]) {
    // Any management user may list policies, of the vhosts it can log into (RabbitMQ 3.10.8): none here.
    const r = await api(port, "GET", "/api/policies", { auth: [user, "pw"] });
    assert.deepEqual([r.status, r.body], [200, []], user);
    const w = await api(port, "PUT", "/api/policies/%2F/x", { body, auth: [user, "pw"] });
    assert.equal(w.status, 401, user);
  }
  // A policymaker sees and changes only the vhosts it can log into.
  const maker: [string, string] = ["maker", "pw"];
  assert.deepEqual((await api(port, "GET", "/api/policies", { auth: maker })).body, []);
  assert.equal((await api(port, "PUT", "/api/policies/%2F/x", { body, auth: maker })).status, 401);
  await api(port, "PUT", "/api/permissions/%2F/maker", { body: { configure: "", write: "", read: "" } });
  assert.equal((await api(port, "PUT", "/api/policies/%2F/x", { body, auth: maker })).status, 201);
  const seen = (await api(port, "GET", "/api/policies", { auth: maker })).body;
  assert.deepEqual(seen.map((p: { name: string }) => p.name).sort(), ["by-guest", "x"]);
  assert.equal((await api(port, "DELETE", "/api/policies/%2F/by-guest", { auth: maker })).status, 204);
});

// ---- definitions --------------------------------------------------------------------

withNode(
  "definitions export policies in RabbitMQ's format and import them, applied to the imported queues",
  async (node) => {
    const port = node.managementPort;
    const policy = { pattern: "^q", definition: { "max-length": 1 }, priority: 2, "apply-to": "queues" };
    await api(port, "PUT", "/api/policies/%2F/exported", { body: policy });
    const all = (await api(port, "GET", "/api/definitions")).body;
    assert.deepEqual(all.policies, [{ vhost: "/", name: "exported", ...policy }]);
    const single = (await api(port, "GET", "/api/definitions/%2F")).body;
    assert.deepEqual(single.policies, [{ name: "exported", ...policy }]);

    const defs = {
      vhosts: [{ name: "imported" }],
      permissions: [{ user: "guest", vhost: "imported", configure: ".*", write: ".*", read: ".*" }],
      policies: [{
        vhost: "imported",
        name: "cap",
        pattern: "^capped$",
        "apply-to": "queues",
        definition: { "max-length": 2 },
        priority: 0,
      }],
      queues: [{ name: "capped", vhost: "imported", durable: true, auto_delete: false, arguments: {} }],
    };
    const r = await api(port, "POST", "/api/definitions", { body: defs });
    assert.equal(r.status, 204, JSON.stringify(r.body));
    assert.equal((await api(port, "GET", "/api/queues/imported/capped")).body.policy, "cap");
    const other = await client(`amqp://guest:guest@127.0.0.1:${node.port}/imported`);
    try {
      await other.publish("capped", numbered(1, 4));
      assert.equal(await other.count("capped"), 2);
    } finally {
      await other.conn.close();
    }

    // A file with a bad policy is refused whole: its vhost is not created either.
    const broken = await api(port, "POST", "/api/definitions", {
      body: {
        vhosts: [{ name: "never" }],
        policies: [{ vhost: "never", name: "p", pattern: ".*", definition: { "no-such-key": 1 } }],
      },
    });
    assert.equal(broken.status, 400);
    assert.match(broken.body.reason, /policies\[0\]: Validation failed/);
    assert.equal((await api(port, "GET", "/api/vhosts/never")).status, 404);
  },
);

// ---- durability ------------------------------------------------------------------------

Deno.test({
  name: "a policy survives a restart: listed by /api/policies and still applied to its queues",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "warren-policies-" });
    let broker = await spawnBroker({ args: ["--data-dir", dataDir] });
    let c: Awaited<ReturnType<typeof client>> | undefined;
    try {
      const put = await api(broker.managementPort, "PUT", "/api/policies/%2F/keep-two", {
        body: { pattern: "^kept\\.", definition: { "max-length": 2 }, priority: 4, "apply-to": "queues" },
      });
      assert.equal(put.status, 201, JSON.stringify(put.body));
      c = await client(broker.url);
      await c.ch.assertQueue("kept.jobs", { durable: true });
      await c.conn.close();
      c = undefined;

      broker.kill();
      await broker.exited;
      broker = await spawnBroker({ args: ["--data-dir", dataDir] });

      const listed = (await api(broker.managementPort, "GET", "/api/policies")).body;
      assert.deepEqual(listed, [{
        vhost: "/",
        name: "keep-two",
        pattern: "^kept\\.",
        "apply-to": "queues",
        definition: { "max-length": 2 },
        priority: 4,
      }]);
      c = await client(broker.url);
      await c.publish("kept.jobs", numbered(1, 5));
      assert.deepEqual(await c.drain("kept.jobs"), ["m4", "m5"]);
      assert.equal(
        (await api(broker.managementPort, "GET", "/api/queues/%2F/kept.jobs")).body.policy,
        "keep-two",
      );
    } finally {
      await c?.conn.close().catch(() => {});
      broker.kill();
      await broker.exited;
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
