// Start-up through the real entry point: every configuration mistake stops
// Warren with exit code 1 and one line on stderr naming where the mistake
// is (file:line: key, the variable, or the flag); a busy port names the
// setting that chose it. And a good configuration takes effect on the
// running node, with its effective values logged once, password masked.
import assert from "node:assert/strict";
import amqp from "../helpers/amqplib.ts";
import { spawnBroker } from "../helpers/broker_process.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const RUN_TIMEOUT_MS = 20_000;

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `main.ts` to completion (it is expected to fail fast), bounded in time. */
async function runWarren(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
  }, RUN_TIMEOUT_MS);
  const out = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "warren-config-e2e-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Asserts the run failed with exit 1 and exactly this one line on stderr. */
function assertOneLineError(r: RunResult, line: string): void {
  assert.equal(r.stderr, `${line}\n`, `stdout:\n${r.stdout}`);
  assert.equal(r.code, 1);
}

Deno.test("an unknown key stops start-up: `warren: file:line: key: unknown key`, exit 1", async () => {
  await withTempDir(async (dir) => {
    const conf = `${dir}/rabbitmq.conf`;
    await Deno.writeTextFile(conf, "# tuned\nheartbeat = 30\nheartbeet = 10\n");
    const r = await runWarren(["--config", conf, "--in-memory"]);
    assertOneLineError(r, `warren: ${conf}:3: heartbeet: unknown key (did you mean 'heartbeat'?)`);
    assert.equal(r.stdout, "", "nothing starts");
  });
});

Deno.test("a bad value stops start-up naming file, line and key", async () => {
  await withTempDir(async (dir) => {
    const conf = `${dir}/rabbitmq.conf`;
    await Deno.writeTextFile(conf, "vm_memory_high_watermark.absolute = 1.5GB\n");
    const r = await runWarren(["--config", conf, "--in-memory"]);
    assert.match(
      r.stderr,
      /^warren: .*rabbitmq\.conf:1: vm_memory_high_watermark\.absolute: '1\.5GB' is not a size/,
    );
    assertOneLineError(r, r.stderr.trimEnd());
  });
});

Deno.test("a bad environment variable stops start-up naming the variable", async () => {
  await withTempDir(async (dir) => {
    const conf = `${dir}/empty.conf`;
    await Deno.writeTextFile(conf, "");
    const r = await runWarren(["--config", conf, "--in-memory"], { RABBITMQ_NODE_PORT: "amqp" });
    assertOneLineError(r, "warren: RABBITMQ_NODE_PORT: 'amqp' is not a port number (0-65535)");
  });
});

Deno.test({
  name: "a busy port stops start-up naming the port and the setting that chose it",
  sanitizeResources: false,
  async fn() {
    await withTempDir(async (dir) => {
      const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const port = (taken.addr as Deno.NetAddr).port;
      try {
        const empty = `${dir}/empty.conf`;
        await Deno.writeTextFile(empty, "");
        let r = await runWarren([
          "--config",
          empty,
          "--hostname",
          "127.0.0.1",
          "--port",
          String(port),
          "--in-memory",
        ]);
        assertOneLineError(r, `warren: --port: port ${port} is already in use`);

        const conf = `${dir}/rabbitmq.conf`;
        await Deno.writeTextFile(conf, `heartbeat = 60\nlisteners.tcp.default = 127.0.0.1:${port}\n`);
        r = await runWarren(["--config", conf, "--in-memory"]);
        assertOneLineError(r, `warren: ${conf}:2: listeners.tcp.default: port ${port} is already in use`);

        r = await runWarren(["--config", empty, "--in-memory"], {
          RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
          RABBITMQ_NODE_PORT: String(port),
        });
        assertOneLineError(r, `warren: RABBITMQ_NODE_PORT: port ${port} is already in use`);
      } finally {
        taken.close();
      }
    });
  },
});

Deno.test("an unreadable certificate with listeners.ssl.default set stops start-up naming key and path", async () => {
  await withTempDir(async (dir) => {
    const key = `${dir}/server.key`;
    await Deno.writeTextFile(key, "-----BEGIN PRIVATE KEY-----\n");
    const conf = `${dir}/rabbitmq.conf`;
    await Deno.writeTextFile(
      conf,
      [
        "listeners.ssl.default = 127.0.0.1:0",
        `ssl_options.certfile = ${dir}/missing/server.pem`,
        `ssl_options.keyfile = ${key}`,
      ].join("\n"),
    );
    const r = await runWarren(["--config", conf, "--hostname", "127.0.0.1", "--port", "0", "--in-memory"]);
    assertOneLineError(
      r,
      `warren: ${conf}:2: ssl_options.certfile: cannot read ${dir}/missing/server.pem: no such file`,
    );
  });
});

Deno.test("a missing --config file stops start-up", async () => {
  await withTempDir(async (dir) => {
    const r = await runWarren(["--config", `${dir}/nope.conf`, "--in-memory"]);
    assertOneLineError(r, `warren: --config: cannot read ${dir}/nope.conf: no such file`);
  });
});

Deno.test({
  name:
    "config file and env take effect on the running node; the effective config is logged with the password masked",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withTempDir(async (dir) => {
      const conf = `${dir}/rabbitmq.conf`;
      const logFile = `${dir}/warren.log`;
      await Deno.writeTextFile(
        conf,
        [
          "default_user = ops",
          "default_pass = from-the-file",
          "default_vhost = ops-vhost",
          "default_user_tags.monitoring = true",
          "loopback_users = none",
          "heartbeat = 17",
          "frame_max = 65536",
          "channel_max = 99",
          `log.file = ${logFile}`,
        ].join("\n"),
      );
      const broker = await spawnBroker({
        args: ["--config", conf, "--in-memory"],
        env: { RABBITMQ_DEFAULT_PASS: "s3cret-from-env" },
      });
      try {
        const effective = broker.output.filter((l) => l.includes(" effective config "));
        assert.equal(effective.length, 1, broker.output.join("\n"));
        const line = effective[0];
        assert.match(line, / info main effective config config_file=\S+rabbitmq\.conf /);
        assert.match(line, / default_user=ops /);
        assert.match(line, / default_pass=\*{8} /);
        assert.match(line, / default_vhost=ops-vhost /);
        assert.match(line, / default_user_tags=monitoring /);
        assert.match(line, / loopback_users=none /);
        assert.match(line, / heartbeat=17 frame_max=65536 channel_max=99 /);
        for (const l of broker.output) {
          assert.ok(!l.includes("s3cret-from-env") && !l.includes("from-the-file"), `secret in log: ${l}`);
        }

        // The environment's password wins over the file's; the vhost and user are the configured ones.
        const conn = await amqp.connect(
          `amqp://ops:s3cret-from-env@127.0.0.1:${broker.port}/ops-vhost?frameMax=0&channelMax=0&heartbeat=0`,
        );
        const tuned =
          (conn as unknown as { connection: { frameMax: number; channelMax: number; heartbeat: number } })
            .connection;
        assert.deepEqual([tuned.frameMax, tuned.channelMax, tuned.heartbeat], [65536, 99, 17]);
        const ch = await conn.createChannel();
        await ch.assertQueue("configured", { exclusive: true });
        await conn.close();
        await assert.rejects(
          () => amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}/`),
          "no guest user",
        );

        const logged = await Deno.readTextFile(logFile);
        assert.match(logged, / info main effective config /);
        assert.match(logged, / info server listener up protocol=amqp /);
      } finally {
        broker.kill("SIGTERM");
      }
      const status = await broker.exited;
      assert.equal(status.code, 0, broker.output.join("\n"));
    });
  },
});
