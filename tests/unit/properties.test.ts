// Basic content properties: the raw-bytes scan the hot path relies on
// (shape check + delivery mode, no allocation) and the full decode/encode
// of all 14 properties in the spec's flag order.
import assert from "node:assert/strict";
import { ConnectionError } from "../../src/amqp/errors.ts";
import {
  type BasicProperties,
  decodeProperties,
  EMPTY_PROPERTIES,
  encodeProperties,
  EXPIRATION_INDEX,
  PRIORITY_INDEX,
  type PropertySummary,
  rawPropertyOffset,
  scanProperties,
} from "../../src/amqp/properties.ts";
import { readTable } from "../../src/amqp/field_table.ts";
import { WireReader } from "../../src/amqp/wire.ts";

function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, "");
  return Uint8Array.from((clean.match(/../g) ?? []).map((b) => parseInt(b, 16)));
}

function summary(): PropertySummary {
  return {
    deliveryMode: -1,
    hasHeaders: false,
    hasPriority: false,
    hasExpiration: false,
    hasUserId: false,
    headersStart: -1,
    headersEnd: -1,
  };
}

function assertMalformed(raw: Uint8Array, what: string): void {
  assert.throws(
    () => scanProperties(raw, summary()),
    (e) => e instanceof ConnectionError && e.replyCode === 501,
    what,
  );
}

const ALL: BasicProperties = {
  contentType: "application/json",
  contentEncoding: "gzip",
  headers: { "x-retry": 3, nested: { a: [1, "b"] }, flag: true },
  deliveryMode: 2,
  priority: 7,
  correlationId: "corr-1",
  replyTo: "amq.rabbitmq.reply-to",
  expiration: "60000",
  messageId: "msg-é",
  timestamp: 1_700_000_000,
  type: "order.created",
  userId: "guest",
  appId: "warren-tests",
  clusterId: "c1",
};

Deno.test("all 14 properties survive encodeProperties then decodeProperties", () => {
  const raw = encodeProperties(ALL);
  assert.deepEqual(raw.subarray(0, 2), hex("fffc"), "flags: bits 15..2 set, bit 0 (continuation) clear");
  assert.deepEqual(decodeProperties(raw), ALL);
});

Deno.test("each property alone sets exactly its own flag bit, in the spec's order", () => {
  const keys = Object.keys(ALL) as (keyof BasicProperties)[];
  keys.forEach((key, i) => {
    const props = { [key]: ALL[key] } as BasicProperties;
    const raw = encodeProperties(props);
    assert.equal((raw[0] << 8) | raw[1], 1 << (15 - i), key);
    assert.deepEqual(decodeProperties(raw), props, key);
  });
});

Deno.test("no properties encode as two zero flag bytes", () => {
  assert.deepEqual(encodeProperties({}), EMPTY_PROPERTIES);
  assert.deepEqual(decodeProperties(EMPTY_PROPERTIES), {});
  const s = scanProperties(EMPTY_PROPERTIES, summary());
  assert.equal(s.deliveryMode, 0);
  assert.equal(s.hasHeaders, false);
});

Deno.test("scanProperties picks up delivery mode and which costly properties are present", () => {
  // delivery-mode only (flag bit 12): 0x1000, value 2
  const persistent = scanProperties(hex("1000 02"), summary());
  assert.equal(persistent.deliveryMode, 2);
  // content-type "t" + delivery-mode 1: 0x9000
  assert.equal(scanProperties(hex("9000 0174 01"), summary()).deliveryMode, 1);
  const all = encodeProperties(ALL);
  const { headersStart, headersEnd, ...s } = scanProperties(all, summary());
  assert.deepEqual(s, {
    deliveryMode: 2,
    hasHeaders: true,
    hasPriority: true,
    hasExpiration: true,
    hasUserId: true,
  });
  // The headers' fields, after the table's 4-byte length.
  const table = new WireReader().reset(all, headersStart - 4, headersEnd);
  assert.deepEqual(readTable(table), ALL.headers);
  const none = scanProperties(encodeProperties({ contentType: "text/plain" }), summary());
  assert.deepEqual(none, {
    deliveryMode: 0,
    hasHeaders: false,
    hasPriority: false,
    hasExpiration: false,
    hasUserId: false,
    headersStart: 0,
    headersEnd: 0,
  });
});

Deno.test("scanProperties accepts exactly what decodeProperties can read", () => {
  for (const key of Object.keys(ALL) as (keyof BasicProperties)[]) {
    const raw = encodeProperties({ [key]: ALL[key] });
    scanProperties(raw, summary());
    for (let cut = 0; cut < raw.length; cut++) assertMalformed(raw.slice(0, cut), `${key} cut at ${cut}`);
  }
});

Deno.test("scanProperties refuses malformed raw properties with 501", () => {
  assertMalformed(hex(""), "no flags");
  assertMalformed(hex("10"), "one flag byte");
  assertMalformed(hex("1000"), "delivery-mode flagged but absent");
  assertMalformed(hex("8000 05 6162"), "content-type longer than the bytes");
  assertMalformed(hex("0040 00000000"), "timestamp 4 of 8 bytes");
  assertMalformed(hex("2000 00000010 00"), "headers table longer than the bytes");
  assertMalformed(hex("0000 00"), "trailing byte after the last property");
  assertMalformed(hex("1000 02 ff"), "trailing byte after delivery-mode");
  assertMalformed(hex("0001"), "continuation flag: no basic property needs one");
});

Deno.test("rawPropertyOffset finds priority and expiration past every property before them, or says -1", () => {
  const raw = encodeProperties(ALL);
  assert.equal(raw[rawPropertyOffset(raw, PRIORITY_INDEX)], ALL.priority);
  const at = rawPropertyOffset(raw, EXPIRATION_INDEX);
  assert.equal(new TextDecoder().decode(raw.subarray(at + 1, at + 1 + raw[at])), ALL.expiration);
  const none = encodeProperties({ headers: { a: 1 }, contentType: "text/plain" });
  assert.equal(rawPropertyOffset(none, PRIORITY_INDEX), -1);
  assert.equal(rawPropertyOffset(none, EXPIRATION_INDEX), -1);
});
