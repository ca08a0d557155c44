// The seeds' workflow end to end with real processes: the node as a child
// process, `warren ctl` (and the rabbitmqctl wrapper) as separate processes
// reaching it without a password through the secret in its data dir, and
// pika as the client:
//   ctl add_user gdy gdy; ctl set_user_tags gdy administrator; ctl add_vhost test
//   pika as gdy on vhost test -> 530 NOT_ALLOWED
//   ctl set_permissions -p test gdy ".*" ".*" ".*"
//   pika connects, declares hello, publishes
//   ctl list_queues -p test and GET /api/queues/test/hello show one ready message
import assert from "node:assert/strict";
import { type BrokerProcess, spawnBroker } from "../helpers/broker_process.ts";
import { runPython } from "../helpers/python.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const WRAPPER = new URL("../../scripts/rabbitmqctl", import.meta.url).pathname;
const PIKA_SCRIPT = new URL("./pika/seed_workflow.py", import.meta.url).pathname;
const COMMAND_TIMEOUT_MS = 30_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, killed if it outlives COMMAND_TIMEOUT_MS. */
async function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = new Deno.Command(cmd, { args, env, stdin: "null", stdout: "piped", stderr: "piped" }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, COMMAND_TIMEOUT_MS);
  const out = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function ctl(dataDir: string, managementPort: number, ...args: string[]): Promise<Run> {
  return run(Deno.execPath(), [
    "run",
    "-A",
    MAIN,
    "ctl",
    "--data-dir",
    dataDir,
    "--management-port",
    String(managementPort),
    ...args,
  ]);
}

function ok(r: Run, what: string): Run {
  assert.equal(r.code, 0, `${what} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

Deno.test({
  name:
    "seed workflow: ctl creates user, tag and vhost; pika is refused with 530 until set_permissions, then publishes",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "warren-ctl-" });
    let broker: BrokerProcess | undefined;
    try {
      broker = await spawnBroker({ args: ["--data-dir", dataDir] });
      const mp = broker.managementPort;
      const secretMode = (await Deno.stat(`${dataDir}/ctl.secret`)).mode! & 0o777;
      assert.equal(secretMode, 0o600);

      const added = ok(await ctl(dataDir, mp, "add_user", "gdy", "gdy"), "add_user");
      assert.match(added.stdout, /^Adding user "gdy" \.\.\.$/m);
      ok(await ctl(dataDir, mp, "set_user_tags", "gdy", "administrator"), "set_user_tags");
      // The wrapper, named as the seeds call it, with the data dir from the environment.
      const wrapped = ok(
        await run(WRAPPER, ["-n", `127.0.0.1:${mp}`, "add_vhost", "test"], {
          DENO: Deno.execPath(),
          WARREN_DATA_DIR: dataDir,
          PATH: "/usr/bin:/bin",
        }),
        "rabbitmqctl add_vhost",
      );
      assert.match(wrapped.stdout, /Adding vhost "test" \.\.\./);

      const url = `amqp://gdy:gdy@127.0.0.1:${broker.port}/test`;
      const refused = await runPython(PIKA_SCRIPT, ["refused", url]);
      assert.equal(refused.code, 0, refused.stdout + refused.stderr);
      assert.match(refused.stdout, /NOT_ALLOWED - access to vhost 'test' refused for user 'gdy'/);

      ok(await ctl(dataDir, mp, "set_permissions", "-p", "test", "gdy", ".*", ".*", ".*"), "set_permissions");
      const published = await runPython(PIKA_SCRIPT, ["publish", url]);
      assert.equal(published.code, 0, published.stdout + published.stderr);

      const listed = ok(await ctl(dataDir, mp, "list_queues", "-p", "test"), "list_queues");
      assert.deepEqual(listed.stdout.trimEnd().split("\n"), [
        "Timeout: 60.0 seconds ...",
        "Listing queues for vhost test ...",
        "name\tmessages",
        "hello\t1",
      ]);
      const asJson = ok(
        await ctl(dataDir, mp, "list_queues", "-p", "test", "--formatter", "json", "name", "messages_ready"),
        "list_queues --formatter json",
      );
      assert.deepEqual(JSON.parse(asJson.stdout), [{ name: "hello", messages_ready: 1 }]);

      const res = await fetch(`http://127.0.0.1:${mp}/api/queues/test/hello`, {
        headers: { authorization: `Basic ${btoa("gdy:gdy")}` },
      });
      const q = await res.json();
      assert.equal(res.status, 200);
      assert.equal(q.messages_ready, 1);
      assert.equal(q.messages, 1);

      const users = ok(await ctl(dataDir, mp, "list_users"), "list_users");
      assert.match(users.stdout, /^gdy\t\[administrator\]$/m);
      const perms = ok(await ctl(dataDir, mp, "list_permissions", "-p", "test"), "list_permissions");
      assert.match(perms.stdout, /^gdy\t\.\*\t\.\*\t\.\*$/m);

      const noUser = await ctl(dataDir, mp, "delete_user", "nobody");
      assert.equal(noUser.code, 67);
      assert.equal(noUser.stderr.trim(), 'Error: User "nobody" does not exist');

      broker.kill("SIGTERM");
      assert.equal((await broker.exited).code, 0, broker.output.join("\n"));
      broker = undefined;
      const down = await ctl(dataDir, mp, "list_users");
      assert.equal(down.code, 69);
      assert.equal(down.stderr.trim().split("\n").length, 1, down.stderr);
      assert.match(down.stderr, /^Error: unable to connect to node at 127\.0\.0\.1:\d+: connection refused/);
    } finally {
      broker?.kill("SIGKILL");
      await broker?.exited;
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
