// An AMQP 0-9-1 client that records everything the broker sends, for tests
// that compare brokers answer by answer (tests/differential). Built on
// Warren's own codec, like raw_amqp.ts, but with a background reader: every
// method the broker sends — replies, deliveries with their content, returns,
// confirms, cancels, closes — lands in `log` in arrival order, and callers
// wait for the ones they expect. It answers channel.close and
// connection.close with their close-ok, as any client must, and does
// nothing else on its own (no acks, no reconnects).
import { type FrameSink, parseFrames } from "../../src/amqp/frames.ts";
import { decodeMethod } from "../../src/amqp/method_codec.ts";
import { type BasicProperties, decodeProperties } from "../../src/amqp/properties.ts";
import { FRAME_BODY, FRAME_HEADER, FRAME_METHOD } from "../../src/amqp/spec.ts";
import { WireReader } from "../../src/amqp/wire.ts";
import { type AnyArgs, contentFrames, methodFrame, plainResponse, PROTOCOL_HEADER } from "./raw_amqp.ts";

/** One method from the broker, with its content when it carries one. */
export interface Inbound {
  channel: number;
  name: string;
  args: AnyArgs;
  properties?: BasicProperties;
  body?: Uint8Array;
  /** Taken by a waiter as the reply it expected. */
  taken: boolean;
}

const CONTENT_METHODS = new Set(["basic.deliver", "basic.get-ok", "basic.return"]);
const FRAME_MAX_BYTES = 131072;

interface Waiter {
  match: (m: Inbound) => boolean;
  take: boolean;
  resolve: (m: Inbound | null) => void;
}

export class RecordingConnection implements FrameSink {
  readonly log: Inbound[] = [];
  /** Called for every method as it arrives, before waiters see it. */
  onInbound: ((m: Inbound) => void) | null = null;
  /** The socket is gone (closed by either side). */
  socketClosed = false;
  /** The broker sent connection.close, or we did and it answered. */
  closing = false;
  #conn: Deno.TcpConn;
  #reader = new WireReader();
  #waiters: Waiter[] = [];
  #pending: Inbound | null = null;
  #bodyLeft = 0;
  #bodyParts: Uint8Array[] = [];
  #readLoop: Promise<void>;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    this.#readLoop = this.#read();
  }

  /** Connects and completes the handshake (guest on vhost "/" unless the URL says otherwise). */
  static async open(url: string, timeoutMs: number): Promise<RecordingConnection> {
    const u = new URL(url);
    const conn = await Deno.connect({ hostname: u.hostname, port: Number(u.port || 5672) });
    conn.setNoDelay(true);
    const c = new RecordingConnection(conn);
    try {
      await c.send(PROTOCOL_HEADER);
      await c.expect(0, ["connection.start"], timeoutMs);
      const response = plainResponse(
        decodeURIComponent(u.username || "guest"),
        decodeURIComponent(u.password || "guest"),
      );
      await c.sendMethod(0, "connection.start-ok", {
        clientProperties: {
          product: "warren differential client",
          capabilities: {
            publisher_confirms: true,
            "basic.nack": true,
            consumer_cancel_notify: true,
            exchange_exchange_bindings: true,
            per_consumer_qos: true,
          },
        },
        mechanism: "PLAIN",
        response,
        locale: "en_US",
      });
      const tune = await c.expect(0, ["connection.tune"], timeoutMs);
      await c.sendMethod(0, "connection.tune-ok", {
        channelMax: tune.args.channelMax,
        frameMax: FRAME_MAX_BYTES,
        heartbeat: 0,
      });
      const vhost = u.pathname.length > 1 ? decodeURIComponent(u.pathname.slice(1)) : "/";
      await c.sendMethod(0, "connection.open", { virtualHost: vhost });
      await c.expect(0, ["connection.open-ok"], timeoutMs);
    } catch (e) {
      await c.abort();
      throw e;
    }
    return c;
  }

  /** Waits for the next untaken method on channel named one of names (or a close); throws on timeout. */
  async expect(channel: number, names: string[], timeoutMs: number): Promise<Inbound> {
    const m = await this.waitFor(
      (m) => (m.channel === channel && names.includes(m.name)) || m.name === "connection.close",
      timeoutMs,
    );
    if (m === null) throw new Error(`socket closed while waiting for ${names.join("/")}`);
    if (!names.includes(m.name)) {
      throw new Error(`expected ${names.join("/")}, got ${m.name} ${m.args.replyCode} ${m.args.replyText}`);
    }
    return m;
  }

  /**
   * The first untaken method from log index `since` on matching `match`, marked taken
   * unless take is false; null when the socket closes first. Throws after timeoutMs.
   */
  waitFor(
    match: (m: Inbound) => boolean,
    timeoutMs: number,
    options: { take?: boolean; since?: number; what?: string } = {},
  ): Promise<Inbound | null> {
    const take = options.take ?? true;
    for (let i = options.since ?? 0; i < this.log.length; i++) {
      const m = this.log[i];
      if (!m.taken && match(m)) {
        if (take) m.taken = true;
        return Promise.resolve(m);
      }
    }
    return this.#wait(match, take, timeoutMs, options.what ?? "a reply");
  }

  /**
   * Resolves true once cond() holds, re-checked after every method that arrives;
   * false when the socket closes first. Throws after timeoutMs.
   */
  async waitUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
    if (cond()) return true;
    return await this.#wait(() => cond(), false, timeoutMs, "a condition") !== null;
  }

  #wait(
    match: (m: Inbound) => boolean,
    take: boolean,
    timeoutMs: number,
    what: string,
  ): Promise<Inbound | null> {
    if (this.socketClosed) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter: Waiter = {
        match,
        take,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /** Writes bytes; false when the socket is already gone. */
  async send(bytes: Uint8Array): Promise<boolean> {
    if (this.socketClosed) return false;
    try {
      let off = 0;
      while (off < bytes.length) off += await this.#conn.write(bytes.subarray(off));
      return true;
    } catch {
      return false;
    }
  }

  sendMethod(channel: number, name: string, args: AnyArgs = {}): Promise<boolean> {
    return this.send(methodFrame(channel, name, args));
  }

  /** basic.publish with its content, in one write. */
  publish(
    channel: number,
    args: AnyArgs,
    body: Uint8Array,
    properties: BasicProperties,
  ): Promise<boolean> {
    const method = methodFrame(channel, "basic.publish", args);
    const content = contentFrames(channel, body, { properties, frameMaxBytes: FRAME_MAX_BYTES });
    const out = new Uint8Array(method.length + content.length);
    out.set(method);
    out.set(content, method.length);
    return this.send(out);
  }

  /** Closes the socket without the close handshake and waits for the reader to stop. */
  async abort(): Promise<void> {
    this.#closeSocket();
    await this.#readLoop;
  }

  #closeSocket(): void {
    if (this.socketClosed) return;
    this.socketClosed = true;
    try {
      this.#conn.close();
    } catch { /* closed */ }
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.resolve(null);
  }

  async #read(): Promise<void> {
    let buf = new Uint8Array(64 * 1024);
    let len = 0;
    try {
      while (!this.socketClosed) {
        if (len === buf.length) {
          const next = new Uint8Array(buf.length * 2);
          next.set(buf);
          buf = next;
        }
        const n = await this.#conn.read(buf.subarray(len));
        if (n === null) break;
        len += n;
        const used = parseFrames(buf, len, FRAME_MAX_BYTES, this, () => false);
        buf.copyWithin(0, used, len);
        len -= used;
      }
    } catch { /* reset or closed by us */ }
    this.#closeSocket();
  }

  onFrame(type: number, channel: number, bytes: Uint8Array, start: number, end: number): void {
    if (type === FRAME_METHOD) {
      const { spec, args } = decodeMethod(this.#reader.reset(bytes, start, end));
      const m: Inbound = { channel, name: spec.name, args, taken: false };
      if (CONTENT_METHODS.has(spec.name)) {
        this.#pending = m;
        return;
      }
      this.#push(m);
      if (spec.name === "channel.close") this.sendMethod(channel, "channel.close-ok");
      if (spec.name === "connection.close") {
        this.closing = true;
        this.sendMethod(0, "connection.close-ok");
      }
      return;
    }
    const m = this.#pending;
    if (m === null) return;
    if (type === FRAME_HEADER) {
      const view = new DataView(bytes.buffer, bytes.byteOffset + start, end - start);
      this.#bodyLeft = Number(view.getBigUint64(4));
      m.properties = decodeProperties(bytes.slice(start + 12, end));
      this.#bodyParts = [];
    } else if (type === FRAME_BODY) {
      this.#bodyParts.push(bytes.slice(start, end));
      this.#bodyLeft -= end - start;
    } else {
      return;
    }
    if (this.#bodyLeft <= 0) {
      const size = this.#bodyParts.reduce((n, p) => n + p.length, 0);
      m.body = new Uint8Array(size);
      let off = 0;
      for (const p of this.#bodyParts) {
        m.body.set(p, off);
        off += p.length;
      }
      this.#pending = null;
      this.#push(m);
    }
  }

  #push(m: Inbound): void {
    this.log.push(m);
    this.onInbound?.(m);
    for (let i = 0; i < this.#waiters.length; i++) {
      const w = this.#waiters[i];
      if (!m.taken && w.match(m)) {
        if (w.take) m.taken = true;
        this.#waiters.splice(i--, 1);
        w.resolve(m);
      }
    }
  }
}
