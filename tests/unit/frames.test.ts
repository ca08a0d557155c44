// Splitting a byte stream into frames (partial frames wait for more bytes,
// a wrong frame-end octet or an oversize frame is 501) and writing content
// as a header frame plus body frames cut at frame_max.
import assert from "node:assert/strict";
import { ConnectionError } from "../../src/amqp/errors.ts";
import { type FrameSink, parseFrames, writeContent, writeHeartbeat } from "../../src/amqp/frames.ts";
import { encodeProperties } from "../../src/amqp/properties.ts";
import { FRAME_BODY, FRAME_HEADER, FRAME_HEARTBEAT, FRAME_METHOD } from "../../src/amqp/spec.ts";
import { WireWriter } from "../../src/amqp/wire.ts";

interface Seen {
  type: number;
  channel: number;
  payload: number[];
}

function collector(): FrameSink & { frames: Seen[] } {
  const frames: Seen[] = [];
  return {
    frames,
    onFrame(type, channel, bytes, start, end) {
      frames.push({ type, channel, payload: [...bytes.subarray(start, end)] });
    },
  };
}

function frame(type: number, channel: number, payload: number[], end = 0xce): number[] {
  const n = payload.length;
  return [
    type,
    channel >> 8,
    channel & 0xff,
    (n >>> 24) & 0xff,
    (n >> 16) & 0xff,
    (n >> 8) & 0xff,
    n & 0xff,
    ...payload,
    end,
  ];
}

const never = () => false;

Deno.test("parseFrames splits concatenated frames and reports every byte consumed", () => {
  const bytes = new Uint8Array([
    ...frame(FRAME_METHOD, 0, [0, 10, 0, 51]),
    ...frame(FRAME_HEARTBEAT, 0, []),
    ...frame(FRAME_BODY, 513, [1, 2, 3]),
  ]);
  const sink = collector();
  assert.equal(parseFrames(bytes, bytes.length, 131072, sink, never), bytes.length);
  assert.deepEqual(sink.frames, [
    { type: FRAME_METHOD, channel: 0, payload: [0, 10, 0, 51] },
    { type: FRAME_HEARTBEAT, channel: 0, payload: [] },
    { type: FRAME_BODY, channel: 513, payload: [1, 2, 3] },
  ]);
});

Deno.test("parseFrames leaves a partial frame for the next read and returns the bytes it consumed", () => {
  const first = frame(FRAME_BODY, 1, [9, 9]);
  const second = frame(FRAME_BODY, 1, [7, 7, 7, 7]);
  const all = new Uint8Array([...first, ...second]);
  for (let len = 0; len <= all.length; len++) {
    const sink = collector();
    const used = parseFrames(all, len, 131072, sink, never);
    const expected = len >= all.length ? all.length : len >= first.length ? first.length : 0;
    assert.equal(used, expected, `length ${len}`);
    assert.equal(sink.frames.length, expected === all.length ? 2 : expected === first.length ? 1 : 0);
  }
  // Only the given length counts, not the buffer's size.
  const sink = collector();
  assert.equal(parseFrames(all, first.length + 3, 131072, sink, never), first.length);
});

Deno.test("parseFrames fed one byte at a time reassembles the same frames", () => {
  const stream = [
    ...frame(FRAME_METHOD, 1, [0, 60, 0, 40, 0, 0, 0, 0, 0]),
    ...frame(FRAME_HEADER, 1, [0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]),
    ...frame(FRAME_BODY, 1, [42]),
  ];
  const buf = new Uint8Array(stream.length);
  let len = 0;
  const sink = collector();
  for (const b of stream) {
    buf[len++] = b;
    const used = parseFrames(buf, len, 131072, sink, never);
    buf.copyWithin(0, used, len);
    len -= used;
  }
  assert.equal(len, 0);
  assert.deepEqual(sink.frames.map((f) => f.type), [FRAME_METHOD, FRAME_HEADER, FRAME_BODY]);
});

Deno.test("parseFrames stops when shouldStop says so", () => {
  const bytes = new Uint8Array([...frame(FRAME_BODY, 1, [1]), ...frame(FRAME_BODY, 1, [2])]);
  const sink = collector();
  const used = parseFrames(bytes, bytes.length, 131072, sink, () => sink.frames.length === 1);
  assert.equal(used, 9);
  assert.equal(sink.frames.length, 1);
});

Deno.test("a wrong frame-end octet is a 501 FRAME_ERROR", () => {
  for (const end of [0x00, 0xcd, 0xcf, 0xff]) {
    const bytes = new Uint8Array(frame(FRAME_METHOD, 1, [0, 20, 0, 10, 0], end));
    assert.throws(
      () => parseFrames(bytes, bytes.length, 131072, collector(), never),
      (e) => e instanceof ConnectionError && e.replyCode === 501,
      `end octet ${end}`,
    );
  }
});

Deno.test("a frame larger than frame_max is a 501 FRAME_ERROR as soon as its header is read", () => {
  // 4096-byte frame_max: payload 4088 + 8 overhead fits, 4089 does not.
  const fits = new Uint8Array(frame(FRAME_BODY, 1, new Array(4088).fill(1)));
  const sink = collector();
  assert.equal(parseFrames(fits, fits.length, 4096, sink, never), fits.length);
  const header = new Uint8Array(frame(FRAME_BODY, 1, new Array(4089).fill(1)).slice(0, 7));
  assert.throws(
    () => parseFrames(header, header.length, 4096, collector(), never),
    (e) => e instanceof ConnectionError && e.replyCode === 501,
  );
  const huge = new Uint8Array([FRAME_METHOD, 0, 1, 0xff, 0xff, 0xff, 0xff]);
  assert.throws(
    () => parseFrames(huge, huge.length, 131072, collector(), never),
    (e) => e instanceof ConnectionError && e.replyCode === 501,
    "a 4 GiB size field",
  );
});

function writtenFrames(bytes: Uint8Array): Seen[] {
  const sink = collector();
  assert.equal(parseFrames(bytes, bytes.length, 1 << 30, sink, never), bytes.length);
  return sink.frames;
}

Deno.test("writeContent splits a body into frames of at most frame_max bytes", () => {
  const body = new Uint8Array(10_000).map((_, i) => i & 0xff);
  const props = encodeProperties({ deliveryMode: 2 });
  const w = new WireWriter(16);
  writeContent(w, 3, 60, props, body, 4096);
  const frames = writtenFrames(w.bytes.slice(0, w.pos));
  assert.deepEqual(frames.map((f) => [f.type, f.channel, f.payload.length]), [
    [FRAME_HEADER, 3, 12 + props.length],
    [FRAME_BODY, 3, 4088],
    [FRAME_BODY, 3, 4088],
    [FRAME_BODY, 3, 10_000 - 2 * 4088],
  ]);
  // header: class 60, weight 0, body size 10000 (64-bit), then the raw properties
  assert.deepEqual(frames[0].payload, [0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0x27, 0x10, ...props]);
  assert.deepEqual(new Uint8Array(frames.slice(1).flatMap((f) => f.payload)), body);
});

Deno.test("writeContent writes no body frame for an empty body and one for a body of exactly frame_max - 8", () => {
  const w = new WireWriter(16);
  writeContent(w, 1, 60, new Uint8Array([0, 0]), new Uint8Array(0), 4096);
  assert.deepEqual(writtenFrames(w.bytes.slice(0, w.pos)).map((f) => f.type), [FRAME_HEADER]);
  const w2 = new WireWriter(16);
  writeContent(w2, 1, 60, new Uint8Array([0, 0]), new Uint8Array(4088), 4096);
  assert.deepEqual(writtenFrames(w2.bytes.slice(0, w2.pos)).map((f) => [f.type, f.payload.length]), [
    [FRAME_HEADER, 14],
    [FRAME_BODY, 4088],
  ]);
});

Deno.test("a heartbeat frame is type 8 on channel 0 with an empty payload", () => {
  const w = new WireWriter(16);
  writeHeartbeat(w);
  assert.deepEqual([...w.bytes.subarray(0, w.pos)], [8, 0, 0, 0, 0, 0, 0, 0xce]);
});
