// An online backup of a running node. `ctl backup FILE`
// copies the node while publishers with confirms keep publishing; a node
// started on the copy has the definitions (a user, an exchange, a binding,
// the queue) and every message confirmed before the backup began, each once.
// WARREN ONLY: RabbitMQ has no online backup of messages (its definitions
// export carries no messages, and copying its data dir needs the node
// stopped).
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp, { type ConfirmChannel } from "../helpers/amqplib.ts";
import { type BrokerProcess, spawnBroker } from "../helpers/broker_process.ts";
import { runCtl } from "../../src/cli/ctl.ts";

/** Enough data that the copy takes many steps (about 80 MB). */
const PRELOAD = 20_000;
const BODY_BYTES = 4_096;
const WINDOW = 500;
const TEST_TIMEOUT_MS = 120_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stop(b: BrokerProcess): Promise<void> {
  b.kill("SIGTERM");
  const timer = setTimeout(() => b.kill("SIGKILL"), 10_000);
  await b.exited;
  clearTimeout(timer);
}

function message(id: number): Buffer {
  const b = Buffer.alloc(BODY_BYTES, 0x61);
  b.writeUInt32BE(id, 0);
  return b;
}

/** Publishes ids from `next()` in confirmed windows until `more()` is false; records each confirmed id. */
async function publishConfirmed(
  ch: ConfirmChannel,
  next: () => number,
  more: () => boolean,
  confirmed: Set<number>,
): Promise<void> {
  while (more()) {
    const ids = Array.from({ length: WINDOW }, next);
    for (const id of ids) ch.publish("backup-x", "k", message(id), { persistent: true });
    await ch.waitForConfirms();
    for (const id of ids) confirmed.add(id);
  }
}

Deno.test({
  name: "ctl backup under load: a node started on the copy has the definitions and every message " +
    "confirmed before the backup began, once; the node serves during the backup",
  ignore: Boolean(Deno.env.get("WARREN_TEST_AMQP_URL")),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "warren-backup-" });
    const restoreDir = await Deno.makeTempDir({ prefix: "warren-restore-" });
    const backupFile = `${await Deno.makeTempDir({ prefix: "warren-backup-file-" })}/node.db`;
    const running: BrokerProcess[] = [];
    const run = async () => {
      const node = await spawnBroker({ args: ["--data-dir", dataDir] });
      running.push(node);
      const api = `http://127.0.0.1:${node.managementPort}`;
      const guest = { authorization: `Basic ${btoa("guest:guest")}`, "content-type": "application/json" };
      const put = await fetch(`${api}/api/users/backup-user`, {
        method: "PUT",
        headers: guest,
        body: JSON.stringify({ password: "s3cret", tags: "administrator" }),
      });
      assert.equal(put.status, 201, await put.text());

      const conn = await amqp.connect(node.url);
      conn.on("error", () => {});
      const ch = await conn.createConfirmChannel();
      await ch.assertExchange("backup-x", "direct", { durable: true });
      await ch.assertQueue("backup-q", { durable: true });
      await ch.bindQueue("backup-q", "backup-x", "k");
      let nextId = 0;
      const confirmed = new Set<number>();
      await publishConfirmed(ch, () => nextId++, () => nextId < PRELOAD, confirmed);

      // Publishers keep publishing, and a probe keeps asking the node, all through the backup.
      let backingUp = true;
      const loadConn = await amqp.connect(node.url);
      loadConn.on("error", () => {});
      const loadCh = await loadConn.createConfirmChannel();
      const load = publishConfirmed(loadCh, () => nextId++, () => backingUp, confirmed);
      const probeConn = await amqp.connect(node.url);
      probeConn.on("error", () => {});
      const probeCh = await probeConn.createChannel();
      let ctlRunning = false;
      let probesAnswered = 0;
      const probe = (async () => {
        while (backingUp) {
          const askedDuring = ctlRunning;
          await probeCh.checkQueue("backup-q");
          if (askedDuring && backingUp) probesAnswered++;
        }
      })();

      const out: string[] = [];
      const err: string[] = [];
      const confirmedBefore = new Set(confirmed);
      const confirmedAtStart = confirmed.size;
      ctlRunning = true;
      const code = await runCtl(["--data-dir", dataDir, "backup", backupFile], {
        io: { out: (l) => out.push(...l.split("\n")), err: (l) => err.push(l) },
        env: {},
        readStdin: () => Promise.resolve(""),
      });
      const confirmedAtEnd = confirmed.size;
      backingUp = false;
      await Promise.all([load, probe]);
      assert.equal(code, 0, `ctl backup failed: ${err.join("\n")}`);
      assert.equal(out[0], `Backing up the node to a file at "${backupFile}" ...`);
      assert.match(out[out.length - 1], /^Backed up \d+\.\d MiB to .*node\.db in \d+ ms\.$/);
      assert.ok(probesAnswered > 0, "the node answered another client during the backup");
      assert.ok(confirmedAtEnd > confirmedAtStart, "publishes were confirmed while the backup ran");
      await Promise.all([conn.close(), loadConn.close(), probeConn.close()]);
      // Reading the data file must not have cost the node its lock on it.
      await assert.rejects(
        spawnBroker({ args: ["--data-dir", dataDir] }),
        /is locked: another Warren node is using this data dir/,
      );
      await stop(node);

      await Deno.copyFile(backupFile, `${restoreDir}/warren.db`);
      const restored = await spawnBroker({ args: ["--data-dir", restoreDir] });
      running.push(restored);
      const whoami = await fetch(`http://127.0.0.1:${restored.managementPort}/api/whoami`, {
        headers: { authorization: `Basic ${btoa("backup-user:s3cret")}` },
      });
      assert.equal(whoami.status, 200, "the user came back with its password");
      await whoami.body?.cancel();
      const c2 = await amqp.connect(restored.url);
      c2.on("error", () => {});
      const ch2 = await c2.createChannel();
      await ch2.checkExchange("backup-x");
      const depth = (await ch2.checkQueue("backup-q")).messageCount;
      const seen = new Map<number, number>();
      await ch2.prefetch(1_000);
      await ch2.consume("backup-q", (m) => {
        if (m === null) return;
        const id = m.content.readUInt32BE(0);
        seen.set(id, (seen.get(id) ?? 0) + 1);
      }, { noAck: true });
      const deadline = Date.now() + 30_000;
      while (seen.size < depth && Date.now() < deadline) await sleep(50);
      const missing = [...confirmedBefore].filter((id) => !seen.has(id));
      assert.deepEqual(
        missing.slice(0, 10),
        [],
        `${missing.length} confirmed messages missing from the copy`,
      );
      const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
      assert.deepEqual(twice.slice(0, 10), [], "no message twice");
      assert.ok([...seen.keys()].every((id) => id < nextId), "nothing that was never published");
      // The binding came back too: a message through the exchange reaches the queue.
      const ch3 = await c2.createConfirmChannel();
      ch3.publish("backup-x", "k", message(nextId), { persistent: true });
      await ch3.waitForConfirms();
      const routedDeadline = Date.now() + 5_000;
      while (!seen.has(nextId) && Date.now() < routedDeadline) await sleep(20);
      assert.ok(seen.has(nextId), "the binding was restored");
      await c2.close();
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        run(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`timed out after ${TEST_TIMEOUT_MS}ms`)),
            TEST_TIMEOUT_MS,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
      for (const b of running) await stop(b).catch(() => {});
      for (const dir of [dataDir, restoreDir, backupFile.slice(0, backupFile.lastIndexOf("/"))]) {
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    }
  },
});
