// A data dir Warren cannot use stops start-up with one clear line and exit
// code 1 — never a silently empty broker: a file that is not SQLite, an
// SQLite file Warren did not write, a dir it cannot write to, a dir another
// running node holds, a database emptied or deleted while its write-ahead
// log still holds the data, a damaged page, a read-only file. A log cut
// short is recovered up to its last complete transaction, with a line that
// says how much was kept. Warren only: RabbitMQ's message store is not
// SQLite, so these files have no counterpart there.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { DatabaseSync } from "node:sqlite";
import amqp from "../helpers/amqplib.ts";
import { spawnBroker } from "../helpers/broker_process.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** A node that starts instead of refusing is stopped after this long (and the test fails). */
const REFUSAL_TIMEOUT_MS = 20_000;
const NOBODY = 65534;

/** Runs Warren on `dataDir`, expecting it to refuse to start and exit by itself. */
async function startFails(dataDir: string, asUid?: number): Promise<{ code: number; stderr: string }> {
  // root may write any file, so a read-only file is only read-only to somebody else.
  const prefix = asUid === undefined
    ? []
    : ["setpriv", `--reuid=${asUid}`, `--regid=${asUid}`, "--clear-groups"];
  const [program, ...args] = [
    ...prefix,
    Deno.execPath(),
    "run",
    "-A",
    MAIN,
    "--port",
    "0",
    "--management-port",
    "0",
    "--prometheus-port",
    "0",
    "--hostname",
    "127.0.0.1",
    "--data-dir",
    dataDir,
  ];
  const child = new Deno.Command(program, { args, stdout: "piped", stderr: "piped", stdin: "null" }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), REFUSAL_TIMEOUT_MS);
  const out = await child.output().finally(() => clearTimeout(timer));
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr).trim() };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "warren-store-err-" });
  try {
    await fn(dir);
  } finally {
    await Deno.chmod(dir, 0o755).catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a data file that is not SQLite stops start-up with one line naming it", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/warren.db`,
      "this is not a database, it is a shopping list\n".repeat(100),
    );
    const r = await startFails(dir);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /^warren: .*warren\.db is not a Warren data file/);
  });
});

Deno.test("an SQLite file that Warren did not write is refused, not adopted", async () => {
  await withDir(async (dir) => {
    const db = new DatabaseSync(`${dir}/warren.db`);
    db.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)");
    db.close();
    const r = await startFails(dir);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^warren: .*warren\.db is an SQLite file that Warren did not write; refusing to use it$/,
    );
    // The foreign file is left as it was.
    const check = new DatabaseSync(`${dir}/warren.db`);
    const tables = check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    check.close();
    assert.deepEqual(tables.map((t) => t.name), ["invoices"]);
  });
});

Deno.test("a data dir that cannot be created stops start-up with one line naming the path", async () => {
  // Not even root may create directories under /proc, so this holds for any CI user.
  const r = await startFails("/proc/warren-data");
  assert.equal(r.code, 1);
  assert.equal(r.stderr.split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /^warren: cannot create data dir \/proc\/warren-data: /);
});

Deno.test("a data dir path that is a file stops start-up with one line naming the path", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/not-a-dir`, "x");
    const r = await startFails(`${dir}/not-a-dir`);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.split("\n").length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^warren: cannot create data dir ${dir}/not-a-dir`));
  });
});

Deno.test({
  name: "a second node on the same data dir exits with 'locked' while the first keeps running",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withDir(async (dir) => {
      const first = await spawnBroker({ args: ["--data-dir", dir] });
      try {
        const r = await startFails(dir);
        assert.equal(r.code, 1);
        assert.match(
          r.stderr,
          /^warren: .*warren\.db is locked: another Warren node is using this data dir$/,
        );
        // The first node is unharmed.
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: first.port });
        conn.close();
      } finally {
        first.kill("SIGTERM");
        await first.exited;
      }
    });
  },
});

const MESSAGE_BYTES = 200;

/**
 * Fills `dir` with a durable queue of persistent messages, every one
 * confirmed, published in batches so the log holds many transactions.
 * "crash" leaves the write-ahead log as a kill -9 does.
 */
async function fillDataDir(dir: string, messages: number, stop: "crash" | "clean"): Promise<void> {
  const broker = await spawnBroker({ args: ["--data-dir", dir] });
  try {
    const conn = await amqp.connect(broker.url);
    conn.on("error", () => {});
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue("kept", { durable: true });
    for (let i = 0; i < messages; i += 100) {
      for (let j = i; j < Math.min(i + 100, messages); j++) {
        ch.sendToQueue("kept", Buffer.alloc(MESSAGE_BYTES, j % 251), { persistent: true });
      }
      await ch.waitForConfirms();
    }
    // A crash leaves the connection open until the broker dies under it.
    if (stop === "clean") await conn.close();
  } finally {
    broker.kill(stop === "crash" ? "SIGKILL" : "SIGTERM");
    await broker.exited;
  }
}

/** Every file in `dir` with its bytes, to show a refusal touched nothing. */
async function contents(dir: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for await (const e of Deno.readDir(dir)) out.set(e.name, await Deno.readFile(`${dir}/${e.name}`));
  return out;
}

Deno.test({
  name: "a warren.db truncated to 0 bytes stops start-up and is left as it was",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withDir(async (dir) => {
      await fillDataDir(dir, 300, "clean");
      await Deno.truncate(`${dir}/warren.db`, 0);
      const before = await contents(dir);
      const r = await startFails(dir);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.split("\n").length, 1, r.stderr);
      assert.match(
        r.stderr,
        /^warren: \S+\/warren\.db is empty \(0 bytes\).*: refusing to start an empty node in place of the data it held/,
      );
      assert.deepEqual(await contents(dir), before);
    });
  },
});

Deno.test({
  name: "a warren.db deleted while warren.db-wal holds the data stops start-up, touching nothing",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withDir(async (dir) => {
      await fillDataDir(dir, 300, "crash");
      assert.ok((await Deno.stat(`${dir}/warren.db-wal`)).size > 0, "the crash left a log");
      await Deno.remove(`${dir}/warren.db`);
      const before = await contents(dir);
      const r = await startFails(dir);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.split("\n").length, 1, r.stderr);
      assert.match(
        r.stderr,
        /^warren: \S+\/warren\.db is missing while \S+\/warren\.db-wal is present: refusing to start/,
      );
      assert.deepEqual(await contents(dir), before);
    });
  },
});

Deno.test({
  name: "a write-ahead log cut short is recovered up to its last complete transaction, with a line saying so",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withDir(async (dir) => {
      const published = 2_000;
      await fillDataDir(dir, published, "crash");
      const wal = `${dir}/warren.db-wal`;
      // Cut inside the middle frame, as a copy or a disk that gave out halfway would. The log is a
      // 32-byte header and frames of a 24-byte header plus one page; the page size is at offset 8.
      const header = new DataView((await Deno.readFile(wal)).buffer);
      const frameBytes = 24 + header.getUint32(8);
      const frames = Math.floor(((await Deno.stat(wal)).size - 32) / frameBytes);
      await Deno.truncate(wal, 32 + Math.floor(frames / 2) * frameBytes + 1001);
      const broker = await spawnBroker({ args: ["--data-dir", dir] });
      try {
        const line = broker.output.find((l) => l.includes("write-ahead log was cut short"));
        assert.ok(line, broker.output.join("\n"));
        const m = line.match(
          /^\S+ warning store write-ahead log was cut short; recovered it up to its last complete transaction path=\S+\/warren\.db-wal recovered_frames=(\d+) recovered_transactions=(\d+) dropped_frames=(\d+) dropped_bytes=(\d+)$/,
        );
        assert.ok(m, line);
        assert.ok(Number(m[1]) > 0 && Number(m[2]) > 0, line);
        assert.ok(Number(m[4]) > 0, "the frame cut in two is counted");
        // What was recovered is served; what was cut off is gone, as the line said.
        const conn = await amqp.connect(broker.url);
        const ch = await conn.createChannel();
        const { messageCount } = await ch.checkQueue("kept");
        await conn.close();
        assert.ok(messageCount > 0 && messageCount < published, `recovered ${messageCount}`);
      } finally {
        broker.kill("SIGTERM");
        await broker.exited;
      }
    });
  },
});

Deno.test({
  name: "a damaged page stops start-up with one line, not a stack trace",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withDir(async (dir) => {
      await fillDataDir(dir, 2_000, "clean");
      const db = `${dir}/warren.db`;
      // Move everything into warren.db itself, then overwrite every other page after the first.
      const sqlite = new DatabaseSync(db);
      sqlite.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      const pageBytes = (sqlite.prepare("PRAGMA page_size").get() as { page_size: number }).page_size;
      sqlite.close();
      const file = await Deno.open(db, { read: true, write: true });
      const pages = Math.floor((await file.stat()).size / pageBytes);
      for (let p = 2; p < pages; p += 2) {
        await file.seek(p * pageBytes, Deno.SeekMode.Start);
        await file.write(new Uint8Array(pageBytes).fill(0x5a));
      }
      file.close();
      const r = await startFails(dir);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.split("\n").length, 1, r.stderr);
      assert.match(r.stderr, /^warren: \S+\/warren\.db is damaged \(database disk image is malformed\)/);
    });
  },
});

Deno.test({
  name: "a read-only warren.db stops start-up with one line naming it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withDir(async (dir) => {
      await fillDataDir(dir, 10, "clean");
      const asRoot = Deno.uid() === 0;
      if (asRoot) {
        for await (const e of Deno.readDir(dir)) await Deno.chown(`${dir}/${e.name}`, NOBODY, NOBODY);
        await Deno.chown(dir, NOBODY, NOBODY);
      }
      await Deno.chmod(`${dir}/warren.db`, 0o444);
      const r = await startFails(dir, asRoot ? NOBODY : undefined);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.split("\n").length, 1, r.stderr);
      assert.match(
        r.stderr,
        /^warren: cannot open \S+\/warren\.db for writing \(attempt to write a readonly database\)$/,
      );
    });
  },
});
