// Frame-level reading and writing: splitting a byte stream into frames and
// appending content (header + body frames) and heartbeats to a writer.
import { ConnectionError, REPLY_FRAME_ERROR } from "./errors.ts";
import {
  FRAME_BODY,
  FRAME_END,
  FRAME_HEADER,
  FRAME_HEADER_BYTES,
  FRAME_HEARTBEAT,
  FRAME_OVERHEAD_BYTES,
} from "./spec.ts";
import type { WireWriter } from "./wire.ts";

/** Receives frames; `bytes[start, end)` is valid only during the call. */
export interface FrameSink {
  onFrame(type: number, channel: number, bytes: Uint8Array, start: number, end: number): void;
}

/**
 * Splits bytes into frames. Returns how many bytes of `bytes[0, length)`
 * were consumed; the caller keeps the rest for the next read. After each
 * frame, stops early when `shouldStop(frameBytes)` says so (the connection
 * closed mid-buffer, or has had its share of this turn).
 */
export function parseFrames(
  bytes: Uint8Array,
  length: number,
  frameMaxBytes: number,
  sink: FrameSink,
  shouldStop: (frameBytes: number) => boolean,
): number {
  let p = 0;
  while (length - p >= FRAME_HEADER_BYTES) {
    const type = bytes[p];
    const channel = (bytes[p + 1] << 8) | bytes[p + 2];
    const size = ((bytes[p + 3] << 24) >>> 0) + (bytes[p + 4] << 16) + (bytes[p + 5] << 8) +
      bytes[p + 6];
    if (size + FRAME_OVERHEAD_BYTES > frameMaxBytes) {
      throw new ConnectionError(
        REPLY_FRAME_ERROR,
        `frame size ${size + FRAME_OVERHEAD_BYTES} exceeds frame_max ${frameMaxBytes}`,
      );
    }
    const frameEnd = p + FRAME_HEADER_BYTES + size;
    if (frameEnd + 1 > length) break;
    if (bytes[frameEnd] !== FRAME_END) {
      throw new ConnectionError(REPLY_FRAME_ERROR, `frame end octet is ${bytes[frameEnd]}, expected 206`);
    }
    sink.onFrame(type, channel, bytes, p + FRAME_HEADER_BYTES, frameEnd);
    const frameBytes = frameEnd + 1 - p;
    p = frameEnd + 1;
    if (shouldStop(frameBytes)) break;
  }
  return p;
}

/** Appends a content header frame and the body frames, split at frame_max. */
export function writeContent(
  w: WireWriter,
  channel: number,
  classId: number,
  rawProperties: Uint8Array,
  body: Uint8Array,
  frameMaxBytes: number,
): void {
  const headerSize = 12 + rawProperties.length;
  w.ensure(FRAME_OVERHEAD_BYTES + headerSize + body.length + FRAME_OVERHEAD_BYTES);
  w.octet(FRAME_HEADER);
  w.short(channel);
  w.long(headerSize);
  w.short(classId);
  w.short(0);
  w.longlong(body.length);
  w.raw(rawProperties);
  w.octet(FRAME_END);
  const maxChunk = frameMaxBytes - FRAME_OVERHEAD_BYTES;
  for (let off = 0; off < body.length; off += maxChunk) {
    const chunk = Math.min(maxChunk, body.length - off);
    w.ensure(chunk + FRAME_OVERHEAD_BYTES);
    w.octet(FRAME_BODY);
    w.short(channel);
    w.long(chunk);
    w.bytes.set(body.subarray(off, off + chunk), w.pos);
    w.pos += chunk;
    w.octet(FRAME_END);
  }
}

export function writeHeartbeat(w: WireWriter): void {
  w.octet(FRAME_HEARTBEAT);
  w.short(0);
  w.long(0);
  w.octet(FRAME_END);
}
