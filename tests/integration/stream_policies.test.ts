// Stream retention set by policy (max-length-bytes, stream-max-segment-size-bytes,
// max-age) over the management API, as RabbitMQ 3.10.8 applies it. Run green
// against the dev RabbitMQ 3.10.8 too:
//   WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5682/ \
//   WARREN_TEST_MANAGEMENT_URL=http://127.0.0.1:15682 \
//     deno test -A tests/integration/stream_policies.test.ts
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp, { type ConsumeMessage } from "../helpers/amqplib.ts";
import { ownVHost, until, withBroker } from "../helpers/management_api.ts";

Deno.test({
  name: "policies max-length-bytes and stream-max-segment-size-bytes apply retention to a stream",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withBroker(async (b) => {
      const vhost = `warren-test-streampol-${crypto.randomUUID().slice(0, 8)}`;
      const drop = await ownVHost(b, vhost);
      const conn = await amqp.connect(b.amqpUrl.replace(/\/[^/]*$/, "/") + vhost);
      conn.on("error", () => {});
      try {
        const policy = {
          pattern: "^limited\\.",
          "apply-to": "queues",
          definition: { "max-length-bytes": 3000, "stream-max-segment-size-bytes": 1000, "max-age": "7D" },
        };
        const v = encodeURIComponent(vhost);
        assert.ok((await b.api("PUT", `/api/policies/${v}/stream-limits`, { body: policy })).status < 300);
        const ch = await conn.createConfirmChannel();
        await ch.assertQueue("limited.s", { durable: true, arguments: { "x-queue-type": "stream" } });
        for (let i = 0; i < 100; i++) {
          await new Promise<void>((resolve, reject) =>
            ch.sendToQueue(
              "limited.s",
              Buffer.from(i === 99 ? "last" : "x".repeat(100)),
              {},
              (err: unknown) => err ? reject(err) : resolve(),
            )
          );
        }
        const reader = await conn.createChannel();
        await reader.prefetch(1000);
        const got: ConsumeMessage[] = [];
        await reader.consume("limited.s", (m) => {
          if (m === null) return;
          got.push(m);
          reader.ack(m);
        }, { arguments: { "x-stream-offset": "first" } });
        await until(() => Promise.resolve(got.at(-1)?.content.toString()), (last) => last === "last", "last");
        assert.ok(got.length < 100, `kept ${got.length} of 100`);
        assert.ok(Number(got[0].properties.headers?.["x-stream-offset"]) > 0, "the head moved on");
      } finally {
        await conn.close().catch(() => {});
        await drop();
      }
    }),
});
