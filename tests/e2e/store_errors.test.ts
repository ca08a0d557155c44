// A data dir Warren cannot use stops start-up with one clear line and exit
// code 1 — never a silently empty broker: a file that is not SQLite, an
// SQLite file Warren did not write, a dir it cannot write to, and a dir
// another running node holds.
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { spawnBroker } from "../helpers/broker_process.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

async function startFails(dataDir: string): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
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
    ],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
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
