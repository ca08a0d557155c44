// A small AMQP 0-9-1 client made for load generation, built on Warren's own
// codec (src/amqp). Set-up calls (declare, bind, consume) are ordinary
// awaited RPCs; the hot path has none: publishers copy pre-encoded frames
// into one output buffer that is flushed with one socket write per turn,
// and deliveries and confirms are parsed in place from the read buffer and
// handed to plain callbacks, without a promise or an object per message.
import { decodeMethod, methodSpec, writeMethodFrame } from "../../src/amqp/method_codec.ts";
import { type FrameSink, parseFrames, writeHeartbeat } from "../../src/amqp/frames.ts";
import { WireReader, WireWriter } from "../../src/amqp/wire.ts";
import type { FieldTable } from "../../src/amqp/field_table.ts";
import {
  FRAME_BODY,
  FRAME_HEADER,
  FRAME_HEARTBEAT,
  FRAME_METHOD,
  PROTOCOL_HEADER,
} from "../../src/amqp/spec.ts";
import { clockMs, readStampSentAt, readStampSeq } from "./message.ts";

/** Until tune, frames are at most this big (connection.start carries a table). */
const HANDSHAKE_FRAME_MAX_BYTES = 1024 * 1024;
const CLIENT_FRAME_MAX_BYTES = 131072;
const READ_BUFFER_MIN_BYTES = 16 * 1024;
const READ_BUFFER_MAX_BYTES = 1024 * 1024;
const CONNECT_TIMEOUT_MS = 15_000;

const BASIC_CLASS = 60;
const BASIC_DELIVER = 60;
const BASIC_ACK = 80;
const BASIC_NACK = 120;

interface AmqpUrl {
  hostname: string;
  port: number;
  username: string;
  password: string;
  vhost: string;
}

function parseAmqpUrl(url: string): AmqpUrl {
  const u = new URL(url);
  if (u.protocol !== "amqp:") throw new Error(`only amqp:// URLs are supported: ${url}`);
  const path = decodeURIComponent(u.pathname.replace(/^\//, ""));
  return {
    hostname: u.hostname || "localhost",
    port: u.port ? Number(u.port) : 5672,
    username: u.username ? decodeURIComponent(u.username) : "guest",
    password: u.password ? decodeURIComponent(u.password) : "guest",
    vhost: u.pathname === "" || u.pathname === "/" ? "/" : path,
  };
}

/** Called once per complete delivery; seq and sentAtMs come from the body stamp. */
export type DeliveryCallback = (
  channel: number,
  deliveryTag: number,
  seq: number,
  sentAtMs: number,
) => void;
export type ConfirmCallback = (channel: number, tag: number, multiple: boolean, nack: boolean) => void;

/** Arguments by field name: this load generator trusts the broker to answer with the method it waits for. */
// deno-lint-ignore no-explicit-any
type MethodArgs = Record<string, any>;

interface Waiter {
  names: readonly string[];
  resolve: (args: MethodArgs) => void;
  reject: (e: Error) => void;
}

export class AmqpError extends Error {}

export class AmqpConnection implements FrameSink {
  readonly out: WireWriter;
  frameMaxBytes = HANDSHAKE_FRAME_MAX_BYTES;
  onDelivery: DeliveryCallback | null = null;
  onConfirm: ConfirmCallback | null = null;
  /** Runs after each socket read has been parsed: the place to batch acks. */
  onReadDone: (() => void) | null = null;
  closed = false;
  closeError: Error | null = null;
  /** The broker answered our connection.close: everything we sent before it was handled. */
  closedCleanly = false;
  /** When the latest socket read completed (clockMs): one clock reading per read, not per message. */
  lastReadMs = 0;

  #conn: Deno.TcpConn;
  #readBuf = new Uint8Array(READ_BUFFER_MIN_BYTES);
  #readView = new DataView(this.#readBuf.buffer);
  #reader = new WireReader();
  #waiters = new Map<number, Waiter[]>();
  #writing = false;
  #drainWaiters: (() => void)[] = [];
  #readLoopDone: Promise<void>;
  // delivery in progress (per connection: frames of one content never interleave on a channel,
  // and the benchmark uses one consuming channel per connection)
  #dChannel = 0;
  #dTag = 0;
  #dRemaining = -1;
  #dSeq = -1;
  #dSentAt = 0;
  #dFirst = true;
  #heartbeatTimer: ReturnType<typeof setInterval> | undefined;

  private constructor(conn: Deno.TcpConn, initialWriteBytes: number) {
    this.#conn = conn;
    this.out = new WireWriter(initialWriteBytes);
    this.#readLoopDone = this.#readLoop();
  }

  static async open(
    url: string,
    options: {
      name?: string;
      initialWriteBytes?: number;
      /** Asks for heartbeats every this many seconds and sends its own at half that interval (default 0: none). */
      heartbeatS?: number;
    } = {},
  ): Promise<AmqpConnection> {
    const u = parseAmqpUrl(url);
    const conn = await withTimeout(
      Deno.connect({ hostname: u.hostname, port: u.port, transport: "tcp" }),
      CONNECT_TIMEOUT_MS,
      `connect ${u.hostname}:${u.port}`,
    );
    conn.setNoDelay(true);
    const c = new AmqpConnection(conn, options.initialWriteBytes ?? 64 * 1024);
    try {
      await withTimeout(
        c.#handshake(u, options.name ?? "warren-bench", options.heartbeatS ?? 0),
        CONNECT_TIMEOUT_MS,
        "handshake",
      );
    } catch (e) {
      c.abort();
      throw e;
    }
    return c;
  }

  async #handshake(u: AmqpUrl, name: string, heartbeatS: number): Promise<void> {
    const started = this.#expect(0, ["connection.start"]);
    this.out.raw(PROTOCOL_HEADER);
    this.flush();
    await started;
    const clientProperties: FieldTable = {
      product: "warren-bench",
      connection_name: name,
      capabilities: {
        publisher_confirms: true,
        "basic.nack": true,
        consumer_cancel_notify: true,
        "connection.blocked": true,
      },
    };
    const response = new TextEncoder().encode(`\0${u.username}\0${u.password}`);
    const tuned = this.#expect(0, ["connection.tune"]);
    this.send(0, "connection.start-ok", { clientProperties, mechanism: "PLAIN", response, locale: "en_US" });
    const tune = await tuned;
    const frameMax = tune.frameMax === 0
      ? CLIENT_FRAME_MAX_BYTES
      : Math.min(tune.frameMax as number, CLIENT_FRAME_MAX_BYTES);
    this.send(0, "connection.tune-ok", { channelMax: tune.channelMax, frameMax, heartbeat: heartbeatS });
    this.frameMaxBytes = frameMax;
    if (heartbeatS > 0) {
      this.#heartbeatTimer = setInterval(() => {
        writeHeartbeat(this.out);
        this.flush();
      }, (heartbeatS * 1000) / 2);
    }
    await this.call(0, "connection.open", { virtualHost: u.vhost }, ["connection.open-ok"]);
  }

  /** Appends one method frame to the output buffer (flushed at the end of the turn). */
  send(channel: number, method: string, args: MethodArgs = {}): void {
    writeMethodFrame(this.out, channel, methodSpec(method), args);
    this.flush();
  }

  /** Sends a method and waits for one of the reply methods. */
  call(channel: number, method: string, args: MethodArgs, replies: readonly string[]): Promise<MethodArgs> {
    const p = this.#expect(channel, replies);
    this.send(channel, method, args);
    return p;
  }

  #expect(channel: number, names: readonly string[]): Promise<MethodArgs> {
    if (this.closed) return Promise.reject(this.closeError ?? new AmqpError("connection closed"));
    return new Promise((resolve, reject) => {
      let list = this.#waiters.get(channel);
      if (!list) this.#waiters.set(channel, list = []);
      list.push({ names, resolve, reject });
    });
  }

  // ---- set-up helpers (cold path) ----

  async openChannel(channel: number): Promise<void> {
    await this.call(channel, "channel.open", {}, ["channel.open-ok"]);
  }

  async closeChannel(channel: number): Promise<void> {
    await this.call(channel, "channel.close", { replyCode: 200, replyText: "bye" }, ["channel.close-ok"]);
  }

  async queueDeclare(
    channel: number,
    queue: string,
    opts: {
      durable?: boolean;
      passive?: boolean;
      exclusive?: boolean;
      autoDelete?: boolean;
      arguments?: FieldTable;
    } = {},
  ): Promise<{ queue: string; messageCount: number; consumerCount: number }> {
    const r = await this.call(channel, "queue.declare", { queue, ...opts }, ["queue.declare-ok"]);
    return { queue: r.queue, messageCount: r.messageCount, consumerCount: r.consumerCount };
  }

  async queueDelete(channel: number, queue: string): Promise<number> {
    const r = await this.call(channel, "queue.delete", { queue }, ["queue.delete-ok"]);
    return r.messageCount;
  }

  async queuePurge(channel: number, queue: string): Promise<number> {
    const r = await this.call(channel, "queue.purge", { queue }, ["queue.purge-ok"]);
    return r.messageCount;
  }

  async queueBind(channel: number, queue: string, exchange: string, routingKey: string): Promise<void> {
    await this.call(channel, "queue.bind", { queue, exchange, routingKey }, ["queue.bind-ok"]);
  }

  /** Sends a bind with no-wait: for declaring many bindings without a round trip each. */
  queueBindNoWait(channel: number, queue: string, exchange: string, routingKey: string): void {
    this.send(channel, "queue.bind", { queue, exchange, routingKey, noWait: true });
  }

  async exchangeDeclare(
    channel: number,
    exchange: string,
    type: string,
    opts: { durable?: boolean } = {},
  ): Promise<void> {
    await this.call(channel, "exchange.declare", { exchange, type, ...opts }, ["exchange.declare-ok"]);
  }

  async exchangeDelete(channel: number, exchange: string): Promise<void> {
    await this.call(channel, "exchange.delete", { exchange }, ["exchange.delete-ok"]);
  }

  async qos(channel: number, prefetchCount: number): Promise<void> {
    await this.call(channel, "basic.qos", { prefetchCount }, ["basic.qos-ok"]);
  }

  async consume(
    channel: number,
    queue: string,
    opts: { noAck: boolean; consumerTag?: string; arguments?: FieldTable },
  ): Promise<string> {
    const r = await this.call(
      channel,
      "basic.consume",
      { queue, consumerTag: opts.consumerTag ?? "", noAck: opts.noAck, arguments: opts.arguments ?? {} },
      ["basic.consume-ok"],
    );
    return r.consumerTag;
  }

  async confirmSelect(channel: number): Promise<void> {
    await this.call(channel, "confirm.select", {}, ["confirm.select-ok"]);
  }

  /** Closes politely (connection.close, close-ok), then the socket. */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.closed) return;
    try {
      await withTimeout(
        this.call(0, "connection.close", { replyCode: 200, replyText: "bye" }, ["connection.close-ok"]),
        timeoutMs,
        "connection.close",
      );
      this.closedCleanly = true;
    } catch { /* closing anyway */ }
    this.abort();
    await this.#readLoopDone;
  }

  /** Cuts the socket without the close handshake. */
  abort(): void {
    this.#fail(new AmqpError("connection closed by client"));
  }

  // ---- output ----

  /** Starts writing what is buffered unless a write is already running. */
  flush(): void {
    if (this.#writing || this.out.pos === 0 || this.closed) return;
    this.#writeLoop();
  }

  /** Resolves once everything buffered so far has gone to the socket. */
  whenDrained(): Promise<void> {
    if ((!this.#writing && this.out.pos === 0) || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  get writing(): boolean {
    return this.#writing;
  }

  async #writeLoop(): Promise<void> {
    this.#writing = true;
    try {
      while (this.out.pos > 0 && !this.closed) {
        const chunk = this.out.take();
        let off = 0;
        while (off < chunk.length) off += await this.#conn.write(chunk.subarray(off));
        this.out.recycle(chunk);
      }
    } catch (e) {
      this.#fail(e instanceof Error ? e : new Error(String(e)));
    } finally {
      this.#writing = false;
    }
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const w of waiters) w();
  }

  // ---- input ----

  async #readLoop(): Promise<void> {
    let len = 0;
    try {
      while (!this.closed) {
        if (len === this.#readBuf.length) this.#growReadBuffer(len);
        const n = await this.#conn.read(this.#readBuf.subarray(len));
        if (n === null) break;
        this.lastReadMs = clockMs();
        const filled = len + n === this.#readBuf.length;
        len += n;
        const used = parseFrames(this.#readBuf, len, this.frameMaxBytes, this, () => this.closed);
        if (used > 0) {
          if (used < len) this.#readBuf.copyWithin(0, used, len);
          len -= used;
        }
        if (filled && this.#readBuf.length < READ_BUFFER_MAX_BYTES) this.#growReadBuffer(len);
        this.onReadDone?.();
        this.flush();
      }
      this.#fail(this.closeError ?? new AmqpError("connection closed by peer"));
    } catch (e) {
      this.#fail(e instanceof Error ? e : new Error(String(e)));
    }
  }

  #growReadBuffer(len: number): void {
    const next = new Uint8Array(this.#readBuf.length * 2);
    next.set(this.#readBuf.subarray(0, len));
    this.#readBuf = next;
    this.#readView = new DataView(next.buffer);
  }

  onFrame(type: number, channel: number, bytes: Uint8Array, start: number, end: number): void {
    if (type === FRAME_METHOD) {
      const classId = (bytes[start] << 8) | bytes[start + 1];
      const methodId = (bytes[start + 2] << 8) | bytes[start + 3];
      if (classId === BASIC_CLASS) {
        if (methodId === BASIC_DELIVER) {
          // consumer-tag shortstr, then the delivery tag
          const p = start + 5 + bytes[start + 4];
          this.#dChannel = channel;
          this.#dTag = this.#u64(p);
          this.#dRemaining = -1;
          this.#dFirst = true;
          return;
        }
        if ((methodId === BASIC_ACK || methodId === BASIC_NACK) && this.onConfirm) {
          const tag = this.#u64(start + 4);
          const multiple = (bytes[start + 12] & 1) !== 0;
          this.onConfirm(channel, tag, multiple, methodId === BASIC_NACK);
          return;
        }
      }
      this.#onSlowMethod(channel, bytes, start, end);
      return;
    }
    if (type === FRAME_HEADER) {
      if (this.#dTag === 0) return; // a get-ok or return: the benchmark has none
      this.#dRemaining = this.#u64(start + 4);
      if (this.#dRemaining === 0) this.#deliver();
      return;
    }
    if (type === FRAME_BODY) {
      if (this.#dRemaining <= 0) return;
      if (this.#dFirst) {
        this.#dFirst = false;
        this.#dSeq = readStampSeq(this.#readView, start, end - start);
        this.#dSentAt = readStampSentAt(this.#readView, start, end - start);
      }
      this.#dRemaining -= end - start;
      if (this.#dRemaining <= 0) this.#deliver();
      return;
    }
    if (type === FRAME_HEARTBEAT) return;
  }

  #deliver(): void {
    const tag = this.#dTag;
    this.#dTag = 0;
    this.#dRemaining = -1;
    const seq = this.#dFirst ? -1 : this.#dSeq;
    this.onDelivery?.(this.#dChannel, tag, seq, this.#dSentAt);
  }

  #u64(p: number): number {
    return this.#readView.getUint32(p) * 0x1_0000_0000 + this.#readView.getUint32(p + 4);
  }

  #onSlowMethod(channel: number, bytes: Uint8Array, start: number, end: number): void {
    const { spec, args: decoded } = decodeMethod(this.#reader.reset(bytes, start, end));
    const name = spec.name;
    const args: MethodArgs = decoded;
    if (name === "connection.close") {
      this.send(0, "connection.close-ok");
      this.#fail(new AmqpError(`connection closed by broker: ${args.replyCode} ${args.replyText}`));
      return;
    }
    if (name === "channel.close") {
      this.send(channel, "channel.close-ok");
      const err = new AmqpError(`channel ${channel} closed by broker: ${args.replyCode} ${args.replyText}`);
      const list = this.#waiters.get(channel) ?? [];
      this.#waiters.delete(channel);
      for (const w of list) w.reject(err);
      if (list.length === 0) this.#fail(err);
      return;
    }
    if (name === "connection.blocked" || name === "connection.unblocked") return;
    if (name === "basic.cancel") {
      this.#fail(new AmqpError(`consumer ${args.consumerTag} cancelled by broker`));
      return;
    }
    const list = this.#waiters.get(channel);
    if (list && list.length > 0 && list[0].names.includes(name)) {
      list.shift()!.resolve(args);
      return;
    }
    if (name === "basic.return") return;
    // An unexpected method is a bug in the harness or the broker: make it loud.
    this.#fail(new AmqpError(`unexpected ${name} on channel ${channel}`));
  }

  #fail(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.closeError = err;
    clearInterval(this.#heartbeatTimer);
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    for (const list of this.#waiters.values()) for (const w of list) w.reject(err);
    this.#waiters.clear();
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const w of waiters) w();
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
