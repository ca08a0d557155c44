// The live-migration recipe from Warren onto a 3-node RabbitMQ 3.10 cluster,
// end to end: three private RabbitMQ nodes joined with `rabbitmqctl
// join_cluster`; Warren's definitions imported into the cluster with the
// work queue turned into a quorum queue; a Warren shovel (src-delete-after
// queue-length, every cluster node in its dest-uri list) drains the queue
// while a producer keeps publishing to Warren; Warren is killed with SIGKILL
// in the middle, the producer moves to the cluster, Warren comes back and
// its shovel (kept in its store) finishes the drain and deletes itself; a
// consumer on the cluster then sees every message any producer had
// confirmed, at least once.
//
// Needs Debian's rabbitmq-server; skipped where it is not installed, except
// in CI (CI=true), where that is a failure.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "../helpers/amqplib.ts";
import { type BrokerProcess, spawnBroker } from "../helpers/broker_process.ts";
import { callApi, until } from "../helpers/management_api.ts";
import { freePort, RabbitNode } from "../../scripts/rabbitmq_node.ts";

const TEST_TIMEOUT_MS = 300_000;
const BACKLOG = 3000;
const QUEUE = "orders";

function installed(): boolean {
  try {
    Deno.statSync("/usr/lib/rabbitmq/bin/rabbitmq-server");
    return true;
  } catch {
    return false;
  }
}

type Conn = Awaited<ReturnType<typeof amqp.connect>>;

/** Publishes `m<id>` with confirms until stopped or the connection dies; records what was confirmed. */
function producer(conn: Conn, ids: { next: number }, confirmed: Set<string>) {
  let stopped = false;
  const done = (async () => {
    const ch = await conn.createConfirmChannel();
    while (!stopped) {
      const batch: string[] = [];
      for (let i = 0; i < 50; i++) {
        const body = `m${ids.next++}`;
        batch.push(body);
        ch.sendToQueue(QUEUE, Buffer.from(body), { persistent: true });
      }
      await ch.waitForConfirms();
      for (const b of batch) confirmed.add(b);
      await new Promise((r) => setTimeout(r, 20));
    }
  })().catch(() => {/* the broker went away: what was confirmed is recorded */});
  return {
    done,
    stop() {
      stopped = true;
    },
  };
}

Deno.test({
  name:
    "migration onto a 3-node RabbitMQ cluster: definitions, a draining shovel, Warren SIGKILLed midway, nothing lost",
  ignore: !installed() && Deno.env.get("CI") !== "true",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "warren-migrate-" });
    const suffix = crypto.randomUUID().slice(0, 8);
    // The three nodes find each other through one epmd, started by the first.
    const epmdPort = freePort();
    const nodes = await Promise.all(["a", "b", "c"].map(async (n, i) => {
      const baseDir = await Deno.makeTempDir({ prefix: `warren-migrate-rabbit-${n}-` });
      const nodeName = `warren-migrate-${n}-${suffix}@localhost`;
      return new RabbitNode({ baseDir, nodeName, epmdPort, startEpmd: i === 0 });
    }));
    const onUnload = () => nodes.forEach((n) => n.killNow());
    globalThis.addEventListener("unload", onUnload);
    let warren: BrokerProcess | undefined;
    const conns: Conn[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;

    const connect = async (url: string) => {
      const c = await amqp.connect(url);
      c.on("error", () => {});
      conns.push(c);
      return c;
    };

    const scenario = async () => {
      await nodes[0].start();
      await Promise.all(nodes.slice(1).map((n) => n.start()));
      for (const n of nodes.slice(1)) {
        await n.ctlOrThrow(["stop_app"]);
        await n.ctlOrThrow(["join_cluster", nodes[0].nodeName]);
        await n.ctlOrThrow(["start_app"]);
      }
      const status = await nodes[0].ctlOrThrow(["cluster_status", "--formatter", "json"]);
      assert.equal(JSON.parse(status.slice(status.indexOf("{"))).running_nodes.length, 3);
      const clusterUris = nodes.map((n) => `${n.url}%2f`);

      // Warren with a backlog.
      warren = await spawnBroker({ args: ["--data-dir", dataDir] });
      const wconn = await connect(warren.url);
      const wch = await wconn.createConfirmChannel();
      await wch.assertQueue(QUEUE, { durable: true });
      const confirmed = new Set<string>();
      const ids = { next: 0 };
      for (; ids.next < BACKLOG; ids.next++) {
        wch.sendToQueue(QUEUE, Buffer.from(`m${ids.next}`), { persistent: true });
      }
      await wch.waitForConfirms();
      for (let i = 0; i < BACKLOG; i++) confirmed.add(`m${i}`);

      // Step 1: Warren's definitions into the cluster, the work queue as a quorum queue.
      const defs =
        (await callApi(`http://127.0.0.1:${warren.managementPort}`, "GET", "/api/definitions")).body;
      for (const q of defs.queues) {
        if (q.name === QUEUE) q.arguments = { ...q.arguments, "x-queue-type": "quorum" };
      }
      const defsFile = `${nodes[0].baseDir}/warren-definitions.json`;
      await Deno.writeTextFile(defsFile, JSON.stringify(defs));
      await Deno.chmod(defsFile, 0o644);
      await nodes[0].ctlOrThrow(["import_definitions", defsFile]);
      const cconn = await connect(clusterUris[1]);
      const cch = await cconn.createChannel();
      const declared = await cch.assertQueue(QUEUE, {
        durable: true,
        arguments: { "x-queue-type": "quorum" },
      });
      assert.equal(declared.queue, QUEUE);

      // Step 2: producers keep publishing to Warren while its shovel drains the queue into the cluster.
      const p1 = producer(wconn, ids, confirmed);
      const api = () => `http://127.0.0.1:${warren!.managementPort}`;
      const put = await callApi(api(), "PUT", "/api/parameters/shovel/%2F/migrate", {
        body: {
          value: {
            "src-uri": "amqp://",
            "src-queue": QUEUE,
            "src-delete-after": "queue-length",
            "dest-uri": clusterUris,
            "dest-queue": QUEUE,
            "reconnect-delay": 1,
          },
        },
      });
      assert.equal(put.status, 201);
      await until(
        async () => (await cch.checkQueue(QUEUE)).messageCount,
        (n) => n >= 1000,
        "a third of the backlog in the cluster",
        60_000,
      );

      // Warren dies mid-drain; the producer moves to the cluster.
      warren.kill("SIGKILL");
      await warren.exited;
      p1.stop();
      await p1.done;
      const p2 = producer(await connect(clusterUris[2]), ids, confirmed);

      // Warren comes back; its shovel, kept in the store, finishes the drain and removes itself.
      warren = await spawnBroker({ args: ["--data-dir", dataDir] });
      await until(
        () => callApi(api(), "GET", "/api/parameters/shovel/%2F/migrate"),
        (r) => r.status === 404,
        "the shovel done and gone",
        120_000,
      );
      const after = await connect(warren.url);
      assert.equal((await (await after.createChannel()).checkQueue(QUEUE)).messageCount, 0, "Warren drained");
      p2.stop();
      await p2.done;

      // Step 3: consumers on the cluster see every confirmed message.
      const seen = new Set<string>();
      let received = 0;
      const consumer = await (await connect(clusterUris[0])).createChannel();
      while (true) {
        const m = await consumer.get(QUEUE, { noAck: true });
        if (!m) break;
        seen.add(m.content.toString());
        received++;
      }
      const missing = [...confirmed].filter((id) => !seen.has(id));
      console.log(
        `migration: ${confirmed.size} confirmed, ${seen.size} distinct received, ${
          received - seen.size
        } duplicates`,
      );
      assert.deepEqual(missing.slice(0, 10), [], `${missing.length} confirmed messages missing`);
    };

    try {
      await Promise.race([
        scenario(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`timed out after ${TEST_TIMEOUT_MS}ms`)),
            TEST_TIMEOUT_MS,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
      await Promise.all(conns.map((c) => c.close().catch(() => {})));
      if (warren) {
        warren.kill("SIGKILL");
        await warren.exited;
      }
      // The first node's epmd serves the others: it goes last.
      for (const n of [...nodes].reverse()) await n.stop({ fast: true }).catch(() => n.killNow());
      globalThis.removeEventListener("unload", onUnload);
      for (const n of nodes) await Deno.remove(n.baseDir, { recursive: true }).catch(() => {});
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
