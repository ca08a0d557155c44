// Stream queues (x-queue-type stream) as a single RabbitMQ 3.10.8 node shows
// them over AMQP 0-9-1, driven with amqplib: the declare-time rules and 406
// texts, the arguments, the consumer rules (prefetch, acks, global qos), the
// x-stream-offset positions, the x-stream-offset header on every delivery,
// non-destructive reads and the 540s for what a stream refuses. Every
// expectation was observed on the dev RabbitMQ 3.10.8, and the scenarios
// pass against it:
//   WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5682/ \
//     deno test -A tests/integration/stream_queues.test.ts
// Where RabbitMQ 3.10.8 crashes the connection with 541 INTERNAL_ERROR
// (x-max-age or x-stream-offset with no leading digits, a boolean offset)
// Warren answers with the 406 RabbitMQ gives the well-formed bad values;
// those cases are Warren-only and say so.
import assert from "node:assert/strict";
import type { Channel, ConfirmChannel, ConsumeMessage } from "../helpers/amqplib.ts";
import {
  type AmqpError,
  body,
  channel,
  confirmChannel,
  declareOutcome,
  durableQueue,
  replyText,
  scenario,
  type Session,
  sleep,
  waitFor,
  withTimeout,
} from "../helpers/amqp_session.ts";

const STREAM = { "x-queue-type": "stream" };

function stream(s: Session, prefix: string, args: Record<string, unknown> = {}): Promise<string> {
  return durableQueue(s, prefix, { ...STREAM, ...args });
}

function publishConfirmed(ch: ConfirmChannel, queue: string, content: string, options = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    ch.sendToQueue(queue, body(content), options, (err: unknown) => err ? reject(err) : resolve());
  });
}

/** Publishes each body and waits for its confirm before the next (one chunk each). */
async function publishAll(s: Session, queue: string, bodies: string[], options = {}): Promise<void> {
  const ch = await confirmChannel(await s.connect());
  for (const b of bodies) await publishConfirmed(ch, queue, b, options);
  await ch.close();
}

interface Consumed {
  ch: Channel;
  got: ConsumeMessage[];
  tag: string;
}

/** A consumer with prefetch that records every delivery (acked only when `ack`). */
async function consume(
  s: Session,
  queue: string,
  args: Record<string, unknown>,
  opts: { prefetch?: number; ack?: boolean; consumerTag?: string } = {},
): Promise<Consumed> {
  const ch = await channel(await s.connect());
  await ch.prefetch(opts.prefetch ?? 100);
  const got: ConsumeMessage[] = [];
  const { consumerTag } = await ch.consume(queue, (m) => {
    if (m === null) return;
    got.push(m);
    if (opts.ack) ch.ack(m);
  }, { arguments: args, consumerTag: opts.consumerTag });
  return { ch, got, tag: consumerTag };
}

const bodies = (ms: ConsumeMessage[]) => ms.map((m) => m.content.toString());
const offsets = (ms: ConsumeMessage[]) => ms.map((m) => Number(m.properties.headers?.["x-stream-offset"]));

/** Waits for the connection or channel of `ch` to be closed by the broker; its code and text. */
function closedWith(ch: Channel): Promise<AmqpError> {
  const conn =
    (ch as unknown as { connection: { on(e: string, f: (e: AmqpError) => void): void } }).connection;
  return withTimeout(
    new Promise<AmqpError>((resolve) => {
      ch.once("error", resolve);
      conn.on("error", resolve);
    }),
    5_000,
    "broker close",
  );
}

// ============================================================== declaring

scenario("stream declare: durable only, with RabbitMQ's 406 texts and their precedence", async (s) => {
  const q = s.queue("sq-props");
  const where = `for queue '${q}' in vhost '/'`;
  const cases: [string, Parameters<typeof declareOutcome>[2], string][] = [
    ["non-durable", { durable: false }, `406 PRECONDITION_FAILED - invalid property 'non-durable' ${where}`],
    [
      "exclusive",
      { exclusive: true },
      `406 PRECONDITION_FAILED - invalid property 'exclusive-owner' ${where}`,
    ],
    [
      "auto-delete",
      { autoDelete: true },
      `406 PRECONDITION_FAILED - invalid property 'auto-delete' ${where}`,
    ],
    [
      "all three at once",
      { durable: false, exclusive: true, autoDelete: true },
      `406 PRECONDITION_FAILED - invalid property 'auto-delete' ${where}`,
    ],
    [
      "non-durable and exclusive",
      { durable: false, exclusive: true },
      `406 PRECONDITION_FAILED - invalid property 'exclusive-owner' ${where}`,
    ],
  ];
  for (const [what, options, expected] of cases) {
    assert.equal(await declareOutcome(s, q, { ...options, arguments: STREAM }), expected, what);
  }
  assert.equal(
    await declareOutcome(s, "", { arguments: STREAM }),
    "406 PRECONDITION_FAILED - Cannot declare a server-named queue for type rabbit_stream_queue",
  );
  // Nothing refused was left behind: a classic declare of the name creates a classic queue.
  const ch = await channel(await s.connect());
  const ok = await ch.assertQueue(q, { durable: true });
  assert.equal(ok.queue, q);
  await ch.deleteQueue(q);
  assert.equal(await declareOutcome(s, q, { arguments: STREAM }), "OK");
  const passive = await (await channel(await s.connect())).checkQueue(q);
  assert.deepEqual([passive.messageCount, passive.consumerCount], [0, 0]);
});

scenario("a stream redeclared as another type gets the inequivalent x-queue-type text", async (s) => {
  const q = await stream(s, "sq-type");
  const where = `for queue '${q}' in vhost '/'`;
  assert.equal(
    await declareOutcome(s, q, {}),
    `406 PRECONDITION_FAILED - inequivalent arg 'x-queue-type' ${where}: ` +
      "received none but current is the value 'stream' of type 'longstr'",
  );
  assert.equal(
    await declareOutcome(s, q, { arguments: { "x-queue-type": "quorum" } }),
    `406 PRECONDITION_FAILED - inequivalent arg 'x-queue-type' ${where}: received 'quorum' but current is 'stream'`,
  );
  assert.equal(await declareOutcome(s, q, { arguments: STREAM }), "OK");
});

scenario(
  "stream arguments: the ones a stream takes, their checks, and the classic ones it refuses",
  async (s) => {
    const q = s.queue("sq-args");
    const where = `for queue '${q}' in vhost '/'`;
    const accepted: Record<string, unknown>[] = [
      { "x-max-age": "7D" },
      { "x-max-age": "12h" },
      { "x-max-age": "30m" },
      { "x-max-age": "1Y" },
      { "x-max-age": "2M" },
      { "x-max-age": "10s" },
      { "x-max-length-bytes": 1000 },
      { "x-stream-max-segment-size-bytes": 1000 },
      { "x-stream-max-segment-size-bytes": 0 },
      { "x-initial-cluster-size": 3 },
      { "x-queue-leader-locator": "balanced" },
      { "x-something-else": "ignored" },
    ];
    const ch = await channel(await s.connect());
    for (const args of accepted) {
      assert.equal(
        await declareOutcome(s, q, { arguments: { ...STREAM, ...args } }),
        "OK",
        JSON.stringify(args),
      );
      await ch.deleteQueue(q);
    }
    const refused: [Record<string, unknown>, string][] = [
      [{ "x-max-age": "10" }, `invalid arg 'x-max-age' ${where}: invalid_max_age`],
      [{ "x-max-age": "0D" }, `invalid arg 'x-max-age' ${where}: invalid_max_age`],
      [{ "x-max-age": "10d" }, `invalid arg 'x-max-age' ${where}: invalid_max_age`],
      [{ "x-max-age": 10 }, `invalid arg 'x-max-age' ${where}: {unacceptable_type,byte}`],
      [
        { "x-max-length-bytes": "x" },
        `invalid arg 'x-max-length-bytes' ${where}: "expected integer, got longstr"`,
      ],
      [{ "x-max-length-bytes": -1 }, `invalid arg 'x-max-length-bytes' ${where}: {value_negative,-1}`],
      [
        { "x-stream-max-segment-size-bytes": -1 },
        `invalid arg 'x-stream-max-segment-size-bytes' ${where}: {value_negative,-1}`,
      ],
      [{ "x-initial-cluster-size": 0 }, `invalid arg 'x-initial-cluster-size' ${where}: {value_zero,0}`],
    ];
    for (
      const arg of [
        ["x-max-priority", 5],
        ["x-message-ttl", 1000],
        ["x-dead-letter-exchange", "dlx"],
        ["x-max-length", 10],
        ["x-overflow", "reject-publish"],
        ["x-single-active-consumer", true],
        ["x-expires", 10000],
        ["x-queue-mode", "lazy"],
        ["x-delivery-limit", 3],
        ["x-quorum-initial-group-size", 3],
      ] as const
    ) {
      refused.push([
        { [arg[0]]: arg[1] },
        `invalid arg '${arg[0]}' ${where} of queue type rabbit_stream_queue`,
      ]);
    }
    for (const [args, text] of refused) {
      assert.equal(
        await declareOutcome(s, q, { arguments: { ...STREAM, ...args } }),
        `406 PRECONDITION_FAILED - ${text}`,
        JSON.stringify(args),
      );
    }
  },
);

// ============================================================== consuming

scenario("a stream consumer needs a per-consumer prefetch and manual acks", async (s) => {
  const q = await stream(s, "sq-qos");
  const what = `queue '${q}' in vhost '/'`;
  const cases: [string, (ch: Channel) => Promise<unknown>, number, string][] = [
    [
      "no prefetch",
      (ch) => ch.consume(q, () => {}),
      406,
      `PRECONDITION_FAILED - consumer prefetch count is not set for '${what}'`,
    ],
    [
      "only a global prefetch",
      async (ch) => {
        await ch.prefetch(10, true);
        return ch.consume(q, () => {});
      },
      406,
      `PRECONDITION_FAILED - consumer prefetch count is not set for '${what}'`,
    ],
    [
      "auto-ack without prefetch: the prefetch goes first",
      (ch) => ch.consume(q, () => {}, { noAck: true }),
      406,
      `PRECONDITION_FAILED - consumer prefetch count is not set for '${what}'`,
    ],
    [
      "auto-ack",
      async (ch) => {
        await ch.prefetch(10);
        return ch.consume(q, () => {}, { noAck: true });
      },
      540,
      `NOT_IMPLEMENTED - automatic acknowledgement not supported by stream queues ${what}`,
    ],
    [
      "a global prefetch set after the per-consumer one",
      async (ch) => {
        await ch.prefetch(10);
        await ch.prefetch(10, true);
        return ch.consume(q, () => {});
      },
      540,
      `NOT_IMPLEMENTED - ${what} does not support global qos`,
    ],
    [
      "x-priority",
      async (ch) => {
        await ch.prefetch(10);
        return ch.consume(q, () => {}, { arguments: { "x-priority": "x" } });
      },
      406,
      `PRECONDITION_FAILED - invalid arg 'x-priority' for ${what} of queue type rabbit_stream_queue`,
    ],
  ];
  for (const [label, action, code, text] of cases) {
    const ch = await channel(await s.connect());
    const closed = closedWith(ch);
    await action(ch).catch(() => {});
    const err = await closed;
    assert.equal(err.code, code, label);
    assert.equal(replyText(err), text, label);
  }
  {
    // Any x-priority, and a bad x-stream-offset even before the missing prefetch.
    const ch = await channel(await s.connect());
    await ch.prefetch(10);
    const closed = closedWith(ch);
    await ch.consume(q, () => {}, { arguments: { "x-priority": 5 } }).catch(() => {});
    assert.equal(
      replyText(await closed),
      `PRECONDITION_FAILED - invalid arg 'x-priority' for ${what} of queue type rabbit_stream_queue`,
    );
    const ch2 = await channel(await s.connect());
    const closed2 = closedWith(ch2);
    await ch2.consume(q, () => {}, { arguments: { "x-stream-offset": "1" } }).catch(() => {});
    assert.equal(
      replyText(await closed2),
      `PRECONDITION_FAILED - invalid arg 'x-stream-offset' for ${what}: {invalid_stream_offset_arg,{longstr,<<"1">>}}`,
    );
  }
  // A per-consumer prefetch set after a global one replaces it, as in RabbitMQ.
  const ch = await channel(await s.connect());
  await ch.prefetch(10, true);
  await ch.prefetch(10);
  await ch.consume(q, () => {});
  await ch.close();
});

scenario("x-stream-offset: first, last, next, an offset, a timestamp, an interval", async (s) => {
  const q = await stream(s, "sq-offsets");
  await publishAll(s, q, ["m0", "m1", "m2", "m3", "m4"], { headers: { h: 1 } });
  const from = async (spec: unknown) => {
    const c = await consume(s, q, spec === undefined ? {} : { "x-stream-offset": spec });
    await sleep(300);
    return c;
  };
  const first = await from("first");
  await waitFor(() => first.got.length === 5, "first: five deliveries");
  assert.deepEqual(bodies(first.got), ["m0", "m1", "m2", "m3", "m4"]);
  assert.deepEqual(offsets(first.got), [0, 1, 2, 3, 4]);
  assert.equal(first.got[0].properties.headers?.h, 1, "the publisher's headers stay");
  assert.equal(typeof first.got[0].properties.headers?.["x-stream-offset"], "number");
  // Each publish above waited for its confirm, so each record is a chunk of its own.
  assert.deepEqual(bodies((await from("last")).got), ["m4"]);
  assert.deepEqual(bodies((await from(3)).got), ["m3", "m4"]);
  assert.deepEqual(bodies((await from(-1)).got), ["m0", "m1", "m2", "m3", "m4"]);
  assert.deepEqual(bodies((await from("1h")).got), ["m0", "m1", "m2", "m3", "m4"]);
  assert.deepEqual(
    bodies((await from({ "!": "timestamp", value: Math.floor(Date.now() / 1000) - 3600 })).got),
    ["m0", "m1", "m2", "m3", "m4"],
  );
  const next = await from("next");
  const byDefault = await from(undefined);
  const beyond = await from(7);
  const future = await from({ "!": "timestamp", value: Math.floor(Date.now() / 1000) + 3600 });
  assert.deepEqual([next.got.length, byDefault.got.length, beyond.got.length, future.got.length], [
    0,
    0,
    0,
    0,
  ]);
  await publishAll(s, q, ["m5", "m6", "m7", "m8"]);
  await waitFor(() => next.got.length === 4 && beyond.got.length === 2, "new records");
  assert.deepEqual(offsets(next.got), [5, 6, 7, 8]);
  assert.deepEqual(bodies(byDefault.got), ["m5", "m6", "m7", "m8"]);
  assert.deepEqual(bodies(beyond.got), ["m7", "m8"]);
  await waitFor(() => first.got.length === 9, "the first reader goes on at the tail");
});

scenario("a bad x-stream-offset gets 406 invalid arg 'x-stream-offset'", async (s) => {
  const q = await stream(s, "sq-badoffset");
  const where = `for queue '${q}' in vhost '/'`;
  for (const bad of ["1", "0s", "10d"]) {
    const ch = await channel(await s.connect());
    await ch.prefetch(10);
    const closed = closedWith(ch);
    await ch.consume(q, () => {}, { arguments: { "x-stream-offset": bad } }).catch(() => {});
    const err = await closed;
    assert.equal(err.code, 406);
    assert.equal(
      replyText(err),
      `PRECONDITION_FAILED - invalid arg 'x-stream-offset' ${where}: {invalid_stream_offset_arg,{longstr,<<"${bad}">>}}`,
    );
  }
});

scenario("reads are non-destructive: consumers at their own offsets, acks only return credit", async (s) => {
  const q = await stream(s, "sq-fanout");
  await publishAll(s, q, ["a", "b", "c", "d", "e"]);
  const slow = await consume(s, q, { "x-stream-offset": "first" }, { prefetch: 2 });
  const all = await consume(s, q, { "x-stream-offset": "first" }, { ack: true });
  const late = await consume(s, q, { "x-stream-offset": 2 }, { ack: true });
  await waitFor(() => all.got.length === 5 && late.got.length === 3, "two readers");
  await sleep(200);
  assert.deepEqual(bodies(slow.got), ["a", "b"], "prefetch 2 without acks stops at two");
  slow.ch.ack(slow.got[1], true); // multiple: both
  await waitFor(() => slow.got.length === 4, "credit returned by a multiple ack");
  assert.deepEqual(bodies(slow.got), ["a", "b", "c", "d"]);
  assert.deepEqual(bodies(late.got), ["c", "d", "e"]);
  // Nothing was removed: a new reader still sees everything.
  const again = await consume(s, q, { "x-stream-offset": "first" }, { ack: true });
  await waitFor(() => again.got.length === 5, "a re-read");
});

scenario("basic.get, basic.nack, basic.reject and queue.purge get 540 NOT_IMPLEMENTED", async (s) => {
  const q = await stream(s, "sq-refusals");
  await publishAll(s, q, ["a", "b"]);
  const what = `queue '${q}' in vhost '/'`;
  const nackText = `NOT_IMPLEMENTED - basic.nack and basic.reject not supported by stream queues ${what}`;
  const cases: [string, (ch: Channel, c: Consumed | null) => unknown, string, boolean][] = [
    [
      "basic.get",
      (ch) => ch.get(q),
      `NOT_IMPLEMENTED - basic.get not supported by stream queues ${what}`,
      false,
    ],
    [
      "queue.purge",
      (ch) => ch.purgeQueue(q),
      `NOT_IMPLEMENTED - queue.purge not supported by stream queues ${what}`,
      false,
    ],
    ["basic.nack", (_ch, c) => c!.ch.nack(c!.got[0], false, true), nackText, true],
    ["basic.nack without requeue", (_ch, c) => c!.ch.nack(c!.got[0], false, false), nackText, true],
    ["basic.reject", (_ch, c) => c!.ch.reject(c!.got[0], true), nackText, true],
    ["basic.reject without requeue", (_ch, c) => c!.ch.reject(c!.got[0], false), nackText, true],
  ];
  for (const [label, action, text, needsDelivery] of cases) {
    let c: Consumed | null = null;
    let ch: Channel;
    if (needsDelivery) {
      c = await consume(s, q, { "x-stream-offset": "first" });
      await waitFor(() => c!.got.length === 2, "deliveries");
      ch = c.ch;
    } else ch = await channel(await s.connect());
    const closed = closedWith(ch);
    try {
      await action(ch, c);
    } catch { /* the close is checked */ }
    const err = await closed;
    assert.equal(err.code, 540, label);
    assert.equal(replyText(err), text, label);
  }
});

scenario("cancelling and closing stream consumers; deleting the stream cancels them", async (s) => {
  const q = await stream(s, "sq-cancel");
  await publishAll(s, q, ["a"]);
  const c = await consume(s, q, { "x-stream-offset": "first" });
  await waitFor(() => c.got.length === 1, "delivery");
  await c.ch.cancel(c.tag);
  await publishAll(s, q, ["b"]);
  await sleep(200);
  assert.equal(c.got.length, 1, "no delivery after cancel");
  const d = await consume(s, q, { "x-stream-offset": "first" });
  await waitFor(() => d.got.length === 2, "deliveries");
  const cancelled = new Promise<void>((resolve) => {
    d.ch.consume(q, (m) => m === null && resolve(), { arguments: { "x-stream-offset": "next" } });
  });
  const del = await channel(await s.connect());
  // As in RabbitMQ, a stream counts no consumers: if-unused does not stop the delete.
  const ok = await del.deleteQueue(q, { ifUnused: true });
  assert.equal(ok.messageCount, 0);
  await withTimeout(cancelled, 5_000, "basic.cancel from the broker");
  assert.equal(await declareOutcome(s, q, { arguments: STREAM }), "OK");
  const fresh = await consume(s, q, { "x-stream-offset": "first" });
  await sleep(300);
  assert.equal(fresh.got.length, 0, "a stream declared again under the name starts empty");
});

scenario("a per-consumer basic.qos replaces an earlier global one, on a classic queue too", async (s) => {
  const q = s.queue("sq-qos-classic");
  const ch = await channel(await s.connect());
  await ch.assertQueue(q, { durable: false });
  for (let i = 0; i < 6; i++) ch.sendToQueue(q, body(`m${i}`));
  await ch.checkQueue(q);
  await ch.prefetch(2, true);
  await ch.prefetch(0);
  const got: string[] = [];
  await ch.consume(q, (m) => m && got.push(m.content.toString()));
  await waitFor(() => got.length === 6, "all six: the global prefetch of 2 no longer applies");
});
