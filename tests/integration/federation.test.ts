// Federation between two Warren nodes: exchange federation (bindings
// mirrored upstream, x-received-from), queue federation (messages move only
// to a waiting downstream consumer), a cycle of two exchanges stopped by
// max-hops, the upstream objects laid out as RabbitMQ 3.10 lays them out,
// /api/federation-links, and links that come back after the upstream node
// restarts. The same scenarios run between RabbitMQ and Warren both ways in
// tests/e2e/federation_rabbitmq.test.ts, and RabbitMQ → RabbitMQ by hand
// (see there), which is how they were checked against RabbitMQ 3.10.8.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "../helpers/amqplib.ts";
import { until } from "../helpers/management_api.ts";
import { type Server, startServer } from "../../src/server/server.ts";
import { SqliteStore } from "../../src/store/sqlite_store.ts";
import {
  exchangeFederationScenario,
  type FederationSide,
  queueFederationScenario,
  uniq,
  upstreamUri,
  warrenSide,
} from "../helpers/federation_sides.ts";

const TIMEOUT_MS = 60_000;

async function withTwo(
  fn: (a: FederationSide & { api: string }, b: FederationSide & { api: string }) => Promise<void>,
) {
  const a = await warrenSide("warren-a");
  const b = await warrenSide("warren-b");
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      fn(a, b),
      new Promise<never>((
        _,
        reject,
      ) => (timer = setTimeout(() => reject(new Error("timed out")), TIMEOUT_MS))),
    ]);
  } finally {
    clearTimeout(timer);
    await b.close();
    await a.close();
  }
}

Deno.test({
  name: "exchange federation between Warren nodes mirrors bindings and adds x-received-from",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => withTwo((a, b) => exchangeFederationScenario(a, b)),
});

Deno.test({
  name: "queue federation between Warren nodes moves messages only to a waiting downstream consumer",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => withTwo((a, b) => queueFederationScenario(a, b)),
});

type Conn = Awaited<ReturnType<typeof amqp.connect>>;

async function open(url: string): Promise<Conn> {
  const c = await amqp.connect(url);
  c.on("error", () => {});
  return c;
}

Deno.test({
  name: "two exchanges federated from each other deliver every message once on each node (max-hops)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withTwo(async (a, b) => {
      const x = uniq("cycle");
      const connA = await open(a.amqpUrl);
      const connB = await open(b.amqpUrl);
      try {
        const chA = await connA.createConfirmChannel();
        const chB = await connB.createConfirmChannel();
        const queues: [typeof chA, string][] = [];
        for (const ch of [chA, chB]) {
          await ch.assertExchange(x, "fanout", { durable: false });
          const q = (await ch.assertQueue("", { exclusive: true })).queue;
          await ch.bindQueue(q, x, "");
          queues.push([ch, q]);
        }
        await a.setParameter("federation-upstream", "b", { uri: upstreamUri(b) });
        await b.setParameter("federation-upstream", "a", { uri: upstreamUri(a) });
        await a.setPolicy("cycle", `^${x}$`, "exchanges", { "federation-upstream-set": "all" });
        await b.setPolicy("cycle", `^${x}$`, "exchanges", { "federation-upstream-set": "all" });
        for (const side of [a, b]) {
          await until(
            async () => (await callApiJson(side.api, "/api/federation-links/%2F")) as { status: string }[],
            (links) => links.length === 1 && links[0].status === "running",
            "the link running",
          );
        }
        // Bindings are mirrored within a second; a probe shows they are.
        await until(async () => {
          chA.publish(x, "", Buffer.from("probe"));
          await chA.waitForConfirms();
          await new Promise((r) => setTimeout(r, 100));
          return await chB.checkQueue(queues[1][1]);
        }, (q) =>
          q.messageCount > 0, "a probe from a to b");
        await new Promise((r) =>
          setTimeout(r, 500)
        );
        for (const [ch, q] of queues) await ch.purgeQueue(q);

        chA.publish(x, "", Buffer.from("from a"));
        chB.publish(x, "", Buffer.from("from b"));
        await chA.waitForConfirms();
        await chB.waitForConfirms();
        await new Promise((r) => setTimeout(r, 1_000));
        for (const [ch, q] of queues) {
          const bodies: string[] = [];
          for (let m = await ch.get(q, { noAck: true }); m !== false; m = await ch.get(q, { noAck: true })) {
            bodies.push(m.content.toString());
          }
          assert.deepEqual(bodies.sort(), ["from a", "from b"]);
        }
      } finally {
        await connA.close().catch(() => {});
        await connB.close().catch(() => {});
      }
    }),
});

async function callApiJson(base: string, path: string): Promise<unknown> {
  const r = await fetch(`${base}${path}`, { headers: { authorization: `Basic ${btoa("guest:guest")}` } });
  return await r.json();
}

Deno.test({
  name: "federation links start again with the node and reconnect after their upstream restarts",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "warren-federation-" });
    const startDown = () =>
      startServer({
        port: 0,
        hostname: "127.0.0.1",
        logLevel: "error",
        clusterName: "down",
        store: new SqliteStore(`${dir}/down.db`, { sync: "normal" }),
      });
    const startUp = (port: number) =>
      startServer({ port, hostname: "127.0.0.1", logLevel: "error", clusterName: "up" });
    let up: Server = await startUp(0);
    const upPort = up.port;
    let down: Server = await startDown();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const x = uniq("restart");
    const moved = async (body: string) => {
      const cu = await open(`amqp://guest:guest@127.0.0.1:${upPort}/`);
      const cd = await open(`amqp://guest:guest@127.0.0.1:${down.port}/`);
      try {
        const chU = await cu.createConfirmChannel();
        const chD = await cd.createChannel();
        await chU.assertExchange(x, "fanout", { durable: true });
        await chD.assertExchange(x, "fanout", { durable: true });
        const q = (await chD.assertQueue("", { exclusive: true })).queue;
        await chD.bindQueue(q, x, "");
        const m = await until(
          async () => {
            chU.publish(x, "", Buffer.from(body));
            await chU.waitForConfirms();
            await new Promise((r) => setTimeout(r, 200));
            return await chD.get(q, { noAck: true });
          },
          (m) => m !== false,
          `${body} federated`,
          20_000,
        );
        assert.ok(m !== false);
        assert.equal(m.content.toString(), body);
      } finally {
        await cu.close().catch(() => {});
        await cd.close().catch(() => {});
      }
    };
    const linkState = () => down.federation.status().map((l) => l.status).join(",");
    const scenario = async () => {
      down.broker.parameters.set("federation-upstream", "/", "up", {
        uri: `amqp://guest:guest@127.0.0.1:${upPort}/%2f`,
        "reconnect-delay": 1,
      });
      down.broker.vhost("/")!.setPolicy({
        vhost: "/",
        name: "fed",
        pattern: `^${x}$`,
        applyTo: "exchanges",
        priority: 0,
        definition: { "federation-upstream": "up" },
      });
      await moved("before the downstream restarts");

      await down.close();
      down = await startDown();
      await until(
        () => Promise.resolve(linkState()),
        (s) => s === "running",
        "the link running after a restart",
      );
      await moved("after the downstream restarted");

      await up.close();
      await until(() => Promise.resolve(linkState()), (s) => s === "error", "the link failing");
      // A fresh node (in memory): `moved` declares the exchange again, and the link, retrying, finds it.
      up = await startUp(upPort);
      await moved("after the upstream restarted");
      assert.equal(linkState(), "running");
    };
    try {
      await Promise.race([
        scenario(),
        new Promise<never>((
          _,
          reject,
        ) => (timer = setTimeout(() => reject(new Error("timed out")), TIMEOUT_MS))),
      ]);
    } finally {
      clearTimeout(timer);
      await down.close();
      await up.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
