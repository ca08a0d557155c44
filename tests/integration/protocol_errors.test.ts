// Protocol misuse over a raw socket: bytes no client library would send,
// and the exact reply RabbitMQ gives (reply code, text, which of channel or
// connection closes). After each bad connection a well-behaved amqplib
// client must still publish and consume: the other connections do not
// notice. Every read has a timeout.
//
// Against RabbitMQ (to check the tests themselves):
//   WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5672/ \
//     deno test -A tests/integration/protocol_errors.test.ts
import assert from "node:assert/strict";
import { startTestBroker, type TestBroker } from "../helpers/broker.ts";
import {
  amqplainResponse,
  type AnyArgs,
  concatBytes,
  contentFrames,
  decodeMethodFrame,
  heartbeatFrame,
  methodFrame,
  plainResponse,
  PROTOCOL_HEADER,
  publishFrames,
  RawAmqpClient,
  rawFrame,
} from "../helpers/raw_amqp.ts";
import { assertBrokerServes } from "../helpers/serving_probe.ts";
import { FRAME_BODY, FRAME_HEADER, FRAME_HEARTBEAT, FRAME_METHOD } from "../../src/amqp/spec.ts";

const TEST_TIMEOUT_MS = 20_000;
/** RabbitMQ waits SILENT_CLOSE_DELAY (3 s) before dropping a client after a fatal frame error. */
const CLOSE_WAIT_MS = 5_000;

interface Ctx {
  broker: TestBroker;
  /** A raw client the test need not close itself. */
  connect(): Promise<RawAmqpClient>;
  /** A raw client past connection.open-ok, with channel 1 open. */
  openClient(options?: Parameters<RawAmqpClient["handshake"]>[0]): Promise<RawAmqpClient>;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms}ms: ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * One broker per test; every raw client is closed afterwards, and a good
 * amqplib client must still be served once the test's bad client is done.
 */
function protocolTest(name: string, fn: (ctx: Ctx) => Promise<void>): void {
  Deno.test({
    name,
    // amqplib (in assertBrokerServes) keeps ops that Deno's sanitizers
    // attribute to the test; every client is closed in finally.
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const broker = await startTestBroker();
      const clients: RawAmqpClient[] = [];
      const ctx: Ctx = {
        broker,
        async connect() {
          const c = await RawAmqpClient.connect(broker.port, broker.host);
          clients.push(c);
          return c;
        },
        async openClient(options) {
          const c = await ctx.connect();
          await c.handshake(options);
          await c.openChannel(1);
          return c;
        },
      };
      try {
        await withTimeout(fn(ctx), TEST_TIMEOUT_MS, name);
        for (const c of clients) await c.close();
        await assertBrokerServes(broker.url);
      } finally {
        for (const c of clients) await c.close();
        await broker.close();
      }
    },
  });
}

/** Reads the broker's connection.close, checks code (and text), answers close-ok, expects the socket to go. */
async function expectConnectionClose(
  c: RawAmqpClient,
  replyCode: number,
  replyText?: string | RegExp,
): Promise<AnyArgs> {
  const args = await c.expectMethod("connection.close", 0);
  assert.equal(args.replyCode, replyCode, `reply code (text: ${args.replyText})`);
  if (typeof replyText === "string") assert.equal(args.replyText, replyText);
  else if (replyText) assert.match(args.replyText, replyText);
  await c.sendMethod(0, "connection.close-ok");
  await c.expectSocketClosed(CLOSE_WAIT_MS);
  return args;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/** A content header payload: class 60, weight 0, body size, no properties. */
function headerPayload(bodySize: number): Uint8Array {
  const p = new Uint8Array(14);
  const v = new DataView(p.buffer);
  v.setUint16(0, 60);
  v.setUint32(8, bodySize);
  return p;
}

// ------------------------------------------------------------ protocol header

protocolTest(
  "a wrong protocol version is answered with the AMQP 0-9-1 header and the socket is closed",
  async (ctx) => {
    const c = await ctx.connect();
    await c.send(utf8("AMQP\x00\x00\x09\x02"));
    const reply = await c.readBytes(8);
    assert.deepEqual(reply, PROTOCOL_HEADER);
    await c.expectSocketClosed(CLOSE_WAIT_MS);
  },
);

// RabbitMQ 3.x answers garbage with the 0-9-1 header too; RabbitMQ 4, which
// also speaks AMQP 1.0, answers it with its 1.0 SASL header
// (rabbit_reader:refuse_connection/2). Warren speaks only 0-9-1.
protocolTest(
  "garbage instead of a protocol header is answered with the AMQP 0-9-1 header and the socket is closed",
  async (ctx) => {
    const c = await ctx.connect();
    await c.send(utf8("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    assert.deepEqual(await c.readBytes(8), PROTOCOL_HEADER);
    await c.expectSocketClosed(CLOSE_WAIT_MS);
  },
);

protocolTest("a protocol header sent one byte at a time still starts the handshake", async (ctx) => {
  const c = await ctx.connect();
  for (const b of PROTOCOL_HEADER) await c.send(new Uint8Array([b]));
  const start = await c.expectMethod("connection.start");
  assert.equal(start.versionMajor, 0);
  assert.equal(start.versionMinor, 9);
  assert.match(new TextDecoder().decode(start.mechanisms), /\bPLAIN\b/);
  assert.match(new TextDecoder().decode(start.mechanisms), /\bAMQPLAIN\b/);
});

// ------------------------------------------------------------ framing errors

protocolTest(
  "a frame with a wrong frame-end octet gets connection.close 501 FRAME_ERROR and the socket is closed",
  async (ctx) => {
    const c = await ctx.openClient();
    const good = methodFrame(2, "channel.open");
    good[good.length - 1] = 0x00;
    await c.send(good);
    const args = await c.expectMethod("connection.close", 0);
    assert.equal(args.replyCode, 501, args.replyText);
    assert.match(args.replyText, /^FRAME_ERROR - /);
    // The stream can no longer be split into frames: the broker closes without waiting for close-ok.
    await c.expectSocketClosed(CLOSE_WAIT_MS);
  },
);

protocolTest(
  "a frame larger than the negotiated frame_max gets connection.close 501 FRAME_ERROR",
  async (ctx) => {
    const c = await ctx.openClient({ frameMaxBytes: 4096 });
    // Only the frame header: the size alone (8192 > 4096) must be refused.
    const header = new Uint8Array(7);
    header[0] = FRAME_BODY;
    new DataView(header.buffer).setUint16(1, 1);
    new DataView(header.buffer).setUint32(3, 8192);
    await c.send(header);
    const args = await c.expectMethod("connection.close", 0);
    assert.equal(args.replyCode, 501, args.replyText);
    assert.match(args.replyText, /^FRAME_ERROR - /);
    await c.expectSocketClosed(CLOSE_WAIT_MS);
  },
);

protocolTest("body frames of exactly frame_max bytes are accepted and delivered intact", async (ctx) => {
  const c = await ctx.openClient({ frameMaxBytes: 4096 });
  await c.sendMethod(1, "queue.declare", { queue: "", exclusive: true });
  const { queue } = await c.expectMethod("queue.declare-ok", 1);
  const body = new Uint8Array(4088 * 2 + 100).map((_, i) => (i * 7) & 0xff);
  await c.send(publishFrames(1, "", queue, body, { frameMaxBytes: 4096 }));
  await c.sendMethod(1, "basic.get", { queue, noAck: true });
  await c.expectMethod("basic.get-ok", 1);
  const header = await c.readFrame();
  assert.equal(header?.type, FRAME_HEADER);
  const got: Uint8Array[] = [];
  for (let n = 0; n < body.length;) {
    const f = await c.readFrame();
    assert.equal(f?.type, FRAME_BODY);
    assert.ok(f!.payload.length <= 4088, "the broker also keeps to frame_max");
    got.push(f!.payload);
    n += f!.payload.length;
  }
  assert.deepEqual(concatBytes(...got), body);
});

// RabbitMQ's reader exits on {unknown_method_id, ...}
// (rabbit_framing_amqp_0_9_1:lookup_method_name/1) and drops the socket
// without a connection.close; Warren answers 503 COMMAND_INVALID first.
// Either way the client loses the connection; a close that is sent must be 503.
protocolTest("an unknown class or method id closes the connection (503 COMMAND_INVALID)", async (ctx) => {
  for (const [channel, classId, methodId] of [[1, 60, 999], [0, 0x0fff, 1]]) {
    const c = await ctx.openClient();
    const payload = new Uint8Array(4);
    new DataView(payload.buffer).setUint16(0, classId);
    new DataView(payload.buffer).setUint16(2, methodId);
    await c.send(rawFrame(FRAME_METHOD, channel, payload));
    const frame = await c.readFrame(CLOSE_WAIT_MS);
    if (frame === null) continue; // RabbitMQ: dropped without a close
    const m = decodeMethodFrame(frame);
    assert.equal(m.name, "connection.close", `got ${m.name}`);
    assert.equal(m.args.replyCode, 503, m.args.replyText);
    assert.match(m.args.replyText, /^COMMAND_INVALID - /);
    await c.sendMethod(0, "connection.close-ok");
    await c.expectSocketClosed(CLOSE_WAIT_MS);
  }
});

// ------------------------------------------------------------ content frames out of place

protocolTest(
  "a content header without basic.publish gets connection.close 505 UNEXPECTED_FRAME",
  async (ctx) => {
    const c = await ctx.openClient();
    await c.send(rawFrame(FRAME_HEADER, 1, headerPayload(5)));
    await expectConnectionClose(
      c,
      505,
      "UNEXPECTED_FRAME - expected method frame, got non method frame instead",
    );
  },
);

protocolTest(
  "a content body without basic.publish gets connection.close 505 UNEXPECTED_FRAME",
  async (ctx) => {
    const c = await ctx.openClient();
    await c.send(rawFrame(FRAME_BODY, 1, utf8("stray")));
    await expectConnectionClose(
      c,
      505,
      "UNEXPECTED_FRAME - expected method frame, got non method frame instead",
    );
  },
);

protocolTest(
  "a method frame where a content body was expected gets connection.close 505 UNEXPECTED_FRAME",
  async (ctx) => {
    const c = await ctx.openClient();
    await c.send(methodFrame(1, "basic.publish", { exchange: "", routingKey: "q" }));
    await c.send(rawFrame(FRAME_HEADER, 1, headerPayload(10)));
    await c.send(rawFrame(FRAME_BODY, 1, utf8("12345")));
    await c.sendMethod(1, "basic.qos", { prefetchCount: 1 });
    await expectConnectionClose(
      c,
      505,
      "UNEXPECTED_FRAME - expected content body, got non content body frame instead",
    );
  },
);

protocolTest(
  "a method frame where a content header was expected gets connection.close 505 UNEXPECTED_FRAME",
  async (ctx) => {
    const c = await ctx.openClient();
    await c.send(methodFrame(1, "basic.publish", { exchange: "", routingKey: "q" }));
    await c.sendMethod(1, "basic.qos", { prefetchCount: 1 });
    await expectConnectionClose(
      c,
      505,
      "UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead",
    );
  },
);

// rabbit_command_assembler passes the pending basic.publish as the failing
// method of these errors, so connection.close carries class 60 method 40.
// Warren reports the method that interrupted the content (basic.qos: 60/10).
protocolTest("the 505 for an interrupted publish names basic.publish as the failing method", async (ctx) => {
  const c = await ctx.openClient();
  await c.send(methodFrame(1, "basic.publish", { exchange: "", routingKey: "q" }));
  await c.sendMethod(1, "basic.qos", { prefetchCount: 1 });
  const args = await expectConnectionClose(c, 505);
  assert.deepEqual([args.classId, args.methodId], [60, 40]);
});

// rabbit_command_assembler: "expected content header for class 60, got
// one for class 50 instead" is unexpected_frame (505); Warren answers 501
// FRAME_ERROR "content header for class 50, expected 60".
protocolTest(
  "a content header of another class than basic gets connection.close 505 UNEXPECTED_FRAME",
  async (ctx) => {
    const c = await ctx.openClient();
    await c.send(methodFrame(1, "basic.publish", { exchange: "", routingKey: "q" }));
    const header = headerPayload(3);
    header[1] = 50;
    await c.send(rawFrame(FRAME_HEADER, 1, header));
    await expectConnectionClose(
      c,
      505,
      "UNEXPECTED_FRAME - expected content header for class 60, got one for class 50 instead",
    );
  },
);

protocolTest(
  "body frames carrying more bytes than the content header announced get connection.close 501",
  async (ctx) => {
    const c = await ctx.openClient();
    await c.send(methodFrame(1, "basic.publish", { exchange: "", routingKey: "q" }));
    await c.send(rawFrame(FRAME_HEADER, 1, headerPayload(4)));
    await c.send(rawFrame(FRAME_BODY, 1, utf8("123")));
    await c.send(rawFrame(FRAME_BODY, 1, utf8("45")));
    // RabbitMQ: "FRAME_ERROR - content body frame exceeds remaining content size"
    await expectConnectionClose(c, 501, /^FRAME_ERROR - /);
  },
);

// A content frame on a channel number never opened: RabbitMQ creates the
// channel's assembler in its 'method' state, which refuses a content header
// with unexpected_frame (505); Warren answers 504 "expected 'channel.open'".
protocolTest(
  "a content header on a channel that was never opened gets connection.close 505 UNEXPECTED_FRAME",
  async (ctx) => {
    const c = await ctx.openClient();
    await c.send(rawFrame(FRAME_HEADER, 7, headerPayload(5)));
    await expectConnectionClose(
      c,
      505,
      "UNEXPECTED_FRAME - expected method frame, got non method frame instead",
    );
  },
);

// ------------------------------------------------------------ channels

protocolTest(
  "a method on a channel that was never opened gets connection.close 504 CHANNEL_ERROR",
  async (ctx) => {
    const c = await ctx.openClient();
    await c.sendMethod(5, "queue.declare", { queue: "", exclusive: true });
    await expectConnectionClose(c, 504, "CHANNEL_ERROR - expected 'channel.open'");
  },
);

protocolTest(
  "channel.open on a channel that is already open gets connection.close 504 CHANNEL_ERROR",
  async (ctx) => {
    const c = await ctx.openClient();
    await c.sendMethod(1, "channel.open");
    await expectConnectionClose(c, 504, "CHANNEL_ERROR - second 'channel.open' seen");
  },
);

// rabbit_reader:create_channel/2 refuses a channel.open once the number of
// open channels reaches the negotiated channel_max, with not_allowed.
// Warren answers 504 CHANNEL_ERROR "channel 3 exceeds channel_max 2".
protocolTest(
  "opening more channels than the negotiated channel_max gets connection.close 530 NOT_ALLOWED",
  async (ctx) => {
    const c = await ctx.openClient({ channelMax: 2 });
    await c.openChannel(2);
    await c.sendMethod(3, "channel.open");
    await expectConnectionClose(
      c,
      530,
      "NOT_ALLOWED - number of channels opened (2) has reached the negotiated channel_max (2)",
    );
  },
);

protocolTest("a channel error closes only that channel; the other channel keeps working", async (ctx) => {
  const c = await ctx.openClient();
  await c.openChannel(2);
  await c.sendMethod(1, "basic.get", { queue: "no-such-queue-here", noAck: true });
  const close = await c.expectMethod("channel.close", 1);
  assert.equal(close.replyCode, 404);
  assert.equal(close.replyText, "NOT_FOUND - no queue 'no-such-queue-here' in vhost '/'");
  assert.deepEqual([close.classId, close.methodId], [60, 70]);
  // Until close-ok, anything else on channel 1 is ignored.
  await c.sendMethod(1, "queue.declare", { queue: "", exclusive: true });
  // Channel 2 never noticed.
  await c.sendMethod(2, "queue.declare", { queue: "", exclusive: true });
  const { queue } = await c.expectMethod("queue.declare-ok", 2);
  await c.sendMethod(1, "channel.close-ok");
  // Channel 1 can be opened again and used.
  await c.openChannel(1);
  await c.send(publishFrames(2, "", queue, utf8("still here")));
  await c.sendMethod(1, "basic.get", { queue, noAck: true });
  const getOk = await c.expectMethod("basic.get-ok", 1);
  assert.equal(getOk.routingKey, queue);
  // A publish to a missing exchange is a channel error too, attributed to basic.publish.
  await c.send(publishFrames(2, "no-such-exchange", "k", utf8("x")));
  await c.readFrame(); // get-ok's content header
  await c.readFrame(); // and body
  const close2 = await c.expectMethod("channel.close", 2);
  assert.equal(close2.replyText, "NOT_FOUND - no exchange 'no-such-exchange' in vhost '/'");
  assert.deepEqual([close2.replyCode, close2.classId, close2.methodId], [404, 60, 40]);
  await c.sendMethod(2, "channel.close-ok");
  await c.sendMethod(1, "queue.declare", { queue, passive: true });
  await c.expectMethod("queue.declare-ok", 1);
});

// RabbitMQ limits a close's reply text to 255 characters
// (rabbit_binary_generator:amqp_exception_explanation/2) because reply-text
// is a shortstr. Warren writes the whole text: WireWriter.shortstr throws a
// RangeError half way through the channel.close frame, the partial frame
// stays in the output buffer, and the client receives a corrupt stream.
protocolTest(
  "a channel error whose reply text exceeds 255 bytes is truncated and closes only that channel",
  async (ctx) => {
    const c = await ctx.openClient();
    await c.openChannel(2);
    const longName = "q".repeat(250);
    await c.sendMethod(1, "basic.get", { queue: longName, noAck: true });
    const close = await c.expectMethod("channel.close", 1);
    assert.equal(close.replyCode, 404);
    assert.ok(utf8(close.replyText).length <= 255, `reply text is a shortstr: ${close.replyText.length}`);
    assert.ok(close.replyText.startsWith(`NOT_FOUND - no queue '${"q".repeat(100)}`), close.replyText);
    await c.sendMethod(1, "channel.close-ok");
    await c.sendMethod(2, "queue.declare", { queue: "", exclusive: true });
    await c.expectMethod("queue.declare-ok", 2);
  },
);

protocolTest("a connection error whose reply text exceeds 255 bytes is truncated", async (ctx) => {
  const c = await ctx.openClient();
  await c.sendMethod(1, "exchange.declare", { exchange: "x", type: "t".repeat(250) });
  const args = await expectConnectionClose(c, 503);
  assert.ok(utf8(args.replyText).length <= 255, `reply text is a shortstr: ${args.replyText.length}`);
  assert.ok(
    args.replyText.startsWith(`COMMAND_INVALID - unknown exchange type '${"t".repeat(100)}`),
    args.replyText,
  );
});

// rabbit_channel:handle_method/3's last clause: any method it does not
// handle (here one only a server may send) is command_invalid,
// "unimplemented method". Warren answers 540 NOT_IMPLEMENTED.
protocolTest(
  "a server-only method sent on a channel gets connection.close 503 COMMAND_INVALID",
  async (ctx) => {
    const c = await ctx.openClient();
    await c.sendMethod(1, "basic.get-empty");
    await expectConnectionClose(c, 503, "COMMAND_INVALID - unimplemented method");
  },
);

protocolTest("basic.publish with immediate=true gets connection.close 540 NOT_IMPLEMENTED", async (ctx) => {
  const c = await ctx.openClient();
  await c.send(methodFrame(1, "basic.publish", { exchange: "", routingKey: "q", immediate: true }));
  await c.send(contentFrames(1, utf8("now")));
  await expectConnectionClose(c, 540, "NOT_IMPLEMENTED - immediate=true");
});

// ------------------------------------------------------------ connection methods out of place

// rabbit_reader:handle_method0/2's last clause: a connection-class method
// the current state does not expect is channel_error, "unexpected method
// in connection state running". Warren runs the handshake step again:
// connection.open is answered with a second open-ok (and could switch the
// vhost under open channels), start-ok re-authenticates and sends a new
// connection.tune, and tune-ok renegotiates and starts a second heartbeat
// interval, overwriting the handle of the first, which then never stops.
// A channel-class method on channel 0 gets 503 from Warren.
for (
  const [method, args] of [
    ["connection.open", { virtualHost: "/" }],
    ["connection.start-ok", {
      mechanism: "PLAIN",
      response: plainResponse("guest", "guest"),
      locale: "en_US",
    }],
    ["connection.tune-ok", { channelMax: 0, frameMax: 131072, heartbeat: 0 }],
    ["channel.open", {}],
  ] as const
) {
  protocolTest(
    `${method} on channel 0 of an open connection gets connection.close 504 CHANNEL_ERROR`,
    async (ctx) => {
      const c = await ctx.openClient();
      await c.sendMethod(0, method, args);
      const close = await c.readMethod();
      assert.equal(
        close.name,
        "connection.close",
        `the broker answered ${method} on an open connection with ${close.name}`,
      );
      assert.equal(close.args.replyCode, 504, close.args.replyText);
      assert.equal(close.args.replyText, "CHANNEL_ERROR - unexpected method in connection state running");
    },
  );
}

// ------------------------------------------------------------ heartbeats

protocolTest(
  "a client that negotiates heartbeat=1 and then goes silent is disconnected within a few seconds",
  async (ctx) => {
    const c = await ctx.openClient({ heartbeatS: 1 });
    const t0 = Date.now();
    await c.expectSocketClosed(6_000);
    const elapsed = Date.now() - t0;
    assert.ok(elapsed >= 1_000, `not before one heartbeat interval passed (${elapsed}ms)`);
  },
);

protocolTest(
  "a client that negotiates heartbeat=1 receives heartbeat frames and stays connected while it sends its own",
  async (ctx) => {
    const c = await ctx.openClient({ heartbeatS: 1 });
    let heartbeats = 0;
    const until = Date.now() + 3_500;
    let nextBeat = Date.now();
    while (Date.now() < until) {
      if (Date.now() >= nextBeat) {
        await c.send(heartbeatFrame());
        nextBeat += 400;
      }
      const f = await c.readFrame(Math.max(1, Math.min(nextBeat, until) - Date.now())).catch(() => undefined);
      if (f === null) assert.fail("the broker closed a connection that kept sending heartbeats");
      if (f) {
        assert.equal(f.type, FRAME_HEARTBEAT, "only heartbeats on an idle connection");
        assert.equal(f.channel, 0);
        assert.equal(f.payload.length, 0);
        heartbeats++;
      }
    }
    assert.ok(heartbeats >= 2, `received ${heartbeats} heartbeat frames in 3.5 s`);
    await c.sendMethod(1, "queue.declare", { queue: "", exclusive: true });
    await c.expectMethod("queue.declare-ok", 1);
  },
);

// ------------------------------------------------------------ tuning

async function tuneWith(c: RawAmqpClient, frameMax: number): Promise<AnyArgs> {
  await c.send(PROTOCOL_HEADER);
  await c.expectMethod("connection.start");
  await c.sendStartOk(plainResponse("guest", "guest"));
  const tune = await c.expectMethod("connection.tune");
  await c.sendMethod(0, "connection.tune-ok", { channelMax: tune.channelMax, frameMax, heartbeat: 0 });
  await c.sendMethod(0, "connection.open", { virtualHost: "/" });
  return tune;
}

// rabbit_reader:fail_negotiation/4: "negotiated ~w = ~w~ts is ~w than the
// ~w allowed value (~w)". Warren: "frame_max=100 < 4096 min size" and
// "frame_max=1048576 > 131072 max size".
protocolTest(
  "a tune-ok frame_max below 4096 or above the server's gets connection.close 530 in RabbitMQ's words",
  async (ctx) => {
    const low = await ctx.connect();
    await tuneWith(low, 100);
    await expectConnectionClose(
      low,
      530,
      "NOT_ALLOWED - negotiated frame_max = 100 is lower than the minimum allowed value (4096)",
    );
    const high = await ctx.connect();
    const tune = await tuneWith(high, 1_048_576);
    await expectConnectionClose(
      high,
      530,
      `NOT_ALLOWED - negotiated frame_max = 1048576 is higher than the maximum allowed value (${tune.frameMax})`,
    );
  },
);

// ------------------------------------------------------------ resource limits

// A content header's 64-bit body size is the client's word. Warren's
// ContentAssembler.header allocates a buffer of that size (up to the
// 128 MiB max message size) before any body byte arrives, so 14-byte
// headers on many channels reserve gigabytes; once the allocator refuses,
// every connection's publishes fail with 541 "Array buffer allocation
// failed" (seen with ulimit -v). RabbitMQ collects body fragments as they
// arrive. Measured in-process, so it proves nothing against an external broker.
protocolTest("announced but unsent message bodies do not reserve memory", async (ctx) => {
  const c = await ctx.openClient();
  const channels = 16;
  const before = Deno.memoryUsage().external;
  for (let ch = 2; ch < 2 + channels; ch++) {
    await c.openChannel(ch);
    await c.send(methodFrame(ch, "basic.publish", { exchange: "", routingKey: "q" }));
    await c.send(rawFrame(FRAME_HEADER, ch, headerPayload(128 * 1024 * 1024 - 1)));
  }
  await c.openChannel(2 + channels); // every header above has been processed
  const grownMiB = (Deno.memoryUsage().external - before) / (1024 * 1024);
  assert.ok(
    grownMiB < 256,
    `${channels} content headers of 128 MiB with no body grew the broker by ${grownMiB.toFixed(0)} MiB`,
  );
});

// ------------------------------------------------------------ login and vhost

protocolTest(
  "a wrong password gets connection.close 403 ACCESS_REFUSED naming the PLAIN mechanism",
  async (ctx) => {
    const c = await ctx.connect();
    await c.send(PROTOCOL_HEADER);
    await c.expectMethod("connection.start");
    await c.sendStartOk(plainResponse("guest", "wrong-password"));
    const args = await expectConnectionClose(c, 403);
    assert.ok(
      args.replyText.startsWith("ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN"),
      args.replyText,
    );
  },
);

protocolTest("an unknown user gets the same 403 as a wrong password", async (ctx) => {
  const c = await ctx.connect();
  await c.send(PROTOCOL_HEADER);
  await c.expectMethod("connection.start");
  await c.sendStartOk(plainResponse("nobody-at-all", "guest"));
  const args = await expectConnectionClose(c, 403);
  assert.ok(
    args.replyText.startsWith("ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN"),
    args.replyText,
  );
});

protocolTest("AMQPLAIN login works and opens a usable connection", async (ctx) => {
  const c = await ctx.connect();
  await c.send(PROTOCOL_HEADER);
  await c.expectMethod("connection.start");
  await c.sendStartOk(amqplainResponse("guest", "guest"), "AMQPLAIN");
  const tune = await c.expectMethod("connection.tune");
  await c.sendMethod(0, "connection.tune-ok", {
    channelMax: tune.channelMax,
    frameMax: tune.frameMax,
    heartbeat: 0,
  });
  await c.sendMethod(0, "connection.open", { virtualHost: "/" });
  await c.expectMethod("connection.open-ok");
  await c.openChannel(1);
  await c.sendMethod(1, "queue.declare", { queue: "", exclusive: true });
  await c.expectMethod("queue.declare-ok", 1);
});

protocolTest(
  "AMQPLAIN with a wrong password gets connection.close 403 naming the AMQPLAIN mechanism",
  async (ctx) => {
    const c = await ctx.connect();
    await c.send(PROTOCOL_HEADER);
    await c.expectMethod("connection.start");
    await c.sendStartOk(amqplainResponse("guest", "nope"), "AMQPLAIN");
    const args = await expectConnectionClose(c, 403);
    assert.ok(
      args.replyText.startsWith("ACCESS_REFUSED - Login was refused using authentication mechanism AMQPLAIN"),
      args.replyText,
    );
  },
);

async function openUnknownVHost(c: RawAmqpClient): Promise<AnyArgs> {
  await c.send(PROTOCOL_HEADER);
  await c.expectMethod("connection.start");
  await c.sendStartOk(plainResponse("guest", "guest"));
  const tune = await c.expectMethod("connection.tune");
  await c.sendMethod(0, "connection.tune-ok", {
    channelMax: tune.channelMax,
    frameMax: tune.frameMax,
    heartbeat: 0,
  });
  await c.sendMethod(0, "connection.open", { virtualHost: "no-such-vhost" });
  return await expectConnectionClose(c, 530);
}

protocolTest("connection.open of an unknown vhost gets connection.close 530 NOT_ALLOWED", async (ctx) => {
  const args = await openUnknownVHost(await ctx.connect());
  assert.match(args.replyText, /^NOT_ALLOWED - .*no-such-vhost/);
});

// rabbit_reader:is_over_vhost_connection_limit/2: "vhost ~ts not found",
// the name unquoted. Warren quotes it: "vhost 'no-such-vhost' not found".
protocolTest("the 530 for an unknown vhost carries RabbitMQ's text", async (ctx) => {
  const args = await openUnknownVHost(await ctx.connect());
  assert.equal(args.replyText, "NOT_ALLOWED - vhost no-such-vhost not found");
});

// RabbitMQ checks the type before looking for the exchange: redeclaring an
// existing exchange with an unknown type is a 503, not an inequivalent-type
// 406. Its federation relies on this: each time a link to a Warren upstream
// starts it declares its upstream exchange as x-federation-upstream (a type
// Warren does not have) and falls back to a fanout on the 503.
protocolTest(
  "redeclaring an existing exchange with an unknown type is a 503, as for a new one",
  async (ctx) => {
    const c = await ctx.openClient();
    const name = `pe-type-${crypto.randomUUID().slice(0, 8)}`;
    await c.sendMethod(1, "exchange.declare", { exchange: name, type: "fanout" });
    await c.expectMethod("exchange.declare-ok", 1);
    await c.sendMethod(1, "exchange.declare", { exchange: name, type: "x-no-such-type" });
    const args = await expectConnectionClose(c, 503);
    assert.equal(args.replyText, "COMMAND_INVALID - unknown exchange type 'x-no-such-type'");
    const cleanup = await ctx.openClient();
    await cleanup.sendMethod(1, "exchange.delete", { exchange: name });
    await cleanup.expectMethod("exchange.delete-ok", 1);
  },
);
