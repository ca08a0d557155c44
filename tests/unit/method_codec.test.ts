// Method frames encoded and decoded from the one spec table: every method
// round-trips, bits pack LSB-first into shared octets as AMQP 0-9-1 §4.2.5.2
// says, and a few frames match bytes written out by hand from the spec.
import assert from "node:assert/strict";
import { ConnectionError } from "../../src/amqp/errors.ts";
import { Decimal, type FieldTable } from "../../src/amqp/field_table.ts";
import { decodeMethod, methodSpec, specByIds, writeMethodFrame } from "../../src/amqp/method_codec.ts";
import type { AnyArgs } from "../helpers/raw_amqp.ts";
import { FRAME_END, FRAME_METHOD, METHODS, type MethodSpec } from "../../src/amqp/spec.ts";
import { WireReader, WireWriter } from "../../src/amqp/wire.ts";

function encode(channel: number, spec: MethodSpec, args: AnyArgs): Uint8Array {
  const w = new WireWriter(64);
  writeMethodFrame(w, channel, spec, args);
  return w.bytes.slice(0, w.pos);
}

/** Checks the frame envelope and decodes the payload. */
function decodeFrame(frame: Uint8Array): { channel: number; spec: MethodSpec; args: AnyArgs } {
  assert.equal(frame[0], FRAME_METHOD);
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const size = v.getUint32(3);
  assert.equal(frame.length, 7 + size + 1, "size field covers exactly the payload");
  assert.equal(frame[frame.length - 1], FRAME_END);
  const { spec, args } = decodeMethod(new WireReader().reset(frame, 7, 7 + size));
  return { channel: v.getUint16(1), spec, args };
}

function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, "");
  return Uint8Array.from((clean.match(/../g) ?? []).map((b) => parseInt(b, 16)));
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/** A distinct, non-zero value of each field type (longstr decodes as bytes). */
function sampleArgs(spec: MethodSpec, bitPattern: number): { args: AnyArgs; expected: AnyArgs } {
  const args: AnyArgs = {};
  const expected: AnyArgs = {};
  let bit = 0;
  spec.fields.forEach(([name, type], i) => {
    switch (type) {
      case "octet":
        args[name] = expected[name] = 200 + i;
        break;
      case "short":
        args[name] = expected[name] = 0xbe00 + i;
        break;
      case "long":
        args[name] = expected[name] = 0xdead0000 + i;
        break;
      case "longlong":
      case "timestamp":
        args[name] = expected[name] = 2 ** 40 + 17 + i;
        break;
      case "shortstr":
        args[name] = expected[name] = `${name}-é-${i}`;
        break;
      case "longstr":
        args[name] = `${name} long string ✓ ${i}`;
        expected[name] = utf8(args[name]);
        break;
      case "bit":
        args[name] = expected[name] = (bitPattern & (1 << bit++)) !== 0;
        break;
      case "table": {
        const t: FieldTable = { s: "x", n: i, nested: { ok: true }, list: [1, "two", null] };
        args[name] = expected[name] = t;
        break;
      }
    }
  });
  return { args, expected };
}

function bitCount(spec: MethodSpec): number {
  return spec.fields.filter(([, t]) => t === "bit").length;
}

Deno.test("every method in the spec table round-trips through writeMethodFrame and decodeMethod", () => {
  assert.ok(METHODS.size >= 60, `the table has every 0-9-1 method (${METHODS.size})`);
  for (const spec of METHODS.values()) {
    const { args, expected } = sampleArgs(spec, 0b10101);
    const decoded = decodeFrame(encode(7, spec, args));
    assert.equal(decoded.channel, 7, spec.name);
    assert.equal(decoded.spec, spec, spec.name);
    assert.deepEqual(decoded.args, expected, spec.name);
  }
});

Deno.test("every combination of bit arguments round-trips for each method with bits", () => {
  for (const spec of METHODS.values()) {
    const n = bitCount(spec);
    for (let pattern = 0; pattern < 1 << n; pattern++) {
      const { args, expected } = sampleArgs(spec, pattern);
      assert.deepEqual(decodeFrame(encode(1, spec, args)).args, expected, `${spec.name} bits ${pattern}`);
    }
  }
});

Deno.test("five consecutive bits (exchange.declare, queue.declare) share one octet, first bit lowest", () => {
  for (const name of ["exchange.declare", "queue.declare"]) {
    const spec = methodSpec(name);
    const bits = spec.fields.filter(([, t]) => t === "bit").map(([n]) => n);
    assert.equal(bits.length, 5, name);
    for (let i = 0; i < 5; i++) {
      const args: AnyArgs = { [bits[i]]: true };
      const frame = encode(1, spec, args);
      // ... bits octet, then the empty arguments table (4 zero bytes), then frame-end.
      const bitsOctet = frame[frame.length - 1 - 4 - 1];
      assert.equal(bitsOctet, 1 << i, `${name}.${bits[i]}`);
      assert.deepEqual(decodeFrame(frame).args[bits[i]], true);
    }
  }
});

Deno.test("missing arguments encode as the type's zero value", () => {
  const decoded = decodeFrame(encode(1, methodSpec("queue.declare"), {}));
  assert.deepEqual(decoded.args, {
    reserved1: 0,
    queue: "",
    passive: false,
    durable: false,
    exclusive: false,
    autoDelete: false,
    noWait: false,
    arguments: {},
  });
});

Deno.test("basic.publish frame matches the bytes of the AMQP 0-9-1 spec layout", () => {
  const frame = encode(1, methodSpec("basic.publish"), {
    exchange: "ex",
    routingKey: "rk",
    mandatory: true,
    immediate: false,
  });
  // type 1, channel 1, size 13 | class 60, method 40 | reserved-1 short |
  // shortstr "ex" | shortstr "rk" | bits: mandatory=bit0, immediate=bit1 | frame-end
  assert.deepEqual(frame, hex("01 0001 0000000d 003c 0028 0000 02 6578 02 726b 01 ce"));
  const both = encode(1, methodSpec("basic.publish"), {
    exchange: "",
    routingKey: "",
    mandatory: true,
    immediate: true,
  });
  assert.deepEqual(both, hex("01 0001 00000009 003c 0028 0000 00 00 03 ce"));
});

Deno.test("connection.tune frame matches the bytes of the AMQP 0-9-1 spec layout", () => {
  const frame = encode(0, methodSpec("connection.tune"), {
    channelMax: 2047,
    frameMax: 131072,
    heartbeat: 60,
  });
  // type 1, channel 0, size 12 | class 10, method 30 | channel-max short | frame-max long | heartbeat short
  assert.deepEqual(frame, hex("01 0000 0000000c 000a 001e 07ff 00020000 003c ce"));
  const decoded = decodeFrame(hex("01 0000 0000000c 000a 001f 0000 00001000 0001 ce"));
  assert.equal(decoded.spec.name, "connection.tune-ok");
  assert.deepEqual(decoded.args, { channelMax: 0, frameMax: 4096, heartbeat: 1 });
});

Deno.test("queue.declare frame with durable and auto-delete bits matches hand-computed bytes", () => {
  const frame = encode(1, methodSpec("queue.declare"), { queue: "q", durable: true, autoDelete: true });
  // passive=bit0 durable=bit1 exclusive=bit2 auto-delete=bit3 no-wait=bit4 -> 0b01010
  assert.deepEqual(frame, hex("01 0001 0000000d 0032 000a 0000 01 71 0a 00000000 ce"));
});

Deno.test("bits separated by other fields each start a new octet (basic.deliver, basic.nack)", () => {
  const deliver = encode(1, methodSpec("basic.deliver"), {
    consumerTag: "c",
    deliveryTag: 258,
    redelivered: true,
    exchange: "x",
    routingKey: "k",
  });
  assert.deepEqual(deliver, hex("01 0001 00000013 003c 003c 01 63 0000000000000102 01 01 78 01 6b ce"));
  const nack = encode(1, methodSpec("basic.nack"), { deliveryTag: 5, multiple: false, requeue: true });
  assert.deepEqual(nack, hex("01 0001 0000000d 003c 0078 0000000000000005 02 ce"));
});

Deno.test("a field table argument is encoded inline with its length (queue.bind arguments)", () => {
  const args = { "x-match": "any", n: 1, d: new Decimal(2, 5) };
  const decoded = decodeFrame(
    encode(1, methodSpec("queue.bind"), { queue: "q", exchange: "h", arguments: args }),
  );
  assert.deepEqual(decoded.args.arguments, args);
});

Deno.test("decodeMethod refuses an unknown class or method with 503 COMMAND_INVALID", () => {
  for (const [classId, methodId] of [[60, 999], [99, 10], [0, 0]]) {
    const payload = new Uint8Array(4);
    new DataView(payload.buffer).setUint16(0, classId);
    new DataView(payload.buffer).setUint16(2, methodId);
    assert.equal(specByIds(classId, methodId), undefined);
    assert.throws(
      () => decodeMethod(new WireReader().reset(payload, 0, 4)),
      (e) => e instanceof ConnectionError && e.replyCode === 503,
    );
  }
});

Deno.test("a truncated method payload is a 501 FRAME_ERROR, never a wrong value", () => {
  const frame = encode(1, methodSpec("basic.publish"), { exchange: "ex", routingKey: "rk" });
  const payload = frame.subarray(7, frame.length - 1);
  for (let cut = 0; cut < payload.length; cut++) {
    assert.throws(
      () => decodeMethod(new WireReader().reset(payload, 0, cut)),
      (e) => e instanceof ConnectionError && e.replyCode === 501,
      `cut at ${cut}`,
    );
  }
});

Deno.test("trailing bytes after a method's last field are a 501 FRAME_ERROR", () => {
  const frame = encode(1, methodSpec("basic.ack"), { deliveryTag: 1 });
  const payload = new Uint8Array(frame.length - 8 + 1);
  payload.set(frame.subarray(7, frame.length - 1));
  assert.throws(
    () => decodeMethod(new WireReader().reset(payload, 0, payload.length)),
    (e) => e instanceof ConnectionError && e.replyCode === 501,
  );
});

Deno.test("a shortstr over 255 bytes is refused when encoding", () => {
  assert.throws(() => encode(1, methodSpec("queue.declare"), { queue: "q".repeat(256) }), RangeError);
  assert.throws(() => encode(1, methodSpec("queue.declare"), { queue: "é".repeat(128) }), RangeError);
  const ok = decodeFrame(encode(1, methodSpec("queue.declare"), { queue: "é".repeat(127) }));
  assert.equal(ok.args.queue, "é".repeat(127));
});

Deno.test("method ids of the table match the AMQP 0-9-1 spec for a sample of methods", () => {
  const expected: [string, number, number][] = [
    ["connection.start", 10, 10],
    ["connection.close-ok", 10, 51],
    ["channel.open", 20, 10],
    ["channel.close", 20, 40],
    ["exchange.bind", 40, 30],
    ["exchange.unbind-ok", 40, 51],
    ["queue.unbind", 50, 50],
    ["basic.get-empty", 60, 72],
    ["basic.nack", 60, 120],
    ["confirm.select", 85, 10],
    ["tx.rollback-ok", 90, 31],
  ];
  for (const [name, classId, methodId] of expected) {
    const spec = methodSpec(name);
    assert.deepEqual([spec.classId, spec.methodId], [classId, methodId], name);
    assert.equal(specByIds(classId, methodId), spec);
  }
  assert.deepEqual(
    [...METHODS.values()].filter((m) => m.hasContent).map((m) => m.name).sort(),
    ["basic.deliver", "basic.get-ok", "basic.publish", "basic.return"],
  );
});
