// A small AMQP 0-9-1 client on Warren's own codec, for what Warren itself
// connects to (shovels, federation links): the handshake, channels with
// their RPCs, consumers, publishing with raw properties (messages move
// between brokers without their properties being decoded), publisher
// confirms and heartbeats. Frames written in one turn go out in one socket
// write. Every failure — a close from the server, a dead socket, missed
// heartbeats — ends the connection once, through `closed`.
import { ConnectionError, REPLY_FRAME_ERROR } from "../amqp/errors.ts";
import type { FieldTable } from "../amqp/field_table.ts";
import { type FrameSink, parseFrames, writeContent, writeHeartbeat } from "../amqp/frames.ts";
import {
  type DecodedMethod,
  decodeMethod,
  isMethod,
  methodSpec,
  writeMethodFrame,
} from "../amqp/method_codec.ts";
import {
  BASIC_CLASS_ID,
  FRAME_BODY,
  FRAME_HEADER,
  FRAME_HEARTBEAT,
  FRAME_METHOD,
  type MethodArgs,
  type MethodArgsOut,
  type MethodName,
  type MethodSpec,
  PROTOCOL_HEADER,
} from "../amqp/spec.ts";
import { WireReader, WireWriter } from "../amqp/wire.ts";

/** What the client needs from a socket (a Deno.Conn, a TLS connection or an in-process pipe). */
export interface ClientTransport {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
}

export interface ClientOptions {
  username: string;
  password: string;
  vhost: string;
  /** null takes the server's proposal. */
  heartbeatS: number | null;
  frameMaxBytes: number;
  channelMax: number;
  /** Bounds the whole handshake. */
  handshakeTimeoutMs: number;
  /** Shown in the server's connection list. */
  connectionName: string;
}

export interface Delivery {
  consumerTag: string;
  deliveryTag: number;
  redelivered: boolean;
  exchange: string;
  routingKey: string;
  /** The content header's property bytes, as the broker sent them. */
  rawProperties: Uint8Array;
  body: Uint8Array;
}

/** The server closed the connection or a channel: its reply code and text. */
export class ServerClosed extends Error {
  constructor(readonly replyCode: number, readonly replyText: string, readonly hard: boolean) {
    super(`${hard ? "connection" : "channel"} closed by server: ${replyCode} ${replyText}`);
  }
}

const READ_BUFFER_BYTES = 256 * 1024;
const FLUSH_HIGH_WATER_BYTES = 1024 * 1024;

const M = {
  start: methodSpec("connection.start"),
  startOk: methodSpec("connection.start-ok"),
  tune: methodSpec("connection.tune"),
  tuneOk: methodSpec("connection.tune-ok"),
  open: methodSpec("connection.open"),
  openOk: methodSpec("connection.open-ok"),
  close: methodSpec("connection.close"),
  closeOk: methodSpec("connection.close-ok"),
  blocked: methodSpec("connection.blocked"),
  unblocked: methodSpec("connection.unblocked"),
  channelOpen: methodSpec("channel.open"),
  channelOpenOk: methodSpec("channel.open-ok"),
  channelClose: methodSpec("channel.close"),
  channelCloseOk: methodSpec("channel.close-ok"),
  flow: methodSpec("channel.flow"),
  flowOk: methodSpec("channel.flow-ok"),
  publish: methodSpec("basic.publish"),
  deliver: methodSpec("basic.deliver"),
  return: methodSpec("basic.return"),
  ack: methodSpec("basic.ack"),
  nack: methodSpec("basic.nack"),
  cancel: methodSpec("basic.cancel"),
  cancelOk: methodSpec("basic.cancel-ok"),
};

/** Methods answered by "<name>-ok", which `ClientChannel.call` waits for. */
type WithOk = { [N in MethodName]: `${N}-ok` extends MethodName ? N : never }[MethodName];
type OkOf<N extends WithOk> = Extract<`${N}-ok`, MethodName>;

/** Someone waiting for a reply method; resolved with the decoded reply. */
interface Waiter {
  spec: MethodSpec;
  resolve(d: DecodedMethod): void;
  reject(e: Error): void;
}

/** A promise of `reply`'s arguments, and the waiter that settles it. */
function waiterFor<R extends MethodName>(
  reply: MethodSpec<R>,
): { waiter: Waiter; done: Promise<MethodArgs<R>> } {
  const { promise, resolve, reject } = Promise.withResolvers<MethodArgs<R>>();
  const waiter: Waiter = {
    spec: reply,
    resolve: (d) => {
      if (isMethod(d, reply)) resolve(d.args);
    },
    reject,
  };
  return { waiter, done: promise };
}

const CLIENT_PROPERTIES: FieldTable = {
  product: "Warren",
  platform: "Deno",
  capabilities: {
    publisher_confirms: true,
    "basic.nack": true,
    consumer_cancel_notify: true,
    "connection.blocked": true,
    exchange_exchange_bindings: true,
  },
};

export class ClientConnection implements FrameSink {
  readonly #transport: ClientTransport;
  readonly #out = new WireWriter(64 * 1024);
  readonly #reader = new WireReader();
  readonly #channels = new Map<number, ClientChannel>();
  readonly #waiters: Waiter[] = [];
  #nextChannel = 1;
  #flushScheduled = false;
  #writing = false;
  #heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  #lastReadMs = Date.now();
  #lastWriteMs = Date.now();
  #closedError: Error | null = null;
  readonly #resolveClosed: (e: Error) => void;
  frameMaxBytes = 0;
  channelMax = 0;
  heartbeatS = 0;
  serverProperties: FieldTable = {};
  /** connection.blocked from the server (a resource alarm): publishing waits. */
  blocked = false;
  onBlockedChange: (blocked: boolean) => void = () => {};
  /** Settles once, with why the connection ended. */
  readonly closed: Promise<Error>;

  private constructor(transport: ClientTransport) {
    this.#transport = transport;
    const { promise, resolve } = Promise.withResolvers<Error>();
    this.closed = promise;
    this.#resolveClosed = resolve;
  }

  /** Runs the handshake over `transport`; the transport is closed if it fails. */
  static async open(transport: ClientTransport, options: ClientOptions): Promise<ClientConnection> {
    const c = new ClientConnection(transport);
    const timer = setTimeout(
      () => c.#fail(new Error(`handshake timed out after ${options.handshakeTimeoutMs}ms`)),
      options.handshakeTimeoutMs,
    );
    try {
      void c.#readLoop();
      c.#out.raw(PROTOCOL_HEADER);
      c.#schedule();
      const start = await c.#wait(M.start);
      const mechanisms = new TextDecoder().decode(start.mechanisms).split(" ");
      if (!mechanisms.includes("PLAIN")) throw new Error(`server offers no PLAIN mechanism (${mechanisms})`);
      c.serverProperties = start.serverProperties ?? {};
      c.#send(0, M.startOk, {
        clientProperties: { ...CLIENT_PROPERTIES, connection_name: options.connectionName },
        mechanism: "PLAIN",
        response: `\u0000${options.username}\u0000${options.password}`,
        locale: "en_US",
      });
      const tune = await c.#wait(M.tune);
      const pick = (ours: number, theirs: number) =>
        ours === 0 ? theirs : theirs === 0 ? ours : Math.min(ours, theirs);
      c.frameMaxBytes = pick(options.frameMaxBytes, tune.frameMax);
      c.channelMax = pick(options.channelMax, tune.channelMax);
      c.heartbeatS = options.heartbeatS === null ? tune.heartbeat : options.heartbeatS;
      c.#send(0, M.tuneOk, { channelMax: c.channelMax, frameMax: c.frameMaxBytes, heartbeat: c.heartbeatS });
      c.#send(0, M.open, { virtualHost: options.vhost });
      await c.#wait(M.openOk);
      c.#startHeartbeats();
      return c;
    } catch (e) {
      c.#fail(e as Error);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  get isOpen(): boolean {
    return this.#closedError === null;
  }

  async channel(): Promise<ClientChannel> {
    this.#check();
    let id = this.#nextChannel;
    while (this.#channels.has(id)) id = id >= this.channelMax ? 1 : id + 1;
    this.#nextChannel = id >= this.channelMax ? 1 : id + 1;
    const ch = new ClientChannel(this, id);
    this.#channels.set(id, ch);
    await ch.rpc(M.channelOpen, {}, M.channelOpenOk);
    return ch;
  }

  /** Closes politely (connection.close, waits briefly for close-ok), then the socket. */
  async close(reason = "shutdown"): Promise<void> {
    if (this.#closedError) return;
    try {
      this.#send(0, M.close, { replyCode: 200, replyText: reason });
      await Promise.race([
        this.#wait(M.closeOk),
        new Promise((r) => setTimeout(r, 1_000)),
      ]);
    } catch { /* the connection is going away either way */ }
    this.#fail(new Error(`closed by Warren: ${reason}`));
  }

  // ---- sending --------------------------------------------------------------

  /** Appends a method frame; it goes out with everything else written this turn. */
  send<N extends MethodName>(channel: number, spec: MethodSpec<N>, args: MethodArgsOut<N>): void {
    this.#send(channel, spec, args);
  }

  #send<N extends MethodName>(channel: number, spec: MethodSpec<N>, args: MethodArgsOut<N>): void {
    this.#check();
    writeMethodFrame(this.#out, channel, spec, args);
    this.#schedule();
  }

  sendContent(channel: number, rawProperties: Uint8Array, body: Uint8Array): void {
    writeContent(this.#out, channel, BASIC_CLASS_ID, rawProperties, body, this.frameMaxBytes);
    this.#schedule();
  }

  /** Bytes buffered or being written: callers stop producing past a bound. */
  get congested(): boolean {
    return this.#out.pos >= FLUSH_HIGH_WATER_BYTES;
  }

  #schedule(): void {
    if (this.#flushScheduled || this.#writing) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      void this.#writeLoop();
    });
  }

  async #writeLoop(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#out.pos > 0 && this.#closedError === null) {
        const chunk = this.#out.take();
        let off = 0;
        while (off < chunk.length) off += await this.#transport.write(chunk.subarray(off));
        this.#lastWriteMs = Date.now();
        this.#out.recycle(chunk);
        for (const ch of this.#channels.values()) ch.onWritable();
      }
    } catch (e) {
      this.#fail(e as Error);
    } finally {
      this.#writing = false;
    }
  }

  // ---- receiving ------------------------------------------------------------

  async #readLoop(): Promise<void> {
    let buf = new Uint8Array(READ_BUFFER_BYTES);
    let len = 0;
    try {
      while (this.#closedError === null) {
        if (len === buf.length) {
          const bigger = new Uint8Array(buf.length * 2);
          bigger.set(buf.subarray(0, len));
          buf = bigger;
        }
        const n = await this.#transport.read(buf.subarray(len));
        if (n === null) throw new Error("connection closed by the server's socket");
        this.#lastReadMs = Date.now();
        len += n;
        // Before tune the frame limit is the spec's minimum; afterwards what was negotiated.
        const frameMax = this.frameMaxBytes === 0 ? 131_072 : this.frameMaxBytes;
        const used = parseFrames(buf, len, frameMax, this, () => this.#closedError !== null);
        if (used > 0) {
          buf.copyWithin(0, used, len);
          len -= used;
        }
      }
    } catch (e) {
      this.#fail(e as Error);
    }
  }

  onFrame(type: number, channel: number, bytes: Uint8Array, start: number, end: number): void {
    if (type === FRAME_HEARTBEAT) return;
    if (channel === 0) {
      if (type !== FRAME_METHOD) throw new ConnectionError(REPLY_FRAME_ERROR, "content frame on channel 0");
      this.#onConnectionMethod(decodeMethod(this.#reader.reset(bytes, start, end)));
      return;
    }
    const ch = this.#channels.get(channel);
    if (!ch) return; // a frame for a channel we already closed
    if (type === FRAME_METHOD) {
      ch.onMethod(decodeMethod(this.#reader.reset(bytes, start, end)));
    } else if (type === FRAME_HEADER) {
      const r = this.#reader.reset(bytes, start, end);
      r.short();
      r.short();
      const size = r.longlong();
      ch.onHeader(size, bytes.slice(r.pos, end));
    } else if (type === FRAME_BODY) {
      ch.onBody(bytes, start, end);
    }
  }

  #onConnectionMethod(d: DecodedMethod): void {
    if (isMethod(d, M.close)) {
      try {
        this.#send(0, M.closeOk, {});
      } catch { /* already failing */ }
      this.#fail(new ServerClosed(d.args.replyCode, d.args.replyText, true));
      return;
    }
    if (d.spec === M.blocked || d.spec === M.unblocked) {
      this.blocked = d.spec === M.blocked;
      this.onBlockedChange(this.blocked);
      return;
    }
    const i = this.#waiters.findIndex((w) => w.spec === d.spec);
    if (i < 0) return;
    const [w] = this.#waiters.splice(i, 1);
    w.resolve(d);
  }

  /** Waits for `reply` on channel 0. */
  #wait<R extends MethodName>(reply: MethodSpec<R>): Promise<MethodArgs<R>> {
    if (this.#closedError) return Promise.reject(this.#closedError);
    const { waiter, done } = waiterFor(reply);
    this.#waiters.push(waiter);
    return done;
  }

  forgetChannel(id: number): void {
    this.#channels.delete(id);
  }

  #startHeartbeats(): void {
    if (this.heartbeatS <= 0) return;
    const periodMs = this.heartbeatS * 500;
    this.#heartbeatTimer = setInterval(() => {
      const now = Date.now();
      if (now - this.#lastReadMs > this.heartbeatS * 2_000) {
        this.#fail(new Error(`missed heartbeats from the server, timeout: ${this.heartbeatS}s`));
        return;
      }
      if (now - this.#lastWriteMs >= periodMs && !this.#writing) {
        writeHeartbeat(this.#out);
        this.#schedule();
      }
    }, periodMs);
  }

  #check(): void {
    if (this.#closedError) throw this.#closedError;
  }

  #fail(error: Error): void {
    if (this.#closedError) return;
    this.#closedError = error;
    clearInterval(this.#heartbeatTimer);
    try {
      this.#transport.close();
    } catch { /* already closed */ }
    for (const w of this.#waiters.splice(0)) w.reject(error);
    for (const ch of [...this.#channels.values()]) ch.onConnectionClosed(error);
    this.#channels.clear();
    this.#resolveClosed(error);
  }
}

/** Why a publish was not confirmed, or confirms a range: `multiple` covers every tag up to `tag`. */
export type ConfirmHandler = (tag: number, multiple: boolean, ack: boolean) => void;

export class ClientChannel {
  readonly #waiters: Waiter[] = [];
  readonly #consumers = new Map<string, (d: Delivery) => void>();
  #closedError: Error | null = null;
  readonly #resolveClosed: (e: Error) => void;
  /** The delivery being assembled from header and body frames. */
  #pending: Delivery | null = null;
  #pendingFill = 0;
  #pendingIsReturn = false;
  #publishSeq = 0;
  onConfirm: ConfirmHandler = () => {};
  /** The server cancelled a consumer (its queue was deleted). */
  onCancel: (consumerTag: string) => void = () => {};
  /** An unroutable mandatory publish came back. */
  onReturn: (d: Delivery, replyCode: number, replyText: string) => void = () => {};
  /** The connection has written what it had buffered. */
  onWritable: () => void = () => {};
  readonly closed: Promise<Error>;

  constructor(readonly connection: ClientConnection, readonly id: number) {
    const { promise, resolve } = Promise.withResolvers<Error>();
    this.closed = promise;
    this.#resolveClosed = resolve;
  }

  get isOpen(): boolean {
    return this.#closedError === null;
  }

  /** Sends a method and waits for its `reply`. */
  rpc<N extends MethodName, R extends MethodName>(
    spec: MethodSpec<N>,
    args: MethodArgsOut<N>,
    reply: MethodSpec<R>,
  ): Promise<MethodArgs<R>> {
    if (this.#closedError) return Promise.reject(this.#closedError);
    const { waiter, done } = waiterFor(reply);
    this.#waiters.push(waiter);
    this.connection.send(this.id, spec, args);
    return done;
  }

  /** Sends `method` and waits for its "-ok". */
  call<N extends WithOk>(
    method: N,
    args: MethodArgsOut<N> = {} as MethodArgsOut<N>,
  ): Promise<MethodArgs<OkOf<N>>> {
    return this.rpc(methodSpec(method), args, methodSpec(`${method}-ok` as OkOf<N>));
  }

  async confirmSelect(): Promise<void> {
    await this.call("confirm.select");
    this.#publishSeq = 0;
  }

  /** Registers the consumer, then starts it; deliveries arrive through `onDelivery`. */
  async consume(
    queue: string,
    options: { noAck: boolean; exclusive?: boolean; arguments?: FieldTable; consumerTag?: string },
    onDelivery: (d: Delivery) => void,
  ): Promise<string> {
    const tag = options.consumerTag ?? `warren.${crypto.randomUUID()}`;
    this.#consumers.set(tag, onDelivery);
    try {
      const ok = await this.call("basic.consume", {
        queue,
        consumerTag: tag,
        noAck: options.noAck,
        exclusive: options.exclusive ?? false,
        arguments: options.arguments ?? {},
      });
      return ok.consumerTag;
    } catch (e) {
      this.#consumers.delete(tag);
      throw e;
    }
  }

  /** Publishes; returns the publish sequence number confirms refer to (in confirm mode). */
  publish(
    exchange: string,
    routingKey: string,
    rawProperties: Uint8Array,
    body: Uint8Array,
    mandatory = false,
  ): number {
    if (this.#closedError) throw this.#closedError;
    this.connection.send(this.id, M.publish, { exchange, routingKey, mandatory });
    this.connection.sendContent(this.id, rawProperties, body);
    return ++this.#publishSeq;
  }

  ack(deliveryTag: number, multiple = false): void {
    if (this.#closedError) return;
    this.connection.send(this.id, M.ack, { deliveryTag, multiple });
  }

  nack(deliveryTag: number, multiple: boolean, requeue: boolean): void {
    if (this.#closedError) return;
    this.connection.send(this.id, M.nack, { deliveryTag, multiple, requeue });
  }

  async close(): Promise<void> {
    if (this.#closedError) return;
    try {
      await this.rpc(M.channelClose, { replyCode: 200, replyText: "Goodbye" }, M.channelCloseOk);
    } catch { /* closed already */ }
    this.#end(new Error("channel closed"));
  }

  onMethod(d: DecodedMethod): void {
    if (isMethod(d, M.deliver)) {
      const { consumerTag, deliveryTag, redelivered, exchange, routingKey } = d.args;
      const delivery = {
        consumerTag,
        deliveryTag,
        redelivered,
        exchange,
        routingKey,
        rawProperties: EMPTY,
        body: EMPTY,
      };
      return this.#startContent(delivery, false);
    }
    if (isMethod(d, M.return)) {
      const { replyCode, replyText, exchange, routingKey } = d.args;
      this.#returnText = replyText;
      // A return has no delivery tag: its reply code rides there until the content is complete.
      const returned = {
        consumerTag: "",
        deliveryTag: replyCode,
        redelivered: false,
        exchange,
        routingKey,
        rawProperties: EMPTY,
        body: EMPTY,
      };
      return this.#startContent(returned, true);
    }
    if (isMethod(d, M.ack)) return this.onConfirm(d.args.deliveryTag, d.args.multiple, true);
    if (isMethod(d, M.nack)) return this.onConfirm(d.args.deliveryTag, d.args.multiple, false);
    if (isMethod(d, M.cancel)) {
      const { consumerTag, noWait } = d.args;
      this.#consumers.delete(consumerTag);
      if (!noWait) this.connection.send(this.id, M.cancelOk, { consumerTag });
      return this.onCancel(consumerTag);
    }
    if (isMethod(d, M.flow)) return this.connection.send(this.id, M.flowOk, { active: d.args.active });
    if (isMethod(d, M.channelClose)) {
      try {
        this.connection.send(this.id, M.channelCloseOk, {});
      } catch { /* the connection is failing too */ }
      return this.#end(new ServerClosed(d.args.replyCode, d.args.replyText, false));
    }
    const i = this.#waiters.findIndex((w) => w.spec === d.spec);
    if (i >= 0) this.#waiters.splice(i, 1)[0].resolve(d);
  }

  #startContent(pending: Delivery, isReturn: boolean): void {
    this.#pendingIsReturn = isReturn;
    this.#pending = pending;
  }

  #returnText = "";

  onHeader(bodySize: number, rawProperties: Uint8Array): void {
    const d = this.#pending;
    if (!d) return;
    d.rawProperties = rawProperties;
    d.body = bodySize === 0 ? EMPTY : new Uint8Array(bodySize);
    this.#pendingFill = 0;
    if (bodySize === 0) this.#finishContent(d);
  }

  onBody(bytes: Uint8Array, start: number, end: number): void {
    const d = this.#pending;
    if (!d) return;
    d.body.set(bytes.subarray(start, end), this.#pendingFill);
    this.#pendingFill += end - start;
    if (this.#pendingFill >= d.body.length) this.#finishContent(d);
  }

  #finishContent(d: Delivery): void {
    this.#pending = null;
    if (this.#pendingIsReturn) {
      const code = d.deliveryTag;
      d.deliveryTag = 0;
      this.onReturn(d, code, this.#returnText);
      return;
    }
    this.#consumers.get(d.consumerTag)?.(d);
  }

  onConnectionClosed(error: Error): void {
    this.#end(error);
  }

  #end(error: Error): void {
    if (this.#closedError) return;
    this.#closedError = error;
    this.connection.forgetChannel(this.id);
    for (const w of this.#waiters.splice(0)) w.reject(error);
    this.#resolveClosed(error);
  }
}

const EMPTY = new Uint8Array(0);
