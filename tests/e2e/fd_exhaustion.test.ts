// Running out of file descriptors must not end a listener: a broker started
// with `ulimit -n 64` is flooded with idle sockets until accept() fails with
// EMFILE; once they are all closed, new AMQP, amqps and HTTP clients are
// served again. RabbitMQ behaves the same way (its acceptors slow down and
// recover); this is not run against it because the test needs to lower the
// fd limit of the broker process it starts.
import assert from "node:assert/strict";
import { connect as tlsConnect } from "node:tls";
import { spawnBroker } from "../helpers/broker_process.ts";
import { assertBrokerServes } from "../helpers/serving_probe.ts";
import { makeTestCerts } from "../helpers/tls_certs.ts";

/** Low enough to run out quickly, high enough for Deno, SQLite and the three listeners. */
const FD_LIMIT = 64;
/** More sockets than the broker can hold open. */
const FLOOD_SOCKETS = 150;
const WAIT_MS = 15_000;

async function waitFor(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The amqps handshake completes and the broker answers the protocol header with connection.start. */
function tlsServes(port: number, caFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("amqps did not answer"));
    }, WAIT_MS);
    const socket = tlsConnect({ port, host: "127.0.0.1", ca: Deno.readTextFileSync(caFile) }, () => {
      socket.write(new TextEncoder().encode("AMQP\x00\x00\x09\x01"));
    });
    socket.once("data", (chunk: Uint8Array) => {
      clearTimeout(timer);
      socket.destroy();
      // A method frame (type 1) on channel 0: connection.start.
      chunk[0] === 1 ? resolve() : reject(new Error(`unexpected first byte ${chunk[0]}`));
    });
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

Deno.test({
  name: "every listener accepts again after the broker ran out of file descriptors",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const certs = await makeTestCerts();
    const dir = await Deno.makeTempDir({ prefix: "warren-fd-" });
    const conf = `${dir}/rabbitmq.conf`;
    await Deno.writeTextFile(
      conf,
      [
        "listeners.ssl.default = 127.0.0.1:0",
        `ssl_options.certfile = ${certs.serverCertFile}`,
        `ssl_options.keyfile = ${certs.serverKeyFile}`,
      ].join("\n") + "\n",
    );
    const broker = await spawnBroker({
      args: ["--config", conf, "--data-dir", `${dir}/data`],
      fdLimit: FD_LIMIT,
    });
    const flood: Deno.Conn[] = [];
    try {
      assert.ok(broker.tlsPort, "amqps listener is up");
      // The kernel completes connections into the backlog whether or not the broker can accept them.
      for (const port of [broker.port, broker.tlsPort!, broker.managementPort]) {
        for (let i = 0; i < FLOOD_SOCKETS; i++) {
          try {
            flood.push(await Deno.connect({ hostname: "127.0.0.1", port }));
          } catch {
            break; // the backlog is full, or the HTTP listener is between two listens
          }
        }
      }
      await waitFor(
        "the broker to hit its fd limit",
        () => broker.output.some((l) => /accept failed/.test(l)),
      );
      await waitFor("the broker to log it", () => broker.output.some((l) => /accept failed/.test(l)));
      for (const protocol of ["amqp", "http"]) {
        const lines = broker.output.filter((l) =>
          l.includes(`accept failed; retrying with backoff protocol=${protocol} `)
        );
        assert.ok(lines.length <= 1, `one line for a whole run of failures:\n${lines.join("\n")}`);
      }
      for (const c of flood) c.close();
      flood.length = 0;

      await assertBrokerServes(broker.url);
      // More amqps sessions one after another than the fd limit: none of them may leave a socket behind.
      for (let i = 0; i < FD_LIMIT + 16; i++) await tlsServes(broker.tlsPort!, certs.caFile);
      // The HTTP listener listens again after a pause of up to a second: ask until it answers.
      let status = 0;
      const deadline = Date.now() + WAIT_MS;
      while (status !== 200 && Date.now() < deadline) {
        try {
          const res = await fetch(`http://127.0.0.1:${broker.managementPort}/api/overview`, {
            headers: { authorization: `Basic ${btoa("guest:guest")}` },
          });
          status = res.status;
          await res.body?.cancel();
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      assert.equal(status, 200);
    } finally {
      for (const c of flood) c.close();
      broker.kill("SIGTERM");
      await broker.exited;
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(certs.dir, { recursive: true });
    }
  },
});
