// Dynamic shovels on one node (source `amqp://`, this node; destination the
// node's own AMQP URL), driven through /api/parameters/shovel and watched
// with amqplib and /api/shovels: queue to queue, exchange to exchange with
// keys, src-delete-after, the headers and properties a shovel adds, the
// three ack modes, restart and delete through the shovel API, and the
// status shapes. With two Warren nodes (Warren only): the destination
// node goes down and comes back while publishers keep going, and every
// confirmed message arrives.
//
// The single-node tests also run green against RabbitMQ 3.10.8 (rabbitmq_shovel):
//   WARREN_TEST_MANAGEMENT_URL=http://127.0.0.1:15682 WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5682/ \
//   deno test -A tests/integration/shovels.test.ts
// Warren's status adds messages_forwarded and messages_redelivered, which RabbitMQ does not have.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp, { type ConfirmChannel } from "../helpers/amqplib.ts";
import { type ManagedBroker, until, withBroker } from "../helpers/management_api.ts";
import { startServer } from "../../src/server/server.ts";
import { startAdminServer } from "../../src/admin/admin_server.ts";
import { SqliteStore } from "../../src/store/sqlite_store.ts";
import { callApi } from "../helpers/management_api.ts";

const EXTERNAL = Boolean(Deno.env.get("WARREN_TEST_MANAGEMENT_URL"));

function uniq(s: string): string {
  return `shv-${s}-${crypto.randomUUID().slice(0, 8)}`;
}

/** The broker's own URL with the "/" vhost spelled out ("amqp://h:p/" means vhost "" to RabbitMQ). */
function selfUri(b: ManagedBroker): string {
  return b.amqpUrl.replace(/\/?$/, "/%2f");
}

type Status = Record<string, unknown>;

async function shovelStatus(b: ManagedBroker, name: string): Promise<Status | undefined> {
  const r = await b.api("GET", "/api/shovels/%2F");
  return (r.body as Status[]).find((s) => s.name === name);
}

function running(b: ManagedBroker, name: string): Promise<Status | undefined> {
  return until(() => shovelStatus(b, name), (s) => s?.state === "running", `shovel ${name} running`);
}

/** A test with a broker, a confirm channel on it, and cleanup of the shovels and queues it names. */
async function scenario(
  fn: (
    t: {
      b: ManagedBroker;
      ch: ConfirmChannel;
      shovel: (n: string, v: Status) => Promise<void>;
      queue: (s: string) => string;
    },
  ) => Promise<void>,
): Promise<void> {
  await withBroker(async (b) => {
    const conn = await amqp.connect(b.amqpUrl);
    conn.on("error", () => {});
    const ch = await conn.createConfirmChannel();
    const shovels: string[] = [];
    const queues: string[] = [];
    try {
      await fn({
        b,
        ch,
        queue: (s) => {
          const q = uniq(s);
          queues.push(q);
          return q;
        },
        shovel: async (n, value) => {
          shovels.push(n);
          const r = await b.api("PUT", `/api/parameters/shovel/%2F/${n}`, { body: { value } });
          assert.equal(r.status, 201, JSON.stringify(r.body));
        },
      });
    } finally {
      for (const n of shovels) await b.api("DELETE", `/api/parameters/shovel/%2F/${n}`);
      const cleanup = await conn.createChannel();
      for (const q of queues) await cleanup.deleteQueue(q).catch(() => {});
      await conn.close().catch(() => {});
    }
  });
}

async function publish(
  ch: ConfirmChannel,
  exchange: string,
  key: string,
  n: number,
  prefix = "m",
): Promise<void> {
  for (let i = 0; i < n; i++) ch.publish(exchange, key, Buffer.from(`${prefix}${i}`), { persistent: true });
  await ch.waitForConfirms();
}

async function count(ch: ConfirmChannel, q: string): Promise<number> {
  return (await ch.checkQueue(q)).messageCount;
}

Deno.test("a shovel moves persistent messages queue to queue, in order, and shows RabbitMQ's running status", async () => {
  await scenario(async ({ b, ch, shovel, queue }) => {
    const src = queue("src");
    const dest = queue("dest");
    const n = uniq("q2q");
    await shovel(n, { "src-uri": "amqp://", "src-queue": src, "dest-uri": selfUri(b), "dest-queue": dest });
    const st = await running(b, n);
    await publish(ch, "", src, 200);
    await until(() => count(ch, dest), (c) => c === 200, "200 messages in the destination");
    assert.equal(await count(ch, src), 0);
    const bodies: string[] = [];
    for (let i = 0; i < 200; i++) {
      const m = await ch.get(dest, { noAck: true });
      assert.ok(m);
      bodies.push(m.content.toString());
      assert.equal(m.properties.deliveryMode, 2);
    }
    assert.deepEqual(bodies, Array.from({ length: 200 }, (_, i) => `m${i}`));
    const { node: _, timestamp, messages_forwarded: __, messages_redelivered: ___, ...rest } = st!;
    assert.match(String(timestamp), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.deepEqual(rest, {
      name: n,
      vhost: "/",
      type: "dynamic",
      state: "running",
      src_uri: "amqp://",
      src_protocol: "amqp091",
      dest_protocol: "amqp091",
      dest_uri: selfUri(b).replace(/\/\/[^@]*@/, "//"),
      src_queue: src,
      dest_queue: dest,
    });
    const one = await b.api("GET", `/api/shovels/vhost/%2F/${n}`);
    assert.deepEqual([one.status, one.body.map((s: Status) => s.name)], [200, [n]]);
  });
});

Deno.test("a shovel from an exchange moves only what its key matches, to dest-exchange with dest-exchange-key", async () => {
  await scenario(async ({ b, ch, shovel, queue }) => {
    const dest = queue("xdest");
    const key = uniq("key");
    await ch.assertQueue(dest, { durable: true });
    await ch.bindQueue(dest, "amq.topic", `${key}.moved`);
    const n = uniq("x2x");
    await shovel(n, {
      "src-uri": "amqp://",
      "src-exchange": "amq.direct",
      "src-exchange-key": key,
      "dest-uri": selfUri(b),
      "dest-exchange": "amq.topic",
      "dest-exchange-key": `${key}.moved`,
    });
    const st = await running(b, n);
    assert.equal(st!.src_exchange, "amq.direct");
    assert.equal(st!.src_exchange_key, key);
    assert.equal(st!.dest_exchange, "amq.topic");
    assert.equal(st!.dest_exchange_key, `${key}.moved`);
    await publish(ch, "amq.direct", key, 5);
    await publish(ch, "amq.direct", `${key}-other`, 5);
    await until(() => count(ch, dest), (c) => c === 5, "the 5 matching messages");
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await count(ch, dest), 5);
  });
});

Deno.test("src-delete-after queue-length moves what the queue held, then the shovel and its parameter go", async () => {
  await scenario(async ({ b, ch, shovel, queue }) => {
    const src = queue("drain");
    const dest = queue("drained");
    await ch.assertQueue(src, { durable: true });
    await publish(ch, "", src, 50);
    const n = uniq("drain");
    await shovel(n, {
      "src-uri": "amqp://",
      "src-queue": src,
      "src-delete-after": "queue-length",
      "dest-uri": selfUri(b),
      "dest-queue": dest,
    });
    await until(
      () => b.api("GET", `/api/parameters/shovel/%2F/${n}`),
      (r) => r.status === 404,
      "the parameter gone",
    );
    await until(() => shovelStatus(b, n), (s) => s === undefined, "the shovel gone");
    assert.equal(await count(ch, dest), 50);
    assert.equal(await count(ch, src), 0);
  });
});

Deno.test("a numeric src-delete-after moves that many messages and leaves the rest", async () => {
  await scenario(async ({ b, ch, shovel, queue }) => {
    const src = queue("some");
    const dest = queue("some-dest");
    await ch.assertQueue(src, { durable: true });
    await publish(ch, "", src, 30);
    const n = uniq("some");
    await shovel(n, {
      "src-uri": "amqp://",
      "src-queue": src,
      "src-delete-after": 12,
      "dest-uri": selfUri(b),
      "dest-queue": dest,
    });
    await until(
      () => b.api("GET", `/api/parameters/shovel/%2F/${n}`),
      (r) => r.status === 404,
      "the parameter gone",
    );
    await until(() => count(ch, src), (c) => c === 18, "18 left in the source");
    assert.equal(await count(ch, dest), 12);
  });
});

Deno.test("forward headers, a timestamp header and publish properties are added on the way", async () => {
  await scenario(async ({ b, ch, shovel, queue }) => {
    const src = queue("hsrc");
    const dest = queue("hdest");
    const n = uniq("headers");
    await shovel(n, {
      "src-uri": "amqp://",
      "src-queue": src,
      "dest-uri": selfUri(b),
      "dest-queue": dest,
      "dest-add-forward-headers": true,
      "dest-add-timestamp-header": true,
      "dest-publish-properties": { delivery_mode: 1, app_id: "shovelled" },
    });
    await running(b, n);
    ch.sendToQueue(src, Buffer.from("h"), {
      persistent: true,
      headers: { mine: "kept" },
      contentType: "text/plain",
    });
    await ch.waitForConfirms();
    await until(() => count(ch, dest), (c) => c === 1, "the message");
    const m = await ch.get(dest, { noAck: true });
    assert.ok(m);
    assert.equal(m.properties.deliveryMode, 1);
    assert.equal(m.properties.appId, "shovelled");
    assert.equal(m.properties.contentType, "text/plain");
    const h = m.properties.headers!;
    assert.equal(h.mine, "kept");
    assert.equal(typeof h["x-shovelled-timestamp"], "number");
    const fwd = h["x-shovelled"][0];
    assert.equal(fwd["shovel-name"], n);
    assert.equal(fwd["shovel-type"], "dynamic");
    assert.equal(fwd["shovel-vhost"], "/");
    assert.equal(fwd["src-queue"], src);
    assert.equal(fwd["dest-queue"], dest);
    assert.equal(fwd["src-uri"], "amqp://");
    assert.equal(fwd["dest-uri"], selfUri(b).replace(/\/\/[^@]*@/, "//"), "credentials masked");
    assert.deepEqual(Object.keys(fwd).sort(), [
      "dest-queue",
      "dest-uri",
      "shovel-name",
      "shovel-type",
      "shovel-vhost",
      "shovelled-by",
      "src-queue",
      "src-uri",
    ]);
  });
});

for (const ackMode of ["on-publish", "no-ack"]) {
  Deno.test(`ack-mode ${ackMode} moves every message too`, async () => {
    await scenario(async ({ b, ch, shovel, queue }) => {
      const src = queue(`${ackMode}-src`);
      const dest = queue(`${ackMode}-dest`);
      const n = uniq(ackMode);
      await shovel(n, {
        "src-uri": "amqp://",
        "src-queue": src,
        "dest-uri": selfUri(b),
        "dest-queue": dest,
        "ack-mode": ackMode,
      });
      await running(b, n);
      await publish(ch, "", src, 300);
      await until(() => count(ch, dest), (c) => c === 300, "300 messages in the destination");
      await until(() => count(ch, src), (c) => c === 0, "an empty source");
    });
  });
}

Deno.test("the shovel API restarts a shovel and deletes it with its parameter; unknown ones are 404", async () => {
  await scenario(async ({ b, ch, shovel, queue }) => {
    const src = queue("rsrc");
    const dest = queue("rdest");
    const n = uniq("restart");
    await shovel(n, { "src-uri": "amqp://", "src-queue": src, "dest-uri": selfUri(b), "dest-queue": dest });
    const before = await running(b, n);
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await b.api("DELETE", `/api/shovels/vhost/%2F/${n}/restart`)).status, 204);
    await until(
      () => shovelStatus(b, n),
      (s) => s?.state === "running" && s.timestamp !== before!.timestamp,
      "running again after the restart",
    );
    await publish(ch, "", src, 10);
    await until(() => count(ch, dest), (c) => c === 10, "messages moved after the restart");
    assert.equal((await b.api("DELETE", `/api/shovels/vhost/%2F/${uniq("none")}/restart`)).status, 404);
    assert.equal((await b.api("DELETE", `/api/shovels/vhost/%2F/${n}`)).status, 204);
    await until(() => shovelStatus(b, n), (s) => s === undefined, "the shovel gone");
    assert.equal((await b.api("GET", `/api/parameters/shovel/%2F/${n}`)).status, 404);
  });
});

Deno.test("a shovel that cannot reach its destination is not running and says why, then runs once it can", async () => {
  await scenario(async ({ b, ch, shovel, queue }) => {
    const src = queue("wsrc");
    const dest = queue("wdest");
    const vhost = uniq("vh");
    const n = uniq("waits");
    try {
      // The destination vhost does not exist yet: the shovel keeps trying.
      await shovel(n, {
        "src-uri": "amqp://",
        "src-queue": src,
        "dest-uri": b.amqpUrl.replace(/\/?$/, `/${vhost}`),
        "dest-queue": dest,
        "reconnect-delay": 1,
      });
      await new Promise((r) => setTimeout(r, 1500));
      const st = await shovelStatus(b, n);
      assert.ok(st && st.state !== "running", JSON.stringify(st));
      assert.equal((await b.api("PUT", `/api/vhosts/${vhost}`)).status, 201);
      await b.api("PUT", `/api/permissions/${vhost}/guest`, {
        body: { configure: ".*", write: ".*", read: ".*" },
      });
      await until(
        () => shovelStatus(b, n),
        (s) => s?.state === "running",
        "running once the vhost exists",
        15_000,
      );
      await publish(ch, "", src, 3);
      const other = await amqp.connect(b.amqpUrl.replace(/\/?$/, `/${vhost}`));
      try {
        const och = await other.createChannel();
        await until(
          async () => (await och.checkQueue(dest)).messageCount,
          (c) => c === 3,
          "3 in the other vhost",
        );
      } finally {
        await other.close();
      }
    } finally {
      await b.api("DELETE", `/api/parameters/shovel/%2F/${n}`);
      await b.api("DELETE", `/api/vhosts/${vhost}`);
    }
  });
});

Deno.test({
  name:
    "Warren to Warren: the destination node stops and restarts mid-stream, every confirmed message arrives",
  ignore: EXTERNAL,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "warren-shovel-dest-" });
    const startDest = (port: number) =>
      startServer({
        port,
        hostname: "127.0.0.1",
        logLevel: "error",
        store: new SqliteStore(`${dir}/dest.db`, { sync: "normal" }),
      });
    const source = await startServer({ port: 0, hostname: "127.0.0.1", logLevel: "error" });
    const admin = await startAdminServer({ node: source, port: 0, hostname: "127.0.0.1" });
    let dest = await startDest(0);
    const destPort = dest.port;
    const api = `http://127.0.0.1:${admin.port}`;
    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${source.port}/`);
    conn.on("error", () => {});
    const timer = setTimeout(() => conn.close().catch(() => {}), 60_000);
    try {
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue("work", { durable: true });
      const r = await callApi(api, "PUT", "/api/parameters/shovel/%2F/edge", {
        body: {
          value: {
            "src-uri": "amqp://",
            "src-queue": "work",
            "dest-uri": `amqp://guest:guest@127.0.0.1:${destPort}/%2f`,
            "dest-queue": "central",
            "reconnect-delay": 1,
          },
        },
      });
      assert.equal(r.status, 201);
      const TOTAL = 3000;
      let confirmed = 0;
      const producer = (async () => {
        for (let i = 0; i < TOTAL; i++) {
          ch.sendToQueue("work", Buffer.from(`m${i}`), { persistent: true });
          if (i % 100 === 99) {
            await ch.waitForConfirms();
            confirmed = i + 1;
          }
        }
        await ch.waitForConfirms();
        confirmed = TOTAL;
      })();
      await until(() => Promise.resolve(confirmed), (c) => c >= 600, "some messages published");
      await dest.close();
      await new Promise((r) => setTimeout(r, 300));
      dest = await startDest(destPort);
      await producer;
      const destConn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${destPort}/`);
      try {
        const dch = await destConn.createChannel();
        await until(
          async () => (await ch.checkQueue("work")).messageCount,
          (c) => c === 0,
          "the source drained",
          20_000,
        );
        const seen = new Set<string>();
        let total = 0;
        while (true) {
          const m = await dch.get("central", { noAck: true });
          if (!m) break;
          seen.add(m.content.toString());
          total++;
        }
        assert.equal(seen.size, TOTAL, `distinct messages at the destination (of ${total} received)`);
        const st = (await callApi(api, "GET", "/api/shovels")).body[0];
        assert.equal(
          total - TOTAL <= st.messages_redelivered,
          true,
          "duplicates are counted as redeliveries",
        );
      } finally {
        await destConn.close();
      }
    } finally {
      clearTimeout(timer);
      await conn.close().catch(() => {});
      await admin.close();
      await source.close();
      await dest.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
