// Packaging: `deno bundle` makes one warren.js that runs with nothing else
// beside it (the seed's hello world with pika against it, from a directory
// holding only that file), and scripts/install.sh lays out the program, the
// config, the data dir, the systemd unit and rabbitmqctl under a throwaway
// root without touching the real system.
import assert from "node:assert/strict";
import { spawnBroker } from "../helpers/broker_process.ts";
import { runPython } from "../helpers/python.ts";
import { DEFAULT_CONFIG, loadConfig } from "../../src/config/config.ts";
import { VERSION } from "../../src/version.ts";

const REPO = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const COMMAND_TIMEOUT_MS = 60_000;

interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(cmd: string, args: string[], options: { cwd?: string } = {}): Promise<Output> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  })
    .spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
  }, COMMAND_TIMEOUT_MS);
  const out = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Builds the bundle as `deno task bundle` does, into dir. */
async function buildBundle(dir: string): Promise<string> {
  const out = `${dir}/warren.js`;
  const r = await run(Deno.execPath(), ["bundle", "-q", "-o", out, `${REPO}/main.ts`], { cwd: REPO });
  assert.equal(r.code, 0, r.stderr);
  return out;
}

// The seed's send.py and receive.py in one: declare `hello` on the default
// exchange, publish "Hello World!", basic_get it back.
const HELLO_WORLD = `
import sys
import pika

host, port = sys.argv[1], int(sys.argv[2])
params = pika.URLParameters("amqp://guest:guest@%s:%d/%%2F?connection_attempts=1&socket_timeout=5" % (host, port))
connection = pika.BlockingConnection(params)
with connection:
    channel = connection.channel()
    channel.queue_declare(queue="hello")
    channel.basic_publish(exchange="", routing_key="hello", body="Hello World!")
    method, props, body = channel.basic_get("hello", True)
    if body != b"Hello World!":
        print("FAIL: got %r" % (body,), file=sys.stderr)
        sys.exit(1)
    print("Get A message = {}".format(body))
`;

Deno.test({
  name: "the bundle runs alone in an empty directory and serves the seed hello world to pika",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const work = await Deno.makeTempDir({ prefix: "warren-bundle-" });
    try {
      const built = await buildBundle(work);
      const runDir = `${work}/run`;
      await Deno.mkdir(runDir);
      await Deno.copyFile(built, `${runDir}/warren.js`);
      const script = `${work}/hello_world.py`;
      await Deno.writeTextFile(script, HELLO_WORLD);

      const broker = await spawnBroker({ entry: "warren.js", cwd: runDir, args: ["--in-memory"] });
      try {
        assert.deepEqual([...Deno.readDirSync(runDir)].map((e) => e.name), ["warren.js"], "only the bundle");
        const r = await runPython(script, ["127.0.0.1", String(broker.port)]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /Get A message = b'Hello World!'/);
      } finally {
        broker.kill("SIGTERM");
      }
      const status = await broker.exited;
      assert.equal(status.code, 0, broker.output.join("\n"));
      assert.ok(broker.output.some((l) => / info server server stopped /.test(l)), broker.output.join("\n"));

      for (const args of [["--version"], ["version"]]) {
        const v = await run(Deno.execPath(), ["run", "-A", "warren.js", ...args], { cwd: runDir });
        assert.equal(v.stdout, `warren ${VERSION}\n`, v.stderr);
      }
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});

Deno.test("install.sh lays out program, rabbitmqctl, config, data dir and systemd unit under --destdir", async () => {
  const work = await Deno.makeTempDir({ prefix: "warren-install-" });
  try {
    const bundle = await buildBundle(work);
    const root = `${work}/root`;
    const install = () =>
      run("bash", [
        `${REPO}/scripts/install.sh`,
        "--destdir",
        root,
        "--deno",
        Deno.execPath(),
        "--bundle",
        bundle,
      ]);
    let r = await install();
    assert.equal(r.code, 0, r.stdout + r.stderr);

    const mode = (path: string) => Deno.statSync(`${root}${path}`).mode! & 0o777;
    assert.equal(mode("/usr/local/bin/warren"), 0o755);
    assert.equal(mode("/usr/local/bin/rabbitmqctl"), 0o755);
    assert.equal(mode("/opt/warren/warren.js"), 0o644);
    assert.equal(mode("/etc/warren/rabbitmq.conf"), 0o640, "may hold default_pass");
    assert.equal(mode("/var/lib/warren"), 0o750);
    assert.ok(Deno.statSync(`${root}/var/lib/warren`).isDirectory);
    assert.deepEqual(Deno.readFileSync(`${root}/opt/warren/warren.js`), Deno.readFileSync(bundle));

    // The launcher runs the installed bundle with the deno it was given.
    const launcher = await Deno.readTextFile(`${root}/usr/local/bin/warren`);
    assert.ok(
      launcher.includes(`exec "${Deno.execPath()}" run -A --no-config /opt/warren/warren.js "$@"`),
      launcher,
    );
    const v = await run(Deno.execPath(), ["run", "-A", `${root}/opt/warren/warren.js`, "--version"]);
    assert.equal(v.stdout, `warren ${VERSION}\n`);

    // rabbitmqctl hands its arguments to `warren ctl` beside it.
    const fakeBin = `${work}/bin`;
    await Deno.mkdir(fakeBin);
    await Deno.copyFile(`${root}/usr/local/bin/rabbitmqctl`, `${fakeBin}/rabbitmqctl`);
    await Deno.chmod(`${fakeBin}/rabbitmqctl`, 0o755);
    await Deno.writeTextFile(`${fakeBin}/warren`, '#!/bin/sh\necho "warren $*"\n');
    await Deno.chmod(`${fakeBin}/warren`, 0o755);
    const ctl = await run(`${fakeBin}/rabbitmqctl`, ["list_queues", "-p", "/"]);
    assert.equal(ctl.stdout, "warren ctl list_queues -p /\n");

    // The unit: restart on failure, file limit, sandboxing, graceful SIGTERM stop.
    const unit = await Deno.readTextFile(`${root}/etc/systemd/system/warren.service`);
    for (
      const line of [
        "ExecStart=/usr/local/bin/warren serve --config /etc/warren/rabbitmq.conf",
        "User=warren",
        "Restart=on-failure",
        "LimitNOFILE=65536",
        "NoNewPrivileges=true",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/warren",
        "ProtectHome=true",
        "PrivateTmp=true",
        "KillSignal=SIGTERM",
        "TimeoutStopSec=30",
        "WantedBy=multi-user.target",
      ]
    ) assert.ok(unit.split("\n").includes(line), `warren.service lacks ${line}`);

    // The installed config parses as is, and with every `# key = default`
    // line uncommented it still gives RabbitMQ's defaults.
    const conf = `${root}/etc/warren/rabbitmq.conf`;
    const text = await Deno.readTextFile(conf);
    const asInstalled = loadConfig(["--config", conf], {}, { searchPaths: [] });
    assert.equal(asInstalled.dataDir, "/var/lib/warren");
    const uncommented = `${work}/uncommented.conf`;
    await Deno.writeTextFile(uncommented, text.replace(/^# (\S+ = .*)$/gm, "$1"));
    const defaults = loadConfig(["--config", uncommented], {}, { searchPaths: [] });
    assert.deepEqual(
      { ...defaults, configFile: null, origins: {}, dataDir: DEFAULT_CONFIG.dataDir },
      DEFAULT_CONFIG,
    );
    assert.ok(text.split("\n").filter((l) => /^# \S+ = /.test(l)).length >= 20, "defaults are shown");

    // Installing again keeps an operator's edits to the config.
    await Deno.writeTextFile(conf, "heartbeat = 30\n");
    r = await install();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(await Deno.readTextFile(conf), "heartbeat = 30\n");
    assert.match(r.stdout, /kept the existing \/etc\/warren\/rabbitmq\.conf/);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
