// Who may call what on the management API: one user per tag (none,
// management, policymaker, monitoring, administrator), each with full
// permissions on vhost "pub" and none on vhost "secret", calls every
// endpoint on "pub", "secret" and a vhost that does not exist. The expected
// statuses were recorded from RabbitMQ 3.10.8 (the dev node, 2026-11-27)
// and the same matrix runs against Warren always and against the RabbitMQ
// management API at WARREN_TEST_RABBITMQ_MANAGEMENT_URL when it is set
// (http://user:pass@host:port/ with an administrator's credentials; the
// rows about connections, channels and consumers also need the node's AMQP
// URL in WARREN_TEST_AMQP_URL).
import assert from "node:assert/strict";
import amqp from "../helpers/amqplib.ts";
import { startTestNode } from "../helpers/broker.ts";
import {
  ignoreWithoutSharedRabbit,
  RABBITMQ_URL_ENV,
  sharedRabbitManagementUrl,
} from "../helpers/rabbitmq.ts";

const TAGS = ["none", "management", "policymaker", "monitoring", "administrator"] as const;
type Tag = typeof TAGS[number];
const VHOSTS = ["pub", "secret", "missing"] as const;
type VHostRole = typeof VHOSTS[number];
const PASSWORD = "matrix-pass";
const TEST_TIMEOUT_MS = 60_000;

interface Target {
  baseUrl: string;
  admin: [string, string];
  /** The AMQP URL of the same node (host and port; the admin's credentials are used), when known. */
  amqpUrl: string | null;
}

/** One call: `{v}` is the vhost, `{u}` the calling user's tag (names objects each user makes for itself). */
interface Call {
  method: "GET" | "PUT" | "POST" | "DELETE";
  path: string;
  body?: unknown;
}

const get = (path: string): Call => ({ method: "GET", path });

/** Calls that name no vhost, made once per user. */
const NODE_CALLS: Call[] = [
  get("/api/overview"),
  get("/api/whoami"),
  get("/api/cluster-name"),
  get("/api/extensions"),
  get("/api/nodes"),
  get("/api/vhosts"),
  get("/api/queues"),
  get("/api/exchanges"),
  get("/api/bindings"),
  get("/api/consumers"),
  get("/api/connections"),
  get("/api/channels"),
  get("/api/policies"),
  get("/api/users"),
  get("/api/users/without-permissions"),
  get("/api/permissions"),
  get("/api/topic-permissions"),
  get("/api/definitions"),
  get("/api/health/checks/alarms"),
  get("/api/health/checks/local-alarms"),
  get("/api/auth"),
  get("/api/health/checks/virtual-hosts"),
  get("/api/health/checks/node-is-quorum-critical"),
  get("/api/users/{prefix}management"),
  get("/api/users/{prefix}management/permissions"),
  get("/api/users/{prefix}management/topic-permissions"),
  // Prometheus metrics are on their own port; the management port does not know the path.
  get("/metrics"),
  { method: "POST", path: "/api/users/bulk-delete", body: { users: [] } },
  { method: "PUT", path: "/api/vhosts/{prefix}made-{u}", body: {} },
  { method: "DELETE", path: "/api/vhosts/{prefix}made-{u}" },
  { method: "PUT", path: "/api/users/{prefix}made-{u}", body: { password: "x", tags: "" } },
  { method: "DELETE", path: "/api/users/{prefix}made-{u}" },
];

/** Calls on one vhost, made by every user on each of "pub", "secret" and "missing". */
const VHOST_CALLS: Call[] = [
  get("/api/vhosts/{v}"),
  get("/api/vhosts/{v}/permissions"),
  get("/api/vhosts/{v}/connections"),
  get("/api/vhosts/{v}/channels"),
  get("/api/queues/{v}"),
  get("/api/queues/{v}/q"),
  get("/api/queues/{v}/nosuchqueue"),
  get("/api/queues/{v}/q/bindings"),
  get("/api/exchanges/{v}"),
  get("/api/exchanges/{v}/x"),
  get("/api/exchanges/{v}/x/bindings/source"),
  get("/api/exchanges/{v}/x/bindings/destination"),
  get("/api/bindings/{v}"),
  get("/api/bindings/{v}/e/x/q/q"),
  get("/api/bindings/{v}/e/x/q/q/rk"),
  get("/api/consumers/{v}"),
  get("/api/policies/{v}"),
  get("/api/definitions/{v}"),
  get("/api/permissions/{v}/{prefix}management"),
  get("/api/vhosts/{v}/topic-permissions"),
  get("/api/policies/{v}/fixture"),
  get("/api/aliveness-test/{v}"),
  { method: "POST", path: "/api/definitions/{v}", body: {} },
  { method: "PUT", path: "/api/queues/{v}/made-{u}", body: { durable: false } },
  { method: "DELETE", path: "/api/queues/{v}/made-{u}" },
  { method: "PUT", path: "/api/exchanges/{v}/made-{u}", body: { type: "fanout" } },
  { method: "DELETE", path: "/api/exchanges/{v}/made-{u}" },
  { method: "POST", path: "/api/bindings/{v}/e/x/q/q", body: { routing_key: "made-{u}" } },
  { method: "DELETE", path: "/api/bindings/{v}/e/x/q/q/made-{u}" },
  {
    method: "POST",
    path: "/api/exchanges/{v}/x/publish",
    body: { routing_key: "rk", properties: {}, payload: "hi", payload_encoding: "string" },
  },
  {
    method: "POST",
    path: "/api/queues/{v}/q/get",
    body: { count: 1, ackmode: "ack_requeue_true", encoding: "auto" },
  },
  { method: "DELETE", path: "/api/queues/{v}/q/contents" },
  {
    method: "PUT",
    path: "/api/policies/{v}/made-{u}",
    body: { pattern: "^never$", definition: { "max-length": 10 }, "apply-to": "queues" },
  },
  { method: "DELETE", path: "/api/policies/{v}/made-{u}" },
];

/** Lists checked for what they show of a vhost the user has no permissions on. */
const LISTS = [
  "/api/vhosts",
  "/api/queues",
  "/api/exchanges",
  "/api/bindings",
  "/api/policies",
];

type Statuses = readonly [number, number, number, number, number];

/**
 * RabbitMQ 3.10.8's answers, one status per tag in TAGS order; the SHOWS
 * rows say whether a list includes anything of "secret" (1) or not (0).
 */
const EXPECTED: Record<string, Statuses> = {
  "GET /api/overview": [401, 200, 200, 200, 200],
  "GET /api/whoami": [401, 200, 200, 200, 200],
  "GET /api/cluster-name": [401, 200, 200, 200, 200],
  "GET /api/extensions": [401, 200, 200, 200, 200],
  "GET /api/nodes": [401, 401, 401, 200, 200],
  "GET /api/vhosts": [401, 200, 200, 200, 200],
  "GET /api/queues": [401, 200, 200, 200, 200],
  "GET /api/exchanges": [401, 200, 200, 200, 200],
  "GET /api/bindings": [401, 200, 200, 200, 200],
  "GET /api/consumers": [401, 200, 200, 200, 200],
  "GET /api/connections": [401, 200, 200, 200, 200],
  "GET /api/channels": [401, 200, 200, 200, 200],
  "GET /api/policies": [401, 200, 200, 200, 200],
  "GET /api/users": [401, 401, 401, 401, 200],
  "GET /api/users/without-permissions": [401, 401, 401, 401, 200],
  "GET /api/permissions": [401, 401, 401, 401, 200],
  "GET /api/topic-permissions": [401, 401, 401, 401, 200],
  "GET /api/definitions": [401, 401, 401, 401, 200],
  "GET /api/health/checks/alarms": [401, 200, 200, 200, 200],
  "GET /api/health/checks/local-alarms": [401, 200, 200, 200, 200],
  "GET /api/auth": [200, 200, 200, 200, 200],
  "GET /api/health/checks/virtual-hosts": [401, 200, 200, 200, 200],
  "GET /api/health/checks/node-is-quorum-critical": [401, 200, 200, 200, 200],
  "GET /api/users/{prefix}management": [401, 401, 401, 401, 200],
  "GET /api/users/{prefix}management/permissions": [401, 401, 401, 401, 200],
  "GET /api/users/{prefix}management/topic-permissions": [401, 401, 401, 401, 200],
  "GET /metrics": [404, 404, 404, 404, 404],
  "POST /api/users/bulk-delete": [401, 401, 401, 401, 204],
  "PUT /api/vhosts/{prefix}made-{u}": [401, 401, 401, 401, 201],
  "DELETE /api/vhosts/{prefix}made-{u}": [401, 401, 401, 401, 204],
  "PUT /api/users/{prefix}made-{u}": [401, 401, 401, 401, 201],
  "DELETE /api/users/{prefix}made-{u}": [401, 401, 401, 401, 204],
  "GET /api/vhosts/{pub}": [401, 401, 401, 401, 200],
  "GET /api/vhosts/{pub}/permissions": [401, 401, 401, 401, 200],
  "GET /api/vhosts/{pub}/connections": [401, 200, 200, 200, 200],
  "GET /api/vhosts/{pub}/channels": [401, 200, 200, 200, 200],
  "GET /api/queues/{pub}": [401, 200, 200, 200, 200],
  "GET /api/queues/{pub}/q": [401, 200, 200, 200, 200],
  "GET /api/queues/{pub}/nosuchqueue": [401, 404, 404, 404, 404],
  "GET /api/queues/{pub}/q/bindings": [401, 200, 200, 200, 200],
  "GET /api/exchanges/{pub}": [401, 200, 200, 200, 200],
  "GET /api/exchanges/{pub}/x": [401, 200, 200, 200, 200],
  "GET /api/exchanges/{pub}/x/bindings/source": [401, 200, 200, 200, 200],
  "GET /api/exchanges/{pub}/x/bindings/destination": [401, 200, 200, 200, 200],
  "GET /api/bindings/{pub}": [401, 200, 200, 200, 200],
  "GET /api/bindings/{pub}/e/x/q/q": [401, 200, 200, 200, 200],
  "GET /api/bindings/{pub}/e/x/q/q/rk": [401, 200, 200, 200, 200],
  "GET /api/consumers/{pub}": [401, 200, 200, 200, 200],
  "GET /api/policies/{pub}": [401, 200, 200, 200, 200],
  "GET /api/definitions/{pub}": [401, 401, 401, 401, 200],
  "GET /api/permissions/{pub}/{prefix}management": [401, 401, 401, 401, 200],
  "GET /api/vhosts/{pub}/topic-permissions": [401, 401, 401, 401, 200],
  "GET /api/policies/{pub}/fixture": [401, 401, 200, 401, 200],
  "GET /api/aliveness-test/{pub}": [401, 200, 200, 200, 200],
  "POST /api/definitions/{pub}": [401, 401, 401, 401, 204],
  "PUT /api/queues/{pub}/made-{u}": [401, 201, 201, 201, 201],
  "DELETE /api/queues/{pub}/made-{u}": [401, 204, 204, 204, 204],
  "PUT /api/exchanges/{pub}/made-{u}": [401, 201, 201, 201, 201],
  "DELETE /api/exchanges/{pub}/made-{u}": [401, 204, 204, 204, 204],
  "POST /api/bindings/{pub}/e/x/q/q": [401, 201, 201, 201, 201],
  "DELETE /api/bindings/{pub}/e/x/q/q/made-{u}": [401, 204, 204, 204, 204],
  "POST /api/exchanges/{pub}/x/publish": [401, 200, 200, 200, 200],
  "POST /api/queues/{pub}/q/get": [401, 200, 200, 200, 200],
  "DELETE /api/queues/{pub}/q/contents": [401, 204, 204, 204, 204],
  "PUT /api/policies/{pub}/made-{u}": [401, 401, 201, 401, 201],
  "DELETE /api/policies/{pub}/made-{u}": [401, 401, 204, 401, 204],
  "GET /api/vhosts/{secret}": [401, 401, 401, 401, 200],
  "GET /api/vhosts/{secret}/permissions": [401, 401, 401, 401, 200],
  "GET /api/vhosts/{secret}/connections": [401, 401, 401, 401, 200],
  "GET /api/vhosts/{secret}/channels": [401, 401, 401, 401, 200],
  "GET /api/queues/{secret}": [401, 401, 401, 401, 200],
  "GET /api/queues/{secret}/q": [401, 401, 401, 401, 200],
  "GET /api/queues/{secret}/nosuchqueue": [401, 401, 401, 401, 404],
  "GET /api/queues/{secret}/q/bindings": [401, 401, 401, 401, 200],
  "GET /api/exchanges/{secret}": [401, 401, 401, 401, 200],
  "GET /api/exchanges/{secret}/x": [401, 401, 401, 401, 200],
  "GET /api/exchanges/{secret}/x/bindings/source": [401, 401, 401, 401, 200],
  "GET /api/exchanges/{secret}/x/bindings/destination": [401, 401, 401, 401, 200],
  "GET /api/bindings/{secret}": [401, 401, 401, 401, 200],
  "GET /api/bindings/{secret}/e/x/q/q": [401, 401, 401, 401, 200],
  "GET /api/bindings/{secret}/e/x/q/q/rk": [401, 401, 401, 401, 200],
  "GET /api/consumers/{secret}": [401, 200, 200, 200, 200],
  "GET /api/policies/{secret}": [401, 401, 401, 401, 200],
  "GET /api/definitions/{secret}": [401, 401, 401, 401, 200],
  "GET /api/permissions/{secret}/{prefix}management": [401, 401, 401, 401, 404],
  "GET /api/vhosts/{secret}/topic-permissions": [401, 401, 401, 401, 200],
  "GET /api/policies/{secret}/fixture": [401, 401, 401, 401, 200],
  "GET /api/aliveness-test/{secret}": [401, 401, 401, 401, 401],
  "POST /api/definitions/{secret}": [401, 401, 401, 401, 204],
  "PUT /api/queues/{secret}/made-{u}": [401, 401, 401, 401, 401],
  "DELETE /api/queues/{secret}/made-{u}": [401, 401, 401, 401, 404],
  "PUT /api/exchanges/{secret}/made-{u}": [401, 401, 401, 401, 401],
  "DELETE /api/exchanges/{secret}/made-{u}": [401, 401, 401, 401, 404],
  "POST /api/bindings/{secret}/e/x/q/q": [401, 401, 401, 401, 401],
  "DELETE /api/bindings/{secret}/e/x/q/q/made-{u}": [401, 401, 401, 401, 404],
  "POST /api/exchanges/{secret}/x/publish": [401, 401, 401, 401, 401],
  "POST /api/queues/{secret}/q/get": [401, 401, 401, 401, 401],
  "DELETE /api/queues/{secret}/q/contents": [401, 401, 401, 401, 401],
  "PUT /api/policies/{secret}/made-{u}": [401, 401, 401, 401, 201],
  "DELETE /api/policies/{secret}/made-{u}": [401, 401, 401, 401, 204],
  "GET /api/vhosts/{missing}": [401, 401, 401, 401, 404],
  "GET /api/vhosts/{missing}/permissions": [401, 401, 401, 401, 404],
  "GET /api/vhosts/{missing}/connections": [401, 404, 404, 404, 404],
  "GET /api/vhosts/{missing}/channels": [401, 404, 404, 404, 404],
  "GET /api/queues/{missing}": [401, 404, 404, 404, 404],
  "GET /api/queues/{missing}/q": [401, 404, 404, 404, 404],
  "GET /api/queues/{missing}/nosuchqueue": [401, 404, 404, 404, 404],
  "GET /api/queues/{missing}/q/bindings": [401, 200, 200, 200, 200],
  "GET /api/exchanges/{missing}": [401, 404, 404, 404, 404],
  "GET /api/exchanges/{missing}/x": [401, 404, 404, 404, 404],
  "GET /api/exchanges/{missing}/x/bindings/source": [401, 200, 200, 200, 200],
  "GET /api/exchanges/{missing}/x/bindings/destination": [401, 200, 200, 200, 200],
  "GET /api/bindings/{missing}": [401, 404, 404, 404, 404],
  "GET /api/bindings/{missing}/e/x/q/q": [401, 200, 200, 200, 200],
  "GET /api/bindings/{missing}/e/x/q/q/rk": [401, 404, 404, 404, 404],
  "GET /api/consumers/{missing}": [401, 404, 404, 404, 404],
  "GET /api/policies/{missing}": [401, 404, 404, 404, 404],
  "GET /api/definitions/{missing}": [401, 401, 401, 401, 400],
  "GET /api/permissions/{missing}/{prefix}management": [401, 401, 401, 401, 404],
  "GET /api/vhosts/{missing}/topic-permissions": [401, 401, 401, 401, 404],
  "GET /api/policies/{missing}/fixture": [401, 401, 404, 401, 404],
  "GET /api/aliveness-test/{missing}": [401, 404, 404, 404, 404],
  "POST /api/definitions/{missing}": [401, 401, 401, 401, 404],
  "PUT /api/queues/{missing}/made-{u}": [401, 404, 404, 404, 404],
  "DELETE /api/queues/{missing}/made-{u}": [401, 404, 404, 404, 404],
  "PUT /api/exchanges/{missing}/made-{u}": [401, 404, 404, 404, 404],
  "DELETE /api/exchanges/{missing}/made-{u}": [401, 404, 404, 404, 404],
  "POST /api/bindings/{missing}/e/x/q/q": [401, 404, 404, 404, 404],
  "DELETE /api/bindings/{missing}/e/x/q/q/made-{u}": [401, 404, 404, 404, 404],
  "POST /api/exchanges/{missing}/x/publish": [401, 401, 401, 401, 401],
  "POST /api/queues/{missing}/q/get": [401, 401, 401, 401, 401],
  "DELETE /api/queues/{missing}/q/contents": [401, 404, 404, 404, 404],
  "PUT /api/policies/{missing}/made-{u}": [401, 401, 404, 401, 404],
  "DELETE /api/policies/{missing}/made-{u}": [401, 401, 404, 401, 404],
  "SHOWS {secret} IN /api/vhosts": [0, 0, 0, 1, 1],
  "SHOWS {secret} IN /api/queues": [0, 0, 0, 0, 1],
  "SHOWS {secret} IN /api/exchanges": [0, 0, 0, 0, 1],
  "SHOWS {secret} IN /api/bindings": [0, 0, 0, 0, 1],
  "SHOWS {secret} IN /api/policies": [0, 0, 0, 0, 1],
  "GET /api/connections/{conn}": [401, 401, 401, 200, 200],
  "GET /api/connections/{conn}/channels": [401, 401, 401, 200, 200],
  "GET /api/channels/{channel}": [401, 401, 401, 200, 200],
  "SHOWS {secret} IN /api/connections": [0, 0, 0, 1, 1],
  "SHOWS {secret} IN /api/channels": [0, 0, 0, 1, 1],
  "SHOWS {secret} IN /api/consumers": [0, 0, 0, 1, 1],
  "DELETE /api/connections/{conn}": [401, 401, 401, 401, 204],
};

/**
 * Where Warren deliberately answers otherwise: RabbitMQ lists the bindings of
 * a queue or exchange in a vhost that does not exist as an empty 200 (those
 * handlers never look the vhost up); Warren says 404, as it does for the
 * objects themselves.
 */
const WARREN_DIFFERS: Record<string, Statuses> = {
  "GET /api/queues/{missing}/q/bindings": [401, 404, 404, 404, 404],
  "GET /api/exchanges/{missing}/x/bindings/source": [401, 404, 404, 404, 404],
  "GET /api/exchanges/{missing}/x/bindings/destination": [401, 404, 404, 404, 404],
  "GET /api/bindings/{missing}/e/x/q/q": [401, 404, 404, 404, 404],
};

function basic([user, pass]: [string, string]): string {
  return `Basic ${btoa(`${user}:${pass}`)}`;
}

async function call(target: Target, auth: [string, string], c: Call): Promise<number> {
  const headers: Record<string, string> = { authorization: basic(auth) };
  let body: string | undefined;
  if (c.body !== undefined) {
    body = JSON.stringify(c.body);
    headers["content-type"] = "application/json";
  }
  const res = await fetch(`${target.baseUrl}${c.path}`, { method: c.method, headers, body });
  await res.body?.cancel();
  return res.status;
}

function fill(text: string, prefix: string, vhost: string, tag: Tag): string {
  return text.replaceAll("{prefix}", prefix).replaceAll("{v}", encodeURIComponent(vhost)).replaceAll(
    "{u}",
    tag,
  );
}

function fillBody(body: unknown, prefix: string, tag: Tag): unknown {
  return body === undefined ? undefined : JSON.parse(fill(JSON.stringify(body), prefix, "", tag));
}

async function adminCall(target: Target, method: Call["method"], path: string, body?: unknown) {
  const status = await call(target, target.admin, { method, path, body });
  if (status >= 300 && !(method === "DELETE" && status === 404)) {
    throw new Error(`setup ${method} ${path} answered ${status}`);
  }
}

/** Builds the fixture, runs every call as every user, and removes everything it made. */
async function runMatrix(target: Target): Promise<Record<string, Statuses>> {
  const prefix = `matrix-${crypto.randomUUID().slice(0, 8)}-`;
  const vhostName = (role: VHostRole) => `${prefix}${role}`;
  const enc = encodeURIComponent;
  const users = TAGS.map((tag) => `${prefix}${tag}`);
  const cleanup = async () => {
    for (const role of VHOSTS) await adminCall(target, "DELETE", `/api/vhosts/${enc(vhostName(role))}`);
    for (const tag of TAGS) {
      await adminCall(target, "DELETE", `/api/vhosts/${enc(`${prefix}made-${tag}`)}`);
      await adminCall(target, "DELETE", `/api/users/${enc(`${prefix}made-${tag}`)}`);
    }
    for (const u of users) await adminCall(target, "DELETE", `/api/users/${enc(u)}`);
  };
  try {
    for (const role of ["pub", "secret"] as const) {
      const v = enc(vhostName(role));
      await adminCall(target, "PUT", `/api/vhosts/${v}`, {});
      await adminCall(target, "PUT", `/api/permissions/${v}/${enc(target.admin[0])}`, {
        configure: ".*",
        write: ".*",
        read: ".*",
      });
      await adminCall(target, "PUT", `/api/queues/${v}/q`, { durable: false });
      await adminCall(target, "PUT", `/api/exchanges/${v}/x`, { type: "direct" });
      await adminCall(target, "POST", `/api/bindings/${v}/e/x/q/q`, { routing_key: "rk" });
      await adminCall(target, "PUT", `/api/policies/${v}/fixture`, {
        pattern: "^never$",
        definition: { "max-length": 10 },
      });
    }
    for (const [i, tag] of TAGS.entries()) {
      await adminCall(target, "PUT", `/api/users/${enc(users[i])}`, {
        password: PASSWORD,
        tags: tag === "none" ? "" : tag,
      });
      await adminCall(target, "PUT", `/api/permissions/${enc(vhostName("pub"))}/${enc(users[i])}`, {
        configure: ".*",
        write: ".*",
        read: ".*",
      });
    }
    const seen: Record<string, number[]> = {};
    const record = async (key: string, tagIndex: number, c: Call) => {
      (seen[key] ??= [])[tagIndex] = await call(target, [users[tagIndex], PASSWORD], c);
    };
    for (const [i, tag] of TAGS.entries()) {
      for (const c of NODE_CALLS) {
        const path = fill(c.path, prefix, "", tag);
        await record(`${c.method} ${c.path}`, i, { ...c, path, body: fillBody(c.body, prefix, tag) });
      }
      for (const role of VHOSTS) {
        for (const c of VHOST_CALLS) {
          const path = fill(c.path, prefix, vhostName(role), tag);
          const key = `${c.method} ${c.path.replace("{v}", `{${role}}`)}`;
          await record(key, i, { ...c, path, body: fillBody(c.body, prefix, tag) });
        }
      }
    }
    // Whether each list shows anything of "secret" (1) or not (0).
    for (let i = 0; i < TAGS.length; i++) {
      for (const list of LISTS) {
        const res = await fetch(`${target.baseUrl}${list}`, {
          headers: { authorization: basic([users[i], PASSWORD]) },
        });
        const text = await res.text();
        (seen[`SHOWS {secret} IN ${list}`] ??= [])[i] = res.ok && text.includes(`"${vhostName("secret")}"`)
          ? 1
          : 0;
      }
    }
    if (target.amqpUrl !== null) await clientRows(target, vhostName("secret"), users, seen);
    return seen as unknown as Record<string, Statuses>;
  } finally {
    await cleanup();
  }
}

/** Lists of client objects checked for what they show of "secret". */
const CLIENT_LISTS = ["/api/connections", "/api/channels", "/api/consumers"];
/** RabbitMQ's management lists connections, channels and consumers from statistics emitted every few seconds. */
const STATS_WAIT_MS = 15_000;

/**
 * The administrator holds a connection with a channel and a consumer in
 * "secret"; every user looks at them, then tries to close the connection
 * (administrator last, who succeeds).
 */
async function clientRows(
  target: Target,
  secret: string,
  users: string[],
  seen: Record<string, number[]>,
): Promise<void> {
  const u = new URL(target.amqpUrl!);
  u.username = encodeURIComponent(target.admin[0]);
  u.password = encodeURIComponent(target.admin[1]);
  u.pathname = `/${encodeURIComponent(secret)}`;
  const conn = await amqp.connect(u.toString());
  conn.on("error", () => {});
  try {
    const ch = await conn.createChannel();
    await ch.consume("q", () => {});
    const adminGet = async (path: string) => {
      const res = await fetch(`${target.baseUrl}${path}`, {
        headers: { authorization: basic(target.admin) },
      });
      return res.ok ? await res.json() : null;
    };
    let name: string | undefined;
    const deadline = Date.now() + STATS_WAIT_MS;
    while (true) {
      const conns = await adminGet(`/api/vhosts/${encodeURIComponent(secret)}/connections`);
      const consumers = await adminGet(`/api/consumers/${encodeURIComponent(secret)}`);
      const channels = await adminGet(`/api/vhosts/${encodeURIComponent(secret)}/channels`);
      name = conns?.[0]?.name;
      if (name && consumers?.length > 0 && channels?.length > 0) break;
      if (Date.now() > deadline) throw new Error("the client objects never showed up in the admin's lists");
      await new Promise((r) => setTimeout(r, 200));
    }
    const c = encodeURIComponent(name);
    const chan = encodeURIComponent(`${name} (1)`);
    for (let i = 0; i < TAGS.length; i++) {
      const as: [string, string] = [users[i], PASSWORD];
      for (
        const [key, path] of [
          ["GET /api/connections/{conn}", `/api/connections/${c}`],
          ["GET /api/connections/{conn}/channels", `/api/connections/${c}/channels`],
          ["GET /api/channels/{channel}", `/api/channels/${chan}`],
        ]
      ) (seen[key] ??= [])[i] = await call(target, as, { method: "GET", path });
      for (const list of CLIENT_LISTS) {
        const res = await fetch(`${target.baseUrl}${list}`, { headers: { authorization: basic(as) } });
        const text = await res.text();
        (seen[`SHOWS {secret} IN ${list}`] ??= [])[i] = res.ok && text.includes(`"${secret}"`) ? 1 : 0;
      }
    }
    for (let i = 0; i < TAGS.length; i++) {
      (seen["DELETE /api/connections/{conn}"] ??= [])[i] = await call(target, [users[i], PASSWORD], {
        method: "DELETE",
        path: `/api/connections/${c}`,
      });
    }
  } finally {
    await conn.close().catch(() => {});
  }
}

/** Every difference from `expected`, one line each, and the whole table in the source's format to compare. */
function compare(actual: Record<string, Statuses>, expected: Record<string, Statuses>): string[] {
  const lines: string[] = [];
  for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const want = expected[key];
    const got = actual[key];
    if (!want || !got || want.some((s, i) => s !== got[i])) {
      lines.push(`${key}: RabbitMQ ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
    }
  }
  if (lines.length > 0) {
    lines.push("observed:");
    for (const [k, v] of Object.entries(actual)) lines.push(`  ${JSON.stringify(k)}: [${v.join(", ")}],`);
  }
  return lines;
}

Deno.test({
  name: "every tag gets RabbitMQ's status on every management endpoint, vhost by vhost (Warren)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const node = await startTestNode();
    const timer = setTimeout(() => node.close(), TEST_TIMEOUT_MS);
    try {
      const expected = { ...EXPECTED, ...WARREN_DIFFERS };
      const diff = compare(
        await runMatrix({ baseUrl: node.managementUrl, admin: ["guest", "guest"], amqpUrl: node.url }),
        expected,
      );
      assert.deepEqual(diff, [], diff.join("\n"));
    } finally {
      clearTimeout(timer);
      await node.close();
    }
  },
});

const rabbitUrl = sharedRabbitManagementUrl();

Deno.test({
  name: "every tag gets RabbitMQ's status on every management endpoint, vhost by vhost (RabbitMQ)",
  ignore: ignoreWithoutSharedRabbit(rabbitUrl),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const u = new URL(rabbitUrl!);
    const admin: [string, string] = [decodeURIComponent(u.username), decodeURIComponent(u.password)];
    // The rows about connections, channels and consumers need the node's AMQP port too.
    const amqpUrl = Deno.env.get("WARREN_TEST_AMQP_URL") ?? Deno.env.get(RABBITMQ_URL_ENV) ?? null;
    const actual = await runMatrix({ baseUrl: `${u.protocol}//${u.host}`, admin, amqpUrl });
    const expected = Object.fromEntries(
      Object.entries(EXPECTED).filter(([k]) => amqpUrl !== null || k in actual),
    );
    const diff = compare(actual, expected);
    assert.deepEqual(diff, [], diff.join("\n"));
  },
});
