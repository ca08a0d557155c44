// The management HTTP API of the node under test: an in-process Warren
// node, or — with WARREN_TEST_MANAGEMENT_URL and WARREN_TEST_AMQP_URL set —
// an external broker (RabbitMQ, to prove a test encodes its behaviour).
// `api()` is one call as guest (or the given user) returning status and
// JSON body.
import assert from "node:assert/strict";
import { startTestNode, type TestNode } from "./broker.ts";

export interface ApiReply {
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
}

export interface ManagedBroker {
  /** http://127.0.0.1:PORT */
  managementUrl: string;
  /** amqp://guest:guest@127.0.0.1:PORT/ */
  amqpUrl: string;
  /** The in-process Warren node; null against an external broker. */
  node: TestNode | null;
  api(method: string, path: string, options?: { body?: unknown; auth?: [string, string] }): Promise<ApiReply>;
  close(): Promise<void>;
}

export const EXTERNAL_MANAGEMENT = Deno.env.get("WARREN_TEST_MANAGEMENT_URL") ?? null;

export async function callApi(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; auth?: [string, string] } = {},
): Promise<ApiReply> {
  const [user, pass] = options.auth ?? ["guest", "guest"];
  const headers: Record<string, string> = { authorization: `Basic ${btoa(`${user}:${pass}`)}` };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch { /* not JSON: kept as text */ }
  return { status: res.status, body };
}

export async function startManagedBroker(): Promise<ManagedBroker> {
  const amqpUrl = Deno.env.get("WARREN_TEST_AMQP_URL");
  if (EXTERNAL_MANAGEMENT && amqpUrl) {
    return {
      managementUrl: EXTERNAL_MANAGEMENT,
      amqpUrl,
      node: null,
      api: (m, p, o) => callApi(EXTERNAL_MANAGEMENT, m, p, o),
      close: () => Promise.resolve(),
    };
  }
  const node = await startTestNode();
  return {
    managementUrl: node.managementUrl,
    amqpUrl: node.url,
    node,
    api: (m, p, o) => callApi(node.managementUrl, m, p, o),
    close: () => node.close(),
  };
}

/** Polls `probe` until `done(value)`; fails with `what` and the last value after timeoutMs. */
export async function until<T>(
  probe: () => Promise<T>,
  done: (v: T) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const v = await probe();
    if (done(v)) return v;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}: last ${JSON.stringify(v)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs `fn` with a broker, bounded by `timeoutMs`, and closes the broker after. */
export async function withBroker(fn: (b: ManagedBroker) => Promise<void>, timeoutMs = 30_000): Promise<void> {
  const b = await startManagedBroker();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      fn(b),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs}ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await b.close();
  }
}

/** A vhost of the test's own, guest allowed in; the returned function deletes it. */
export async function ownVHost(b: ManagedBroker, name: string): Promise<() => Promise<void>> {
  const v = encodeURIComponent(name);
  assert.equal((await b.api("PUT", `/api/vhosts/${v}`)).status, 201);
  const perms = { configure: ".*", write: ".*", read: ".*" };
  assert.ok((await b.api("PUT", `/api/permissions/${v}/guest`, { body: perms })).status < 300);
  return async () => void await b.api("DELETE", `/api/vhosts/${v}`);
}
