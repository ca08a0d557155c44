// Client-library edge cases where Warren answered differently from RabbitMQ
// 3.10, each pinned as RabbitMQ 3.10.8 answers it:
// unbinding what is gone, unknown and already-settled delivery tags,
// exclusive consumers across the channels of one connection, closing with
// frames still in flight; and two deliberate differences (the product name,
// channel.flow(active=false)), which say why. Driven with amqplib, a raw
// socket client (for byte orders no library produces on demand) and
// aio-pika (whose own test and RPC pattern found two of them).
//
// Every test was also run green against a real RabbitMQ 3.10.8:
//   WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5682/ \
//   WARREN_TEST_MANAGEMENT_URL=http://127.0.0.1:15682 \
//     deno test -A tests/integration/client_edge_cases.test.ts
// (the permission-order test needs the management URL to create its user).
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  type AmqpError,
  body,
  channel,
  eventually,
  expectChannelError,
  EXTERNAL,
  getEventually,
  type Message,
  readyCount,
  replyText,
  scenario,
  Session,
  TEST_TIMEOUT_MS,
  text,
  uniq,
  waitFor,
  withTimeout,
} from "../helpers/amqp_session.ts";
import amqp, { type Channel } from "../helpers/amqplib.ts";
import { startTestBroker, startTestNode, type TestNode } from "../helpers/broker.ts";
import { runPython } from "../helpers/python.ts";
import { publishFrames, RawAmqpClient } from "../helpers/raw_amqp.ts";
import { FRAME_HEARTBEAT } from "../../src/amqp/spec.ts";

const EXTERNAL_AMQP = Deno.env.get("WARREN_TEST_AMQP_URL");
const EXTERNAL_HTTP = Deno.env.get("WARREN_TEST_MANAGEMENT_URL");

/** host and port of the session's broker, for raw clients. */
function endpoint(s: Session): { hostname: string; port: number } {
  const u = new URL(s.url);
  return { hostname: u.hostname, port: Number(u.port || 5672) };
}

/** A raw client past connection.open-ok with channel 1 open; closed by the caller. */
async function rawClient(s: Session, heartbeatS = 0): Promise<RawAmqpClient> {
  const { hostname, port } = endpoint(s);
  const c = await RawAmqpClient.connect(port, hostname);
  await c.handshake({ heartbeatS });
  await c.openChannel(1);
  return c;
}

// ======================================================= 2. unbinding what is gone

scenario(
  "queue.unbind answers unbind-ok when the queue, the exchange or the binding is missing",
  async (s) => {
    const conn = await s.connect();
    const ch = await channel(conn);
    const q = s.queue("unbind-q");
    const x = s.exchange("unbind-x");
    await ch.assertQueue(q, { autoDelete: false });
    await ch.assertExchange(x, "direct", { durable: false });
    // each of these is unbind-ok on RabbitMQ; a 404 would close the channel and fail the next await
    await ch.unbindQueue(uniq("missing-q"), x, "k");
    await ch.unbindQueue(q, uniq("missing-x"), "k");
    await ch.unbindQueue(uniq("missing-q"), uniq("missing-x"), "k");
    await ch.unbindQueue(q, x, "never-bound");
    // an existing binding goes, and unbinding it again is still fine
    await ch.bindQueue(q, x, "k");
    await ch.unbindQueue(q, x, "k");
    await ch.unbindQueue(q, x, "k");
    // "amq.default" is not a name for the default exchange here: just a missing exchange
    await ch.unbindQueue(q, "amq.default", q);
    ch.publish(x, "k", body("unrouted"));
    ch.sendToQueue(q, body("direct"));
    assert.equal(text(await getEventually(ch, q)), "direct", "the unbound key no longer routes");
    assert.equal(await ch.get(q, { noAck: true }), false);
  },
);

scenario(
  "exchange.unbind answers unbind-ok when the source, the destination or the binding is missing",
  async (s) => {
    const conn = await s.connect();
    const ch = await channel(conn);
    const src = s.exchange("unbind-src");
    const dst = s.exchange("unbind-dst");
    await ch.assertExchange(src, "direct", { durable: false });
    await ch.assertExchange(dst, "fanout", { durable: false });
    await ch.unbindExchange(uniq("missing-dst"), src, "k");
    await ch.unbindExchange(dst, uniq("missing-src"), "k");
    await ch.unbindExchange(uniq("missing-dst"), uniq("missing-src"), "k");
    await ch.unbindExchange(dst, src, "never-bound");
    await ch.bindExchange(dst, src, "k");
    await ch.unbindExchange(dst, src, "k");
    await ch.unbindExchange(dst, src, "k");
    // binding still needs both ends
    await expectChannelError(
      ch,
      () => ch.bindExchange(dst, "warren-test-no-such-source", "k"),
      404,
      "NOT_FOUND - no exchange 'warren-test-no-such-source' in vhost '/'",
      "exchange.bind from a missing source",
    );
  },
);

scenario("binding and unbinding still refuse the default exchange, before looking anything up", async (s) => {
  const conn = await s.connect();
  const q = s.queue("unbind-default");
  const x = s.exchange("unbind-default-x");
  const setup = await channel(conn);
  await setup.assertQueue(q, { autoDelete: false });
  await setup.assertExchange(x, "direct", { durable: false });
  const DEFAULT = "ACCESS_REFUSED - operation not permitted on the default exchange";
  const missing = uniq("missing");
  const cases: [string, (ch: Channel) => Promise<unknown>][] = [
    ["queue.unbind from the default exchange", (ch) => ch.unbindQueue(q, "", q)],
    ["queue.unbind of a missing queue from the default exchange", (ch) => ch.unbindQueue(missing, "", "k")],
    ["queue.bind to the default exchange", (ch) => ch.bindQueue(q, "", "k")],
    ["exchange.unbind with the default exchange as source", (ch) => ch.unbindExchange(missing, "", "k")],
    ["exchange.unbind with the default exchange as destination", (ch) => ch.unbindExchange("", x, "k")],
  ];
  for (const [what, action] of cases) {
    const ch = await channel(conn);
    await expectChannelError(ch, () => action(ch), 403, DEFAULT, what);
  }
  const notFound: [string, (ch: Channel) => Promise<unknown>, string][] = [
    [
      "queue.bind of a missing queue",
      (ch) => ch.bindQueue(missing, x, "k"),
      `NOT_FOUND - no queue '${missing}' in vhost '/'`,
    ],
    [
      "queue.bind to a missing exchange",
      (ch) => ch.bindQueue(q, missing, "k"),
      `NOT_FOUND - no exchange '${missing}' in vhost '/'`,
    ],
    [
      "queue.unbind with no queue declared on the channel",
      (ch) => ch.unbindQueue("", x, "k"),
      "NOT_FOUND - no previously declared queue",
    ],
  ];
  for (const [what, action, reply] of notFound) {
    const ch = await channel(conn);
    await expectChannelError(ch, () => action(ch), 404, reply, what);
  }
});

scenario(
  "another connection's exclusive queue: unbinding is locked (405) only for a binding that exists",
  async (s) => {
    const owner = await s.connect();
    const other = await s.connect();
    const och = await channel(owner);
    const x = s.exchange("unbind-excl-x");
    await och.assertExchange(x, "direct", { durable: false });
    const { queue: q } = await och.assertQueue("", { exclusive: true });
    await och.bindQueue(q, x, "bound");
    const ch = await channel(other);
    await ch.unbindQueue(q, x, "not-bound");
    await ch.unbindQueue(q, uniq("missing-x"), "bound");
    await expectChannelError(
      ch,
      () => ch.unbindQueue(q, x, "bound"),
      405,
      `RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '${q}' in vhost '/'. ` +
        "It could be originally declared on another connection or the exclusive property value does not " +
        "match that of the original declaration.",
      "unbinding an existing binding of another connection's exclusive queue",
    );
    // the owner's binding is untouched and the owner can remove it
    await och.unbindQueue(q, x, "bound");
  },
);

Deno.test({
  name:
    "amqplib: unbinding checks write on the destination, then the default exchange, then read on the source",
  // against an external broker only with its management API (to create the user)
  ignore: Boolean(EXTERNAL_AMQP) && !EXTERNAL_HTTP,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const node: TestNode | null = EXTERNAL_AMQP ? null : await startTestNode();
    const amqpUrl = node ? node.url : EXTERNAL_AMQP!;
    const apiUrl = node ? node.managementUrl : EXTERNAL_HTTP!;
    const user = uniq("unbind-user");
    const api = async (method: string, path: string, json?: unknown) => {
      const res = await fetch(`${apiUrl}${path}`, {
        method,
        headers: { authorization: `Basic ${btoa("guest:guest")}`, "content-type": "application/json" },
        body: json === undefined ? undefined : JSON.stringify(json),
      });
      await res.body?.cancel();
      assert.ok(res.status < 300, `${method} ${path}: ${res.status}`);
    };
    const admin = new Session(amqpUrl);
    try {
      await withTimeout(
        (async () => {
          await api("PUT", `/api/users/${user}`, { password: "pw", tags: "" });
          await api("PUT", `/api/permissions/%2F/${user}`, {
            configure: ".*",
            write: "^warren-test-w-",
            read: "^warren-test-r-",
          });
          const setup = await channel(await admin.connect());
          const readable = admin.exchange("r-src");
          const unreadable = admin.exchange("n-src");
          const writable = admin.queue("w-dst");
          await setup.assertExchange(readable, "direct", { durable: false });
          await setup.assertExchange(unreadable, "direct", { durable: false });
          await setup.assertQueue(writable, { autoDelete: false });
          const u = new URL(amqpUrl);
          u.username = user;
          u.password = "pw";
          const conn = await admin.connect(u.toString());
          const refused = (kind: string, name: string) =>
            `ACCESS_REFUSED - access to ${kind} '${name}' in vhost '/' refused for user '${user}'`;
          const DEFAULT = "ACCESS_REFUSED - operation not permitted on the default exchange";
          const missingW = uniq("w-missing");
          const cases: [string, (ch: Channel) => Promise<unknown>, string][] = [
            [
              "no write on a missing queue",
              (ch) => ch.unbindQueue("warren-test-nowrite", readable, "k"),
              refused("queue", "warren-test-nowrite"),
            ],
            [
              "no write on the queue, default exchange",
              (ch) => ch.unbindQueue("warren-test-nowrite", "", "k"),
              refused("queue", "warren-test-nowrite"),
            ],
            [
              "write on the queue, default exchange (no read on it)",
              (ch) => ch.unbindQueue(writable, "", "k"),
              DEFAULT,
            ],
            [
              "write on the queue, no read on a missing exchange",
              (ch) => ch.unbindQueue(writable, "warren-test-noread", "k"),
              refused("exchange", "warren-test-noread"),
            ],
            [
              "write on the queue, no read on an existing exchange",
              (ch) => ch.unbindQueue(writable, unreadable, "k"),
              refused("exchange", unreadable),
            ],
            [
              "no write on a missing destination exchange",
              (ch) => ch.unbindExchange("warren-test-nowrite", readable, "k"),
              refused("exchange", "warren-test-nowrite"),
            ],
            [
              "default exchange as destination (no write on it)",
              (ch) => ch.unbindExchange("", readable, "k"),
              refused("exchange", "amq.default"),
            ],
            [
              "write on a missing destination, default exchange as source",
              (ch) => ch.unbindExchange(missingW, "", "k"),
              DEFAULT,
            ],
          ];
          for (const [what, action, reply] of cases) {
            const ch = await channel(conn);
            await expectChannelError(ch, () => action(ch), 403, reply, what);
          }
          // with the permissions, unbinding a missing queue is unbind-ok
          const ch = await channel(conn);
          await ch.unbindQueue(missingW, readable, "k");
        })(),
        TEST_TIMEOUT_MS,
        "permission order",
      );
    } finally {
      await admin.close();
      await api("DELETE", `/api/users/${user}`).catch(() => {});
      await node?.close();
    }
  },
});

// ==================================================== 3. unknown delivery tags

type Kind = "ack" | "nack" | "reject";

/** A delivery the client never got: amqplib sends whatever tag it carries. */
const fake = (tag: number) => ({ fields: { deliveryTag: tag } }) as unknown as Message;

function settle(ch: Channel, kind: Kind, tag: number, multiple: boolean): void {
  if (kind === "ack") ch.ack(fake(tag), multiple);
  else if (kind === "nack") ch.nack(fake(tag), multiple, false);
  else ch.reject(fake(tag), false);
}

interface TagCase {
  what: string;
  /** messages fetched unacked first, tags 1..outstanding */
  outstanding: number;
  ops: [tag: number, multiple: boolean][];
  /** the tag named in the 406, or null when the channel stays open */
  unknownTag: number | null;
  /** messages still in the queue (ready or unacked) after the ops */
  left: number;
}

function tagCases(kind: "ack" | "nack"): TagCase[] {
  const cases: TagCase[] = [
    { what: "single, never issued", outstanding: 3, ops: [[82, false]], unknownTag: 82, left: 3 },
    {
      what: "multiple, never issued: nothing below it is settled",
      outstanding: 3,
      ops: [[82, true]],
      unknownTag: 82,
      left: 3,
    },
    {
      what: "multiple, one above the highest issued",
      outstanding: 3,
      ops: [[4, true]],
      unknownTag: 4,
      left: 3,
    },
    { what: "single tag 0", outstanding: 3, ops: [[0, false]], unknownTag: 0, left: 3 },
    {
      what: "multiple tag 0 settles everything outstanding",
      outstanding: 3,
      ops: [[0, true]],
      unknownTag: null,
      left: 0,
    },
    {
      what: "multiple tag 0 with nothing outstanding",
      outstanding: 0,
      ops: [[0, true]],
      unknownTag: null,
      left: 0,
    },
    { what: "multiple tag 0 twice", outstanding: 2, ops: [[0, true], [0, true]], unknownTag: null, left: 0 },
    { what: "single with nothing ever delivered", outstanding: 0, ops: [[1, false]], unknownTag: 1, left: 0 },
    { what: "the same tag twice", outstanding: 3, ops: [[2, false], [2, false]], unknownTag: 2, left: 2 },
    {
      what: "multiple naming an already-settled tag",
      outstanding: 3,
      ops: [[2, false], [2, true]],
      unknownTag: 2,
      left: 2,
    },
    {
      what: "multiple over a settled tag in the middle",
      outstanding: 3,
      ops: [[2, false], [3, true]],
      unknownTag: null,
      left: 0,
    },
    { what: "single below a multiple", outstanding: 3, ops: [[2, true], [1, false]], unknownTag: 1, left: 1 },
  ];
  return cases.map((c) => ({ ...c, what: `${kind} ${c.what}` }));
}

const REJECT_CASES: TagCase[] = [
  { what: "reject never issued", outstanding: 3, ops: [[82, false]], unknownTag: 82, left: 3 },
  { what: "reject tag 0", outstanding: 3, ops: [[0, false]], unknownTag: 0, left: 3 },
  {
    what: "reject tag 0 with nothing outstanding",
    outstanding: 0,
    ops: [[0, false]],
    unknownTag: 0,
    left: 0,
  },
  {
    what: "reject the same tag twice",
    outstanding: 3,
    ops: [[2, false], [2, false]],
    unknownTag: 2,
    left: 2,
  },
];

/** Runs each case on a fresh channel over a fresh queue and checks the reply and what was settled. */
async function runTagCases(s: Session, kind: Kind, cases: TagCase[]): Promise<void> {
  const conn = await s.connect();
  const probe = await channel(conn);
  for (const c of cases) {
    const q = s.queue("tags");
    await probe.assertQueue(q, { autoDelete: false });
    const ch = await channel(conn);
    for (let i = 0; i < c.outstanding; i++) ch.sendToQueue(q, body(`m${i}`));
    for (let i = 1; i <= c.outstanding; i++) {
      const m = await getEventually(ch, q, false);
      assert.equal(m.fields.deliveryTag, i, `${c.what}: tag ${i}`);
    }
    for (const [tag, multiple] of c.ops) settle(ch, kind, tag, multiple);
    if (c.unknownTag !== null) {
      await expectChannelError(
        ch,
        () => ch.checkQueue(q),
        406,
        `PRECONDITION_FAILED - unknown delivery tag ${c.unknownTag}`,
        c.what,
      );
      // the close requeues what the channel still held: all that was not settled
      await eventually(() => readyCount(probe, q), c.left, `${c.what}: messages back after the close`);
    } else {
      // recover requeues whatever is still unacked, so the depth shows what was settled
      await ch.recover();
      assert.equal(await readyCount(ch, q), c.left, `${c.what}: messages left`);
    }
    await probe.deleteQueue(q);
    s.queues.delete(q);
  }
}

scenario(
  "basic.ack: unknown, zero and already-acked tags, single and multiple, as RabbitMQ",
  (s) => runTagCases(s, "ack", tagCases("ack")),
);

scenario(
  "basic.nack: unknown, zero and already-settled tags, single and multiple, as RabbitMQ",
  (s) => runTagCases(s, "nack", tagCases("nack")),
);

scenario(
  "basic.reject: unknown, zero and already-settled tags, as RabbitMQ",
  (s) => runTagCases(s, "reject", REJECT_CASES),
);

scenario("acking the tag of an auto-acked basic.get is an unknown delivery tag", async (s) => {
  const conn = await s.connect();
  const ch = await channel(conn);
  const q = s.queue("tags-noack");
  await ch.assertQueue(q, { autoDelete: false });
  ch.sendToQueue(q, body("auto"));
  const m = await getEventually(ch, q, true);
  ch.ack(m, true);
  await expectChannelError(
    ch,
    () => ch.checkQueue(q),
    406,
    `PRECONDITION_FAILED - unknown delivery tag ${m.fields.deliveryTag}`,
    "multiple ack of an auto-acked tag",
  );
});

// ================================================ 4. exclusive consumers

const exclusiveUse = (q: string) => `ACCESS_REFUSED - queue '${q}' in vhost '/' in exclusive use`;

/** The consume's own outcome: consume-ok, or refused without one. */
function consumeOutcome(p: Promise<unknown>): Promise<string> {
  return p.then(() => "consume-ok", () => "refused");
}

scenario(
  "a second channel of the owning connection is refused an exclusive queue's exclusive consumer (no consume-ok)",
  async (s) => {
    const conn = await s.connect();
    const ch1 = await channel(conn);
    const ch2 = await channel(conn);
    const q = uniq("exclusive-consumer");
    await ch1.assertQueue(q, { exclusive: true });
    const got: string[] = [];
    await ch1.consume(q, (m) => m && got.push(text(m)), {
      exclusive: true,
      consumerTag: uniq("mine"),
      noAck: true,
    });
    await ch2.assertQueue(q, { exclusive: true });
    const closed = new Promise<AmqpError>((resolve) => ch2.once("error", resolve));
    const outcome = await consumeOutcome(ch2.consume(q, () => {}, { exclusive: true }));
    assert.equal(outcome, "refused", "the refusal comes instead of consume-ok");
    const err = await withTimeout(closed, 5_000, "channel 2 closed");
    assert.equal(err.code, 403);
    assert.equal(replyText(err), exclusiveUse(q));
    ch1.sendToQueue(q, body("still mine"));
    await waitFor(() => got.length === 1, "the first consumer's delivery");
    assert.deepEqual(got, ["still mine"]);
  },
);

scenario(
  "an exclusive consumer shuts out other consumers, and is refused while others consume",
  async (s) => {
    const conn = await s.connect();
    const q = s.queue("exclusive-consumer-shared");
    const setup = await channel(conn);
    await setup.assertQueue(q, { autoDelete: false });
    const holder = await channel(conn);
    const { consumerTag } = await holder.consume(q, () => {}, { exclusive: true });
    const other = await channel(conn);
    await expectChannelError(other, () => other.consume(q, () => {}), 403, exclusiveUse(q), "plain consumer");
    await holder.cancel(consumerTag);
    await holder.consume(q, () => {});
    const late = await channel(conn);
    const closed = new Promise<AmqpError>((resolve) => late.once("error", resolve));
    assert.equal(await consumeOutcome(late.consume(q, () => {}, { exclusive: true })), "refused");
    assert.equal(replyText(await withTimeout(closed, 5_000, "closed")), exclusiveUse(q));
  },
);

for (const scriptScenario of ["exclusive_consumer", "rpc_close"]) {
  Deno.test({
    name: `aio-pika: ${
      scriptScenario === "exclusive_consumer"
        ? "exclusive consume on a second channel of one connection is refused with 403"
        : "RPC.close() unbinds its deleted reply queue without an error"
    }`,
    async fn() {
      const broker = await startTestBroker();
      try {
        const script = decodeURIComponent(
          new URL("./aio_pika/client_edge_cases.py", import.meta.url).pathname,
        );
        const r = await runPython(script, [broker.url, scriptScenario], { timeoutMs: 30_000 });
        assert.equal(r.code, 0, `exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
      } finally {
        await broker.close();
      }
    },
  });
}

// ========================================= 5. closing with frames in flight

scenario(
  "close() right after sendToQueue fills the buffer resolves, with no EPIPE, and the broker carries on",
  async (s) => {
    // an error amqplib throws from a socket callback is an uncaught error, not a rejection of close()
    const uncaught: unknown[] = [];
    const onError = (e: ErrorEvent) => {
      uncaught.push(e.error);
      e.preventDefault();
    };
    const onRejection = (e: PromiseRejectionEvent) => {
      uncaught.push(e.reason);
      e.preventDefault();
    };
    globalThis.addEventListener("error", onError);
    globalThis.addEventListener("unhandledrejection", onRejection);
    try {
      const q = s.queue("close-in-flight");
      for (let round = 0; round < 3; round++) {
        const conn = await amqp.connect(s.url, { timeout: 5_000 });
        const errors: unknown[] = [];
        conn.on("error", (e: unknown) => errors.push(e));
        const ch = await conn.createChannel();
        ch.on("error", (e: unknown) => errors.push(e));
        await ch.assertQueue(q, { autoDelete: false });
        const payload = Buffer.alloc(1024, 0x61);
        let sent = 0;
        while (ch.sendToQueue(q, payload)) sent++;
        assert.ok(sent > 0, "some messages went out before the buffer filled");
        await withTimeout(conn.close(), 10_000, `round ${round}: connection close`);
        assert.deepEqual(errors.map(String), [], `round ${round}: no error events`);
      }
      // the broker is fine: a new connection works on the same queue
      const conn = await s.connect();
      const ch = await channel(conn);
      await ch.purgeQueue(q);
      ch.sendToQueue(q, body("after"));
      assert.equal(text(await getEventually(ch, q)), "after");
    } finally {
      globalThis.removeEventListener("error", onError);
      globalThis.removeEventListener("unhandledrejection", onRejection);
    }
    assert.deepEqual(uncaught.map(String), [], "no uncaught errors in the client");
  },
);

scenario(
  "after close-ok the broker keeps reading (and dropping) what the client still sends until it closes",
  async (s) => {
    const conn = await s.connect();
    const probe = await channel(conn);
    const q = s.queue("close-drain");
    await probe.assertQueue(q, { autoDelete: false });
    const c = await rawClient(s);
    try {
      const publish = publishFrames(1, "", q, new Uint8Array(1024));
      const burst = new Uint8Array(publish.length * 2048);
      for (let i = 0; i < 2048; i++) burst.set(publish, i * publish.length);
      // close goes out ahead of publishes the client still had queued, as amqplib does it
      await c.sendMethod(0, "connection.close", {
        replyCode: 200,
        replyText: "bye",
        classId: 0,
        methodId: 0,
      });
      assert.ok(await c.send(burst), "writes right behind connection.close reach an open socket");
      await c.expectMethod("connection.close-ok", 0, 5_000);
      // ~2 MiB after close-ok: a socket the broker had closed would fail these writes
      for (let i = 0; i < 2; i++) assert.ok(await c.send(burst), `burst ${i} after close-ok`);
    } finally {
      await c.close();
    }
    // nothing sent after connection.close was routed, and the broker still answers
    assert.equal(await readyCount(probe, q), 0);
  },
);

scenario(
  "after close-ok a client that never closes its socket is cut off (bounded by the heartbeat timeout)",
  async (s) => {
    const c = await rawClient(s, 1);
    try {
      await c.sendMethod(0, "connection.close", {
        replyCode: 200,
        replyText: "bye",
        classId: 0,
        methodId: 0,
      });
      await c.expectMethod("connection.close-ok", 0, 5_000);
      // with heartbeat 1 both brokers wait about a second; the bound here only keeps the test finite
      const after = await c.expectSocketClosed(10_000);
      // RabbitMQ's heartbeats go on until then; nothing else may come
      assert.deepEqual(after.filter((f) => f.type !== FRAME_HEARTBEAT), [], "only heartbeats after close-ok");
    } finally {
      await c.close();
    }
  },
);

scenario(
  "frames on a channel the broker is closing are discarded until the client's close-ok",
  async (s) => {
    const conn = await s.connect();
    const probe = await channel(conn);
    const q = s.queue("closing-channel");
    await probe.assertQueue(q, { autoDelete: false });
    const c = await rawClient(s);
    try {
      await c.sendMethod(1, "basic.ack", { deliveryTag: 82, multiple: false });
      const close = await c.expectMethod("channel.close", 1);
      assert.equal(close.replyText, "PRECONDITION_FAILED - unknown delivery tag 82");
      // the client had these in flight before it saw channel.close
      await c.send(publishFrames(1, "", q, new Uint8Array(10)));
      await c.sendMethod(1, "queue.declare", { queue: uniq("ignored"), passive: true });
      await c.sendMethod(1, "channel.close-ok");
      await c.openChannel(1);
      await c.sendMethod(1, "queue.declare", { queue: q, passive: true });
      const ok = await c.expectMethod("queue.declare-ok", 1);
      assert.equal(ok.messageCount, 0, "the publish on the closing channel was dropped");
    } finally {
      await c.close();
    }
  },
);

// ======================================== 6. the deliberate differences

scenario(
  "channel.flow(active=false) pauses deliveries in Warren; RabbitMQ 3.x answers 540 NOT_IMPLEMENTED",
  async (s) => {
    const q = s.queue("flow");
    const c = await rawClient(s);
    try {
      await c.sendMethod(1, "queue.declare", { queue: q, autoDelete: false });
      await c.expectMethod("queue.declare-ok", 1);
      await c.sendMethod(1, "basic.consume", { queue: q, consumerTag: "flow", noAck: true });
      await c.expectMethod("basic.consume-ok", 1);
      await c.sendMethod(1, "channel.flow", { active: false });
      const m = await c.readMethod();
      if (EXTERNAL) {
        // RabbitMQ dropped consumer-side flow control in 3.x
        assert.equal(m.name, "connection.close");
        assert.equal(m.args.replyCode, 540);
        assert.equal(m.args.replyText, "NOT_IMPLEMENTED - active=false");
        return;
      }
      // Warren honours it, as the spec says (README, "Differences from RabbitMQ"): a client that
      // asks for a pause gets one, and none relies on the 540
      assert.equal(m.name, "channel.flow-ok");
      assert.equal(m.args.active, false);
      await c.send(publishFrames(1, "", q, new TextEncoder().encode("held")));
      await c.sendMethod(1, "queue.declare", { queue: q, passive: true });
      const held = await c.expectMethod("queue.declare-ok", 1);
      assert.equal(held.messageCount, 1, "not delivered while flow is off");
      await c.sendMethod(1, "channel.flow", { active: true });
      assert.equal((await c.expectMethod("channel.flow-ok", 1)).active, true);
      const deliver = await c.expectMethod("basic.deliver", 1);
      assert.equal(deliver.consumerTag, "flow");
    } finally {
      await c.close();
    }
  },
);

scenario("connection.start names the product: Warren, or RabbitMQ", async (s) => {
  const { hostname, port } = endpoint(s);
  const c = await RawAmqpClient.connect(port, hostname);
  try {
    const { start } = await c.handshake();
    assert.equal(start.serverProperties.product, EXTERNAL ? "RabbitMQ" : "Warren");
  } finally {
    await c.close();
  }
});
