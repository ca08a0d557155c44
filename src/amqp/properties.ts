// Basic-class content properties. Warren keeps them as the raw bytes the
// publisher sent (flags + property list) and writes them back verbatim on
// delivery; scanProperties() walks them once without allocating, to check
// their shape and pick up delivery-mode, and decodeProperties() builds the
// full object only when something needs it (headers exchange, admin view).
import { ConnectionError, REPLY_FRAME_ERROR } from "./errors.ts";
import { type FieldTable, readTable, writeTable } from "./field_table.ts";
import { WireReader, WireWriter } from "./wire.ts";

export interface BasicProperties {
  contentType?: string;
  contentEncoding?: string;
  headers?: FieldTable;
  deliveryMode?: number;
  priority?: number;
  correlationId?: string;
  replyTo?: string;
  expiration?: string;
  messageId?: string;
  timestamp?: number;
  type?: string;
  userId?: string;
  appId?: string;
  clusterId?: string;
}

type PropType = "shortstr" | "table" | "octet" | "timestamp";

/** Property order on the wire; flag bit 15 is the first. */
const PROPERTY_LIST: readonly (readonly [keyof BasicProperties, PropType])[] = [
  ["contentType", "shortstr"],
  ["contentEncoding", "shortstr"],
  ["headers", "table"],
  ["deliveryMode", "octet"],
  ["priority", "octet"],
  ["correlationId", "shortstr"],
  ["replyTo", "shortstr"],
  ["expiration", "shortstr"],
  ["messageId", "shortstr"],
  ["timestamp", "timestamp"],
  ["type", "shortstr"],
  ["userId", "shortstr"],
  ["appId", "shortstr"],
  ["clusterId", "shortstr"],
];

const FLAG_HEADERS = 1 << 13;
const FLAG_PRIORITY = 1 << 11;
const FLAG_EXPIRATION = 1 << 8;
const FLAG_USER_ID = 1 << 4;

/** What the broker needs from properties on every message, read in one walk. */
export interface PropertySummary {
  deliveryMode: number;
  hasHeaders: boolean;
  /** Where the headers table's fields lie in the raw bytes, `[headersStart, headersEnd)` (empty without headers). */
  headersStart: number;
  headersEnd: number;
  hasPriority: boolean;
  hasExpiration: boolean;
  hasUserId: boolean;
}

function malformed(): never {
  throw new ConnectionError(REPLY_FRAME_ERROR, "malformed content header properties");
}

/**
 * Validates the raw property bytes and returns the delivery mode, without
 * decoding strings or tables.
 */
export function scanProperties(raw: Uint8Array, out: PropertySummary): PropertySummary {
  const n = raw.length;
  if (n < 2) malformed();
  const flags = (raw[0] << 8) | raw[1];
  if (flags & 1) malformed(); // a continuation word: no 0-9-1 basic property needs one
  let p = 2;
  out.deliveryMode = 0;
  out.headersStart = out.headersEnd = 0;
  for (let i = 0; i < PROPERTY_LIST.length; i++) {
    if ((flags & (1 << (15 - i))) === 0) continue;
    const type = PROPERTY_LIST[i][1];
    if (type === "shortstr") {
      if (p >= n) malformed();
      p += 1 + raw[p];
    } else if (type === "octet") {
      if (p >= n) malformed();
      if (i === 3) out.deliveryMode = raw[p];
      p += 1;
    } else if (type === "timestamp") {
      p += 8;
    } else {
      if (p + 4 > n) malformed();
      const start = p + 4;
      p = start + ((raw[p] << 24) >>> 0) + (raw[p + 1] << 16) + (raw[p + 2] << 8) + raw[p + 3];
      out.headersStart = start;
      out.headersEnd = p;
    }
    if (p > n) malformed();
  }
  if (p !== n) malformed();
  out.hasHeaders = (flags & FLAG_HEADERS) !== 0;
  out.hasPriority = (flags & FLAG_PRIORITY) !== 0;
  out.hasExpiration = (flags & FLAG_EXPIRATION) !== 0;
  out.hasUserId = (flags & FLAG_USER_ID) !== 0;
  return out;
}

/**
 * Where property `index` (its place in the flag order: 4 is priority, 7
 * expiration) starts in raw bytes that scanProperties accepted, or -1 when it
 * is absent. The properties before it are skipped by their lengths, nothing
 * is decoded.
 */
export function rawPropertyOffset(raw: Uint8Array, index: number): number {
  const flags = (raw[0] << 8) | raw[1];
  if ((flags & (1 << (15 - index))) === 0) return -1;
  let p = 2;
  for (let i = 0; i < index; i++) {
    if ((flags & (1 << (15 - i))) === 0) continue;
    const type = PROPERTY_LIST[i][1];
    if (type === "shortstr") p += 1 + raw[p];
    else if (type === "octet") p += 1;
    else if (type === "timestamp") p += 8;
    else p += 4 + ((raw[p] << 24) >>> 0) + (raw[p + 1] << 16) + (raw[p + 2] << 8) + raw[p + 3];
  }
  return p;
}

/** The place of priority and expiration in PROPERTY_LIST, for rawPropertyOffset. */
export const PRIORITY_INDEX = 4;
export const EXPIRATION_INDEX = 7;

const reader = new WireReader();

export function decodeProperties(raw: Uint8Array): BasicProperties {
  const r = reader.reset(raw, 0, raw.length);
  const flags = r.short();
  const props: BasicProperties = {};
  const out = props as Record<string, unknown>;
  for (let i = 0; i < PROPERTY_LIST.length; i++) {
    if ((flags & (1 << (15 - i))) === 0) continue;
    const [name, type] = PROPERTY_LIST[i];
    if (type === "shortstr") out[name] = r.shortstr();
    else if (type === "octet") out[name] = r.octet();
    else if (type === "timestamp") out[name] = r.longlong();
    else out[name] = readTable(r);
  }
  return props;
}

export function encodeProperties(props: BasicProperties): Uint8Array {
  const w = new WireWriter(256);
  let flags = 0;
  for (let i = 0; i < PROPERTY_LIST.length; i++) {
    if (props[PROPERTY_LIST[i][0]] !== undefined) flags |= 1 << (15 - i);
  }
  w.short(flags);
  for (const [name, type] of PROPERTY_LIST) {
    const value = props[name];
    if (value === undefined) continue;
    if (type === "shortstr") w.shortstr(value as string);
    else if (type === "octet") w.octet(value as number);
    else if (type === "timestamp") w.longlong(value as number);
    else writeTable(w, value as FieldTable);
  }
  return w.bytes.slice(0, w.pos);
}

export const EMPTY_PROPERTIES = new Uint8Array([0, 0]);

/**
 * The raw properties with one more header, a long (`l`, 64-bit) named
 * `name`, spliced into the bytes: no decode and re-encode of the rest.
 * Stream deliveries carry their offset this way. `name` is ASCII, `value` a non-negative integer.
 */
export function withLongHeader(raw: Uint8Array, name: string, value: number): Uint8Array {
  const flags = (raw[0] << 8) | raw[1];
  // The headers table follows content-type and content-encoding, when present.
  let p = 2;
  if (flags & (1 << 15)) p += 1 + raw[p];
  if (flags & (1 << 14)) p += 1 + raw[p];
  const fieldBytes = 1 + name.length + 1 + 8;
  const hasHeaders = (flags & FLAG_HEADERS) !== 0;
  const out = new Uint8Array(raw.length + fieldBytes + (hasHeaders ? 0 : 4));
  // Bytes copied one by one (properties are short): no DataView or subarray per delivery.
  // Where the (new) table's entries end in `out`, and where the properties after the table start in `raw`.
  let tableEnd: number;
  let rest: number;
  if (hasHeaders) {
    const tableLength = ((raw[p] << 24) >>> 0) + (raw[p + 1] << 16) + (raw[p + 2] << 8) + raw[p + 3];
    tableEnd = rest = p + 4 + tableLength;
    for (let i = 0; i < tableEnd; i++) out[i] = raw[i];
    putUint32(out, p, tableLength + fieldBytes);
  } else {
    for (let i = 0; i < p; i++) out[i] = raw[i];
    out[0] = (flags | FLAG_HEADERS) >> 8;
    putUint32(out, p, fieldBytes);
    tableEnd = p + 4;
    rest = p;
  }
  let w = tableEnd;
  out[w++] = name.length;
  for (let i = 0; i < name.length; i++) out[w++] = name.charCodeAt(i);
  out[w++] = 0x6c; // 'l'
  putUint32(out, w, Math.floor(value / 0x1_0000_0000));
  putUint32(out, w + 4, value >>> 0);
  w += 8;
  for (let i = rest; i < raw.length; i++) out[w++] = raw[i];
  return out;
}

function putUint32(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24;
  out[at + 1] = v >>> 16;
  out[at + 2] = v >>> 8;
  out[at + 3] = v;
}
