// The per-channel bounds of src/server/limits.ts: consumers on a channel,
// publishes held by an uncommitted transaction, and published messages whose
// confirm is still pending. Each broker here starts with tiny limits so a
// test reaches them in a handful of frames.
//
// Warren only: RabbitMQ 3.10 leaves all three unbounded (its
// consumer_max_per_channel came later and is unlimited by default), so there
// is no node to run these against. The consumer limit answers as RabbitMQ's
// consumer_max_per_channel does (530 NOT_ALLOWED, "reached maximum (N) of
// consumers per channel", read in rabbit_channel.erl); the other two close
// the channel with 406 PRECONDITION_FAILED naming the limit.
import assert from "node:assert/strict";
import { startServer } from "../../src/server/server.ts";
import type { ServerLimits } from "../../src/server/limits.ts";
import { concatBytes, methodFrame, publishFrames, RawAmqpClient } from "../helpers/raw_amqp.ts";

const TEST_TIMEOUT_MS = 20_000;
const BODY = new TextEncoder().encode("x");

/** A broker with the given limits and one raw client past channel.open on channel 1. */
function limitTest(
  name: string,
  limits: Partial<ServerLimits>,
  fn: (c: RawAmqpClient) => Promise<void>,
): void {
  Deno.test(name, async () => {
    const server = await startServer({ port: 0, hostname: "127.0.0.1", logLevel: "error", limits });
    const client = await RawAmqpClient.connect(server.port, "127.0.0.1");
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const run = async () => {
        await client.handshake();
        await client.openChannel(1);
        await fn(client);
      };
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out: ${name}`)), TEST_TIMEOUT_MS);
      });
      await Promise.race([run(), timeout]);
    } finally {
      clearTimeout(timer);
      await client.close();
      await server.close();
    }
  });
}

limitTest(
  "a basic.consume past the channel's consumer limit closes the connection with 530 NOT_ALLOWED",
  { maxConsumersPerChannel: 2 },
  async (c) => {
    await c.sendMethod(1, "queue.declare", { queue: "", exclusive: true });
    const { queue } = await c.expectMethod("queue.declare-ok", 1);
    for (const tag of ["a", "b"]) {
      await c.sendMethod(1, "basic.consume", { queue, consumerTag: tag });
      await c.expectMethod("basic.consume-ok", 1);
    }
    await c.sendMethod(1, "basic.consume", { queue, consumerTag: "c" });
    const close = await c.expectMethod("connection.close", 0);
    assert.equal(close.replyCode, 530);
    assert.equal(close.replyText, "NOT_ALLOWED - reached maximum (2) of consumers per channel");
    assert.deepEqual([close.classId, close.methodId], [60, 20], "names basic.consume");
  },
);

limitTest(
  "cancelling a consumer makes room again under the channel's consumer limit",
  { maxConsumersPerChannel: 1 },
  async (c) => {
    await c.sendMethod(1, "queue.declare", { queue: "", exclusive: true });
    const { queue } = await c.expectMethod("queue.declare-ok", 1);
    await c.sendMethod(1, "basic.consume", { queue, consumerTag: "a" });
    await c.expectMethod("basic.consume-ok", 1);
    await c.sendMethod(1, "basic.cancel", { consumerTag: "a" });
    await c.expectMethod("basic.cancel-ok", 1);
    await c.sendMethod(1, "basic.consume", { queue, consumerTag: "b" });
    assert.equal((await c.expectMethod("basic.consume-ok", 1)).consumerTag, "b");
  },
);

limitTest(
  "a publish past the transaction's uncommitted-message limit closes the channel with 406",
  { maxUncommittedMessages: 2 },
  async (c) => {
    await c.sendMethod(1, "tx.select");
    await c.expectMethod("tx.select-ok", 1);
    // Up to the limit a transaction commits as usual, and the commit empties it.
    await c.send(concatBytes(publishFrames(1, "", "nowhere", BODY), publishFrames(1, "", "nowhere", BODY)));
    await c.sendMethod(1, "tx.commit");
    await c.expectMethod("tx.commit-ok", 1);
    await c.send(concatBytes(...[1, 2, 3].map(() => publishFrames(1, "", "nowhere", BODY))));
    const close = await c.expectMethod("channel.close", 1);
    assert.equal(close.replyCode, 406);
    assert.equal(
      close.replyText,
      "PRECONDITION_FAILED - transaction holds 2 uncommitted messages, the most a channel may hold; " +
        "commit or roll back",
    );
    assert.deepEqual([close.classId, close.methodId], [60, 40], "names basic.publish");
  },
);

limitTest(
  "a publish past the channel's unconfirmed-message limit closes the channel with 406",
  { maxUnconfirmedMessages: 3 },
  async (c) => {
    await c.sendMethod(1, "confirm.select");
    await c.expectMethod("confirm.select-ok", 1);
    // Confirms are written once per turn: messages that arrive in one read are all outstanding at once.
    await c.send(concatBytes(...[1, 2, 3, 4, 5].map(() => publishFrames(1, "", "nowhere", BODY))));
    const close = await c.expectMethod("channel.close", 1);
    assert.equal(close.replyCode, 406);
    assert.equal(
      close.replyText,
      "PRECONDITION_FAILED - 3 published messages are waiting for their confirms, the most a channel may have",
    );
    assert.deepEqual([close.classId, close.methodId], [60, 40], "names basic.publish");
  },
);

limitTest(
  "confirms written at the end of each turn keep a steady publisher under the unconfirmed limit",
  { maxUnconfirmedMessages: 3 },
  async (c) => {
    await c.sendMethod(1, "confirm.select");
    await c.expectMethod("confirm.select-ok", 1);
    for (let tag = 1; tag <= 10; tag++) {
      await c.send(publishFrames(1, "", "nowhere", BODY));
      assert.equal((await c.expectMethod("basic.ack", 1)).deliveryTag, tag);
    }
    await c.send(methodFrame(1, "channel.close", { replyCode: 200, replyText: "bye" }));
    await c.expectMethod("channel.close-ok", 1);
  },
);
