// amqps with a throwaway CA: pika and amqplib connect over TLS; with
// verify_peer + fail_if_no_peer_cert a client without a certificate, or with
// one from another CA, is refused.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "../helpers/amqplib.ts";
import { runPython } from "../helpers/python.ts";
import { makeTestCerts, type TestCerts } from "../helpers/tls_certs.ts";
import { type Server, startServer } from "../../src/server/server.ts";

const SCRIPT = new URL("./pika/tls_hello.py", import.meta.url).pathname;

async function withTlsServer(
  verifyPeer: boolean,
  fn: (server: Server, certs: TestCerts) => Promise<void>,
): Promise<void> {
  const certs = await makeTestCerts();
  const server = await startServer({
    port: 0,
    hostname: "127.0.0.1",
    logLevel: "error",
    tls: {
      port: 0,
      hostname: "127.0.0.1",
      cert: await Deno.readTextFile(certs.serverCertFile),
      key: await Deno.readTextFile(certs.serverKeyFile),
      ca: await Deno.readTextFile(certs.caFile),
      verifyPeer,
      failIfNoPeerCert: verifyPeer,
    },
  });
  try {
    await fn(server, certs);
  } finally {
    await server.close();
    await Deno.remove(certs.dir, { recursive: true });
  }
}

Deno.test({
  name: "pika and amqplib publish and get over amqps",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withTlsServer(false, async (server, certs) => {
      const r = await runPython(SCRIPT, ["localhost", String(server.tlsPort), certs.caFile, "-", "-"]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const conn = await amqp.connect(`amqps://guest:guest@localhost:${server.tlsPort}/`, {
        ca: [await Deno.readTextFile(certs.caFile)],
        servername: "localhost",
      });
      try {
        const ch = await conn.createChannel();
        const q = await ch.assertQueue("", { exclusive: true });
        ch.sendToQueue(q.queue, Buffer.from("amqplib over tls"));
        let m = await ch.get(q.queue, { noAck: true });
        for (let i = 0; m === false && i < 50; i++) {
          await new Promise((r) => setTimeout(r, 10));
          m = await ch.get(q.queue, { noAck: true });
        }
        assert.ok(m !== false);
        assert.equal(m.content.toString(), "amqplib over tls");
      } finally {
        await conn.close();
      }
    });
  },
});

Deno.test({
  name: "with verify_peer and fail_if_no_peer_cert only clients with a certificate from the CA get in",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withTlsServer(true, async (server, certs) => {
      const port = String(server.tlsPort);
      const trusted = await runPython(SCRIPT, [
        "localhost",
        port,
        certs.caFile,
        certs.clientCertFile,
        certs.clientKeyFile,
      ]);
      assert.equal(trusted.code, 0, `trusted client refused: ${trusted.stdout}${trusted.stderr}`);
      const none = await runPython(SCRIPT, ["localhost", port, certs.caFile, "-", "-"]);
      assert.equal(none.code, 3, `client without a certificate got in: ${none.stdout}${none.stderr}`);
      const stranger = await runPython(SCRIPT, [
        "localhost",
        port,
        certs.caFile,
        certs.strangerCertFile,
        certs.strangerKeyFile,
      ]);
      assert.equal(
        stranger.code,
        3,
        `client with another CA's certificate got in: ${stranger.stdout}${stranger.stderr}`,
      );
    });
  },
});
