// Field tables and arrays with RabbitMQ's type letters: each letter decoded
// from hand-written bytes, round trips, nesting, and malformed input that
// must be refused with 501 FRAME_ERROR instead of being half-read.
import assert from "node:assert/strict";
import { ConnectionError } from "../../src/amqp/errors.ts";
import {
  countFields,
  countTableFields,
  Decimal,
  type FieldTable,
  type FieldValue,
  fieldValuesEqual,
  readTable,
  writeTable,
} from "../../src/amqp/field_table.ts";
import { WireReader, WireWriter } from "../../src/amqp/wire.ts";

function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, "");
  return Uint8Array.from((clean.match(/../g) ?? []).map((b) => parseInt(b, 16)));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

/** A table with one entry: key "k", type letter, value bytes. */
function oneEntry(letter: string, valueBytes: Uint8Array): Uint8Array {
  const entry = concat(hex("01 6b"), new Uint8Array([letter.charCodeAt(0)]), valueBytes);
  return concat(u32(entry.length), entry);
}

function decode(bytes: Uint8Array): FieldTable {
  const r = new WireReader().reset(bytes, 0, bytes.length);
  const t = readTable(r);
  assert.equal(r.pos, bytes.length, "the whole table was consumed");
  return t;
}

function encode(table: FieldTable): Uint8Array {
  const w = new WireWriter(16);
  writeTable(w, table);
  return w.bytes.slice(0, w.pos);
}

function assertFrameError(bytes: Uint8Array, what: string): void {
  assert.throws(
    () => decode(bytes),
    (e) => e instanceof ConnectionError && e.replyCode === 501,
    what,
  );
}

Deno.test("every field type letter decodes from hand-written bytes", () => {
  const cases: [letter: string, bytes: string, expected: FieldValue][] = [
    ["t", "01", true],
    ["t", "00", false],
    ["b", "ff", -1],
    ["B", "ff", 255],
    ["s", "fffe", -2],
    ["u", "fffe", 65534],
    ["I", "fffffffe", -2],
    ["I", "7fffffff", 2147483647],
    ["i", "fffffffe", 4294967294],
    ["l", "fffffffffffffffe", -2],
    ["l", "0000010000000000", 2 ** 40],
    ["f", "3fc00000", 1.5],
    ["d", "3ff8000000000000", 1.5],
    ["d", "c00921fb54442d18", -Math.PI],
    ["D", "02 00000139", new Decimal(2, 313)],
    ["S", "00000003 616263", "abc"],
    ["S", "00000002 c3a9", "é"],
    ["x", "00000003 00ff10", new Uint8Array([0, 255, 16])],
    ["T", "000000005f5e1000", new Date(1_600_000_000_000)],
    ["V", "", null],
    ["A", "0000000a 49 00000001 53 00000000", [1, ""]],
  ];
  for (const [letter, bytes, expected] of cases) {
    const t = decode(oneEntry(letter, hex(bytes)));
    assert.deepEqual(t, { k: expected }, `type '${letter}' ${bytes}`);
  }
  // F: a nested table { a: t 1, b: V }
  const nested = decode(oneEntry("F", hex("00000007 0161 74 01 0162 56")));
  assert.deepEqual(nested, { k: { a: true, b: null } });
});

Deno.test("a 64-bit 'l' value beyond 2^53 decodes as a bigint, exactly", () => {
  const t = decode(oneEntry("l", hex("7fffffffffffffff")));
  assert.equal(t.k, 9223372036854775807n);
  const back = decode(encode(t));
  assert.equal(back.k, 9223372036854775807n);
});

Deno.test("a table with several entries keeps every key and value", () => {
  const body = concat(
    hex("03 6f6e65 49 00000001"), // one: I 1
    hex("03 747767 53 00000002 6869"), // twg: S "hi"
    hex("01 7a 56"), // z: V
  );
  assert.deepEqual(decode(concat(u32(body.length), body)), { one: 1, twg: "hi", z: null });
  assert.deepEqual(decode(hex("00000000")), {});
});

Deno.test("encode then decode returns the same table, with nested tables and arrays", () => {
  const table: FieldTable = {
    bool: true,
    no: false,
    int: -123456,
    big: 2 ** 45,
    neg64: -(2 ** 40),
    bigint: -9223372036854775808n,
    float: 0.25,
    str: "hello ✓",
    empty: "",
    bytes: new Uint8Array([1, 2, 3]),
    date: new Date(1_700_000_000_000),
    decimal: new Decimal(3, -42),
    void: null,
    arr: [1, "a", [true, null], { inner: "t" }],
    nested: { level2: { level3: { deep: [new Uint8Array([9])] } } },
  };
  assert.deepEqual(decode(encode(table)), table);
});

Deno.test("encoding uses RabbitMQ's letters: I for 32-bit ints, l beyond, d for fractions, S, x, T, D, V, t, A, F", () => {
  const letterOf = (v: FieldValue) => String.fromCharCode(encode({ k: v })[6]);
  assert.equal(letterOf(5), "I");
  assert.equal(letterOf(-(2 ** 31)), "I");
  assert.equal(letterOf(2 ** 31), "l");
  assert.equal(letterOf(10n), "l");
  assert.equal(letterOf(1.5), "d");
  assert.equal(letterOf("s"), "S");
  assert.equal(letterOf(new Uint8Array(1)), "x");
  assert.equal(letterOf(new Date(0)), "T");
  assert.equal(letterOf(new Decimal(1, 1)), "D");
  assert.equal(letterOf(null), "V");
  assert.equal(letterOf(true), "t");
  assert.equal(letterOf([]), "A");
  assert.equal(letterOf({}), "F");
});

Deno.test("a table whose length runs past the payload is a 501 FRAME_ERROR", () => {
  assertFrameError(hex("00000010 016b 56"), "declared length 16, 3 bytes present");
  assertFrameError(hex("000000"), "length field itself cut short");
});

Deno.test("a value running past its table's declared end is a 501 FRAME_ERROR", () => {
  // Table says 4 bytes, but the I value needs 4 more after key+letter.
  assertFrameError(concat(hex("00000004 016b 49 00"), hex("000000 00")), "I value crosses the table end");
  assertFrameError(hex("00000004 05 6b6b6b"), "key longer than the table");
  assertFrameError(oneEntry("S", hex("000000ff 61")), "longstr longer than the table");
  assertFrameError(oneEntry("A", hex("00000009 49 00000001")), "array longer than the table");
});

Deno.test("every truncation of a valid table is a 501 FRAME_ERROR", () => {
  const full = encode({ a: "text", b: [1, { c: 2.5 }], d: new Date(0), e: new Decimal(1, 2) });
  for (let cut = 0; cut < full.length; cut++) {
    // Keep the declared length, drop the tail: the reader must notice.
    assertFrameError(full.slice(0, cut), `cut at ${cut}`);
  }
});

Deno.test("an unknown field type letter is a 501 FRAME_ERROR", () => {
  for (const letter of ["Z", "c", "?", "\u0000"]) {
    assertFrameError(oneEntry(letter, hex("00000000")), `letter ${JSON.stringify(letter)}`);
  }
});

Deno.test("nesting is allowed to 64 levels and refused past that with 501", () => {
  const nest = (levels: number): Uint8Array => {
    let inner = hex("00000000");
    for (let i = 0; i < levels; i++) {
      const entry = concat(hex("01 6b 46"), inner); // k: F <inner>
      inner = concat(u32(entry.length), entry);
    }
    return inner;
  };
  let t = decode(nest(64));
  for (let i = 0; i < 64; i++) t = t.k as FieldTable;
  assert.deepEqual(t, {});
  assertFrameError(nest(65), "65 nested tables");
  assertFrameError(nest(1000), "1000 nested tables does not overflow the stack");
  // Arrays count toward the same depth.
  let arr = hex("00000000");
  for (let i = 0; i < 100; i++) {
    const body = concat(hex("41"), arr); // A <inner>
    arr = concat(u32(body.length), body);
  }
  assertFrameError(concat(u32(arr.length + 3), hex("016b 41"), arr), "100 nested arrays");
});

Deno.test("fieldValuesEqual compares structurally, as RabbitMQ compares arguments", () => {
  assert.ok(fieldValuesEqual({ a: [1, "x"], b: { c: null } }, { b: { c: null }, a: [1, "x"] }));
  assert.ok(!fieldValuesEqual({ a: 1 }, { a: 1, b: 2 }));
  assert.ok(fieldValuesEqual(5, 5n));
  assert.ok(!fieldValuesEqual(5, "5"));
  assert.ok(fieldValuesEqual(new Uint8Array([1]), new Uint8Array([1])));
  assert.ok(!fieldValuesEqual(new Uint8Array([1]), [1]));
  assert.ok(fieldValuesEqual(new Date(5000), new Date(5000)));
  assert.ok(!fieldValuesEqual(new Decimal(1, 10), new Decimal(2, 10)));
  assert.ok(!fieldValuesEqual(undefined, null));
});

Deno.test("countFields counts every entry at every depth, arrays' elements included", () => {
  const table: FieldTable = {
    a: 1,
    b: "x",
    nested: { c: true, d: [1, 2, { e: null }] },
    bytes: new Uint8Array(3),
    when: new Date(0),
    price: new Decimal(2, 1999),
  };
  // a, b, nested, c, d, 1, 2, {e}, e, bytes, when, price
  assert.equal(countFields(table), 12);
  assert.equal(countFields({}), 0);
  assert.equal(countFields([[], [[]]]), 3);
});

Deno.test("countTableFields counts the encoded fields as countFields counts the decoded ones, without decoding", () => {
  const tables: FieldTable[] = [
    {},
    { a: 1, b: "text", c: true, d: null, e: 1.5, f: 2 ** 40, g: new Date(0), h: new Decimal(1, 5) },
    { bin: new Uint8Array(300), list: [1, "two", [3, [4]], { five: 5 }], inner: { deeper: { deepest: [] } } },
  ];
  for (const t of tables) {
    const w = new WireWriter(64);
    writeTable(w, t);
    assert.equal(countTableFields(w.bytes, 4, w.pos), countFields(t), JSON.stringify(Object.keys(t)));
  }
});

Deno.test("countTableFields stops at bytes it cannot walk instead of reading past the table", () => {
  // 'a' => 'Z' (no such type): one field counted, then nothing more can be walked
  assert.equal(countTableFields(hex("01 61 5a 01 62 74 01"), 0, 7), 1);
  // an array whose declared length runs past the table: its elements are counted up to the end only
  assert.equal(countTableFields(hex("01 61 41 000000ff 74 01 74 00"), 0, 11), 3);
});
