// The stream argument words (x-max-age, x-stream-offset) and the offset
// header spliced into raw properties.
import assert from "node:assert/strict";
import { parseAgeMs, parseStreamOffset } from "../../src/broker/stream_args.ts";
import { decodeProperties, encodeProperties, withLongHeader } from "../../src/amqp/properties.ts";
import { AmqpError } from "../../src/amqp/errors.ts";

Deno.test("x-max-age takes <n><unit> with n > 0 and RabbitMQ's units only", () => {
  assert.equal(parseAgeMs("7D"), 7 * 86_400_000);
  assert.equal(parseAgeMs("12h"), 12 * 3_600_000);
  assert.equal(parseAgeMs("30m"), 30 * 60_000);
  assert.equal(parseAgeMs("10s"), 10_000);
  assert.equal(parseAgeMs("1M"), 30 * 86_400_000);
  assert.equal(parseAgeMs("1Y"), 365 * 86_400_000);
  for (const bad of ["10", "0D", "10d", "bad", "-1D", "1.5h", " 1h", ""]) {
    assert.equal(parseAgeMs(bad), null, bad);
  }
});

Deno.test("x-stream-offset: named positions, offsets, timestamps, intervals and refusals", () => {
  const where = { queue: "q", vhost: "/" };
  const now = 1_000_000_000;
  assert.deepEqual(parseStreamOffset({}, where, now), { kind: "next" });
  assert.deepEqual(parseStreamOffset({ "x-stream-offset": "last" }, where, now), { kind: "last" });
  assert.deepEqual(parseStreamOffset({ "x-stream-offset": null }, where, now), { kind: "first" });
  assert.deepEqual(parseStreamOffset({ "x-stream-offset": 42n }, where, now), { kind: "offset", offset: 42 });
  assert.deepEqual(parseStreamOffset({ "x-stream-offset": -5 }, where, now), { kind: "offset", offset: 0 });
  assert.deepEqual(parseStreamOffset({ "x-stream-offset": new Date(5000) }, where, now), {
    kind: "timestamp",
    atMs: 5000,
  });
  assert.deepEqual(parseStreamOffset({ "x-stream-offset": "2s" }, where, now), {
    kind: "timestamp",
    atMs: now - 2000,
  });
  assert.throws(
    () => parseStreamOffset({ "x-stream-offset": "1" }, where, now),
    (e: AmqpError) =>
      e.replyText ===
        `PRECONDITION_FAILED - invalid arg 'x-stream-offset' for queue 'q' in vhost '/': ` +
          `{invalid_stream_offset_arg,{longstr,<<"1">>}}`,
  );
  assert.throws(() => parseStreamOffset({ "x-stream-offset": true }, where, now), AmqpError);
});

Deno.test("the offset header is spliced into raw properties with or without headers", () => {
  const cases = [
    {},
    { contentType: "text/plain", contentEncoding: "gzip", deliveryMode: 2, appId: "a" },
    { contentType: "x", headers: { a: "b", n: 1 }, priority: 3, timestamp: 1234 },
  ];
  for (const props of cases) {
    const raw = encodeProperties(props);
    const out = decodeProperties(withLongHeader(raw, "x-stream-offset", 2 ** 40 + 7));
    assert.deepEqual(out, { ...props, headers: { ...props.headers, "x-stream-offset": 2 ** 40 + 7 } });
  }
});
