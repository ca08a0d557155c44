// The management HTTP API against an in-process node: RabbitMQ's paths,
// JSON shapes, status codes and error bodies, checked with plain fetch and
// with amqplib clients moving the numbers. Each test starts its own node
// and closes everything it opened.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "../helpers/amqplib.ts";
import { startTestNode, type TestNode } from "../helpers/broker.ts";
import { ignoreWithoutSharedRabbit, sharedRabbitManagementUrl } from "../helpers/rabbitmq.ts";

const TEST_TIMEOUT_MS = 20_000;
const FIXTURE = new URL("../fixtures/rabbitmq_3.10_definitions.json", import.meta.url);

type Auth = [string, string] | { bearer: string } | null;

interface Reply {
  status: number;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  body: any;
}

async function api(
  node: TestNode,
  method: string,
  path: string,
  options: { auth?: Auth; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  const auth = options.auth === undefined ? ["guest", "guest"] as [string, string] : options.auth;
  if (Array.isArray(auth)) headers.authorization = `Basic ${btoa(`${auth[0]}:${auth[1]}`)}`;
  else if (auth !== null) headers.authorization = `Bearer ${auth.bearer}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  const res = await fetch(`${node.managementUrl}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  if (text !== "" && (res.headers.get("content-type") ?? "").includes("json")) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls probe() until check() accepts its value; fails after timeoutMs. */
async function eventually<T>(
  probe: () => Promise<T>,
  check: (v: T) => boolean,
  what: string,
  timeoutMs = 5_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const v = await probe();
    if (check(v)) return v;
    if (Date.now() > deadline) {
      assert.fail(`${what}: last value ${JSON.stringify(v)} (waited ${timeoutMs}ms)`);
    }
    await sleep(50);
  }
}

/** Runs fn with a fresh node that is always closed. */
function withNode(name: string, fn: (node: TestNode) => Promise<void>, options: { ctlSecret?: string } = {}) {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const node = await startTestNode(options);
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([
          fn(node),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`test timed out after ${TEST_TIMEOUT_MS}ms`)),
              TEST_TIMEOUT_MS,
            );
          }),
        ]);
      } finally {
        clearTimeout(timer);
        await node.close();
      }
    },
  });
}

async function connect(url: string) {
  const conn = await amqp.connect(url);
  conn.on("error", () => {});
  return conn;
}

// ---- authentication and tags ------------------------------------------------

withNode("requests without credentials get 401 with a Basic challenge; wrong passwords too", async (node) => {
  const none = await api(node, "GET", "/api/overview", { auth: null });
  assert.equal(none.status, 401);
  assert.match(none.headers.get("www-authenticate") ?? "", /^Basic realm="RabbitMQ Management"/);
  const wrong = await api(node, "GET", "/api/overview", { auth: ["guest", "nope"] });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.error, "not_authorized");
  const badBearer = await api(node, "GET", "/api/overview", { auth: { bearer: "x".repeat(43) } });
  assert.equal(badBearer.status, 401);
});

withNode("guest (administrator) is allowed; whoami reports the name and tags", async (node) => {
  const who = await api(node, "GET", "/api/whoami");
  assert.equal(who.status, 200);
  assert.deepEqual({ name: who.body.name, tags: who.body.tags }, { name: "guest", tags: ["administrator"] });
});

withNode(
  "a user without management tags is refused as RabbitMQ refuses it: 401 not_authorised 'Not management user'",
  async (node) => {
    assert.equal(
      (await api(node, "PUT", "/api/users/plain", { body: { password: "pw", tags: "" } })).status,
      201,
    );
    const r = await api(node, "GET", "/api/overview", { auth: ["plain", "pw"] });
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, { error: "not_authorised", reason: "Not management user" });
  },
);

withNode("a management user reads the overview but is refused administrator endpoints", async (node) => {
  await api(node, "PUT", "/api/users/mgmt", { body: { password: "pw", tags: ["management"] } });
  assert.equal((await api(node, "GET", "/api/overview", { auth: ["mgmt", "pw"] })).status, 200);
  for (const path of ["/api/users", "/api/permissions", "/api/definitions"]) {
    const r = await api(node, "GET", path, { auth: ["mgmt", "pw"] });
    assert.equal(r.status, 401, path);
    assert.deepEqual(r.body, { error: "not_authorised", reason: "Not administrator user" });
  }
  const put = await api(node, "PUT", "/api/vhosts/x", { auth: ["mgmt", "pw"] });
  assert.equal(put.status, 401);
  // Without permissions on "/", the vhost's queues are not visible to it.
  const q = await api(node, "GET", "/api/queues/%2F", { auth: ["mgmt", "pw"] });
  assert.equal(q.status, 401);
  assert.equal(q.body.reason, "User not authorised to access virtual host");
  assert.deepEqual((await api(node, "GET", "/api/vhosts", { auth: ["mgmt", "pw"] })).body, []);
});

withNode("the ctl secret is accepted as a bearer token from loopback", async (node) => {
  const r = await api(node, "GET", "/api/whoami", { auth: { bearer: "s".repeat(43) } });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.tags, ["administrator"]);
}, { ctlSecret: "s".repeat(43) });

// ---- overview and node -------------------------------------------------------

withNode(
  "overview has RabbitMQ's sections: object_totals, queue_totals, message_stats, listeners",
  async (node) => {
    const o = (await api(node, "GET", "/api/overview")).body;
    for (const key of ["management_version", "rabbitmq_version", "cluster_name", "node", "exchange_types"]) {
      assert.ok(key in o, key);
    }
    assert.equal(o.object_totals.queues, 0);
    assert.equal(o.object_totals.exchanges, 6); // "" and amq.direct/fanout/topic/headers/match in "/"
    assert.equal(o.queue_totals.messages, 0);
    assert.equal(typeof o.message_stats.publish_details.rate, "number");
    const ports = o.listeners.map((l: { port: number }) => l.port);
    assert.ok(ports.includes(node.port) && ports.includes(node.managementPort));
  },
);

withNode("health checks: alarms ok, port-listener ok or 503, aliveness-test per vhost", async (node) => {
  assert.deepEqual((await api(node, "GET", "/api/health/checks/alarms")).body, { status: "ok" });
  assert.deepEqual((await api(node, "GET", `/api/health/checks/port-listener/${node.port}`)).body, {
    status: "ok",
    port: node.port,
  });
  const missing = await api(node, "GET", "/api/health/checks/port-listener/1");
  assert.equal(missing.status, 503);
  assert.equal(missing.body.status, "failed");
  assert.equal(missing.body.missing, 1);
  assert.equal((await api(node, "GET", "/api/health/checks/port-listener/abc")).status, 400);
  assert.deepEqual((await api(node, "GET", "/api/aliveness-test/%2F")).body, { status: "ok" });
  assert.equal((await api(node, "GET", "/api/aliveness-test/nope")).status, 404);
});

// ---- vhosts, users, permissions ------------------------------------------------

withNode(
  "vhosts: PUT creates (201) then is idempotent (204); the creator gets full permissions",
  async (node) => {
    assert.equal((await api(node, "PUT", "/api/vhosts/test")).status, 201);
    assert.equal((await api(node, "PUT", "/api/vhosts/test", { body: { description: "x" } })).status, 204);
    const v = await api(node, "GET", "/api/vhosts/test");
    assert.equal(v.status, 200);
    assert.equal(v.body.name, "test");
    assert.equal(v.body.messages, 0);
    const names = (await api(node, "GET", "/api/vhosts")).body.map((x: { name: string }) => x.name).sort();
    assert.deepEqual(names, ["/", "test"]);
    const perm = await api(node, "GET", "/api/permissions/test/guest");
    assert.deepEqual(perm.body, { user: "guest", vhost: "test", configure: ".*", write: ".*", read: ".*" });
    const missing = await api(node, "GET", "/api/vhosts/nope");
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { error: "Object Not Found", reason: "Not Found" });
  },
);

withNode(
  "deleting a vhost removes its queues and permissions and closes its connections with 320",
  async (node) => {
    await api(node, "PUT", "/api/vhosts/doomed");
    await api(node, "PUT", "/api/queues/doomed/q1", { body: { durable: true } });
    const conn = await connect(`amqp://guest:guest@127.0.0.1:${node.port}/doomed`);
    const closed = new Promise<Error>((resolve) => conn.on("close", (e: Error) => resolve(e)));
    assert.equal((await api(node, "DELETE", "/api/vhosts/doomed")).status, 204);
    const err = await closed;
    assert.match(String(err?.message), /320/);
    assert.equal((await api(node, "GET", "/api/vhosts/doomed")).status, 404);
    assert.equal((await api(node, "GET", "/api/queues/doomed/q1")).status, 404);
    assert.equal((await api(node, "GET", "/api/permissions/doomed/guest")).status, 404);
    assert.equal((await api(node, "DELETE", "/api/vhosts/doomed")).status, 404);
  },
);

withNode(
  "users: PUT with password or password_hash, GET shows RabbitMQ's hash format, DELETE",
  async (node) => {
    assert.equal(
      (await api(node, "PUT", "/api/users/alice", {
        body: { password: "s3cret", tags: "administrator,management" },
      }))
        .status,
      201,
    );
    const alice = (await api(node, "GET", "/api/users/alice")).body;
    assert.equal(alice.hashing_algorithm, "rabbit_password_hashing_sha256");
    assert.deepEqual(alice.tags, ["administrator", "management"]);
    assert.equal(atob(alice.password_hash).length, 36);
    assert.equal((await api(node, "GET", "/api/whoami", { auth: ["alice", "s3cret"] })).status, 200);
    // The same hash moves to another user: the password works there too.
    assert.equal(
      (await api(node, "PUT", "/api/users/bob", {
        body: { password_hash: alice.password_hash, tags: ["monitoring"] },
      }))
        .status,
      201,
    );
    assert.equal((await api(node, "GET", "/api/whoami", { auth: ["bob", "s3cret"] })).status, 200);
    assert.equal(
      (await api(node, "PUT", "/api/users/bob", { body: { password: "new", tags: [] } })).status,
      204,
    );
    const listed = (await api(node, "GET", "/api/users")).body.map((u: { name: string }) => u.name);
    assert.deepEqual(listed, ["alice", "bob", "guest"]);
    assert.equal((await api(node, "DELETE", "/api/users/bob")).status, 204);
    assert.equal((await api(node, "GET", "/api/users/bob")).status, 404);
    assert.equal((await api(node, "DELETE", "/api/users/bob")).status, 404);
  },
);

withNode("users: bad bodies are 400 with a reason", async (node) => {
  const both = await api(node, "PUT", "/api/users/x", {
    body: { password: "a", password_hash: "kI3GCrswBLNZQzHJJ95QLoyfAVooYhnvf7jbqiW9BjOYUloe", tags: "" },
  });
  assert.equal(both.status, 400);
  assert.deepEqual(both.body, {
    error: "bad_request",
    reason: "both_password_and_password_hash_are_provided",
  });
  const noTags = await api(node, "PUT", "/api/users/x", { body: { password: "a" } });
  assert.deepEqual([noTags.status, noTags.body.reason], [400, "tags_not_present"]);
  const badJson = await api(node, "PUT", "/api/users/x", {
    rawBody: "{not json",
    headers: { "content-type": "application/json" },
  });
  assert.equal(badJson.status, 400);
  assert.equal(badJson.body.error, "bad_request");
  const badHash = await api(node, "PUT", "/api/users/x", { body: { password_hash: "abc", tags: "" } });
  assert.equal(badHash.status, 400);
});

// Checked against RabbitMQ 3.10.8: unknown fields are ignored (201), a
// boolean that is not one is 400 ["not_boolean", value] (vhost tracing too),
// a count that is not an integer ["not_integer", value], an unknown payload
// encoding ["unsupported_encoding", value], a missing required field
// [{key_missing,read}].
withNode(
  "unknown fields are ignored as RabbitMQ ignores them; wrong types and missing fields are 400",
  async (node) => {
    const user = await api(node, "PUT", "/api/users/x", {
      body: { password: "a", tags: "management", vhost: "/", colour: "red" },
    });
    assert.equal(user.status, 201);
    const vhost = await api(node, "PUT", "/api/vhosts/v-extra", { body: { name: "v-extra", colour: "red" } });
    assert.equal(vhost.status, 201);
    const queue = await api(node, "PUT", "/api/queues/%2F/q-extra", {
      body: { durable: true, colour: "red" },
    });
    assert.equal(queue.status, 201);
    const notBool = await api(node, "PUT", "/api/queues/%2F/q-bad", { body: { durable: "x" } });
    assert.deepEqual([notBool.status, notBool.body], [400, {
      error: "bad_request",
      reason: ["not_boolean", "x"],
    }]);
    const noRead = await api(node, "PUT", "/api/permissions/%2F/x", {
      body: { configure: ".*", write: ".*" },
    });
    assert.deepEqual([noRead.status, noRead.body.reason], [400, "[{key_missing,read}]"]);
    const noProps = await api(node, "POST", "/api/exchanges/%2F/amq.default/publish", {
      body: { routing_key: "q-extra", payload: "p", payload_encoding: "string", colour: "red" },
    });
    assert.deepEqual([noProps.status, noProps.body.reason], [400, "[{key_missing,properties}]"]);
    const badEncoding = await api(node, "POST", "/api/exchanges/%2F/amq.default/publish", {
      body: { routing_key: "q-extra", properties: {}, payload: "p", payload_encoding: "nope" },
    });
    assert.deepEqual(badEncoding.body, { error: "bad_request", reason: ["unsupported_encoding", "nope"] });
    const badCount = await api(node, "POST", "/api/queues/%2F/q-extra/get", {
      body: { count: "x", ackmode: "ack_requeue_true", encoding: "auto" },
    });
    assert.deepEqual(badCount.body, { error: "bad_request", reason: ["not_integer", "x"] });
    const badTracing = await api(node, "PUT", "/api/vhosts/v-trace", { body: { tracing: "maybe" } });
    assert.deepEqual(badTracing.body, { error: "bad_request", reason: ["not_boolean", "maybe"] });
  },
);

withNode("permissions: PUT/GET/DELETE and the listings by vhost and by user", async (node) => {
  await api(node, "PUT", "/api/users/carol", { body: { password: "pw", tags: "" } });
  await api(node, "PUT", "/api/vhosts/v1");
  const put = await api(node, "PUT", "/api/permissions/v1/carol", {
    body: { configure: "^c", write: "^w", read: "^r" },
  });
  assert.equal(put.status, 201);
  assert.equal(
    (await api(node, "PUT", "/api/permissions/v1/carol", { body: { configure: "", write: "", read: ".*" } }))
      .status,
    204,
  );
  assert.deepEqual((await api(node, "GET", "/api/permissions/v1/carol")).body, {
    user: "carol",
    vhost: "v1",
    configure: "",
    write: "",
    read: ".*",
  });
  const byUser = (await api(node, "GET", "/api/users/carol/permissions")).body;
  assert.deepEqual(byUser.map((p: { vhost: string }) => p.vhost), ["v1"]);
  const byVhost = (await api(node, "GET", "/api/vhosts/v1/permissions")).body;
  assert.deepEqual(byVhost.map((p: { user: string }) => p.user).sort(), ["carol", "guest"]);
  const all = (await api(node, "GET", "/api/permissions")).body;
  assert.ok(all.some((p: { user: string; vhost: string }) => p.user === "carol" && p.vhost === "v1"));
  const noVhost = await api(node, "PUT", "/api/permissions/nope/carol", {
    body: { configure: "", write: "", read: "" },
  });
  assert.deepEqual([noVhost.status, noVhost.body.reason], [400, "vhost_or_user_not_found"]);
  const missingField = await api(node, "PUT", "/api/permissions/v1/carol", { body: { configure: "" } });
  assert.deepEqual([missingField.status, missingField.body.reason], [
    400,
    "[{key_missing,write},{key_missing,read}]",
  ]);
  const badRegex = await api(node, "PUT", "/api/permissions/v1/carol", {
    body: { configure: "(", write: "", read: "" },
  });
  assert.equal(badRegex.status, 400);
  assert.equal((await api(node, "DELETE", "/api/permissions/v1/carol")).status, 204);
  assert.equal((await api(node, "GET", "/api/permissions/v1/carol")).status, 404);
});

// ---- queues, exchanges, bindings -----------------------------------------------

withNode(
  "queues: PUT declares, GET shows live ready/unacked counts and consumers as clients move them",
  async (node) => {
    assert.equal(
      (await api(node, "PUT", "/api/queues/%2F/work", {
        body: { durable: true, auto_delete: false, arguments: { "x-max-length": 100 } },
      })).status,
      201,
    );
    assert.equal(
      (await api(node, "PUT", "/api/queues/%2F/work", {
        body: { durable: true, arguments: { "x-max-length": 100 } },
      })).status,
      204,
    );
    const conn = await connect(node.url);
    try {
      const ch = await conn.createChannel();
      for (let i = 0; i < 3; i++) ch.sendToQueue("work", Buffer.from(`m${i}`));
      const q = await eventually(
        () => api(node, "GET", "/api/queues/%2F/work"),
        (r) => r.body.messages_ready === 3,
        "3 ready",
      );
      const b = q.body;
      assert.equal(b.name, "work");
      assert.equal(b.vhost, "/");
      assert.equal(b.durable, true);
      assert.equal(b.exclusive, false);
      assert.equal(b.auto_delete, false);
      assert.deepEqual(b.arguments, { "x-max-length": 100 });
      assert.equal(b.state, "running");
      assert.equal(b.messages, 3);
      assert.equal(b.messages_unacknowledged, 0);
      assert.equal(b.consumers, 0);
      assert.equal(b.message_stats.publish, 3);
      assert.equal(typeof b.message_stats.publish_details.rate, "number");

      await ch.prefetch(2);
      await ch.consume("work", () => {}, { noAck: false });
      const after = await eventually(
        () => api(node, "GET", "/api/queues/%2F/work"),
        (r) => r.body.messages_unacknowledged === 2,
        "2 unacked",
      );
      assert.equal(after.body.messages_ready, 1);
      assert.equal(after.body.messages, 3);
      assert.equal(after.body.consumers, 1);
      assert.equal(after.body.consumer_details.length, 1);
      assert.equal(after.body.consumer_details[0].ack_required, true);
      assert.equal(after.body.consumer_details[0].prefetch_count, 2);

      const list = (await api(node, "GET", "/api/queues")).body;
      assert.deepEqual(list.map((x: { name: string }) => x.name), ["work"]);
      const paged =
        (await api(node, "GET", "/api/queues/%2F?page=1&page_size=10&columns=name,messages")).body;
      assert.deepEqual(paged.items, [{ name: "work", messages: 3 }]);
      assert.equal(paged.total_count, 1);
    } finally {
      await conn.close();
    }
  },
);

withNode("queues: publish and deliver rates show up within a few seconds of the traffic", async (node) => {
  await api(node, "PUT", "/api/queues/%2F/rated", { body: { durable: false } });
  const conn = await connect(node.url);
  try {
    const ch = await conn.createChannel();
    const stop = Date.now() + 2_500;
    const pump = (async () => {
      while (Date.now() < stop) {
        for (let i = 0; i < 20; i++) ch.sendToQueue("rated", Buffer.from("x"));
        await sleep(50);
      }
    })();
    await eventually(
      () => api(node, "GET", "/api/queues/%2F/rated"),
      (r) => r.body.message_stats.publish_details.rate > 0 && r.body.messages_details.rate > 0,
      "publish rate > 0",
    );
    const o = await api(node, "GET", "/api/overview");
    assert.ok(o.body.message_stats.publish > 0);
    await pump;
  } finally {
    await conn.close();
  }
});

withNode(
  "queues: missing objects are 404 Object Not Found; bad bodies 400; inequivalent redeclare 400",
  async (node) => {
    const missing = await api(node, "GET", "/api/queues/%2F/nope");
    assert.deepEqual([missing.status, missing.body], [404, {
      error: "Object Not Found",
      reason: "Not Found",
    }]);
    assert.equal((await api(node, "GET", "/api/queues/novhost")).status, 404);
    assert.equal((await api(node, "DELETE", "/api/queues/%2F/nope")).status, 404);
    assert.equal((await api(node, "PUT", "/api/queues/novhost/q", { body: {} })).status, 404);
    const notBool = await api(node, "PUT", "/api/queues/%2F/q", { body: { durable: 1 } });
    assert.equal(notBool.status, 400);
    const notObject = await api(node, "PUT", "/api/queues/%2F/q", { body: [1, 2] });
    assert.equal(notObject.status, 400);
    await api(node, "PUT", "/api/queues/%2F/q", { body: { durable: true } });
    const inequivalent = await api(node, "PUT", "/api/queues/%2F/q", { body: { durable: false } });
    assert.equal(inequivalent.status, 400);
    assert.match(inequivalent.body.reason, /inequivalent arg 'durable'/);
    const reserved = await api(node, "PUT", "/api/queues/%2F/amq.q", { body: {} });
    assert.equal(reserved.status, 401);
  },
);

withNode(
  "POST /get returns messages with RabbitMQ's fields; requeue modes keep them, ack removes them",
  async (node) => {
    await api(node, "PUT", "/api/queues/%2F/g", { body: { durable: false } });
    const conn = await connect(node.url);
    try {
      const ch = await conn.createConfirmChannel();
      ch.sendToQueue("g", Buffer.from("hello world"), { contentType: "text/plain", headers: { k: "v" } });
      await ch.waitForConfirms();
    } finally {
      await conn.close();
    }
    // A message without any properties (amqplib always sends headers, so this one goes over HTTP).
    await api(node, "POST", "/api/exchanges/%2F/amq.default/publish", {
      body: { properties: {}, routing_key: "g", payload: "//7+", payload_encoding: "base64" },
    });
    const peek = await api(node, "POST", "/api/queues/%2F/g/get", {
      body: { count: 5, ackmode: "ack_requeue_true", encoding: "auto", truncate: 5 },
    });
    assert.equal(peek.status, 200);
    assert.equal(peek.body.length, 2);
    const [first, second] = peek.body;
    assert.equal(first.payload, "hello");
    assert.equal(first.payload_encoding, "string");
    assert.equal(first.payload_bytes, 11);
    assert.equal(first.redelivered, false);
    assert.equal(first.exchange, "");
    assert.equal(first.routing_key, "g");
    assert.equal(first.message_count, 1);
    assert.deepEqual(first.properties, { content_type: "text/plain", headers: { k: "v" } });
    assert.equal(second.payload_encoding, "base64");
    assert.equal(second.payload, "//7+");
    assert.deepEqual(second.properties, []);
    // Requeued: still there, now redelivered.
    const again = await api(node, "POST", "/api/queues/%2F/g/get", {
      body: { count: 1, ackmode: "ack_requeue_false", encoding: "base64" },
    });
    assert.equal(again.body[0].redelivered, true);
    assert.equal(again.body[0].payload, btoa("hello world"));
    const q = (await api(node, "GET", "/api/queues/%2F/g")).body;
    assert.equal(q.messages, 1);
    const bad = await api(node, "POST", "/api/queues/%2F/g/get", {
      body: { count: 1, ackmode: "sometimes", encoding: "auto" },
    });
    assert.equal(bad.status, 400);
    const missing = await api(node, "POST", "/api/queues/%2F/g/get", { body: { count: 1 } });
    assert.deepEqual([missing.status, missing.body.reason], [
      400,
      "[{key_missing,ackmode},{key_missing,encoding}]",
    ]);
    assert.equal((await api(node, "DELETE", "/api/queues/%2F/g/contents")).status, 204);
    assert.equal((await api(node, "GET", "/api/queues/%2F/g")).body.messages, 0);
    assert.equal((await api(node, "DELETE", "/api/queues/%2F/g")).status, 204);
    assert.equal((await api(node, "GET", "/api/queues/%2F/g")).status, 404);
  },
);

// RabbitMQ 3.10.8 answered both for a queue another connection declared exclusive: get (done over a channel)
// keeps the reply code and name, purge (a direct call) has the bare text.
withNode("get and purge of another connection's exclusive queue: 400 in RabbitMQ's words", async (node) => {
  const conn = await amqp.connect(node.url);
  try {
    const ch = await conn.createChannel();
    await ch.assertQueue("mine", { exclusive: true });
    const locked =
      "cannot obtain exclusive access to locked queue 'mine' in vhost '/'. It could be originally " +
      "declared on another connection or the exclusive property value does not match that of the original " +
      "declaration.";
    const got = await api(node, "POST", "/api/queues/%2F/mine/get", {
      body: { count: 1, ackmode: "ack_requeue_true", encoding: "auto" },
    });
    assert.deepEqual([got.status, got.body], [400, {
      error: "bad_request",
      reason: `405 RESOURCE_LOCKED - ${locked}`,
    }]);
    const purged = await api(node, "DELETE", "/api/queues/%2F/mine/contents");
    assert.deepEqual([purged.status, purged.body], [400, { error: "bad_request", reason: locked }]);
  } finally {
    await conn.close();
  }
});

withNode(
  "exchanges: list includes the default and amq.* ones; PUT, publish (routed true/false), DELETE",
  async (node) => {
    const names = (await api(node, "GET", "/api/exchanges/%2F")).body.map((x: { name: string }) => x.name);
    for (const n of ["", "amq.direct", "amq.fanout", "amq.topic", "amq.headers", "amq.match"]) {
      assert.ok(
        names.includes(n),
        n,
      );
    }
    const dflt = (await api(node, "GET", "/api/exchanges/%2F/amq.default")).body;
    assert.deepEqual([dflt.name, dflt.type, dflt.durable], ["", "direct", true]);
    assert.equal(
      (await api(node, "PUT", "/api/exchanges/%2F/logs", { body: { type: "fanout", durable: true } })).status,
      201,
    );
    const x = (await api(node, "GET", "/api/exchanges/%2F/logs")).body;
    assert.deepEqual([x.type, x.durable, x.auto_delete, x.internal, x.vhost], [
      "fanout",
      true,
      false,
      false,
      "/",
    ]);
    const unroutable = await api(node, "POST", "/api/exchanges/%2F/logs/publish", {
      body: { properties: {}, routing_key: "", payload: "lost", payload_encoding: "string" },
    });
    assert.deepEqual(unroutable.body, { routed: false });
    await api(node, "PUT", "/api/queues/%2F/inbox", { body: {} });
    const routed = await api(node, "POST", "/api/exchanges/%2F/amq.default/publish", {
      body: {
        properties: { delivery_mode: 2, headers: { a: 1 } },
        routing_key: "inbox",
        payload: "aGk=",
        payload_encoding: "base64",
      },
    });
    assert.deepEqual([routed.status, routed.body], [200, { routed: true }]);
    const got = (await api(node, "POST", "/api/queues/%2F/inbox/get", {
      body: { count: 1, ackmode: "ack_requeue_false", encoding: "auto" },
    }))
      .body;
    assert.equal(got[0].payload, "hi");
    assert.deepEqual(got[0].properties, { delivery_mode: 2, headers: { a: 1 } });
    const missingField = await api(node, "POST", "/api/exchanges/%2F/logs/publish", {
      body: { routing_key: "" },
    });
    assert.equal(missingField.status, 400);
    assert.equal(
      (await api(node, "POST", "/api/exchanges/%2F/nope/publish", {
        body: { properties: {}, routing_key: "", payload: "", payload_encoding: "string" },
      })).status,
      404,
    );
    assert.equal(
      (await api(node, "PUT", "/api/exchanges/%2F/bad", { body: { type: "nosuch" } })).status,
      400,
    );
    assert.equal((await api(node, "DELETE", "/api/exchanges/%2F/logs")).status, 204);
    assert.equal((await api(node, "GET", "/api/exchanges/%2F/logs")).status, 404);
  },
);

withNode(
  "bindings: POST creates with a Location, listings show it, DELETE by properties_key removes it",
  async (node) => {
    await api(node, "PUT", "/api/exchanges/%2F/ex", { body: { type: "direct" } });
    await api(node, "PUT", "/api/queues/%2F/bq", { body: {} });
    const post = await api(node, "POST", "/api/bindings/%2F/e/ex/q/bq", {
      body: { routing_key: "k 1", arguments: {} },
    });
    assert.equal(post.status, 201);
    assert.equal(post.headers.get("location"), "/api/bindings/%2F/e/ex/q/bq/k%2B1");
    const between = (await api(node, "GET", "/api/bindings/%2F/e/ex/q/bq")).body;
    assert.deepEqual(between, [{
      source: "ex",
      vhost: "/",
      destination: "bq",
      destination_type: "queue",
      routing_key: "k 1",
      arguments: {},
      properties_key: "k+1",
    }]);
    const all = (await api(node, "GET", "/api/bindings/%2F")).body;
    assert.ok(
      all.some((b: { source: string; destination: string }) => b.source === "" && b.destination === "bq"),
    );
    assert.ok(all.some((b: { source: string }) => b.source === "ex"));
    const byQueue = (await api(node, "GET", "/api/queues/%2F/bq/bindings")).body;
    assert.equal(byQueue.length, 2);
    const routed = await api(node, "POST", "/api/exchanges/%2F/ex/publish", {
      body: { properties: {}, routing_key: "k 1", payload: "x", payload_encoding: "string" },
    });
    assert.deepEqual(routed.body, { routed: true });
    assert.equal(
      (await api(node, "DELETE", `/api/bindings/%2F/e/ex/q/bq/${encodeURIComponent("k+1")}`)).status,
      204,
    );
    assert.deepEqual((await api(node, "GET", "/api/bindings/%2F/e/ex/q/bq")).body, []);
    assert.equal((await api(node, "POST", "/api/bindings/%2F/e/ex/q/nope", { body: {} })).status, 404);
    // exchange-to-exchange
    await api(node, "PUT", "/api/exchanges/%2F/ex2", { body: { type: "fanout" } });
    assert.equal(
      (await api(node, "POST", "/api/bindings/%2F/e/ex/e/ex2", { body: { routing_key: "" } })).status,
      201,
    );
    const dest = (await api(node, "GET", "/api/exchanges/%2F/ex2/bindings/destination")).body;
    assert.deepEqual(dest.map((b: { properties_key: string }) => b.properties_key), ["~"]);
  },
);

// ---- connections, channels, consumers --------------------------------------------

withNode(
  "connections, channels and consumers are listed; DELETE on a connection closes it with 320",
  async (node) => {
    const conn = await connect(node.url);
    const closed = new Promise<Error>((resolve) => conn.on("close", (e: Error) => resolve(e)));
    const ch = await conn.createChannel();
    await ch.assertQueue("c1", { durable: false });
    await ch.prefetch(7);
    await ch.consume("c1", () => {}, { consumerTag: "ctag-1" });
    const conns = await eventually(
      () => api(node, "GET", "/api/connections"),
      (r) => r.body.length === 1,
      "1 connection",
    );
    const c = conns.body[0];
    assert.equal(c.user, "guest");
    assert.equal(c.vhost, "/");
    assert.equal(c.state, "running");
    assert.equal(c.protocol, "AMQP 0-9-1");
    assert.equal(c.peer_host, "127.0.0.1");
    assert.equal(c.port, node.port);
    assert.equal(c.channels, 1);
    assert.equal(c.name, `127.0.0.1:${c.peer_port} -> 127.0.0.1:${node.port}`);
    assert.equal(c.client_properties.product, "amqplib");
    const chans = (await api(node, "GET", "/api/channels")).body;
    assert.equal(chans.length, 1);
    assert.equal(chans[0].name, `${c.name} (1)`);
    assert.equal(chans[0].prefetch_count, 7);
    assert.equal(chans[0].consumer_count, 1);
    assert.equal(chans[0].connection_details.name, c.name);
    const cons = (await api(node, "GET", "/api/consumers/%2F")).body;
    assert.equal(cons.length, 1);
    assert.equal(cons[0].consumer_tag, "ctag-1");
    assert.deepEqual(cons[0].queue, { name: "c1", vhost: "/" });
    assert.equal(cons[0].channel_details.name, chans[0].name);
    const one = await api(node, "GET", `/api/connections/${encodeURIComponent(c.name)}`);
    assert.equal(one.body.name, c.name);
    const del = await api(node, "DELETE", `/api/connections/${encodeURIComponent(c.name)}`, {
      headers: { "x-reason": "maintenance" },
    });
    assert.equal(del.status, 204);
    const err = await closed;
    assert.match(String(err?.message), /320.*maintenance/);
    await eventually(
      () => api(node, "GET", `/api/connections/${encodeURIComponent(c.name)}`),
      (r) => r.status === 404,
      "the closed connection is gone",
    );
  },
);

// ---- definitions -------------------------------------------------------------------

function normalise(defs: Record<string, unknown[]>) {
  const sort = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort();
  return {
    users: sort(defs.users),
    vhosts: sort(defs.vhosts),
    permissions: sort(defs.permissions),
    queues: sort(defs.queues),
    exchanges: sort(defs.exchanges),
    bindings: sort(defs.bindings),
  };
}

Deno.test({
  name: "definitions exported from one node import into a fresh node with the same result",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const a = await startTestNode();
    const b = await startTestNode();
    try {
      await api(a, "PUT", "/api/vhosts/shop");
      await api(a, "PUT", "/api/users/app", { body: { password: "app-pw", tags: ["management"] } });
      await api(a, "PUT", "/api/permissions/shop/app", {
        body: { configure: "^app", write: ".*", read: ".*" },
      });
      await api(a, "PUT", "/api/exchanges/shop/events", { body: { type: "topic", durable: true } });
      await api(a, "PUT", "/api/queues/shop/orders", {
        body: { durable: true, arguments: { "x-message-ttl": 60000 } },
      });
      await api(a, "PUT", "/api/queues/shop/scratch", { body: { durable: false, auto_delete: true } });
      await api(a, "POST", "/api/bindings/shop/e/events/q/orders", { body: { routing_key: "order.*" } });
      const exported = await api(a, "GET", "/api/definitions");
      assert.equal(exported.status, 200);
      for (
        const key of ["rabbit_version", "users", "vhosts", "permissions", "queues", "exchanges", "bindings"]
      ) {
        assert.ok(key in exported.body, key);
      }
      assert.ok(
        exported.body.users.every((u: { hashing_algorithm: string }) =>
          u.hashing_algorithm === "rabbit_password_hashing_sha256"
        ),
      );
      // no amq.* or default exchange, no implicit default bindings
      assert.ok(
        !exported.body.exchanges.some((x: { name: string }) => x.name === "" || x.name.startsWith("amq.")),
      );
      assert.ok(!exported.body.bindings.some((x: { source: string }) => x.source === ""));

      const imported = await api(b, "POST", "/api/definitions", { body: exported.body });
      assert.equal(imported.status, 204);
      const again = await api(b, "GET", "/api/definitions");
      assert.deepEqual(normalise(again.body), normalise(exported.body));
      // The hash came along: the password works on the new node.
      assert.equal((await api(b, "GET", "/api/whoami", { auth: ["app", "app-pw"] })).status, 200);
    } finally {
      await a.close();
      await b.close();
    }
  },
});

withNode(
  "a RabbitMQ 3.10 definitions file imports cleanly: users log in, routing works, policies apply",
  async (node) => {
    const fixture = JSON.parse(await Deno.readTextFile(FIXTURE));
    const r = await api(node, "POST", "/api/definitions", { body: fixture });
    assert.equal(r.status, 204, JSON.stringify(r.body));
    const users = (await api(node, "GET", "/api/users")).body.map((u: { name: string }) => u.name);
    assert.deepEqual(users, ["guest", "orders-app", "watcher"]);
    assert.equal(
      (await api(node, "GET", "/api/whoami", { auth: ["watcher", "watcher-secret"] })).status,
      200,
    );
    const q = (await api(node, "GET", "/api/queues/orders/orders.created")).body;
    assert.deepEqual([q.durable, q.arguments["x-max-length"]], [true, 10000]);
    assert.deepEqual([q.policy, q.effective_policy_definition], ["orders-ttl", { "message-ttl": 86400000 }]);
    // orders-app logs in over AMQP with its RabbitMQ hash and publishes through the topic -> fanout chain.
    const conn = await connect(`amqp://orders-app:orders-secret@127.0.0.1:${node.port}/orders`);
    try {
      const ch = await conn.createConfirmChannel();
      ch.publish("orders", "order.created.eu", Buffer.from("o1"));
      await ch.waitForConfirms();
    } finally {
      await conn.close();
    }
    await eventually(
      () => api(node, "GET", "/api/queues/orders"),
      (r) => r.body.every((x: { messages: number }) => x.messages === 1),
      "one message in each orders queue",
    );
    // Deliberately unlike RabbitMQ 3.10, which takes the file as multipart/form-data too: any site's
    // form can send that with the browser's cached credentials, so Warren takes JSON only.
    const multipart = new FormData();
    multipart.set("file", new Blob([JSON.stringify(fixture)], { type: "application/json" }), "defs.json");
    const res = await fetch(`${node.managementUrl}/api/definitions`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa("guest:guest")}` },
      body: multipart,
    });
    await res.body?.cancel();
    assert.equal(res.status, 415);
  },
);

withNode(
  "definitions with unknown keys or broken entries are refused with 400 and change nothing",
  async (node) => {
    const unknown = await api(node, "POST", "/api/definitions", { body: { queues: [], gadgets: [] } });
    assert.equal(unknown.status, 400);
    const broken = await api(node, "POST", "/api/definitions", {
      body: { vhosts: [{ name: "late" }], queues: [{ name: "q", vhost: "missing-vhost" }] },
    });
    assert.equal(broken.status, 400);
    assert.equal((await api(node, "GET", "/api/vhosts/late")).status, 404);
  },
);

// ---- metrics and UI -----------------------------------------------------------------

/**
 * The management port has no /metrics: Prometheus metrics are on their own listener
 * (tests/integration/prometheus.test.ts). RabbitMQ 3.10.8's management listener answers the path
 * as any it does not know: 404 with its JSON error for GET and HEAD, with or without credentials,
 * and bodiless 405 (or 200 for OPTIONS) for other methods. Also run against RabbitMQ below.
 */
async function assertNoMetricsPath(baseUrl: string) {
  const credentials: Record<string, string>[] = [{}, { authorization: `Basic ${btoa("guest:guest")}` }];
  for (const headers of credentials) {
    const res = await fetch(`${baseUrl}/metrics`, { headers });
    assert.equal(res.status, 404);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    assert.deepEqual(await res.json(), { error: "Object Not Found", reason: "Not Found" });
  }
  const head = await fetch(`${baseUrl}/metrics`, { method: "HEAD" });
  assert.equal(head.status, 404);
  for (const [method, status] of [["POST", 405], ["PUT", 405], ["DELETE", 405], ["OPTIONS", 200]] as const) {
    const res = await fetch(`${baseUrl}/metrics`, { method });
    assert.deepEqual([method, res.status, res.headers.get("allow"), await res.text()], [
      method,
      status,
      "HEAD, GET, OPTIONS",
      "",
    ]);
  }
}

withNode(
  "the management port answers /metrics as a path it does not know, as RabbitMQ does",
  async (node) => {
    await assertNoMetricsPath(node.managementUrl);
  },
);

const rabbitManagementUrl = sharedRabbitManagementUrl();

Deno.test({
  name: "the management port answers /metrics as a path it does not know (RabbitMQ)",
  ignore: ignoreWithoutSharedRabbit(rabbitManagementUrl),
  async fn() {
    const u = new URL(rabbitManagementUrl!);
    await assertNoMetricsPath(`${u.protocol}//${u.host}`);
  },
});

withNode("the web UI page is served at / and unknown paths are 404", async (node) => {
  const res = await fetch(`${node.managementUrl}/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/html/);
  assert.match(await res.text(), /<html/i);
  const missing = await api(node, "GET", "/api/nothing-here");
  assert.deepEqual([missing.status, missing.body], [404, { error: "Object Not Found", reason: "Not Found" }]);
});
