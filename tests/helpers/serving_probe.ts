// Checks that a broker still serves a well-behaved client: amqplib declares
// a queue, publishes to it and consumes the message back. Tests that feed
// the broker bad input call it afterwards: whatever one client sends, the
// other connections do not notice.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "./amqplib.ts";

const PROBE_TIMEOUT_MS = 10_000;

export async function assertBrokerServes(url: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`broker did not serve amqplib within ${PROBE_TIMEOUT_MS}ms`)),
      PROBE_TIMEOUT_MS,
    );
  });
  let conn: Awaited<ReturnType<typeof amqp.connect>> | undefined;
  const probe = async () => {
    conn = await amqp.connect(url);
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue("", { exclusive: true });
    const body = `probe ${crypto.randomUUID()}`;
    const received = new Promise<string>((resolve) => {
      void ch.consume(queue, (m) => {
        if (m) {
          ch.ack(m);
          resolve(m.content.toString());
        }
      });
    });
    assert.ok(ch.sendToQueue(queue, Buffer.from(body)));
    assert.equal(await received, body);
    await ch.close();
  };
  try {
    await Promise.race([probe(), timeout]);
  } finally {
    clearTimeout(timer);
    if (conn) await conn.close().catch(() => {});
  }
}
