// Quorum queues as a single RabbitMQ 3.10.8 node shows
// them, driven with amqplib: declare-time rules and their 406 texts for both
// queue types, redeclare equivalence, x-delivery-count, where returned
// messages go, x-delivery-limit and its dead-lettering, overflow, TTL, global
// qos, consumer priorities, single active consumer and x-expires. Every
// expectation was observed on the dev RabbitMQ 3.10.8, and the scenarios
// pass against it:
//   WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5682/ \
//     deno test -A tests/integration/quorum_queues.test.ts
// The last tests (management API, ctl, definitions) are Warren-only: they
// compare with the JSON the dev node's management API returned for a quorum
// queue, recorded in their comments.
import assert from "node:assert/strict";
import amqp, { type ConfirmChannel, type GetMessage } from "../helpers/amqplib.ts";
import {
  type AmqpError,
  body,
  channel,
  confirmChannel,
  declareOutcome,
  drain,
  durableQueue,
  eventually,
  getEventually,
  readyCount,
  replyText,
  scenario,
  type Session,
  sleep,
  withTimeout,
} from "../helpers/amqp_session.ts";
import { ctlTest } from "../helpers/ctl_node.ts";

const QUORUM = { "x-queue-type": "quorum" };

function publishConfirmed(
  ch: ConfirmChannel,
  queue: string,
  content: string,
  options = {},
): Promise<boolean> {
  return new Promise((resolve) => {
    ch.sendToQueue(queue, body(content), options, (err: unknown) => resolve(!err));
  });
}

function quorumQueue(s: Session, prefix: string, args: Record<string, unknown> = {}): Promise<string> {
  return durableQueue(s, prefix, { ...QUORUM, ...args });
}

const deliveryCount = (m: GetMessage | { properties: { headers?: Record<string, unknown> } }) =>
  m.properties.headers?.["x-delivery-count"];

// ============================================================== declaring

scenario("quorum declare: durable only, with RabbitMQ's 406 texts and their precedence", async (s) => {
  const q = s.queue("qq-props");
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
      "exclusive and auto-delete",
      { exclusive: true, autoDelete: true },
      `406 PRECONDITION_FAILED - invalid property 'auto-delete' ${where}`,
    ],
    [
      "non-durable and exclusive",
      { durable: false, exclusive: true },
      `406 PRECONDITION_FAILED - invalid property 'exclusive-owner' ${where}`,
    ],
    [
      "a bad argument value goes first",
      { durable: false, arguments: { "x-max-length": -1 } },
      `406 PRECONDITION_FAILED - invalid arg 'x-max-length' ${where}: {value_negative,-1}`,
    ],
    [
      "an unsupported argument goes before the properties",
      { durable: false, arguments: { "x-max-priority": 1 } },
      `406 PRECONDITION_FAILED - invalid arg 'x-max-priority' ${where} of queue type rabbit_quorum_queue`,
    ],
  ];
  for (const [what, options, expected] of cases) {
    const args = { ...QUORUM, ...options.arguments };
    assert.equal(await declareOutcome(s, q, { ...options, arguments: args }), expected, what);
  }
  assert.equal(
    await declareOutcome(s, "", { arguments: QUORUM }),
    "406 PRECONDITION_FAILED - Cannot declare a server-named queue for type rabbit_quorum_queue",
    "server-named",
  );
  assert.equal(
    await declareOutcome(s, "", { arguments: { ...QUORUM, "x-max-length": -1 } }),
    "406 PRECONDITION_FAILED - Cannot declare a server-named queue for type rabbit_quorum_queue",
    "server-named goes before argument values",
  );
  assert.equal(await declareOutcome(s, q, { arguments: QUORUM }), "OK");
});

scenario("x-queue-type values: unknown types, wrong field types, case", async (s) => {
  const q = s.queue("qq-type");
  const where = `for queue '${q}' in vhost '/'`;
  assert.equal(
    await declareOutcome(s, q, { arguments: { "x-queue-type": "bogus" } }),
    `406 PRECONDITION_FAILED - invalid arg 'x-queue-type' ${where}: "unsupported queue type 'bogus'"`,
  );
  assert.equal(
    await declareOutcome(s, q, { arguments: { "x-queue-type": "Quorum" } }),
    `406 PRECONDITION_FAILED - invalid arg 'x-queue-type' ${where}: "unsupported queue type 'Quorum'"`,
  );
  assert.equal(
    await declareOutcome(s, q, {
      durable: false,
      arguments: { "x-queue-type": "bogus", "x-max-length": -1 },
    }),
    `406 PRECONDITION_FAILED - invalid arg 'x-queue-type' ${where}: "unsupported queue type 'bogus'"`,
    "the type is checked before anything else",
  );
  assert.equal(
    await declareOutcome(s, q, { arguments: { "x-queue-type": 5 } }),
    // amqplib sends a small integer as a byte.
    `406 PRECONDITION_FAILED - invalid arg 'x-queue-type' ${where}: {unacceptable_type,byte}`,
  );
});

scenario("arguments each queue type understands, refuses, or checks the value of", async (s) => {
  const q = s.queue("qq-args");
  const where = `for queue '${q}' in vhost '/'`;
  const quorum = (args: Record<string, unknown>) =>
    declareOutcome(s, q, { arguments: { ...QUORUM, ...args } });
  const classic = (args: Record<string, unknown>) => declareOutcome(s, q, { arguments: args });
  const refused = (arg: string, type: string) =>
    `406 PRECONDITION_FAILED - invalid arg '${arg}' ${where} of queue type rabbit_${type}_queue`;
  const deleteIt = async () => await (await channel(await s.connect())).deleteQueue(q);

  // Accepted by a quorum queue (RabbitMQ 3.10 takes x-message-ttl too, and any x-delivery-limit value).
  for (
    const args of [
      { "x-delivery-limit": 3 },
      { "x-delivery-limit": -1 },
      { "x-delivery-limit": "3" },
      { "x-dead-letter-strategy": "at-most-once" },
      { "x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish" },
      { "x-overflow": "reject-publish-dlx" },
      { "x-message-ttl": 1000, "x-expires": 100000, "x-max-length": 5, "x-max-length-bytes": 5 },
      { "x-single-active-consumer": true, "x-quorum-initial-group-size": 3 },
      { "x-max-in-memory-length": 5, "x-max-in-memory-bytes": 5, "x-queue-leader-locator": "balanced" },
      { "x-dead-letter-exchange": "dlx", "x-dead-letter-routing-key": "k", "x-whatever": 1 },
    ]
  ) {
    assert.equal(await quorum(args), "OK", JSON.stringify(args));
    await deleteIt();
  }
  for (const arg of ["x-max-priority", "x-queue-mode", "x-queue-version", "x-max-age"]) {
    const value = arg === "x-queue-mode" ? "lazy" : arg === "x-max-age" ? "1D" : 1;
    assert.equal(await quorum({ [arg]: value }), refused(arg, "quorum"), arg);
  }
  assert.equal(
    await quorum({ "x-queue-mode": "lazy", "x-max-priority": 1 }),
    refused("x-queue-mode", "quorum"),
    "the first refused argument in the table is named",
  );
  assert.equal(
    await quorum({ "x-max-priority": "x" }),
    refused("x-max-priority", "quorum"),
    "no value check",
  );
  assert.equal(
    await quorum({ "x-quorum-initial-group-size": 0, "x-max-priority": 1 }),
    `406 PRECONDITION_FAILED - invalid arg 'x-quorum-initial-group-size' ${where}: {value_zero,0}`,
    "values are checked before refused arguments",
  );
  assert.equal(
    await quorum({ "x-quorum-initial-group-size": "a" }),
    `406 PRECONDITION_FAILED - invalid arg 'x-quorum-initial-group-size' ${where}: "expected integer, got longstr"`,
  );
  assert.equal(
    await quorum({ "x-dead-letter-strategy": "bogus" }),
    `406 PRECONDITION_FAILED - invalid arg 'x-dead-letter-strategy' ${where}: invalid_dlx_strategy`,
  );
  assert.equal(
    await quorum({ "x-max-in-memory-length": -1 }),
    `406 PRECONDITION_FAILED - invalid arg 'x-max-in-memory-length' ${where}: {value_negative,-1}`,
  );
  assert.equal(
    await quorum({ "x-max-length": -1, "x-expires": 0 }),
    `406 PRECONDITION_FAILED - invalid arg 'x-expires' ${where}: {value_zero,0}`,
    "values are checked in RabbitMQ's order, not the table's",
  );

  // Classic queues take their own arguments and refuse the quorum ones.
  assert.equal(
    await classic({ "x-queue-type": "classic", "x-queue-version": 2, "x-queue-mode": "lazy" }),
    "OK",
  );
  await deleteIt();
  for (
    const arg of [
      "x-delivery-limit",
      "x-dead-letter-strategy",
      "x-quorum-initial-group-size",
      "x-max-in-memory-length",
      "x-queue-leader-locator",
    ]
  ) {
    const value = arg === "x-dead-letter-strategy"
      ? "at-most-once"
      : arg === "x-queue-leader-locator"
      ? "balanced"
      : 1;
    assert.equal(await classic({ [arg]: value }), refused(arg, "classic"), arg);
  }
  assert.equal(
    await classic({ "x-queue-version": 3 }),
    `406 PRECONDITION_FAILED - invalid arg 'x-queue-version' ${where}: "unsupported queue version '3'"`,
  );
  assert.equal(
    await classic({ "x-queue-mode": "bogus" }),
    `406 PRECONDITION_FAILED - invalid arg 'x-queue-mode' ${where}: "unsupported queue mode 'bogus'"`,
  );
});

scenario("x-queue-type takes part in redeclare equivalence", async (s) => {
  const quorum = await quorumQueue(s, "qq-eq", { "x-delivery-limit": 3 });
  const what = (q: string) => `inequivalent arg 'x-queue-type' for queue '${q}' in vhost '/'`;
  assert.equal(
    await declareOutcome(s, quorum, { arguments: { "x-delivery-limit": 3 } }),
    `406 PRECONDITION_FAILED - ${
      what(quorum)
    }: received none but current is the value 'quorum' of type 'longstr'`,
  );
  assert.equal(
    await declareOutcome(s, quorum, { arguments: { "x-queue-type": "classic", "x-delivery-limit": 3 } }),
    `406 PRECONDITION_FAILED - ${what(quorum)}: received 'classic' but current is 'quorum'`,
  );
  assert.equal(
    await declareOutcome(s, quorum, { arguments: QUORUM }),
    `406 PRECONDITION_FAILED - inequivalent arg 'x-delivery-limit' for queue '${quorum}' in vhost '/': ` +
      "received none but current is the value '3' of type 'byte'",
  );
  assert.equal(
    await declareOutcome(s, quorum, { durable: false, arguments: { ...QUORUM, "x-delivery-limit": 3 } }),
    `406 PRECONDITION_FAILED - inequivalent arg 'durable' for queue '${quorum}' in vhost '/': ` +
      "received 'false' but current is 'true'",
  );
  assert.equal(await declareOutcome(s, quorum, { arguments: { ...QUORUM, "x-delivery-limit": 3 } }), "OK");

  const plain = s.queue("qq-eq-plain");
  assert.equal(await declareOutcome(s, plain, {}), "OK");
  assert.equal(await declareOutcome(s, plain, { arguments: { "x-queue-type": "classic" } }), "OK");
  assert.equal(
    await declareOutcome(s, plain, { arguments: QUORUM }),
    `406 PRECONDITION_FAILED - ${
      what(plain)
    }: received the value 'quorum' of type 'longstr' but current is none`,
  );
  const typed = s.queue("qq-eq-typed");
  assert.equal(await declareOutcome(s, typed, { arguments: { "x-queue-type": "classic" } }), "OK");
  assert.equal(await declareOutcome(s, typed, {}), "OK");
  assert.equal(
    await declareOutcome(s, typed, { arguments: QUORUM }),
    `406 PRECONDITION_FAILED - ${what(typed)}: received 'quorum' but current is 'classic'`,
  );
});

// ====================================================== x-delivery-count

scenario("x-delivery-count: basic.get always carries it, a consumer from the first return on", async (s) => {
  const q = await quorumQueue(s, "qq-count");
  const conn = await s.connect();
  const cch = await confirmChannel(conn);
  assert.ok(await publishConfirmed(cch, q, "transient", { deliveryMode: 1, headers: { a: 1 } }));
  assert.ok(await publishConfirmed(cch, q, "persistent", { persistent: true }));
  const ch = await channel(conn);
  const first = await getEventually(ch, q, false);
  assert.equal(first.content.toString(), "transient");
  assert.equal(first.fields.redelivered, false);
  assert.deepEqual(first.properties.headers, { a: 1, "x-delivery-count": 0 });
  assert.equal(first.properties.deliveryMode, 1, "delivery_mode is delivered as published");
  ch.nack(first, false, true);
  const second = await getEventually(ch, q, false);
  assert.equal(second.content.toString(), "persistent", "a rejected message goes to the back");
  assert.equal(second.properties.deliveryMode, 2);
  assert.equal(deliveryCount(second), 0);
  ch.reject(second, true);

  // A consumer: the first delivery goes out as published, returns count up from there.
  const seen: string[] = [];
  const done = new Promise<void>((resolve) => {
    ch.consume(q, (m) => {
      if (!m) return;
      seen.push(`${m.content}:${deliveryCount(m) ?? "none"}:${m.fields.redelivered}`);
      if (seen.length < 4) ch.nack(m, false, true);
      else resolve();
    });
  });
  await withTimeout(done, 5_000, "four deliveries");
  assert.deepEqual(seen.slice(0, 4), [
    "transient:1:true",
    "persistent:1:true",
    "transient:2:true",
    "persistent:2:true",
  ]);

  const other = await quorumQueue(s, "qq-count-fresh");
  const fresh = new Promise<string>((resolve) => {
    ch.consume(
      other,
      (m) => m && resolve(`${m.content}:${deliveryCount(m) ?? "none"}:${m.fields.redelivered}`),
    );
  });
  assert.ok(await publishConfirmed(cch, other, "fresh"));
  assert.equal(await withTimeout(fresh, 5_000, "fresh"), "fresh:none:false", "no x-delivery-count at first");
});

scenario(
  "returns count: nack, reject, recover and a closing channel; a closing channel's go to the head",
  async (s) => {
    const q = await quorumQueue(s, "qq-returns");
    const conn = await s.connect();
    const cch = await confirmChannel(conn);
    for (const x of ["a", "b", "c", "d"]) assert.ok(await publishConfirmed(cch, q, x));
    const ch = await channel(conn);
    const get = async () => {
      const m = await getEventually(ch, q, false);
      return m;
    };
    const a = await get();
    ch.reject(a, true); // a: 1, to the back
    const b = await get();
    assert.equal(b.content.toString(), "b");
    const c = await get();
    ch.nack(c, true, true); // b, c: 1, to the back in order
    assert.deepEqual(
      (await Promise.all([get(), get(), get(), get()])).map((m) => `${m.content}${deliveryCount(m)}`),
      ["d0", "a1", "b1", "c1"],
    );
    await ch.recover(); // all four back: 1 more each
    const other = await channel(conn);
    const held = await getEventually(other, q, false);
    assert.equal(`${held.content}${deliveryCount(held)}`, "d1");
    await other.close(); // d comes back to the head, counted
    const after: string[] = [];
    for (let i = 0; i < 4; i++) {
      const m = await get();
      after.push(`${m.content}${deliveryCount(m)}:${m.fields.redelivered}`);
    }
    assert.deepEqual(after, ["d2:true", "a2:true", "b2:true", "c2:true"]);
  },
);

// ======================================================= x-delivery-limit

scenario(
  "x-delivery-limit: returned more than N times, a message is dead-lettered as delivery_limit",
  async (s) => {
    const dead = s.queue("qq-limit-dead");
    const conn = await s.connect();
    const ch = await channel(conn);
    await ch.assertQueue(dead, { durable: true });
    const q = await quorumQueue(s, "qq-limit", {
      "x-delivery-limit": 2,
      "x-dead-letter-exchange": "",
      "x-dead-letter-routing-key": dead,
    });
    const cch = await confirmChannel(conn);
    assert.ok(await publishConfirmed(cch, q, "poison", { headers: { h: "v" }, expiration: "60000" }));
    const counts: unknown[] = [];
    await ch.consume(q, (m) => {
      if (!m) return;
      counts.push(deliveryCount(m));
      ch.nack(m, false, true);
    });
    const m = await getEventually(ch, dead, true);
    assert.deepEqual(counts, [undefined, 1, 2], "delivered three times: the third return is one too many");
    const headers = m.properties.headers!;
    assert.equal(
      headers["x-delivery-count"],
      undefined,
      "the dead-lettered message does not carry the count",
    );
    assert.equal(headers.h, "v");
    assert.equal(headers["x-first-death-reason"], "delivery_limit");
    assert.equal(headers["x-first-death-queue"], q);
    const death = headers["x-death"]![0];
    assert.equal(death.reason, "delivery_limit");
    assert.equal(death.queue, q);
    assert.equal(death.count, 1);
    assert.deepEqual(death["routing-keys"], [q]);
    assert.equal(death["original-expiration"], "60000");
    assert.equal(await readyCount(ch, q), 0);
  },
);

scenario(
  "x-delivery-limit without a dead-letter exchange drops; 0 allows no return; non-integers are ignored",
  async (s) => {
    const conn = await s.connect();
    const ch = await channel(conn);
    const cch = await confirmChannel(conn);
    const returnsUntilGone = async (q: string, max: number) => {
      assert.ok(await publishConfirmed(cch, q, "m"));
      for (let i = 0; i < max; i++) {
        const m = await ch.get(q, { noAck: false });
        if (!m) return i;
        ch.reject(m, true);
      }
      return -1;
    };
    assert.equal(await returnsUntilGone(await quorumQueue(s, "qq-lim1", { "x-delivery-limit": 1 }), 5), 2);
    assert.equal(await returnsUntilGone(await quorumQueue(s, "qq-lim0", { "x-delivery-limit": 0 }), 5), 1);
    assert.equal(
      await returnsUntilGone(await quorumQueue(s, "qq-limstr", { "x-delivery-limit": "1" }), 5),
      -1,
    );
    // A closing channel's returns count too.
    const q = await quorumQueue(s, "qq-lim-close", { "x-delivery-limit": 1 });
    assert.ok(await publishConfirmed(cch, q, "m"));
    let deliveries = 0;
    for (let i = 0; i < 4; i++) {
      const holder = await channel(conn);
      const m = await holder.get(q, { noAck: false });
      if (!m) break;
      deliveries++;
      await holder.close();
    }
    assert.equal(deliveries, 2);
  },
);

// ============================================================ overflow

scenario(
  "x-overflow reject-publish: takes the message that goes over, then nacks until 80% of the limit",
  async (s) => {
    const q = await quorumQueue(s, "qq-reject", { "x-max-length": 5, "x-overflow": "reject-publish" });
    const conn = await s.connect();
    const cch = await confirmChannel(conn);
    const outcomes: boolean[] = [];
    for (let i = 0; i < 8; i++) outcomes.push(await publishConfirmed(cch, q, `m${i}`));
    assert.deepEqual(outcomes, [true, true, true, true, true, true, false, false]);
    const ch = await channel(conn);
    assert.equal(await readyCount(ch, q), 6);
    await ch.get(q, { noAck: true });
    assert.equal(await publishConfirmed(cch, q, "at 5"), false, "still over the soft limit");
    await ch.get(q, { noAck: true });
    assert.equal(
      await publishConfirmed(cch, q, "at 4"),
      true,
      "below 80% of the limit publishers get in again",
    );
    assert.equal(await readyCount(ch, q), 5);
  },
);

scenario("x-overflow reject-publish-dlx acts as drop-head; drop-head dead-letters as maxlen", async (s) => {
  const conn = await s.connect();
  const ch = await channel(conn);
  const cch = await confirmChannel(conn);
  for (const overflow of ["reject-publish-dlx", "drop-head"]) {
    const dead = s.queue("qq-dh-dead");
    await ch.assertQueue(dead, { durable: true });
    const q = await quorumQueue(s, "qq-dh", {
      "x-max-length": 2,
      "x-overflow": overflow,
      "x-dead-letter-exchange": "",
      "x-dead-letter-routing-key": dead,
    });
    const acks = [];
    for (const x of ["0", "1", "2", "3"]) acks.push(await publishConfirmed(cch, q, x));
    assert.deepEqual(acks, [true, true, true, true], overflow);
    assert.deepEqual(await drain(ch, q), ["2", "3"], overflow);
    await eventually(() => readyCount(ch, dead), 2, `${overflow}: dead-lettered`);
    const m = await getEventually(ch, dead);
    assert.equal(m.properties.headers!["x-first-death-reason"], "maxlen");
  }
});

// ============================================== x-dead-letter-strategy

scenario(
  "at-least-once dead-lettering keeps what no queue takes, counted against the length limit",
  async (s) => {
    const conn = await s.connect();
    const ch = await channel(conn);
    const cch = await confirmChannel(conn);
    const args = { "x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish" };
    // Routable: the same as at-most-once.
    const dead = s.queue("qq-alo-dead");
    await ch.assertQueue(dead, { durable: true });
    const routable = await quorumQueue(s, "qq-alo", {
      ...args,
      "x-dead-letter-exchange": "",
      "x-dead-letter-routing-key": dead,
    });
    assert.ok(await publishConfirmed(cch, routable, "m", { deliveryMode: 1 }));
    ch.reject(await getEventually(ch, routable, false), false);
    const m = await getEventually(ch, dead);
    assert.equal(m.properties.headers!["x-first-death-reason"], "rejected");
    assert.equal(m.properties.deliveryMode, 1);

    // Unroutable: held by the queue, not ready, yet counted by reject-publish.
    const held = await quorumQueue(s, "qq-alo-held", {
      ...args,
      "x-max-length": 2,
      "x-dead-letter-exchange": "",
      "x-dead-letter-routing-key": s.queue("qq-alo-nowhere"),
    });
    assert.ok(await publishConfirmed(cch, held, "m1"));
    assert.ok(await publishConfirmed(cch, held, "m2"));
    ch.reject(await getEventually(ch, held, false), false);
    await eventually(() => readyCount(ch, held), 1, "the dead letter is not ready");
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await publishConfirmed(cch, held, `x${i}`));
    assert.deepEqual(outcomes, [true, false, false], "1 ready + 1 held: one more goes over the limit");
  },
);

// =============================================================== others

scenario("x-message-ttl: quorum queues of 3.10 expire and dead-letter messages", async (s) => {
  const dead = s.queue("qq-ttl-dead");
  const conn = await s.connect();
  const ch = await channel(conn);
  await ch.assertQueue(dead, { durable: true });
  const q = await quorumQueue(s, "qq-ttl", {
    "x-message-ttl": 100,
    "x-dead-letter-exchange": "",
    "x-dead-letter-routing-key": dead,
  });
  const cch = await confirmChannel(conn);
  assert.ok(await publishConfirmed(cch, q, "short-lived"));
  const m = await getEventually(ch, dead);
  assert.equal(m.content.toString(), "short-lived");
  assert.equal(m.properties.headers!["x-first-death-reason"], "expired");
  assert.equal(await readyCount(ch, q), 0);
});

scenario("a global prefetch cannot consume from a quorum queue: 540 closes the connection", async (s) => {
  const q = await quorumQueue(s, "qq-global");
  const conn = await s.connect();
  const closed = new Promise<AmqpError>((resolve) => conn.once("error", resolve));
  const ch = await channel(conn);
  await ch.prefetch(0, true);
  await ch.consume(q, () => {}); // a global prefetch of 0 is no limit
  const limited = await channel(conn);
  await limited.prefetch(5, true);
  limited.consume(q, () => {}).catch(() => {});
  const err = await withTimeout(closed, 5_000, "connection close");
  assert.equal(err.code, 540);
  assert.equal(replyText(err), `NOT_IMPLEMENTED - queue '${q}' in vhost '/' does not support global qos`);
});

scenario("consumer priorities and single active consumer work on quorum queues", async (s) => {
  const conn = await s.connect();
  const cch = await confirmChannel(conn);
  const q = await quorumQueue(s, "qq-prio");
  const got: string[] = [];
  const ch = await channel(conn);
  await ch.prefetch(10);
  await ch.consume(q, (m) => m && got.push(`lo:${m.content}`), { priority: 1, noAck: true });
  await ch.consume(q, (m) => m && got.push(`hi:${m.content}`), { priority: 5, noAck: true });
  for (const x of ["0", "1", "2"]) assert.ok(await publishConfirmed(cch, q, x));
  await eventually(() => Promise.resolve(got.length), 3, "deliveries");
  assert.deepEqual(got, ["hi:0", "hi:1", "hi:2"]);

  const sac = await quorumQueue(s, "qq-sac", { "x-single-active-consumer": true });
  const sacGot: string[] = [];
  const ch2 = await channel(conn);
  await ch2.consume(sac, (m) => m && sacGot.push(`a:${m.content}`), { noAck: true });
  await ch2.consume(sac, (m) => m && sacGot.push(`b:${m.content}`), { noAck: true });
  for (const x of ["0", "1", "2"]) assert.ok(await publishConfirmed(cch, sac, x));
  await eventually(() => Promise.resolve(sacGot.length), 3, "deliveries");
  assert.deepEqual(sacGot, ["a:0", "a:1", "a:2"]);
});

scenario(
  "basic.consume's exclusive flag is not enforced; a cancelled consumer holding messages still counts",
  async (s) => {
    const q = await quorumQueue(s, "qq-excl");
    const conn = await s.connect();
    const ch = await channel(conn);
    await ch.consume(q, () => {}, { exclusive: true, consumerTag: "ex1" });
    const other = await channel(await s.connect());
    await other.consume(q, () => {}, { consumerTag: "ex2" }); // RabbitMQ 3.10 answers consume-ok
    await other.consume(q, () => {}, { exclusive: true, consumerTag: "ex3" });
    assert.equal((await ch.checkQueue(q)).consumerCount, 3);
    await ch.cancel("ex1");
    await other.close();

    const cch = await confirmChannel(conn);
    const held: unknown[] = [];
    await ch.consume(q, (m) => m && held.push(m), { consumerTag: "holder" });
    for (const x of ["0", "1"]) assert.ok(await publishConfirmed(cch, q, x));
    await eventually(() => Promise.resolve(held.length), 2, "deliveries");
    await ch.cancel("holder");
    assert.equal((await ch.checkQueue(q)).consumerCount, 1, "cancelled, with two messages unacked");
    ch.ackAll();
    await eventually(async () => (await ch.checkQueue(q)).consumerCount, 0, "settled, it is gone");
  },
);

scenario(
  "x-expires: a passive declare does not keep a quorum queue alive (it does a classic one)",
  async (s) => {
    const conn = await s.connect();
    const q = await quorumQueue(s, "qq-expires", { "x-expires": 500 });
    const ch = await channel(conn);
    const classic = s.queue("qq-expires-classic");
    // long enough that the polling below keeps it alive on a loaded machine
    await ch.assertQueue(classic, { durable: true, arguments: { "x-expires": 5_000 } });
    // RabbitMQ checks a quorum queue's expiry on a 5 s tick; Warren on time. Either way it goes.
    const deadline = Date.now() + 12_000;
    let gone = false;
    while (!gone && Date.now() < deadline) {
      await ch.checkQueue(classic);
      const probe = await channel(conn);
      try {
        await probe.checkQueue(q);
        await probe.close();
      } catch (e) {
        assert.equal((e as AmqpError).code, 404);
        gone = true;
      }
      await sleep(300);
    }
    assert.ok(gone, "the quorum queue expired");
    await ch.checkQueue(classic);
  },
  { timeoutMs: 20_000 },
);

// On RabbitMQ 3.10.8 (policy set over its management API) the same sequence gave 2 deliveries.
ctlTest("a policy's delivery-limit applies to quorum queues", async ({ node }) => {
  const put = await fetch(`${node.managementUrl}/api/policies/%2F/qq-pol`, {
    method: "PUT",
    headers: { authorization: `Basic ${btoa("guest:guest")}`, "content-type": "application/json" },
    body: JSON.stringify({ pattern: "^qq-pol$", "apply-to": "queues", definition: { "delivery-limit": 1 } }),
  });
  assert.equal(put.status, 201);
  await put.body?.cancel();
  const conn = await amqp.connect(node.url);
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue("qq-pol", { durable: true, arguments: QUORUM });
    assert.ok(await publishConfirmed(ch, "qq-pol", "m"));
    let deliveries = 0;
    while (true) {
      const m = await ch.get("qq-pol", { noAck: false });
      if (!m) break;
      deliveries++;
      ch.reject(m, true);
    }
    assert.equal(deliveries, 2, "returned more than once, the message is gone");
  } finally {
    await conn.close();
  }
});

// ================================ management API, ctl, definitions (Warren)

ctlTest(
  "management API, ctl list_queues and definitions show and keep the quorum type",
  async ({ ctl, node }) => {
    const auth = { authorization: `Basic ${btoa("guest:guest")}` };
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${node.managementUrl}${path}`, {
        ...init,
        headers: { ...auth, "content-type": "application/json" },
      });
    const put = await api("/api/queues/%2F/qq-api", {
      method: "PUT",
      // As rabbitmqadmin's `declare queue ... queue_type=quorum` sends it.
      body: JSON.stringify({
        durable: true,
        queue_type: "quorum",
        arguments: { "x-queue-type": "quorum", "x-delivery-limit": 5 },
      }),
    });
    assert.equal(put.status, 201);
    await put.body?.cancel();
    const q = await (await api("/api/queues/%2F/qq-api")).json();
    // As RabbitMQ 3.10.8's management API shows a quorum queue on one node.
    assert.equal(q.type, "quorum");
    assert.deepEqual(q.arguments, { "x-delivery-limit": 5, "x-queue-type": "quorum" });
    assert.equal(q.leader, q.node);
    assert.deepEqual(q.members, [q.node]);
    assert.deepEqual(q.online, [q.node]);
    assert.equal(q.messages_dlx, 0);
    assert.equal(q.message_bytes_dlx, 0);
    assert.equal(q.single_active_consumer_ctag, null);
    for (const absent of ["exclusive_consumer_tag", "recoverable_slaves", "single_active_consumer_tag"]) {
      assert.ok(!(absent in q), `${absent} is not shown for a quorum queue`);
    }
    // A held at-least-once dead letter: RabbitMQ showed messages 3, messages_ready 2, messages_dlx 1 and
    // message_bytes_dlx 2 for this sequence.
    const conn = await amqp.connect(node.url);
    try {
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue("qq-api-alo", {
        durable: true,
        arguments: {
          ...QUORUM,
          "x-dead-letter-strategy": "at-least-once",
          "x-overflow": "reject-publish",
          "x-max-length": 2,
          "x-dead-letter-exchange": "",
          "x-dead-letter-routing-key": "nowhere",
        },
      });
      for (const x of ["m1", "m2"]) assert.ok(await publishConfirmed(ch, "qq-api-alo", x));
      const m = await ch.get("qq-api-alo", { noAck: false });
      assert.ok(m);
      ch.reject(m, false);
      assert.ok(await publishConfirmed(ch, "qq-api-alo", "m3"));
    } finally {
      await conn.close();
    }
    const alo = await (await api("/api/queues/%2F/qq-api-alo")).json();
    assert.deepEqual(
      [alo.messages, alo.messages_ready, alo.messages_dlx, alo.message_bytes_dlx],
      [3, 2, 1, 2],
    );
    const classic = await api("/api/queues/%2F/qq-api-classic", {
      method: "PUT",
      body: JSON.stringify({ durable: true }),
    });
    await classic.body?.cancel();
    assert.equal((await (await api("/api/queues/%2F/qq-api-classic")).json()).type, "classic");

    const listed = await ctl("list_queues", "name", "type");
    assert.equal(listed.code, 0);
    assert.ok(listed.out.some((l) => /^qq-api\s+quorum$/.test(l)), listed.out.join("\n"));
    assert.ok(listed.out.some((l) => /^qq-api-classic\s+classic$/.test(l)), listed.out.join("\n"));

    const defs = await (await api("/api/definitions")).json();
    const exported = defs.queues.find((x: { name: string }) => x.name === "qq-api");
    assert.deepEqual(exported.arguments, { "x-delivery-limit": 5, "x-queue-type": "quorum" });
    const del = await api("/api/queues/%2F/qq-api", { method: "DELETE" });
    await del.body?.cancel();
    const imported = await api("/api/definitions", { method: "POST", body: JSON.stringify(defs) });
    await imported.body?.cancel();
    assert.ok(imported.ok, `import: ${imported.status}`);
    assert.equal(
      (await (await api("/api/queues/%2F/qq-api")).json()).type,
      "quorum",
      "import keeps the type",
    );
  },
);
