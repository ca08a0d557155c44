// A rabbitmq.conf written for RabbitMQ 3.10 starts Warren through the real
// entry point: several TCP listeners all accept clients, cluster_name is
// announced to clients and shown by the management API, default_permissions
// are the default user's, and each RabbitMQ key that means nothing here is
// one warning line. RabbitMQ's own cuttlefish schemas (3.10.8, evaluated on
// the dev node with cuttlefish_generator:map) accept this file as is.
import assert from "node:assert/strict";
import amqp from "../helpers/amqplib.ts";
import { spawnBroker } from "../helpers/broker_process.ts";

Deno.test({
  name:
    "a RabbitMQ 3.10 rabbitmq.conf starts Warren: listeners, cluster_name, default_permissions, ignored keys",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "warren-rabbitmq-conf-" });
    const conf = `${dir}/rabbitmq.conf`;
    await Deno.writeTextFile(
      conf,
      [
        "listeners.tcp.default = 127.0.0.1:0",
        "listeners.tcp.second = 127.0.0.1:0",
        "cluster_name = edge-cluster",
        "default_permissions.configure = ^edge-",
        "default_permissions.write = .*",
        "default_permissions.read = .*",
        "tcp_listen_options.nodelay = true",
        "tcp_listen_options.keepalive = true",
        "tcp_listen_options.backlog = 256",
        "collect_statistics_interval = 10000",
        "management.rates_mode = basic",
        "",
      ].join("\n"),
    );
    // No --hostname/--port here beyond the helper's: they override the main listener only.
    const broker = await spawnBroker({ args: ["--config", conf, "--in-memory"] });
    try {
      const ports = broker.output
        .map((l) => l.match(/listener up protocol=amqp hostname=127\.0\.0\.1 port=(\d+)/))
        .filter((m) => m !== null)
        .map((m) => Number(m![1]));
      assert.equal(ports.length, 2, broker.output.join("\n"));

      for (const port of ports) {
        const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}/`);
        const props = (conn as unknown as { connection: { serverProperties: Record<string, unknown> } })
          .connection.serverProperties;
        assert.equal(props.cluster_name, "edge-cluster");
        const ch = await conn.createChannel();
        ch.on("error", () => {}); // the refusal below closes the channel; assert.rejects checks it
        await ch.assertQueue("edge-q", { exclusive: true });
        // configure is limited to ^edge- by default_permissions.configure.
        await assert.rejects(() => ch.assertQueue("other-q", { exclusive: true }), /ACCESS_REFUSED/);
        await conn.close().catch(() => {});
      }

      const auth = { authorization: `Basic ${btoa("guest:guest")}` };
      const overview = await fetch(`http://127.0.0.1:${broker.managementPort}/api/overview`, {
        headers: auth,
      });
      assert.equal((await overview.json()).cluster_name, "edge-cluster");

      const warnings = broker.output.filter((l) => l.includes(" ignored: "));
      assert.deepEqual(
        warnings.map((l) => l.replace(/^\S+ /, "").replace(/ at=\S+/, "").replace(/ reason=.*/, "")),
        [
          "warning main ignored: tcp_listen_options.backlog has no effect in Warren",
          "warning main ignored: collect_statistics_interval has no effect in Warren",
          "warning main ignored: management.rates_mode has no effect in Warren",
        ],
      );
      assert.match(warnings[1], / at=\S+rabbitmq\.conf:10$/);
    } finally {
      broker.kill("SIGTERM");
      await broker.exited;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
