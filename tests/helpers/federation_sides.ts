// The two ends of a federation in tests, each a Warren node or a RabbitMQ
// node, driven the same way (upstreams and policies set through the
// management API), and the scenarios every pairing must pass: exchange
// federation (bindings mirrored upstream, x-received-from added, the
// upstream queue removed with the link) and queue federation (messages move
// only once a downstream consumer waits).
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "./amqplib.ts";
import { callApi, until } from "./management_api.ts";
import { startServer } from "../../src/server/server.ts";
import { startAdminServer } from "../../src/admin/admin_server.ts";

export interface FederationSide {
  /** amqp://guest:guest@127.0.0.1:PORT/ for test clients. */
  amqpUrl: string;
  /** The cluster name it announces (x-received-from's cluster-name). */
  clusterName: string;
  setParameter(component: string, name: string, value: unknown): Promise<void>;
  clearParameter(component: string, name: string): Promise<void>;
  setPolicy(
    name: string,
    pattern: string,
    applyTo: string,
    definition: Record<string, unknown>,
  ): Promise<void>;
  clearPolicy(name: string): Promise<void>;
  close(): Promise<void>;
}

/** A side driven through a management API at `base` (vhost "/"). */
export function apiSide(
  base: string,
  amqpUrl: string,
  clusterName: string,
  close = () => Promise.resolve(),
): FederationSide {
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await callApi(base, method, path, body === undefined ? {} : { body });
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  return {
    amqpUrl,
    clusterName,
    setParameter: (c, n, value) => ok("PUT", `/api/parameters/${c}/%2F/${encodeURIComponent(n)}`, { value }),
    clearParameter: (c, n) => ok("DELETE", `/api/parameters/${c}/%2F/${encodeURIComponent(n)}`),
    setPolicy: (n, pattern, applyTo, definition) =>
      ok("PUT", `/api/policies/%2F/${encodeURIComponent(n)}`, { pattern, "apply-to": applyTo, definition }),
    clearPolicy: (n) => ok("DELETE", `/api/policies/%2F/${encodeURIComponent(n)}`),
    close,
  };
}

/** An in-process Warren node with its management API. */
export async function warrenSide(clusterName: string): Promise<FederationSide & { api: string }> {
  const server = await startServer({ port: 0, hostname: "127.0.0.1", logLevel: "error", clusterName });
  const admin = await startAdminServer({ node: server, port: 0, hostname: "127.0.0.1" });
  const api = `http://127.0.0.1:${admin.port}`;
  const side = apiSide(api, `amqp://guest:guest@127.0.0.1:${server.port}/`, clusterName, async () => {
    await admin.close();
    await server.close();
  });
  return { ...side, api };
}

export function uniq(s: string): string {
  return `fed-${s}-${crypto.randomUUID().slice(0, 8)}`;
}

/** The side's URI as an upstream URI naming vhost "/" explicitly. */
export function upstreamUri(side: FederationSide): string {
  return side.amqpUrl.replace(/\/?$/, "/%2f");
}

type Conn = Awaited<ReturnType<typeof amqp.connect>>;

async function connect(url: string): Promise<Conn> {
  const c = await amqp.connect(url);
  c.on("error", () => {});
  return c;
}

/**
 * Exchange federation from `up` to `down`: a topic exchange on both, a
 * queue bound downstream with "a.#"; messages published upstream with
 * "a.*" arrive downstream carrying x-received-from, those with other keys
 * stay upstream (only the downstream's bindings are mirrored there).
 */
export async function exchangeFederationScenario(up: FederationSide, down: FederationSide): Promise<void> {
  const x = uniq("x");
  const upstream = uniq("up");
  const policy = uniq("pol");
  // RabbitMQ's name: same vhost and exchange name on both sides, so neither is added.
  const upstreamQueue = `federation: ${x} -> ${down.clusterName}`;
  const upConn = await connect(up.amqpUrl);
  const downConn = await connect(down.amqpUrl);
  try {
    const upCh = await upConn.createConfirmChannel();
    const downCh = await downConn.createChannel();
    await upCh.assertExchange(x, "topic", { durable: true });
    await downCh.assertExchange(x, "topic", { durable: true });
    const q = (await downCh.assertQueue("", { exclusive: true })).queue;
    await downCh.bindQueue(q, x, "a.#");
    await down.setParameter("federation-upstream", upstream, {
      uri: upstreamUri(up),
      "max-hops": 1,
      expires: 60_000,
    });
    await down.setPolicy(policy, `^${x}$`, "exchanges", { "federation-upstream": upstream });
    try {
      // The link is up once a probe published upstream comes through.
      await until(
        async () => {
          upCh.publish(x, "a.probe", Buffer.from("probe"));
          await upCh.waitForConfirms();
          await new Promise((r) => setTimeout(r, 100));
          return await downCh.get(q, { noAck: true });
        },
        (m) => m !== false,
        "a probe message federated downstream",
        30_000,
      );
      await downCh.purgeQueue(q);
      upCh.publish(x, "b.other", Buffer.from("not bound downstream"));
      upCh.publish(x, "a.one", Buffer.from("one"), { headers: { keep: "me" } });
      await upCh.waitForConfirms();
      const m = await until(() => downCh.get(q, { noAck: true }), (m) => m !== false, "a.one downstream");
      assert.ok(m !== false);
      assert.equal(m.content.toString(), "one");
      assert.equal(m.fields.routingKey, "a.one");
      assert.equal(m.properties.headers?.keep, "me");
      const hops = m.properties.headers?.["x-received-from"];
      assert.ok(Array.isArray(hops) && hops.length === 1, JSON.stringify(hops));
      assert.equal(hops[0].exchange, x);
      assert.equal(hops[0]["cluster-name"], up.clusterName);
      assert.equal(hops[0].redelivered, false);
      assert.ok(!String(hops[0].uri).includes("guest"), "the URI in x-received-from has no credentials");
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await downCh.get(q, { noAck: true }), false, "b.other was not federated");
      // The upstream queue the link consumes, named as RabbitMQ 3.10 names it.
      const probe = await upConn.createChannel();
      await probe.checkQueue(upstreamQueue);
    } finally {
      await down.clearPolicy(policy);
      await down.clearParameter("federation-upstream", upstream);
      for (const c of [upConn, downConn]) {
        const cleanup = await c.createChannel();
        await cleanup.deleteExchange(x).catch(() => {});
      }
    }
    // Its policy gone, the link deletes the queue it declared upstream (resource-cleanup-mode "default").
    await until(
      async () => {
        const probe = await upConn.createChannel();
        return await probe.checkQueue(upstreamQueue).then(() => probe.close().then(() => true), () => false);
      },
      (exists) => !exists,
      "the upstream queue deleted",
    );
  } finally {
    await upConn.close().catch(() => {});
    await downConn.close().catch(() => {});
  }
}

/**
 * Queue federation from `up` to `down`: messages waiting upstream stay
 * there while the downstream queue has no consumer, and all move once one
 * consumes downstream.
 */
export async function queueFederationScenario(up: FederationSide, down: FederationSide): Promise<void> {
  const q = uniq("q");
  const upstream = uniq("up");
  const policy = uniq("pol");
  const upConn = await connect(up.amqpUrl);
  const downConn = await connect(down.amqpUrl);
  try {
    const upCh = await upConn.createConfirmChannel();
    const downCh = await downConn.createChannel();
    await upCh.assertQueue(q, { durable: true });
    await downCh.assertQueue(q, { durable: true });
    for (let i = 0; i < 20; i++) upCh.sendToQueue(q, Buffer.from(`m${i}`), { persistent: true });
    await upCh.waitForConfirms();
    await down.setParameter("federation-upstream", upstream, { uri: upstreamUri(up), "prefetch-count": 5 });
    await down.setPolicy(policy, `^${q}$`, "queues", { "federation-upstream": upstream });
    try {
      await new Promise((r) => setTimeout(r, 1_500));
      assert.equal(
        (await upCh.checkQueue(q)).messageCount,
        20,
        "nothing moves without a downstream consumer",
      );
      const got: string[] = [];
      await downCh.prefetch(10);
      await downCh.consume(q, (m) => {
        if (m === null) return;
        got.push(m.content.toString());
        downCh.ack(m);
      });
      await until(
        () => Promise.resolve(got.length),
        (n) => n >= 20,
        "20 messages consumed downstream",
        30_000,
      );
      assert.deepEqual([...got].sort(), Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
    } finally {
      await down.clearPolicy(policy);
      await down.clearParameter("federation-upstream", upstream);
      const a = await upConn.createChannel();
      await a.deleteQueue(q).catch(() => {});
      const b = await downConn.createChannel();
      await b.deleteQueue(q).catch(() => {});
    }
  } finally {
    await upConn.close().catch(() => {});
    await downConn.close().catch(() => {});
  }
}
