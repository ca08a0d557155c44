// `warren serve` starts the Prometheus listener beside the AMQP and
// management ones (RabbitMQ's port 15692 by default, here port 0), keeps the
// node's permanent cluster id across restarts of the same data dir, and
// stops with one line when the Prometheus port is taken or its address is
// not the machine's.
import assert from "node:assert/strict";
import { type BrokerProcess, spawnBroker } from "../helpers/broker_process.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const RUN_TIMEOUT_MS = 20_000;

/** The Prometheus port the broker logged (the line follows the ones spawnBroker waits for). */
async function prometheusPort(b: BrokerProcess): Promise<number> {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  for (;;) {
    for (const line of b.output) {
      const m = line.match(/listener up protocol=prometheus .*port=(\d+)/);
      if (m) return Number(m[1]);
    }
    if (Date.now() > deadline) throw new Error(`no prometheus listener:\n${b.output.join("\n")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function clusterId(port: number): Promise<string> {
  const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = body.match(/^rabbitmq_identity_info\{.*rabbitmq_cluster_permanent_id="([^"]+)"/m);
  assert.ok(m, body);
  return m[1];
}

async function stop(b: BrokerProcess): Promise<void> {
  b.kill("SIGTERM");
  const status = await b.exited;
  assert.equal(status.code, 0, b.output.join("\n"));
}

Deno.test("warren serve answers /metrics on its Prometheus port, with a cluster id that survives a restart", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "warren-prometheus-e2e-" });
  try {
    let b = await spawnBroker({ args: ["--data-dir", dataDir] });
    let first: string;
    try {
      first = await clusterId(await prometheusPort(b));
    } finally {
      await stop(b);
    }
    b = await spawnBroker({ args: ["--data-dir", dataDir] });
    try {
      assert.equal(await clusterId(await prometheusPort(b)), first);
    } finally {
      await stop(b);
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

/** Runs main.ts, expected to fail fast: its exit code and stderr. */
async function runFailing(args: string[]): Promise<{ code: number; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "--in-memory",
      "--hostname",
      "127.0.0.1",
      "--port",
      "0",
      "--management-port",
      "0",
      ...args,
    ],
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
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("a taken Prometheus port stops start-up with one line naming --prometheus-port", async () => {
  const taken = Deno.listen({ hostname: "0.0.0.0", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  try {
    const r = await runFailing(["--prometheus-port", String(port)]);
    assert.equal(r.stderr, `warren: --prometheus-port: port ${port} is already in use\n`);
    assert.equal(r.code, 1);
  } finally {
    taken.close();
  }
});

Deno.test("a prometheus.tcp.ip the machine does not have stops start-up with one line naming the key", async () => {
  const dir = await Deno.makeTempDir({ prefix: "warren-prometheus-e2e-" });
  try {
    const conf = `${dir}/rabbitmq.conf`;
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737), never a host's address.
    await Deno.writeTextFile(conf, "heartbeat = 60\nprometheus.tcp.ip = 192.0.2.7\n");
    const r = await runFailing(["--config", conf, "--prometheus-port", "0"]);
    assert.ok(
      r.stderr.startsWith(`warren: ${conf}:2: prometheus.tcp.ip: cannot listen on 192.0.2.7: `),
      r.stderr,
    );
    assert.equal(r.stderr.split("\n").length, 2, "one line");
    assert.equal(r.code, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
