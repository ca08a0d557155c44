// Primitive readers and writers for AMQP's wire types. A WireReader is
// re-pointed at each frame payload instead of being allocated per frame;
// a WireWriter appends to one growable buffer that a connection flushes.
import { REPLY_FRAME_ERROR, REPLY_SYNTAX_ERROR } from "./errors.ts";
import { ConnectionError } from "./errors.ts";

const utf8Decoder = new TextDecoder("utf-8", { fatal: false });
const utf8Encoder = new TextEncoder();

/** Decodes bytes as UTF-8, with a fast path for short ASCII strings. */
function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  const len = end - start;
  if (len < 64) {
    let s = "";
    for (let i = start; i < end; i++) {
      const c = bytes[i];
      if (c > 0x7f) return utf8Decoder.decode(bytes.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8Decoder.decode(bytes.subarray(start, end));
}

/** Short strings up to this many bytes are remembered, in slots chosen by length. */
const SHORTSTR_CACHE_MAX_BYTES = 64;
const SHORTSTR_CACHE_SLOTS = 4;

export class WireReader {
  bytes: Uint8Array = new Uint8Array(0);
  view: DataView = new DataView(this.bytes.buffer);
  pos = 0;
  end = 0;
  // A client repeats its exchange names and routing keys publish after publish: comparing the
  // bytes with the last string of that length is cheaper than building the string again, and the
  // string handed out is the same flat one, whose hash the exchange and queue maps already know.
  #cachedBytes = new Uint8Array(SHORTSTR_CACHE_SLOTS * SHORTSTR_CACHE_MAX_BYTES);
  #cachedLength = new Int16Array(SHORTSTR_CACHE_SLOTS).fill(-1);
  #cachedString: string[] = new Array(SHORTSTR_CACHE_SLOTS).fill("");

  /** Points the reader at bytes[start, end). */
  reset(bytes: Uint8Array, start: number, end: number): this {
    if (this.bytes !== bytes) {
      this.bytes = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    this.pos = start;
    this.end = end;
    return this;
  }

  need(n: number): void {
    if (this.pos + n > this.end) {
      throw new ConnectionError(REPLY_FRAME_ERROR, "frame payload truncated");
    }
  }

  octet(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  short(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  long(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** Unsigned 64-bit as a number: delivery tags and sizes stay far below 2^53. */
  longlong(): number {
    this.need(8);
    const hi = this.view.getUint32(this.pos);
    const lo = this.view.getUint32(this.pos + 4);
    this.pos += 8;
    return hi * 0x1_0000_0000 + lo;
  }

  shortstr(): string {
    const len = this.octet();
    this.need(len);
    const bytes = this.bytes;
    const start = this.pos;
    this.pos += len;
    if (len === 0) return "";
    if (len > SHORTSTR_CACHE_MAX_BYTES) return decodeUtf8(bytes, start, start + len);
    const slot = len % SHORTSTR_CACHE_SLOTS;
    const cached = this.#cachedBytes;
    const base = slot * SHORTSTR_CACHE_MAX_BYTES;
    if (this.#cachedLength[slot] === len) {
      let i = 0;
      while (i < len && bytes[start + i] === cached[base + i]) i++;
      if (i === len) return this.#cachedString[slot];
    }
    const s = decodeUtf8(bytes, start, start + len);
    for (let i = 0; i < len; i++) cached[base + i] = bytes[start + i];
    this.#cachedLength[slot] = len;
    this.#cachedString[slot] = s;
    return s;
  }

  longstrBytes(): Uint8Array {
    const len = this.long();
    this.need(len);
    const b = this.bytes.slice(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }

  longstr(): string {
    const len = this.long();
    this.need(len);
    const s = decodeUtf8(this.bytes, this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  syntaxError(text: string): never {
    throw new ConnectionError(REPLY_SYNTAX_ERROR, text);
  }
}

const INITIAL_WRITER_BYTES = 64 * 1024;
/** A buffer grown past this by one huge message is dropped, not kept. */
const MAX_SPARE_BYTES = 4 * 1024 * 1024;

export class WireWriter {
  bytes: Uint8Array;
  view: DataView;
  pos = 0;

  constructor(initialBytes = INITIAL_WRITER_BYTES) {
    this.bytes = new Uint8Array(initialBytes);
    this.view = new DataView(this.bytes.buffer);
  }

  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.pos));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  octet(v: number): void {
    this.ensure(1);
    this.bytes[this.pos++] = v;
  }

  short(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }

  long(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }

  longlong(v: number): void {
    this.ensure(8);
    this.view.setUint32(this.pos, Math.floor(v / 0x1_0000_0000));
    this.view.setUint32(this.pos + 4, v >>> 0);
    this.pos += 8;
  }

  /** Writes a length-prefixed short string; over 255 bytes is a caller bug. */
  shortstr(s: string): void {
    const n = s.length;
    this.ensure(1 + n * 3);
    const start = this.pos + 1;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      this.bytes[start + i] = c;
    }
    let len = i;
    if (i < n) {
      len = utf8Encoder.encodeInto(s, this.bytes.subarray(start)).written;
    }
    if (len > 255) throw new RangeError(`shortstr longer than 255 bytes: ${len}`);
    this.bytes[this.pos] = len;
    this.pos = start + len;
  }

  longstr(s: string | Uint8Array): void {
    const b = typeof s === "string" ? utf8Encoder.encode(s) : s;
    this.long(b.length);
    this.raw(b);
  }

  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.bytes.set(b, this.pos);
    this.pos += b.length;
  }

  /**
   * Hands out the written bytes and continues on the spare buffer (or a new
   * one). The caller gives the bytes back with recycle() once the socket has
   * taken them, so a steady stream of flushes allocates nothing.
   */
  take(): Uint8Array {
    const out = this.bytes.subarray(0, this.pos);
    const spare = this.#spare;
    this.#spare = null;
    // A burst that grew the buffer past the spare's bound is not kept for good.
    this.bytes = spare ?? new Uint8Array(Math.min(this.bytes.length, MAX_SPARE_BYTES));
    this.view = new DataView(this.bytes.buffer);
    this.pos = 0;
    return out;
  }

  recycle(taken: Uint8Array): void {
    if (taken.byteOffset !== 0) return;
    const whole = new Uint8Array(taken.buffer);
    if (whole.length <= MAX_SPARE_BYTES) this.#spare = whole;
  }

  #spare: Uint8Array | null = null;
}
