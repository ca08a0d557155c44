// A stream chunk's bytes: the records one commit appended to one segment
// of one stream, stored as one blob so a commit is one INSERT and a replay
// one row per chunk. Offsets are consecutive within a chunk, so only the
// first is stored (in the row); records are read back as views into the
// blob, copying nothing.
//
// Each record: a RECORD_HEADER-byte header (timestamp f64, property bytes
// u32, body bytes u32, filter value bytes i32 with -1 for none, exchange
// bytes u16, routing key bytes u16: AMQP caps both at 255, but the store
// does not rely on it), then the exchange, routing key and filter value as
// UTF-8, the raw properties and the body.
import type { StreamRecord, StreamRecordIn } from "./store.ts";

const RECORD_HEADER = 24;
const NO_BYTES: Uint8Array = new Uint8Array(0);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a string once for a run of records that mostly repeat it (exchange, routing key). */
class Utf8Cache {
  #text: string | null = null;
  #bytes: Uint8Array = NO_BYTES;

  bytes(text: string): Uint8Array {
    if (text !== this.#text) {
      this.#text = text;
      this.#bytes = encoder.encode(text);
    }
    return this.#bytes;
  }
}

/** Encodes records[from…to) (consecutive offsets) as one chunk. */
export function encodeChunk(records: readonly StreamRecordIn[], from: number, to: number): Uint8Array {
  const exchanges = new Utf8Cache();
  const keys = new Utf8Cache();
  const filters: (Uint8Array | null)[] = new Array(to - from);
  let size = 0;
  for (let i = from; i < to; i++) {
    const r = records[i];
    const f = r.filterValue === null ? null : encoder.encode(r.filterValue);
    filters[i - from] = f;
    size += RECORD_HEADER + exchanges.bytes(r.exchange).length + keys.bytes(r.routingKey).length +
      (f === null ? 0 : f.length) + r.rawProperties.length + r.body.length;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let p = 0;
  for (let i = from; i < to; i++) {
    const r = records[i];
    const ex = exchanges.bytes(r.exchange);
    const rk = keys.bytes(r.routingKey);
    const f = filters[i - from];
    view.setFloat64(p, r.timestamp);
    view.setUint32(p + 8, r.rawProperties.length);
    view.setUint32(p + 12, r.body.length);
    view.setInt32(p + 16, f === null ? -1 : f.length);
    view.setUint16(p + 20, ex.length);
    view.setUint16(p + 22, rk.length);
    p += RECORD_HEADER;
    out.set(ex, p);
    p += ex.length;
    out.set(rk, p);
    p += rk.length;
    if (f !== null) {
      out.set(f, p);
      p += f.length;
    }
    out.set(r.rawProperties, p);
    p += r.rawProperties.length;
    out.set(r.body, p);
    p += r.body.length;
  }
  return out;
}

/**
 * Appends the chunk's records from `fromOffset` on to `out`. Strings equal
 * to the previous record's (byte for byte) are decoded once.
 */
export function decodeChunk(
  chunk: Uint8Array,
  firstOffset: number,
  fromOffset: number,
  out: StreamRecord[],
): void {
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let p = 0;
  let exchange = "";
  let exBytes = NO_BYTES;
  let routingKey = "";
  let rkBytes = NO_BYTES;
  for (let offset = firstOffset; p < chunk.length; offset++) {
    const propsLen = view.getUint32(p + 8);
    const bodyLen = view.getUint32(p + 12);
    const filterLen = view.getInt32(p + 16);
    const exLen = view.getUint16(p + 20);
    const rkLen = view.getUint16(p + 22);
    const start = p;
    p += RECORD_HEADER + exLen + rkLen + (filterLen < 0 ? 0 : filterLen) + propsLen + bodyLen;
    if (offset < fromOffset) continue;
    let q = start + RECORD_HEADER;
    const ex = chunk.subarray(q, q += exLen);
    if (!sameBytes(ex, exBytes)) {
      exBytes = ex;
      exchange = decoder.decode(ex);
    }
    const rk = chunk.subarray(q, q += rkLen);
    if (!sameBytes(rk, rkBytes)) {
      rkBytes = rk;
      routingKey = decoder.decode(rk);
    }
    let filterValue: string | null = null;
    if (filterLen >= 0) filterValue = decoder.decode(chunk.subarray(q, q += filterLen));
    out.push({
      offset,
      timestamp: view.getFloat64(start),
      filterValue,
      exchange,
      routingKey,
      rawProperties: chunk.subarray(q, q += propsLen),
      body: chunk.subarray(q, q + bodyLen),
    });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
