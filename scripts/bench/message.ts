// The benchmark's message: every body starts with a stamp, the sequence
// number and the send time, so the consumer can count loss and duplicates
// and measure end-to-end latency. A publish (method + header + body frames)
// is encoded once with Warren's codec into a template; each message is a
// copy of the template with the stamp patched in.
import { methodSpec, writeMethodFrame } from "../../src/amqp/method_codec.ts";
import { writeContent } from "../../src/amqp/frames.ts";
import { encodeProperties } from "../../src/amqp/properties.ts";
import { WireWriter } from "../../src/amqp/wire.ts";
import { BASIC_CLASS_ID } from "../../src/amqp/spec.ts";

/** seq (float64) + send time in epoch ms (float64), little-endian. */
const STAMP_BYTES = 16;
const SEQ_OFFSET = 0;
const SENT_AT_OFFSET = 8;

/** Epoch milliseconds with sub-millisecond resolution, comparable across processes. */
export function clockMs(): number {
  return performance.timeOrigin + performance.now();
}

export function readStampSeq(view: DataView, bodyStart: number, frameBytes: number): number {
  return frameBytes >= STAMP_BYTES ? view.getFloat64(bodyStart + SEQ_OFFSET, true) : -1;
}

export function readStampSentAt(view: DataView, bodyStart: number, frameBytes: number): number {
  return frameBytes >= STAMP_BYTES ? view.getFloat64(bodyStart + SENT_AT_OFFSET, true) : NaN;
}

export function writeStamp(view: DataView, bodyStart: number, seq: number, sentAtMs: number): void {
  view.setFloat64(bodyStart + SEQ_OFFSET, seq, true);
  view.setFloat64(bodyStart + SENT_AT_OFFSET, sentAtMs, true);
}

/** A pre-encoded publish: the bytes, and where the body (its stamp) starts. */
export interface PublishTemplate {
  bytes: Uint8Array;
  bodyOffset: number;
}

export function buildPublishTemplate(options: {
  channel: number;
  exchange: string;
  routingKey: string;
  bodyBytes: number;
  persistent: boolean;
  frameMaxBytes: number;
}): PublishTemplate {
  if (options.bodyBytes < STAMP_BYTES) {
    throw new Error(`message body must be at least ${STAMP_BYTES} bytes for the stamp`);
  }
  const w = new WireWriter(1024 + options.bodyBytes);
  writeMethodFrame(w, options.channel, methodSpec("basic.publish"), {
    exchange: options.exchange,
    routingKey: options.routingKey,
  });
  const props = encodeProperties(options.persistent ? { deliveryMode: 2 } : {});
  const headerStart = w.pos;
  writeContent(
    w,
    options.channel,
    BASIC_CLASS_ID,
    props,
    new Uint8Array(options.bodyBytes),
    options.frameMaxBytes,
  );
  // header frame: 7-byte frame header + 12 + props + frame end; then the body frame's 7-byte header
  const bodyOffset = headerStart + 7 + 12 + props.length + 1 + 7;
  return { bytes: w.bytes.slice(0, w.pos), bodyOffset };
}
