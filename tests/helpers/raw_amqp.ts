// A bare AMQP 0-9-1 client over a raw TCP socket, for tests that must send
// bytes no real client library would (bad headers, broken frames, protocol
// misuse) and read the broker's exact reply. Frames are built and decoded
// with Warren's own codec (src/amqp), which tests/unit checks against byte
// fixtures from the spec. Every read is bounded by a timeout.
import { writeContent } from "../../src/amqp/frames.ts";
import { type FieldTable, writeTable } from "../../src/amqp/field_table.ts";
import { decodeMethod, methodSpec, writeMethodFrame } from "../../src/amqp/method_codec.ts";
import { type BasicProperties, encodeProperties } from "../../src/amqp/properties.ts";
import {
  BASIC_CLASS_ID,
  FRAME_END,
  FRAME_HEARTBEAT,
  FRAME_METHOD,
  FRAME_OVERHEAD_BYTES,
  PROTOCOL_HEADER,
} from "../../src/amqp/spec.ts";
import { WireReader, WireWriter } from "../../src/amqp/wire.ts";

export { PROTOCOL_HEADER };

export interface Frame {
  type: number;
  channel: number;
  payload: Uint8Array;
}

/** Arguments by field name, for tests that send and read any method, well-formed or not. */
// deno-lint-ignore no-explicit-any
export type AnyArgs = Record<string, any>;

export interface MethodFrame {
  channel: number;
  /** "connection.close" */
  name: string;
  args: AnyArgs;
}

/** How long a read waits by default before the test fails instead of hanging. */
export const READ_TIMEOUT_MS = 3_000;

// ---------------------------------------------------------------- encoding

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** One method frame, encoded from the spec table. */
export function methodFrame(channel: number, name: string, args: AnyArgs = {}): Uint8Array {
  const w = new WireWriter(256);
  writeMethodFrame(w, channel, methodSpec(name), args);
  return w.bytes.slice(0, w.pos);
}

/** A content header frame and body frames split at frameMax. */
export function contentFrames(
  channel: number,
  body: Uint8Array,
  options: { properties?: BasicProperties; frameMaxBytes?: number } = {},
): Uint8Array {
  const w = new WireWriter(256);
  writeContent(
    w,
    channel,
    BASIC_CLASS_ID,
    encodeProperties(options.properties ?? {}),
    body,
    options.frameMaxBytes ?? 131072,
  );
  return w.bytes.slice(0, w.pos);
}

/** basic.publish + content header + body. */
export function publishFrames(
  channel: number,
  exchange: string,
  routingKey: string,
  body: Uint8Array,
  options: { properties?: BasicProperties; frameMaxBytes?: number; mandatory?: boolean } = {},
): Uint8Array {
  return concatBytes(
    methodFrame(channel, "basic.publish", { exchange, routingKey, mandatory: options.mandatory ?? false }),
    contentFrames(channel, body, options),
  );
}

/** Any frame, with a chosen frame-end octet (0xCE is the valid one). */
export function rawFrame(
  type: number,
  channel: number,
  payload: Uint8Array,
  frameEnd = FRAME_END,
): Uint8Array {
  const out = new Uint8Array(FRAME_OVERHEAD_BYTES + payload.length);
  const v = new DataView(out.buffer);
  out[0] = type;
  v.setUint16(1, channel);
  v.setUint32(3, payload.length);
  out.set(payload, 7);
  out[out.length - 1] = frameEnd;
  return out;
}

export function heartbeatFrame(channel = 0): Uint8Array {
  return rawFrame(FRAME_HEARTBEAT, channel, new Uint8Array(0));
}

/** A field table's body without its 4-byte length: the AMQPLAIN response format. */
export function amqplainResponse(login: string, password: string): Uint8Array {
  const w = new WireWriter(256);
  writeTable(w, { LOGIN: login, PASSWORD: password });
  return w.bytes.slice(4, w.pos);
}

export function plainResponse(login: string, password: string): Uint8Array {
  return new TextEncoder().encode(`\u0000${login}\u0000${password}`);
}

export function decodeMethodFrame(frame: Frame): MethodFrame {
  const { spec, args } = decodeMethod(new WireReader().reset(frame.payload, 0, frame.payload.length));
  return { channel: frame.channel, name: spec.name, args };
}

export function describeFrame(frame: Frame): string {
  if (frame.type === FRAME_METHOD) {
    try {
      const m = decodeMethodFrame(frame);
      const text = m.args.replyText !== undefined ? ` ${m.args.replyCode} "${m.args.replyText}"` : "";
      return `${m.name} on channel ${m.channel}${text}`;
    } catch {
      return `undecodable method frame on channel ${frame.channel}`;
    }
  }
  return `frame type ${frame.type} on channel ${frame.channel} (${frame.payload.length} bytes)`;
}

// ---------------------------------------------------------------- client

export interface HandshakeOptions {
  vhost?: string;
  user?: string;
  password?: string;
  /** tune-ok values; default: the server's proposal, and heartbeat 0 */
  channelMax?: number;
  frameMaxBytes?: number;
  heartbeatS?: number;
}

export interface HandshakeResult {
  start: AnyArgs;
  tune: AnyArgs;
}

export class RawAmqpClient {
  /** True once the broker closed the socket (or it failed). */
  closedByPeer = false;
  #buf = new Uint8Array(0);
  #chunk = new Uint8Array(64 * 1024);
  #pending: Promise<number | null> | null = null;
  #closed = false;

  private constructor(readonly conn: Deno.TcpConn) {}

  static async connect(port: number, hostname = "127.0.0.1"): Promise<RawAmqpClient> {
    return new RawAmqpClient(await Deno.connect({ port, hostname }));
  }

  /** Writes everything; false when the broker has already closed the socket. */
  async send(bytes: Uint8Array): Promise<boolean> {
    try {
      let off = 0;
      while (off < bytes.length) off += await this.conn.write(bytes.subarray(off));
      return true;
    } catch {
      return false;
    }
  }

  sendMethod(channel: number, name: string, args: AnyArgs = {}): Promise<boolean> {
    return this.send(methodFrame(channel, name, args));
  }

  /** Reads at least one more chunk into the buffer; false on end of stream. */
  async #fill(deadline: number, what: string): Promise<boolean> {
    if (this.closedByPeer) return false;
    this.#pending ??= this.conn.read(this.#chunk).catch(() => null);
    const ms = Math.max(0, deadline - Date.now());
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), ms);
    });
    const n = await Promise.race([this.#pending, timeout]).finally(() => clearTimeout(timer));
    if (n === "timeout") throw new Error(`timed out waiting for ${what}`);
    this.#pending = null;
    if (n === null) {
      this.closedByPeer = true;
      return false;
    }
    const next = new Uint8Array(this.#buf.length + n);
    next.set(this.#buf);
    next.set(this.#chunk.subarray(0, n), this.#buf.length);
    this.#buf = next;
    return true;
  }

  /** Raw bytes, for the protocol-header exchange: exactly n, or fewer if the socket closed. */
  async readBytes(n: number, timeoutMs = READ_TIMEOUT_MS): Promise<Uint8Array> {
    const deadline = Date.now() + timeoutMs;
    while (this.#buf.length < n) {
      if (!(await this.#fill(deadline, `${n} bytes`))) break;
    }
    const out = this.#buf.slice(0, Math.min(n, this.#buf.length));
    this.#buf = this.#buf.slice(out.length);
    return out;
  }

  /** The next frame, or null when the broker closed the socket first. */
  async readFrame(timeoutMs = READ_TIMEOUT_MS): Promise<Frame | null> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const b = this.#buf;
      if (b.length >= 7) {
        const size = new DataView(b.buffer, b.byteOffset).getUint32(3);
        if (b.length >= 8 + size) {
          if (b[7 + size] !== FRAME_END) throw new Error(`broker sent a frame ending in ${b[7 + size]}`);
          const frame = { type: b[0], channel: (b[1] << 8) | b[2], payload: b.slice(7, 7 + size) };
          this.#buf = b.slice(8 + size);
          return frame;
        }
      }
      if (!(await this.#fill(deadline, "a frame"))) return null;
    }
  }

  /** The next method frame, skipping heartbeats; throws on anything else. */
  async readMethod(timeoutMs = READ_TIMEOUT_MS): Promise<MethodFrame> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const frame = await this.readFrame(Math.max(0, deadline - Date.now()));
      if (frame === null) throw new Error("broker closed the socket while a method was expected");
      if (frame.type === FRAME_HEARTBEAT) continue;
      if (frame.type !== FRAME_METHOD) {
        throw new Error(`expected a method frame, got ${describeFrame(frame)}`);
      }
      return decodeMethodFrame(frame);
    }
  }

  /** Reads the next method and checks its name and channel; returns its arguments. */
  async expectMethod(name: string, channel = 0, timeoutMs = READ_TIMEOUT_MS): Promise<AnyArgs> {
    const m = await this.readMethod(timeoutMs);
    if (m.name !== name || m.channel !== channel) {
      const text = m.args.replyText !== undefined ? ` ${m.args.replyCode} "${m.args.replyText}"` : "";
      throw new Error(`expected ${name} on channel ${channel}, got ${m.name} on channel ${m.channel}${text}`);
    }
    return m.args;
  }

  /** Reads (and discards) frames until the broker closes the socket; throws on timeout. */
  async expectSocketClosed(timeoutMs = READ_TIMEOUT_MS): Promise<Frame[]> {
    const deadline = Date.now() + timeoutMs;
    const frames: Frame[] = [];
    while (true) {
      const frame = await this.readFrame(Math.max(0, deadline - Date.now())).catch((e) => {
        throw new Error(`socket still open: ${(e as Error).message}`);
      });
      if (frame === null) return frames;
      frames.push(frame);
    }
  }

  /** Protocol header, start-ok, tune-ok, open: an open connection on vhost "/" by default. */
  async handshake(options: HandshakeOptions = {}): Promise<HandshakeResult> {
    await this.send(PROTOCOL_HEADER);
    const start = await this.expectMethod("connection.start");
    await this.sendStartOk(plainResponse(options.user ?? "guest", options.password ?? "guest"));
    const tune = await this.expectMethod("connection.tune");
    await this.sendMethod(0, "connection.tune-ok", {
      channelMax: options.channelMax ?? tune.channelMax,
      frameMax: options.frameMaxBytes ?? tune.frameMax,
      heartbeat: options.heartbeatS ?? 0,
    });
    await this.sendMethod(0, "connection.open", { virtualHost: options.vhost ?? "/" });
    await this.expectMethod("connection.open-ok");
    return { start, tune };
  }

  sendStartOk(response: Uint8Array, mechanism = "PLAIN"): Promise<boolean> {
    const clientProperties: FieldTable = {
      product: "warren raw test client",
      capabilities: { authentication_failure_close: true, consumer_cancel_notify: true },
    };
    return this.sendMethod(0, "connection.start-ok", {
      clientProperties,
      mechanism,
      response,
      locale: "en_US",
    });
  }

  async openChannel(channel: number): Promise<void> {
    await this.sendMethod(channel, "channel.open");
    await this.expectMethod("channel.open-ok", channel);
  }

  /** Closes the socket and waits for the pending read to settle; safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch { /* already closed */ }
    if (this.#pending) await this.#pending;
    this.#pending = null;
  }
}
