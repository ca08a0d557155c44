// One client connection: the protocol header, the handshake's states (its
// decisions are in handshake.ts), frame reading, per-channel dispatch, the
// close sequence, and the single place where an AmqpError becomes
// channel.close or connection.close.
// Outgoing frames collect in one buffer that is written once per turn.
import {
  AmqpError,
  ConnectionError,
  REPLY_CHANNEL_ERROR,
  REPLY_COMMAND_INVALID,
  REPLY_CONNECTION_FORCED,
  REPLY_FRAME_ERROR,
  REPLY_INTERNAL_ERROR,
  REPLY_NOT_ALLOWED,
  REPLY_UNEXPECTED_FRAME,
  truncateShortstr,
} from "../amqp/errors.ts";
import { type FrameSink, parseFrames, writeHeartbeat } from "../amqp/frames.ts";
import { decodeMethod, dispatchTable, methodSpec, writeMethodFrame } from "../amqp/method_codec.ts";
import {
  FRAME_BODY,
  FRAME_HEADER,
  FRAME_HEARTBEAT,
  FRAME_METHOD,
  FRAME_OVERHEAD_BYTES,
  type MethodArgs,
  type MethodArgsOut,
  type MethodName,
  type MethodSpec,
  PROTOCOL_HEADER,
} from "../amqp/spec.ts";
import { WireReader, type WireWriter } from "../amqp/wire.ts";
import type { Queue } from "../broker/queue.ts";
import type { VHost } from "../broker/vhost.ts";
import { type AccessKind, INTERNAL_USER, type ResourceKind, type User } from "../auth/users.ts";
import { present } from "../assert.ts";
import { logger } from "../log.ts";
import { Channel } from "./channel.ts";
import type { ChannelHost } from "./channel_host.ts";
import {
  CLOSE_OK_TIMEOUT_MS,
  DRAIN_AFTER_CLOSE_MAX_MS,
  HANDSHAKE_TIMEOUT_MS,
  READ_BUFFER_MAX_BYTES,
  READ_BUFFER_MIN_BYTES,
  type ServerLimits,
} from "./limits.ts";
import { Outbox } from "./outbox.ts";
import { ReadSlices } from "./read_slices.ts";
import { AlarmGate } from "./alarm_gate.ts";
import { HOLD_OUTBOX, ReadGate } from "./read_gate.ts";
import { negotiateTune } from "./tune.ts";
import {
  admitToVHost,
  authenticateStartOk,
  type HandshakeContext,
  startArgs,
  tuneArgs,
} from "./handshake.ts";
import { Heartbeats } from "./heartbeats.ts";
import type { Transport } from "./transport.ts";

const log = logger("connection");

const M = {
  start: methodSpec("connection.start"),
  tune: methodSpec("connection.tune"),
  openOk: methodSpec("connection.open-ok"),
  close: methodSpec("connection.close"),
  closeOk: methodSpec("connection.close-ok"),
  updateSecretOk: methodSpec("connection.update-secret-ok"),
  blocked: methodSpec("connection.blocked"),
  unblocked: methodSpec("connection.unblocked"),
  channelOpen: methodSpec("channel.open"),
  channelCloseOk: methodSpec("channel.close-ok"),
};

export interface ConnectionContext extends HandshakeContext {
  readonly limits: ServerLimits;
  /** cluster_name, announced in connection.start */
  readonly clusterName: string;
  onClosed(connection: Connection): void;
  /** After connection.open-ok: the server applies alarms already in force. */
  onOpened?: (connection: Connection) => void;
}

/** What a client may send on channel 0 once the connection is open. */
const RUNNING_CONNECTION_METHODS = new Set<MethodName>([
  "connection.close",
  "connection.close-ok",
  "connection.update-secret",
  "connection.blocked",
  "connection.unblocked",
]);

/**
 * "closing": we sent connection.close and wait for close-ok; "draining": we
 * answered the peer's connection.close and discard what it still sends until
 * it closes the socket (frames it wrote before seeing close-ok must not meet
 * a closed socket), as RabbitMQ does.
 */
type Phase = "header" | "start-ok" | "tune-ok" | "open" | "running" | "closing" | "draining" | "closed";

let nextConnectionId = 1;

export class Connection implements FrameSink, ChannelHost {
  readonly id = nextConnectionId++;
  readonly #outbox: Outbox;
  /** Where frames for this connection are appended; flushed once per turn. */
  readonly out: WireWriter;
  readonly exclusiveQueues = new Set<Queue>();
  readonly peer: string;
  readonly connectedAt = Date.now();
  #vhost: VHost | null = null;
  #user: User | null = null;
  clientProperties: Record<string, unknown> = {};
  frameMax: number;
  channelMax: number;
  heartbeatS: number;
  consumerCancelNotify = false;
  #phase: Phase = "header";
  readonly #channels = new Map<number, Channel>();
  /** Granted (kind, resource, name) checks, valid while the user registry's version stays put. */
  readonly #granted = new Set<string>();
  #grantedVersion = -1;
  #lastGrantedKind: AccessKind | null = null;
  #lastGrantedResource: ResourceKind | null = null;
  /** null: no grant remembered (the users changed since). */
  #lastGrantedName: string | null = null;
  readonly #confirmPending = new Set<Channel>();
  readonly #reader = new WireReader();
  readonly #slices = new ReadSlices();
  /** Bytes read from the socket after the protocol header, for the admin API's recv_oct. */
  recvOct = 0;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #stopReading = false;
  readonly #readGate = new ReadGate();
  readonly #alarmGate = new AlarmGate(this.#readGate, {
    notify: (reason) => {
      if (reason === null) this.#send(0, M.unblocked);
      else {
        this.#send(0, M.blocked, { reason });
        log.info("connection blocked by resource alarm", { peer: this.peer, reason });
      }
    },
    canBlock: () => this.#phase === "running",
    supportsBlockedNotice: () =>
      (this.clientProperties.capabilities as Record<string, unknown> | undefined)?.["connection.blocked"] ===
        true,
  });
  readonly #heartbeats = new Heartbeats({
    receivedBytes: () => this.recvOct,
    readsHeld: () => this.#readGate.held,
    lastWriteMs: () => this.#outbox.lastWriteMs,
    sendHeartbeat: () => {
      writeHeartbeat(this.out);
      this.scheduleFlush();
    },
    silent: () => {
      log.info("missed heartbeats from client, closing", { peer: this.peer, timeout_s: this.heartbeatS });
      this.#closeSocket();
    },
  });

  /**
   * `internal`: one of Warren's own clients over an in-process pipe (a
   * shovel to `amqp://`). Like RabbitMQ's direct connections it is trusted:
   * no credentials, every vhost and resource allowed.
   */
  constructor(readonly socket: Transport, readonly ctx: ConnectionContext, readonly internal = false) {
    this.limits = ctx.limits;
    this.frameMax = ctx.limits.frameMaxBytes;
    this.channelMax = ctx.limits.channelMax;
    this.heartbeatS = ctx.limits.heartbeatS;
    const addr = socket.remoteAddr as Deno.NetAddr;
    this.peer = `${addr.hostname}:${addr.port}`;
    this.#outbox = new Outbox(socket, {
      beforeFlush: () => this.#beforeFlush(),
      drained: () => {
        for (const ch of this.#channels.values()) ch.resumeDeliveries();
      },
      overfull: () => this.#readGate.hold(HOLD_OUTBOX),
      relieved: () => this.#readGate.release(HOLD_OUTBOX),
      failed: (e) => {
        log.debug("write failed", { peer: this.peer, reason: e.message });
        this.#closeSocket();
      },
    });
    this.out = this.#outbox.out;
  }

  readonly limits: ServerLimits;

  get channels(): ReadonlyMap<number, Channel> {
    return this.#channels;
  }

  get isOpen(): boolean {
    return this.#phase === "running";
  }

  /** Got past connection.open (it may be closing since): it has a user and a vhost. */
  get hasOpened(): boolean {
    return this.#vhost !== null && this.#user !== null;
  }

  /** The vhost of connection.open; channels, and the admin API's views, exist only after it. */
  get vhost(): VHost {
    return present(this.#vhost, "a connection has its vhost once it has opened");
  }

  /** The user authenticated at connection.start-ok. */
  get user(): User {
    return present(this.#user, "a connection has its user once it has authenticated");
  }

  /** Serves the connection until it closes. Never throws: one bad client must not end the node. */
  async run(): Promise<void> {
    const handshakeTimer = setTimeout(() => {
      if (this.#phase !== "running" && this.#phase !== "closed") {
        log.info("handshake timed out", { peer: this.peer });
        this.#closeSocket();
      }
    }, HANDSHAKE_TIMEOUT_MS);
    try {
      await this.#readLoop();
    } catch (e) {
      if (this.#phase !== "closed") {
        log.debug("connection read ended", { peer: this.peer, reason: (e as Error).message });
      }
    } finally {
      clearTimeout(handshakeTimer);
      this.#closeSocket();
    }
  }

  /** Bytes written to the socket, for the admin API's send_oct. */
  get sendOct(): number {
    return this.#outbox.sentBytes;
  }

  async #readLoop(): Promise<void> {
    let buf = new Uint8Array(READ_BUFFER_MIN_BYTES);
    let len = 0;
    while (len < PROTOCOL_HEADER.length) {
      const n = await this.socket.read(buf.subarray(len));
      if (n === null) return;
      len += n;
    }
    if (!PROTOCOL_HEADER.every((b, i) => buf[i] === b)) {
      await this.socket.write(PROTOCOL_HEADER).catch(() => {});
      log.info("bad protocol header, closing", { peer: this.peer });
      return;
    }
    buf.copyWithin(0, PROTOCOL_HEADER.length, len);
    len -= PROTOCOL_HEADER.length;
    this.#sendStart();
    let lastReadFilled = false;
    while (true) {
      if (len > 0) {
        const used = this.#phase === "draining" ? this.#discard(len) : this.#parse(buf, len);
        if (this.#stopReading || this.#phase === "closed") return;
        if (used > 0) {
          buf.copyWithin(0, used, len);
          len -= used;
        }
      }
      if (this.#slices.spent) {
        // This connection has had its share of the turn: what is buffered, and the socket, wait.
        await this.#slices.nextTurn();
        if (this.#stopReading || this.#phase === "closed") return;
        continue;
      }
      const capBytes = Math.max(READ_BUFFER_MAX_BYTES, this.frameMax + FRAME_OVERHEAD_BYTES);
      if ((len === buf.length || lastReadFilled) && buf.length < capBytes) {
        // A partial frame fills the buffer, or reads arrive in bulk: grow.
        const next = new Uint8Array(Math.min(capBytes, buf.length * 2));
        next.set(buf.subarray(0, len));
        buf = next;
      }
      const held = this.#phase === "draining" ? null : this.#readGate.waitUntilOpen();
      if (held) {
        await held;
        if (this.#phase === "closed") return;
        // What the hold left unparsed goes first: the buffer may have no room for a read.
        if (len > 0) continue;
      }
      const room = buf.length - len;
      const n = await this.socket.read(buf.subarray(len));
      if (n === null) return;
      lastReadFilled = n === room;
      this.#slices.readDone(lastReadFilled);
      this.recvOct += n;
      len += n;
    }
  }

  #parse(buf: Uint8Array, len: number): number {
    try {
      return parseFrames(buf, len, this.frameMax, this, this.#stopParsing);
    } catch (e) {
      this.#connectionError(e);
      return len;
    }
  }

  /** After each frame: stop when the connection is closing or its slice of the turn is spent. */
  readonly #stopParsing = (frameBytes: number): boolean =>
    this.#stopReading || this.#phase === "draining" || this.#readGate.held || this.#slices.spend(frameBytes);

  /** A draining connection's input is dropped unread, in slices like any other. */
  #discard(len: number): number {
    this.#slices.spend(len);
    return len;
  }

  // ---- frames ---------------------------------------------------------

  onFrame(type: number, channel: number, bytes: Uint8Array, start: number, end: number): void {
    if (this.#phase === "closing") {
      if (type === FRAME_METHOD && channel === 0) {
        const { spec } = decodeMethod(this.#reader.reset(bytes, start, end));
        if (spec === M.closeOk) this.#closeSocket();
        else if (spec === M.close) this.#send(0, M.closeOk);
      }
      return;
    }
    if (type === FRAME_METHOD) {
      const { spec, args } = decodeMethod(this.#reader.reset(bytes, start, end));
      if (channel === 0) this.#connectionMethod(spec, args);
      else this.#channelMethod(channel, spec, args);
    } else if (type === FRAME_HEADER || type === FRAME_BODY) {
      const ch = this.#openChannel(channel);
      if (!ch) return;
      try {
        if (type === FRAME_HEADER) ch.handleHeader(bytes, start, end);
        else ch.handleBody(bytes, start, end);
      } catch (e) {
        this.#channelError(ch, e, null);
      }
    } else if (type === FRAME_HEARTBEAT) {
      if (channel !== 0) {
        throw new ConnectionError(REPLY_FRAME_ERROR, "heartbeat frame on a non-zero channel");
      }
    } else {
      throw new ConnectionError(REPLY_FRAME_ERROR, `unknown frame type ${type}`);
    }
  }

  #openChannel(id: number): Channel | undefined {
    if (this.#phase !== "running") {
      throw new ConnectionError(REPLY_UNEXPECTED_FRAME, `frame on channel ${id} before connection.open`);
    }
    const ch = this.#channels.get(id);
    if (!ch) {
      throw new ConnectionError(
        REPLY_UNEXPECTED_FRAME,
        "expected method frame, got non method frame instead",
      );
    }
    return ch.state === "open" ? ch : undefined;
  }

  #channelMethod(id: number, spec: MethodSpec, args: MethodArgs<MethodName>): void {
    if (this.#phase !== "running") {
      throw new ConnectionError(REPLY_UNEXPECTED_FRAME, `frame on channel ${id} before connection.open`);
    }
    let ch = this.#channels.get(id);
    if (!ch) {
      if (spec === M.channelOpen) {
        if (this.#channels.size >= this.channelMax) {
          throw new ConnectionError(
            REPLY_NOT_ALLOWED,
            `number of channels opened (${this.#channels.size}) has reached the negotiated channel_max (${this.channelMax})`,
            spec.classId,
            spec.methodId,
          );
        }
        ch = new Channel(this, id);
        this.#channels.set(id, ch);
        ch.opened();
        return;
      }
      if (spec === M.channelCloseOk) return;
      throw new ConnectionError(REPLY_CHANNEL_ERROR, "expected 'channel.open'", spec.classId, spec.methodId);
    }
    try {
      ch.handleMethod(spec, args);
    } catch (e) {
      this.#channelError(ch, e, spec);
    }
  }

  #channelError(ch: Channel, e: unknown, spec: MethodSpec | null): void {
    if (!(e instanceof AmqpError)) throw e;
    const err = spec ? e.withMethod(spec.classId, spec.methodId) : e;
    if (err.isHard) throw err;
    log.info("channel error", { peer: this.peer, channel: ch.id, code: err.replyCode, text: err.replyText });
    ch.closeWithError(err);
  }

  authorize(kind: AccessKind, resource: ResourceKind, name: string): void {
    if (this.internal) return;
    const users = this.ctx.users;
    if (users.version !== this.#grantedVersion) {
      this.#granted.clear();
      this.#lastGrantedName = null;
      this.#grantedVersion = users.version;
    }
    // A publisher writes to the same exchange message after message: the last grant answers
    // without building and hashing a key.
    if (
      name === this.#lastGrantedName && kind === this.#lastGrantedKind &&
      resource === this.#lastGrantedResource
    ) {
      return;
    }
    const key = `${kind}\u0000${resource}\u0000${name}`;
    if (!this.#granted.has(key)) {
      users.checkAccess(this.user.name, this.vhost.name, kind, resource, name);
      this.#granted.add(key);
    }
    this.#lastGrantedKind = kind;
    this.#lastGrantedResource = resource;
    this.#lastGrantedName = name;
  }

  whenDurable(done: (ok: boolean) => void): void {
    this.vhost.store.whenDurable(done);
  }

  ownExclusiveQueue(q: Queue): void {
    this.exclusiveQueues.add(q);
  }

  notePublish(): void {
    this.#alarmGate.notePublish();
  }

  /** The server's alarms changed: block a publishing connection, or let it go. */
  setAlarm(reason: string | null): void {
    this.#alarmGate.setAlarm(reason);
  }

  get blockedBy(): string | null {
    return this.#alarmGate.blockedBy;
  }

  /** RabbitMQ's connection state: blocked (not read), blocking (read until it publishes), flow, running. */
  get readState(): "blocked" | "blocking" | "flow" | "running" {
    if (this.#alarmGate.blockedBy !== null) return this.#alarmGate.holdingReads ? "blocked" : "blocking";
    return this.#readGate.inFlow ? "flow" : "running";
  }

  /** Times this connection was paused for publishing into a queue that could not keep up. */
  get flowPauses(): number {
    return this.#readGate.flowPauses;
  }

  noteBacklog(): void {
    this.#readGate.spendFlowCredit();
  }

  channelClosed(ch: Channel): void {
    this.#channels.delete(ch.id);
    this.#confirmPending.delete(ch);
  }

  // ---- handshake and connection methods ------------------------------

  #sendStart(): void {
    this.#phase = "start-ok";
    this.#send(0, M.start, startArgs(this.ctx.clusterName));
  }

  #connectionMethod(spec: MethodSpec, args: MethodArgs<MethodName>): void {
    const phase = this.#phase;
    const expected = phase === "start-ok"
      ? "connection.start-ok"
      : phase === "tune-ok"
      ? "connection.tune-ok"
      : phase === "open"
      ? "connection.open"
      : null;
    if (phase === "running" && !RUNNING_CONNECTION_METHODS.has(spec.name)) {
      throw new ConnectionError(
        REPLY_CHANNEL_ERROR,
        "unexpected method in connection state running",
        spec.classId,
        spec.methodId,
      );
    }
    if (expected !== null && spec.name !== expected && spec !== M.close) {
      throw new ConnectionError(
        REPLY_COMMAND_INVALID,
        `expected '${expected}', got '${spec.name}'`,
        spec.classId,
        spec.methodId,
      );
    }
    const handler = Connection.#DISPATCH[spec.index];
    if (handler === undefined) {
      throw new ConnectionError(
        REPLY_COMMAND_INVALID,
        `method ${spec.name} is not valid on channel 0`,
        spec.classId,
        spec.methodId,
      );
    }
    handler(this, args);
  }

  /** What each method a client may send on channel 0 does. */
  static readonly #DISPATCH = dispatchTable<Connection>({
    "connection.start-ok": (c, a) => c.#startOk(a),
    "connection.tune-ok": (c, a) => c.#tuneOk(a),
    "connection.open": (c, a) => c.#open(a.virtualHost),
    "connection.close": (c) => {
      c.#send(0, M.closeOk);
      c.#drainUntilPeerCloses();
    },
    "connection.close-ok": (c) => c.#closeSocket(),
    "connection.update-secret": (c) => c.#send(0, M.updateSecretOk),
    "connection.blocked": () => {},
    "connection.unblocked": () => {},
  });

  #startOk(args: MethodArgs<"connection.start-ok">): void {
    this.clientProperties = args.clientProperties ?? {};
    const caps = this.clientProperties.capabilities as Record<string, unknown> | undefined;
    this.consumerCancelNotify = caps?.consumer_cancel_notify === true;
    this.#user = this.internal
      ? INTERNAL_USER
      : authenticateStartOk(this.ctx, args, (this.socket.remoteAddr as Deno.NetAddr).hostname, this.peer);
    this.#phase = "tune-ok";
    this.#send(0, M.tune, tuneArgs(this.limits));
  }

  #tuneOk(args: MethodArgs<"connection.tune-ok">): void {
    const tuned = negotiateTune(
      { frameMax: args.frameMax, channelMax: args.channelMax, heartbeat: args.heartbeat },
      this.limits,
    );
    this.frameMax = tuned.frameMax;
    this.channelMax = tuned.channelMax;
    this.heartbeatS = tuned.heartbeatS;
    this.#phase = "open";
    this.#heartbeats.start(this.heartbeatS);
  }

  #open(vhostName: string): void {
    const user = this.user;
    this.#vhost = admitToVHost(this.ctx, vhostName, user, this, this.internal);
    this.#phase = "running";
    this.#send(0, M.openOk);
    log.info("connection opened", { peer: this.peer, user: user.name, vhost: vhostName });
    this.ctx.onOpened?.(this);
  }

  // ---- errors and closing --------------------------------------------

  #connectionError(e: unknown): void {
    const err = e instanceof AmqpError
      ? e
      : new ConnectionError(REPLY_INTERNAL_ERROR, `internal error: ${(e as Error)?.message ?? e}`);
    if (!(e instanceof AmqpError)) {
      log.error("internal error", { peer: this.peer, error: String((e as Error)?.stack ?? e) });
    } else log.info("connection error", { peer: this.peer, code: err.replyCode, text: err.replyText });
    this.close(err.replyCode, err.replyText, err.classId, err.methodId);
    if (err.replyCode === REPLY_FRAME_ERROR) {
      // The byte stream can no longer be trusted to split into frames.
      this.#stopReading = true;
      void this.#flushThenClose();
    }
  }

  /** Server-initiated connection.close; the socket goes at close-ok or after a timeout. */
  close(replyCode: number, replyText: string, classId = 0, methodId = 0): void {
    // A draining peer has had its close-ok: there is nothing left to say.
    if (this.#phase === "draining") return this.#closeSocket();
    if (this.#phase === "closing" || this.#phase === "closed") return;
    this.#teardownChannels();
    this.#phase = "closing";
    // Held reads would hide the close-ok; what else it sends is dropped while closing.
    this.#readGate.close();
    this.#send(0, M.close, { replyCode, replyText: truncateShortstr(replyText), classId, methodId });
    this.#closeTimer = setTimeout(() => this.#closeSocket(), CLOSE_OK_TIMEOUT_MS);
  }

  /** Shutdown: connection.close 320 to the client. */
  forceClose(reason: string): void {
    this.close(REPLY_CONNECTION_FORCED, `CONNECTION_FORCED - ${reason}`);
  }

  /**
   * After our close-ok the peer closes the socket; until it does (bounded, as
   * RabbitMQ bounds it by the heartbeat timeout, at most 30 s) its input is
   * read and dropped unparsed.
   */
  #drainUntilPeerCloses(): void {
    this.#teardownChannels();
    this.#phase = "draining";
    this.#heartbeats.stop();
    this.#readGate.close();
    const heartbeatMs = this.heartbeatS * 1000;
    const waitMs = heartbeatMs > 0
      ? Math.min(heartbeatMs, DRAIN_AFTER_CLOSE_MAX_MS)
      : DRAIN_AFTER_CLOSE_MAX_MS;
    this.#closeTimer = setTimeout(() => this.#closeSocket(), waitMs);
  }

  async #flushThenClose(): Promise<void> {
    await this.#outbox.drain();
    this.#closeSocket();
  }

  #teardownChannels(): void {
    for (const ch of this.#channels.values()) ch.teardown();
    this.#channels.clear();
    this.#confirmPending.clear();
    if (this.#vhost && this.exclusiveQueues.size > 0) this.#vhost.deleteExclusiveQueues(this.exclusiveQueues);
    this.exclusiveQueues.clear();
  }

  #closeSocket(): void {
    if (this.#phase === "closed") return;
    const wasOpen = this.#phase === "running" || this.#phase === "closing" || this.#phase === "draining";
    this.#teardownChannels();
    this.#phase = "closed";
    this.#heartbeats.stop();
    clearTimeout(this.#closeTimer);
    this.#readGate.close();
    this.#outbox.close();
    try {
      this.socket.close();
    } catch { /* already closed */ }
    if (wasOpen) {
      log.info("connection closed", { peer: this.peer, user: this.#user?.name, vhost: this.#vhost?.name });
    }
    this.ctx.onClosed(this);
  }

  // ---- writing --------------------------------------------------------

  #send<N extends MethodName>(channel: number, spec: MethodSpec<N>, args?: MethodArgsOut<N>): void {
    writeMethodFrame(this.out, channel, spec, args);
    this.scheduleFlush();
  }

  /** False while the socket has more unsent bytes than the high-water mark. */
  get writable(): boolean {
    return this.#outbox.writable;
  }

  markConfirmsPending(ch: Channel): void {
    this.#confirmPending.add(ch);
    this.scheduleFlush();
  }

  scheduleFlush(): void {
    this.#outbox.schedule();
  }

  #beforeFlush(): void {
    if (this.#confirmPending.size === 0) return;
    for (const ch of this.#confirmPending) ch.flushConfirms();
    this.#confirmPending.clear();
  }
}

/** The connection a channel belongs to, for the admin API: every channel's host is the connection that opened it. */
export function connectionOf(ch: Channel): Connection {
  const c = ch.host;
  if (!(c instanceof Connection)) throw new Error(`channel ${ch.id} is not hosted by a connection`);
  return c;
}
