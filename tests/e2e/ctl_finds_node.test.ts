// ctl finds the node that owns a data dir, and never another one: two
// nodes run side by side on their own data dirs and (OS-chosen) ports; each
// records where it listens in <data dir>/node.json, and `ctl --data-dir D`
// reaches D's node with no -n or port. Pointed at the other node, ctl
// refuses it by name. `ctl environment` shows the node's effective
// configuration. `ctl stop` stops the node cleanly (exit 0, record
// removed), after which ctl reports nothing answers (exit 69, as
// rabbitmqctl does for an unreachable node).
import assert from "node:assert/strict";
import { type BrokerProcess, spawnBroker } from "../helpers/broker_process.ts";
import { runCtl } from "../../src/cli/ctl.ts";
import { type NodeRecord, nodeRecordPath, readNodeRecord } from "../../src/admin/node_record.ts";

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function ctl(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCtl(args, {
    io: { out: (l) => out.push(...l.split("\n")), err: (l) => err.push(...l.split("\n")) },
    env: {},
    readStdin: () => Promise.resolve(""),
  });
  return { code, out, err };
}

/** The node writes its record just after its listeners are up (the line spawnBroker waits for). */
async function recordOf(dataDir: string): Promise<NodeRecord> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const record = readNodeRecord(dataDir);
    if (record !== null) return record;
    if (Date.now() > deadline) throw new Error(`no node record in ${dataDir}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: "ctl finds each node from its data dir, refuses a node that does not own it, and stops it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dirs = [
      await Deno.makeTempDir({ prefix: "warren-ctl-a-" }),
      await Deno.makeTempDir({ prefix: "warren-ctl-b-" }),
      await Deno.makeTempDir({ prefix: "warren-ctl-none-" }),
    ];
    const [dirA, dirB, dirNone] = dirs;
    const brokers: BrokerProcess[] = [];
    try {
      brokers.push(await spawnBroker({ args: ["--data-dir", dirA] }));
      brokers.push(await spawnBroker({ args: ["--data-dir", dirB] }));
      const [a, b] = brokers;
      assert.equal((await recordOf(dirA)).management.port, a.managementPort);
      assert.equal((await recordOf(dirB)).management.port, b.managementPort);

      const add = await ctl("--data-dir", dirB, "add_vhost", "only-on-b");
      assert.equal(add.code, 0, add.err.join("\n"));
      assert.deepEqual((await ctl("--data-dir", dirA, "-q", "list_vhosts")).out, ["name", "/"]);
      assert.deepEqual((await ctl("--data-dir", dirB, "-q", "list_vhosts")).out, ["name", "/", "only-on-b"]);

      const wrong = await ctl("--data-dir", dirA, "-n", `127.0.0.1:${b.managementPort}`, "list_vhosts");
      assert.equal(wrong.code, 69);
      assert.match(wrong.err[0], new RegExp(`does not own data dir ${dirA} `));

      const none = await ctl("--data-dir", dirNone, "-n", `127.0.0.1:${a.managementPort}`, "list_vhosts");
      assert.equal(none.code, 69);
      assert.match(none.err[0], /cannot read .*ctl\.secret \(no node has run with this data dir/);

      const env = await ctl("--data-dir", dirA, "environment");
      assert.equal(env.code, 0, env.err.join("\n"));
      assert.ok(env.out.includes(`warren.data_dir = ${dirA}`), env.out.join("\n"));
      assert.ok(env.out.includes("default_pass = ********"), "the password stays masked");

      const ping = await ctl("--data-dir", dirA, "ping");
      assert.deepEqual([ping.code, ping.out.at(-1)], [0, "Ping succeeded"]);

      const stop = await ctl("--data-dir", dirB, "stop");
      assert.equal(stop.code, 0, stop.err.join("\n"));
      assert.deepEqual(stop.out, [`Stopping and halting node 127.0.0.1:${b.managementPort} ...`]);
      assert.equal((await b.exited).code, 0);
      assert.equal(exists(nodeRecordPath(dirB)), false);
      const gone = await ctl("--data-dir", dirB, "-n", `127.0.0.1:${b.managementPort}`, "ping");
      assert.equal(gone.code, 69);
      assert.match(gone.err.join("\n"), /Failed to connect and authenticate to 127\.0\.0\.1:\d+ in \d+ ms/);
    } finally {
      for (const broker of brokers) broker.kill("SIGTERM");
      await Promise.all(brokers.map((broker) => broker.exited));
      for (const dir of dirs) await Deno.remove(dir, { recursive: true });
    }
  },
});
