// load_definitions in rabbitmq.conf: the node imports a definitions file
// (here a RabbitMQ 3.10 export) at start, and a file it cannot use stops
// start-up with one line naming the key and the file.
import assert from "node:assert/strict";
import { spawnBroker } from "../helpers/broker_process.ts";

const FIXTURE = new URL("../fixtures/rabbitmq_3.10_definitions.json", import.meta.url).pathname;
const MAIN = new URL("../../main.ts", import.meta.url).pathname;

Deno.test({
  name:
    "load_definitions imports a directory holding a RabbitMQ export at start: its queues and exchanges exist",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "warren-load-defs-" });
    const defs = JSON.parse(await Deno.readTextFile(FIXTURE));
    // A directory of definition files, as RabbitMQ allows (the file form is exercised below).
    await Deno.mkdir(`${dir}/definitions`);
    await Deno.copyFile(FIXTURE, `${dir}/definitions/rabbitmq-3.10.json`);
    await Deno.writeTextFile(`${dir}/rabbitmq.conf`, `load_definitions = ${dir}/definitions\n`);
    const broker = await spawnBroker({
      args: ["--config", `${dir}/rabbitmq.conf`, "--data-dir", `${dir}/data`],
    });
    try {
      // The AMQP listener comes up first; the import follows once the management side is up.
      const deadline = Date.now() + 10_000;
      while (!broker.output.some((l) => l.includes("definitions loaded")) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(broker.output.some((l) => l.includes("definitions loaded")), broker.output.join("\n"));
      assert.ok(
        defs.queues.length > 0 && defs.exchanges.length > 0,
        "the fixture declares queues and exchanges",
      );
      // Every queue and exchange of the export is there, seen through the management API.
      const auth = { Authorization: `Basic ${btoa("guest:guest")}` };
      const api = `http://127.0.0.1:${broker.managementPort}/api`;
      for (const q of defs.queues as { vhost: string; name: string }[]) {
        const r = await fetch(`${api}/queues/${encodeURIComponent(q.vhost)}/${encodeURIComponent(q.name)}`, {
          headers: auth,
        });
        await r.body?.cancel();
        assert.equal(r.status, 200, `queue ${q.vhost}/${q.name}`);
      }
      for (const x of defs.exchanges as { vhost: string; name: string }[]) {
        const r = await fetch(
          `${api}/exchanges/${encodeURIComponent(x.vhost)}/${encodeURIComponent(x.name)}`,
          {
            headers: auth,
          },
        );
        await r.body?.cancel();
        assert.equal(r.status, 200, `exchange ${x.vhost}/${x.name}`);
      }
    } finally {
      broker.kill("SIGTERM");
      await broker.exited;
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("a load_definitions file that is not JSON stops start-up with one line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "warren-load-defs-bad-" });
  try {
    await Deno.writeTextFile(`${dir}/defs.json`, "{ not json");
    await Deno.writeTextFile(`${dir}/rabbitmq.conf`, `load_definitions = ${dir}/defs.json\n`);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        MAIN,
        "--config",
        `${dir}/rabbitmq.conf`,
        "--in-memory",
        "--port",
        "0",
        "--management-port",
        "0",
        "--prometheus-port",
        "0",
      ],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr).trim();
    assert.equal(out.code, 1);
    assert.equal(stderr.split("\n").length, 1, stderr);
    assert.match(stderr, new RegExp(`^warren: load_definitions: ${dir}/defs\\.json: `));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
