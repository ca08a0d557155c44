// Field tables and arrays, with RabbitMQ's type letters. Decoding is the
// expensive part of the protocol, which is why message properties are kept
// as raw bytes and only method arguments (declare, bind, consume) come here.
import { ConnectionError, REPLY_FRAME_ERROR } from "./errors.ts";
import { WireReader, WireWriter } from "./wire.ts";

export class Decimal {
  constructor(readonly scale: number, readonly value: number) {}
}

export type FieldValue =
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Date
  | Decimal
  | null
  | FieldValue[]
  | FieldTable;

export interface FieldTable {
  [key: string]: FieldValue;
}

/** Deeper nesting than this is refused rather than risking the stack. */
const MAX_NESTING_DEPTH = 64;

function bad(what: string): never {
  throw new ConnectionError(REPLY_FRAME_ERROR, `cannot decode field table: ${what}`);
}

/** Where a decoded table keeps each value's wire type letter (not enumerable: invisible to keys and JSON). */
const WIRE_TYPES = Symbol("wireTypes");

/** RabbitMQ's name for a field's wire type, as its error texts print it. */
const TYPE_NAMES: Record<string, string> = {
  t: "bool",
  b: "byte",
  B: "unsignedbyte",
  s: "short",
  u: "unsignedshort",
  I: "signedint",
  i: "unsignedint",
  l: "long",
  f: "float",
  d: "double",
  D: "decimal",
  S: "longstr",
  x: "binary",
  A: "array",
  T: "timestamp",
  F: "table",
  V: "void",
};

/** The wire type of `table[key]` as RabbitMQ names it, when the table was decoded from the wire. */
export function wireTypeName(table: FieldTable, key: string): string | undefined {
  const types = (table as { [WIRE_TYPES]?: Record<string, string> })[WIRE_TYPES];
  const letter = types?.[key];
  return letter === undefined ? undefined : TYPE_NAMES[letter];
}

export function readTable(r: WireReader, depth = 0): FieldTable {
  if (depth > MAX_NESTING_DEPTH) bad("nested too deeply");
  const len = r.long();
  r.need(len);
  const end = r.pos + len;
  const table: FieldTable = {};
  const types: Record<string, string> = {};
  const savedEnd = r.end;
  r.end = end;
  while (r.pos < end) {
    const key = r.shortstr();
    if (r.pos < r.end) types[key] = String.fromCharCode(r.bytes[r.pos]);
    table[key] = readValue(r, depth);
  }
  r.end = savedEnd;
  Object.defineProperty(table, WIRE_TYPES, { value: types, enumerable: false });
  return table;
}

function readArray(r: WireReader, depth: number): FieldValue[] {
  if (depth > MAX_NESTING_DEPTH) bad("nested too deeply");
  const len = r.long();
  r.need(len);
  const end = r.pos + len;
  const out: FieldValue[] = [];
  const savedEnd = r.end;
  r.end = end;
  while (r.pos < end) out.push(readValue(r, depth));
  r.end = savedEnd;
  return out;
}

function readValue(r: WireReader, depth: number): FieldValue {
  const tag = r.octet();
  const v = r.view;
  switch (tag) {
    case 0x74: // t
      return r.octet() !== 0;
    case 0x62: { // b
      r.need(1);
      return v.getInt8(r.pos++);
    }
    case 0x42: // B
      return r.octet();
    case 0x73: { // s
      r.need(2);
      const x = v.getInt16(r.pos);
      r.pos += 2;
      return x;
    }
    case 0x75: // u
      return r.short();
    case 0x49: { // I
      r.need(4);
      const x = v.getInt32(r.pos);
      r.pos += 4;
      return x;
    }
    case 0x69: // i
      return r.long();
    case 0x6c: { // l
      r.need(8);
      const x = v.getBigInt64(r.pos);
      r.pos += 8;
      return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
    }
    case 0x66: { // f
      r.need(4);
      const x = v.getFloat32(r.pos);
      r.pos += 4;
      return x;
    }
    case 0x64: { // d
      r.need(8);
      const x = v.getFloat64(r.pos);
      r.pos += 8;
      return x;
    }
    case 0x44: { // D
      const scale = r.octet();
      r.need(4);
      const x = v.getInt32(r.pos);
      r.pos += 4;
      return new Decimal(scale, x);
    }
    case 0x53: // S
      return r.longstr();
    case 0x78: // x
      return r.longstrBytes();
    case 0x41: // A
      return readArray(r, depth + 1);
    case 0x54: // T
      return new Date(r.longlong() * 1000);
    case 0x46: // F
      return readTable(r, depth + 1);
    case 0x56: // V
      return null;
    default:
      return bad(`unknown field type '${String.fromCharCode(tag)}'`);
  }
}

/**
 * How many fields a decoded table holds at every depth: each entry counts,
 * and so does each entry of a nested table and each element of an array.
 */
export function countFields(value: FieldTable | FieldValue[]): number {
  let count = 0;
  const pending: (FieldTable | FieldValue[])[] = [value];
  while (pending.length > 0) {
    const v = pending.pop()!;
    for (const item of Array.isArray(v) ? v : Object.values(v)) {
      count++;
      if (Array.isArray(item) || isPlainTable(item)) pending.push(item as FieldTable | FieldValue[]);
    }
  }
  return count;
}

function isPlainTable(v: FieldValue): boolean {
  return typeof v === "object" && v !== null && !(v instanceof Uint8Array) && !(v instanceof Date) &&
    !(v instanceof Decimal);
}

/** Bytes a value of each fixed-size type takes after its type octet. */
const FIXED_VALUE_BYTES: Record<number, number> = {
  0x74: 1, // t
  0x62: 1, // b
  0x42: 1, // B
  0x73: 2, // s
  0x75: 2, // u
  0x49: 4, // I
  0x69: 4, // i
  0x66: 4, // f
  0x6c: 8, // l
  0x64: 8, // d
  0x54: 8, // T
  0x44: 5, // D
  0x56: 0, // V
};

/**
 * countFields for an encoded table body, `bytes[start, end)` (after its
 * length), without decoding it: the fields are walked, not built. Counting
 * stops at bytes it cannot walk (decoding them would fail anyway).
 */
export function countTableFields(bytes: Uint8Array, start: number, end: number): number {
  return walkFields(bytes, start, end, true, 0);
}

function walkFields(bytes: Uint8Array, start: number, end: number, isTable: boolean, depth: number): number {
  let count = 0;
  let p = start;
  while (p < end) {
    if (isTable) p += 1 + bytes[p];
    if (p >= end) break;
    const type = bytes[p++];
    count++;
    const fixed = FIXED_VALUE_BYTES[type];
    if (fixed !== undefined) {
      p += fixed;
      continue;
    }
    if (p + 4 > end) break;
    const len = ((bytes[p] << 24) >>> 0) + (bytes[p + 1] << 16) + (bytes[p + 2] << 8) + bytes[p + 3];
    p += 4;
    if (type === 0x53 || type === 0x78) { // S, x
      p += len;
    } else if ((type === 0x41 || type === 0x46) && depth < MAX_NESTING_DEPTH) { // A, F
      const inner = Math.min(end, p + len);
      count += walkFields(bytes, p, inner, type === 0x46, depth + 1);
      p = inner;
    } else break;
  }
  return count;
}

export function writeTable(w: WireWriter, table: FieldTable | undefined | null): void {
  const lenPos = w.pos;
  w.long(0);
  if (table) {
    for (const key of Object.keys(table)) {
      const value = table[key];
      if (value === undefined) continue;
      w.shortstr(key);
      writeValue(w, value);
    }
  }
  w.view.setUint32(lenPos, w.pos - lenPos - 4);
}

function writeArray(w: WireWriter, items: FieldValue[]): void {
  const lenPos = w.pos;
  w.long(0);
  for (const item of items) writeValue(w, item);
  w.view.setUint32(lenPos, w.pos - lenPos - 4);
}

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;

function writeValue(w: WireWriter, value: FieldValue): void {
  if (value === null) {
    w.octet(0x56);
  } else if (typeof value === "boolean") {
    w.octet(0x74);
    w.octet(value ? 1 : 0);
  } else if (typeof value === "number") {
    if (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) {
      w.octet(0x49);
      w.ensure(4);
      w.view.setInt32(w.pos, value);
      w.pos += 4;
    } else if (Number.isSafeInteger(value)) {
      w.octet(0x6c);
      w.ensure(8);
      w.view.setBigInt64(w.pos, BigInt(value));
      w.pos += 8;
    } else {
      w.octet(0x64);
      w.ensure(8);
      w.view.setFloat64(w.pos, value);
      w.pos += 8;
    }
  } else if (typeof value === "bigint") {
    w.octet(0x6c);
    w.ensure(8);
    w.view.setBigInt64(w.pos, value);
    w.pos += 8;
  } else if (typeof value === "string") {
    w.octet(0x53);
    w.longstr(value);
  } else if (value instanceof Uint8Array) {
    w.octet(0x78);
    w.longstr(value);
  } else if (value instanceof Date) {
    w.octet(0x54);
    w.longlong(Math.floor(value.getTime() / 1000));
  } else if (value instanceof Decimal) {
    w.octet(0x44);
    w.octet(value.scale);
    w.ensure(4);
    w.view.setInt32(w.pos, value.value);
    w.pos += 4;
  } else if (Array.isArray(value)) {
    w.octet(0x41);
    writeArray(w, value);
  } else {
    w.octet(0x46);
    writeTable(w, value);
  }
}

/** Structural equality of decoded field values, as RabbitMQ compares arguments. */
export function fieldValuesEqual(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== "object" || typeof b !== "object") {
    if (typeof a === "bigint" && typeof b === "number") return Number.isInteger(b) && a === BigInt(b);
    if (typeof b === "bigint" && typeof a === "number") return Number.isInteger(a) && b === BigInt(a);
    return false;
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Decimal && b instanceof Decimal) return a.scale === b.scale && a.value === b.value;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => fieldValuesEqual(x, b[i]));
  }
  if (Array.isArray(a) || Array.isArray(b)) return false;
  if (a instanceof Date || b instanceof Date || a instanceof Uint8Array || b instanceof Uint8Array) {
    return false;
  }
  if (a instanceof Decimal || b instanceof Decimal) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => k in b && fieldValuesEqual((a as FieldTable)[k], (b as FieldTable)[k]));
}

/** A canonical string for a table: equal tables give equal keys (binding identity). */
export function fieldTableKey(table: FieldTable): string {
  return canonical(table);
}

function canonical(value: FieldValue | undefined): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Uint8Array) return `bytes:${Array.from(value).join(",")}`;
  if (value instanceof Date) return `date:${value.getTime()}`;
  if (value instanceof Decimal) return `decimal:${value.scale}:${value.value}`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
