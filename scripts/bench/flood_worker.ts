// A hostile publisher, run as a Web Worker so that it pushes from its own
// thread: one connection pipelining basic.publish frames as fast as the
// socket takes them, no confirms, never reading what the broker says. Used
// by the fairness measurement (fairness.ts) to see whether the broker still
// serves everyone else.
import { encodeProperties } from "../../src/amqp/properties.ts";
import { writeContent } from "../../src/amqp/frames.ts";
import { methodSpec, writeMethodFrame } from "../../src/amqp/method_codec.ts";
import { BASIC_CLASS_ID } from "../../src/amqp/spec.ts";
import { WireWriter } from "../../src/amqp/wire.ts";
import type { FieldTable } from "../../src/amqp/field_table.ts";
import { MAX_HEADER_FIELDS } from "../../src/server/limits.ts";
import { AmqpConnection } from "./amqp_client.ts";

/**
 * "small": 16 B bodies with no properties, the most frames per byte.
 * "headers": each message carries a headers table of MAX_HEADER_FIELDS
 * entries (about 23 KB), the most Warren accepts: the most table work per
 * message.
 */
export type FloodKind = "small" | "headers";

export type FloodCommand =
  | {
    type: "connect";
    url: string;
    kind: FloodKind;
    exchange: string;
    routingKey: string;
    heartbeatS: number;
  }
  | { type: "start" }
  | { type: "stop" };

export type FloodReport =
  | { type: "ready" }
  | { type: "stopped"; sentMessages: number; closedByBroker: string | null }
  | { type: "error"; message: string };

/** Bytes of publish frames written per socket write. */
const BATCH_TARGET_BYTES = 256 * 1024;
function manyHeaders(fields: number): FieldTable {
  const headers: FieldTable = {};
  for (let i = 0; i < fields; i++) headers[i.toString(36)] = true;
  return headers;
}

/** Many publish frames back to back, and how many messages they hold. */
function publishBatch(kind: FloodKind, exchange: string, routingKey: string, frameMaxBytes: number) {
  const properties = encodeProperties(kind === "headers" ? { headers: manyHeaders(MAX_HEADER_FIELDS) } : {});
  const body = new Uint8Array(16);
  const one = new WireWriter(1024);
  writeMethodFrame(one, 1, methodSpec("basic.publish"), { exchange, routingKey, mandatory: false });
  writeContent(one, 1, BASIC_CLASS_ID, properties, body, frameMaxBytes);
  const frame = one.bytes.slice(0, one.pos);
  const messages = Math.max(1, Math.floor(BATCH_TARGET_BYTES / frame.length));
  const batch = new Uint8Array(frame.length * messages);
  for (let i = 0; i < messages; i++) batch.set(frame, i * frame.length);
  return { batch, messages };
}

// deno-lint-ignore no-explicit-any
const scope = self as any;
const post = (msg: FloodReport) => scope.postMessage(msg);

let connection: AmqpConnection | null = null;
let batch = new Uint8Array(0);
let perBatch = 0;
let running = false;
/** Why the broker ended the flood's connection before it was told to stop (null: it did not). */
let closedByBroker: string | null = null;

async function flood(): Promise<void> {
  const c = connection!;
  let sent = 0;
  while (running && !c.closed) {
    c.out.raw(batch);
    c.flush();
    await c.whenDrained();
    sent += perBatch;
  }
  if (running) closedByBroker = c.closeError?.message ?? "closed";
  post({ type: "stopped", sentMessages: sent, closedByBroker });
}

scope.onmessage = async (e: MessageEvent<FloodCommand>) => {
  const cmd = e.data;
  try {
    if (cmd.type === "connect") {
      connection = await AmqpConnection.open(cmd.url, { name: "flood", heartbeatS: cmd.heartbeatS });
      await connection.openChannel(1);
      ({ batch, messages: perBatch } = publishBatch(
        cmd.kind,
        cmd.exchange,
        cmd.routingKey,
        connection.frameMaxBytes,
      ));
      post({ type: "ready" });
    } else if (cmd.type === "start") {
      running = true;
      void flood();
    } else {
      // The broker may have stopped reading: cut the socket rather than wait for the batch to drain.
      running = false;
      connection?.abort();
    }
  } catch (err) {
    post({ type: "error", message: (err as Error).message });
  }
};
