// Requests a browser on another site, or a client with credentials and bad
// intent, can send to the management API. Warren takes write requests as
// JSON only, so a cross-site form (text/plain, urlencoded, multipart) cannot
// use the browser's cached credentials to change anything (CSRF), and stops
// reading a body at the size limit. The cases RabbitMQ 3.10.8 shares also
// run against the management API at WARREN_TEST_RABBITMQ_MANAGEMENT_URL when
// set (http://user:pass@host:port/, an administrator; checked against the
// dev node on 2026-11-27); the others are where Warren is deliberately
// stricter: RabbitMQ refuses non-JSON bodies on /api/definitions only.
import assert from "node:assert/strict";
import { startTestNode } from "../helpers/broker.ts";
import { ignoreWithoutSharedRabbit, sharedRabbitManagementUrl } from "../helpers/rabbitmq.ts";

const HOSTILE_BODY_BYTES = 100 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
const TEST_TIMEOUT_MS = 60_000;

interface Target {
  baseUrl: string;
  authorization: string;
}

const rabbitUrl = sharedRabbitManagementUrl();

function rabbitTarget(): Target {
  const u = new URL(rabbitUrl!);
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  return { baseUrl: `${u.protocol}//${u.host}`, authorization: `Basic ${btoa(`${user}:${pass}`)}` };
}

async function request(
  t: Target,
  method: string,
  path: string,
  init: { body?: BodyInit; contentType?: string } = {},
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { authorization: t.authorization };
  if (init.contentType !== undefined) headers["content-type"] = init.contentType;
  const res = await fetch(`${t.baseUrl}${path}`, { method, headers, body: init.body });
  return { status: res.status, text: await res.text() };
}

/** Runs `fn` against Warren and, when configured, against RabbitMQ. */
function bothBrokers(name: string, fn: (t: Target, prefix: string) => Promise<void>): void {
  Deno.test({
    name: `${name} (Warren)`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const node = await startTestNode();
      const timer = setTimeout(() => node.close(), TEST_TIMEOUT_MS);
      try {
        await fn({ baseUrl: node.managementUrl, authorization: `Basic ${btoa("guest:guest")}` }, "hostile-");
      } finally {
        clearTimeout(timer);
        await node.close();
      }
    },
  });
  Deno.test({
    name: `${name} (RabbitMQ)`,
    ignore: ignoreWithoutSharedRabbit(rabbitUrl),
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => fn(rabbitTarget(), `hostile-${crypto.randomUUID().slice(0, 8)}-`),
  });
}

bothBrokers(
  "a text/plain POST to /api/definitions is refused with a bodiless 415 and creates no administrator",
  async (t, prefix) => {
    const evil = `${prefix}evil`;
    const defs = { users: [{ name: evil, password: "pw", tags: "administrator" }] };
    const r = await request(t, "POST", "/api/definitions", {
      body: JSON.stringify(defs),
      contentType: "text/plain",
    });
    assert.deepEqual(r, { status: 415, text: "" });
    assert.equal((await request(t, "GET", `/api/users/${evil}`)).status, 404);
  },
);

bothBrokers(
  "JSON with a charset parameter is accepted, and a PUT or DELETE needs no body",
  async (t, prefix) => {
    const v = encodeURIComponent(`${prefix}v`);
    assert.equal((await request(t, "PUT", `/api/vhosts/${v}`)).status, 201);
    try {
      const put = await request(t, "PUT", `/api/queues/${v}/q`, {
        body: JSON.stringify({ durable: false }),
        contentType: "application/json; charset=utf-8",
      });
      assert.equal(put.status, 201);
      assert.equal((await request(t, "DELETE", `/api/queues/${v}/q`)).status, 204);
    } finally {
      assert.equal((await request(t, "DELETE", `/api/vhosts/${v}`)).status, 204);
    }
  },
);

bothBrokers(
  "a 100 MB chunked body is refused at the body size limit (20 MiB) without being read whole",
  async (t) => {
    let sent = 0;
    const filler = new Uint8Array(CHUNK_BYTES).fill(0x20);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= HOSTILE_BODY_BYTES) return controller.close();
        sent += filler.length;
        controller.enqueue(filler);
      },
    });
    const res = await fetch(`${t.baseUrl}/api/definitions`, {
      method: "POST",
      headers: { authorization: t.authorization, "content-type": "application/json" },
      body,
    });
    const reply = await res.json();
    assert.equal(res.status, 400);
    assert.deepEqual(reply, { error: "bad_request", reason: "Exceeded HTTP request body size limit" });
    assert.ok(sent < HOSTILE_BODY_BYTES, `the whole body was taken: ${sent} bytes`);
  },
);

// ---- Warren only: stricter than RabbitMQ, which accepts these --------------------------------

/** The bodies an HTML form on another site can send without the browser asking first. */
const FORM_BODIES: { contentType?: string; body: () => BodyInit }[] = [
  { contentType: "text/plain", body: () => "{}" },
  { contentType: "application/x-www-form-urlencoded", body: () => "a=b" },
  {
    body: () => {
      const form = new FormData();
      form.set("file", "{}");
      return form;
    },
  },
];

Deno.test({
  name: "no write endpoint takes a body a cross-site form can send, and nothing changes",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const node = await startTestNode();
    const t = { baseUrl: node.managementUrl, authorization: `Basic ${btoa("guest:guest")}` };
    try {
      await request(t, "PUT", "/api/queues/%2F/q", { body: "{}", contentType: "application/json" });
      const calls: [string, string][] = [
        ["POST", "/api/definitions"],
        ["POST", "/api/exchanges/%2F/amq.default/publish"],
        ["POST", "/api/queues/%2F/q/get"],
        ["POST", "/api/bindings/%2F/e/amq.direct/q/q"],
        ["POST", "/api/users/bulk-delete"],
        ["PUT", "/api/users/evil"],
        ["PUT", "/api/vhosts/evil"],
        ["PUT", "/api/permissions/%2F/guest"],
        ["PUT", "/api/queues/%2F/evil"],
        ["DELETE", "/api/queues/%2F/q"],
      ];
      for (const [method, path] of calls) {
        for (const form of FORM_BODIES) {
          const r = await request(t, method, path, { body: form.body(), contentType: form.contentType });
          assert.deepEqual(
            r,
            { status: 415, text: "" },
            `${method} ${path} ${form.contentType ?? "multipart"}`,
          );
        }
      }
      // A POST with no body and no type is refused too: a form can send that as well.
      assert.equal((await request(t, "POST", "/api/bindings/%2F/e/amq.direct/q/q")).status, 415);
      assert.equal((await request(t, "GET", "/api/users/evil")).status, 404);
      assert.equal((await request(t, "GET", "/api/vhosts/evil")).status, 404);
      assert.equal((await request(t, "GET", "/api/queues/%2F/evil")).status, 404);
      assert.equal((await request(t, "GET", "/api/queues/%2F/q")).status, 200);
      const bindings = JSON.parse((await request(t, "GET", "/api/bindings/%2F/e/amq.direct/q/q")).text);
      assert.deepEqual(bindings, []);
    } finally {
      await node.close();
    }
  },
});
