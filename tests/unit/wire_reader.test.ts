// WireReader.shortstr remembers recent strings by length and hands a remembered one
// back when the same bytes come again: these pin that a hit is only ever the same
// bytes, whatever came in between.
import assert from "node:assert/strict";
import { WireReader, WireWriter } from "../../src/amqp/wire.ts";

function shortstrs(values: string[]): string[] {
  const w = new WireWriter(1024);
  for (const v of values) w.shortstr(v);
  const r = new WireReader().reset(w.bytes, 0, w.pos);
  return values.map(() => r.shortstr());
}

Deno.test("shortstr decodes strings of one length that differ in any byte, in any order", () => {
  const values = ["queue.a", "queue.b", "queue.a", "Queue.a", "queue.a", "queue.b", "qüeue", "queue.a"];
  assert.deepEqual(shortstrs(values), values);
});

Deno.test("shortstr decodes the empty string, strings of every cache slot and ones past the cached size", () => {
  const long = "k".repeat(200);
  const values = ["", "a", "ab", "abc", "abcd", "abcde", long, "a", "", long.slice(1) + "j", long, "abcd"];
  assert.deepEqual(shortstrs(values), values);
});

Deno.test("shortstr hands back the same string for the same bytes, and a reset reader still checks them", () => {
  const w = new WireWriter(64);
  w.shortstr("orders.eu.created");
  w.shortstr("orders.eu.created");
  w.shortstr("orders.us.created");
  const r = new WireReader().reset(w.bytes, 0, w.pos);
  const first = r.shortstr();
  assert.equal(r.shortstr(), first);
  assert.deepEqual(r.shortstr(), "orders.us.created");
  const other = new WireWriter(64);
  other.shortstr("orders.eu.created");
  r.reset(other.bytes, 0, other.pos);
  assert.deepEqual(r.shortstr(), "orders.eu.created");
});
