// Runs a sequence of AMQP operations against one broker and writes down, step
// by step, everything the broker answered: the transcript that
// tests/differential compares between Warren and RabbitMQ.
//
// Every step ends at a sync point, so that a transcript depends on timing as
// little as a client can make it:
// 1. every channel is in publisher-confirm mode from its open on (outside the
//    transcript unless the sequence selects it), and the step waits for every
//    outstanding confirm: RabbitMQ confirms a message once its queues have
//    taken it and sent it on to consumers;
// 2. after an operation whose effects reach queues asynchronously (ack, nack,
//    reject, recover, qos, flow) the same channel declares, passively, every
//    queue known to exist, an answer that needs each queue;
// 3. an observer connection declares every queue name of the sequence
//    passively (its message and consumer counts go into the transcript), and
//    every open channel answers a no-op (a passive declare of amq.direct),
//    which comes after any delivery already on its way to that channel.
// 4. when the broker closed a channel or connection during the step, the
//    messages it held come back to their queues after our close-ok, with no
//    answer to wait for: step 3 is repeated until nothing changes.
// Steps 2 and 4 are not airtight on RabbitMQ: a queue process answers a
// declare ahead of acks still in its mailbox when it is busy, and a requeue
// may come late. compare.ts therefore runs a differing sequence again before
// it reports it.
// Lines are grouped per connection and channel, in arrival order within a
// channel. Server-made names (amq.gen-…, amq.ctag-…) become $gen1, $ctag1, …
// in order of first appearance, and operations refer to them that way; x-death
// times are dropped. Nothing else is normalised.
import type { FieldTable } from "../../src/amqp/field_table.ts";
import type { AnyArgs } from "../helpers/raw_amqp.ts";
import type { BasicProperties } from "../../src/amqp/properties.ts";
import { type Inbound, RecordingConnection } from "../helpers/recording_amqp.ts";

export const REPLY_TIMEOUT_MS = 5_000;

export type Op =
  | { kind: "connection.open"; conn: number }
  | { kind: "connection.close"; conn: number }
  /** Any method; `reply` names the methods that answer it ("a|b"), null for asynchronous ones. */
  | { kind: "method"; conn: number; ch: number; method: string; args: AnyArgs; reply: string | null }
  | {
    kind: "publish";
    conn: number;
    ch: number;
    args: AnyArgs;
    body: string;
    properties: BasicProperties;
  };

/** Methods whose effect on queues the broker may apply after it has answered (or without answering). */
const ASYNC_EFFECT = new Set([
  "basic.publish",
  "basic.ack",
  "basic.nack",
  "basic.reject",
  "basic.recover",
  "basic.qos",
  "channel.flow",
]);

export function describeOp(op: Op): string {
  switch (op.kind) {
    case "connection.open":
    case "connection.close":
      return `c${op.conn} ${op.kind}`;
    case "method":
      return `c${op.conn}.${op.ch} ${op.method} ${fmt(op.args)}`;
    case "publish":
      return `c${op.conn}.${op.ch} basic.publish ${fmt(op.args)} body=${op.body} props=${fmt(op.properties)}`;
  }
}

/** A stable rendering of method arguments and properties: sorted keys, no reserved fields. */
export function fmt(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}`;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v instanceof Uint8Array) return JSON.stringify(new TextDecoder().decode(v));
  if (v instanceof Date) return `date(${v.getTime()})`;
  if (Array.isArray(v)) return `[${v.map(fmt).join(",")}]`;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([k, x]) => !k.startsWith("reserved") && x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${k}:${fmt(x)}`).join(",")}}`;
}

/** Message properties as compared: x-death entries lose their time, the only clock in them. */
function normalisedProperties(p: BasicProperties | undefined): BasicProperties {
  if (!p?.headers || !Array.isArray(p.headers["x-death"])) return p ?? {};
  const deaths = (p.headers["x-death"] as FieldTable[]).map((d) => {
    const { time: _time, ...rest } = d;
    return rest;
  });
  return { ...p, headers: { ...p.headers, "x-death": deaths } };
}

interface ChannelState {
  open: boolean;
  /** In confirm mode: every channel is, from its open on (see the header), so publishes can be waited for. */
  confirm: boolean;
  /** The sequence asked for confirms: only then are they part of the transcript. */
  showConfirms: boolean;
  nextSeq: number;
  unconfirmed: Set<number>;
  acked: number[];
  nacked: number[];
  /** Delivery tags received with manual acknowledgement and not yet settled, ascending. */
  unacked: number[];
  maxTag: number;
  /** consumer tag (server-made ones by alias) -> no-ack */
  consumers: Map<string, boolean>;
}

interface ConnState {
  c: RecordingConnection;
  channels: Map<number, ChannelState>;
  /** log index up to which the transcript has been written */
  cursor: number;
  /** "socket closed" is in the transcript already */
  closedNoted: boolean;
  /** the broker sent connection.close but left the socket open */
  leftOpen: boolean;
}

/** What the generator may look at: the state as the broker showed it so far. */
export interface View {
  openConns: number[];
  /** open channels of a connection */
  channels(conn: number): number[];
  channel(conn: number, ch: number): ChannelState | undefined;
  /** aliases ($gen1…) of server-named queues seen so far */
  generatedQueues: string[];
  /** queues the observer found at the last step (not exclusive to a connection) */
  visibleQueues: string[];
  /** exchanges declared and not deleted since (auto-delete ones may be gone) */
  declaredExchanges: string[];
}

function newChannel(): ChannelState {
  return {
    open: true,
    confirm: false,
    showConfirms: false,
    nextSeq: 1,
    unconfirmed: new Set(),
    acked: [],
    nacked: [],
    unacked: [],
    maxTag: 0,
    consumers: new Map(),
  };
}

export class SequenceRunner {
  readonly #url: string;
  readonly #queueNames: readonly string[];
  readonly #exchangeNames: readonly string[];
  readonly #conns = new Map<number, ConnState>();
  #observer: RecordingConnection | null = null;
  /** observer channel per probed name, and whether it is open */
  readonly #observerChannels = new Map<string, { ch: number; open: boolean }>();
  /** queue names the observer last found declared and accessible */
  #visible = new Set<string>();
  /** exclusive queue name -> owning connection */
  readonly #exclusiveOwner = new Map<string, number>();
  readonly #declaredExchanges = new Set<string>();
  readonly #aliasOf = new Map<string, string>();
  readonly #actualOf = new Map<string, string>();
  #aliasCount = { gen: 0, ctag: 0 };
  /** basic.get's no-ack flag: get-ok carries none, and one get is in flight at a time. */
  #lastGetNoAck = false;
  /** the broker closed a channel or connection that held unacked messages (barrier step 4) */
  #requeuePending = false;
  /** the observer's lines for the current step */
  #observed: string[] = [];

  constructor(url: string, names: { queues: readonly string[]; exchanges: readonly string[] }) {
    this.#url = url;
    this.#queueNames = names.queues;
    this.#exchangeNames = names.exchanges;
  }

  get view(): View {
    return {
      openConns: [...this.#conns.entries()].filter(([, s]) => !s.c.socketClosed && !s.c.closing).map(([i]) =>
        i
      ),
      channels: (conn) => {
        const s = this.#conns.get(conn);
        if (!s || s.c.socketClosed || s.c.closing) return [];
        return [...s.channels.entries()].filter(([, c]) => c.open).map(([n]) => n);
      },
      channel: (conn, ch) => this.#conns.get(conn)?.channels.get(ch),
      generatedQueues: [...this.#actualOf.keys()].filter((a) => a.startsWith("$gen")),
      visibleQueues: [...this.#visible].map((q) => this.#aliasOf.get(q) ?? q),
      declaredExchanges: [...this.#declaredExchanges],
    };
  }

  /** Runs one operation to its sync point; returns the transcript lines it produced. */
  async step(op: Op): Promise<string[]> {
    const lines: string[] = [];
    if (this.#observer === null) this.#observer = await RecordingConnection.open(this.#url, REPLY_TIMEOUT_MS);
    if (op.kind === "connection.open") {
      lines.push(await this.#openConnection(op.conn));
    } else if (op.kind === "connection.close") {
      lines.push(await this.#closeConnection(op.conn));
    } else {
      lines.push(await this.#channelOp(op));
    }
    await this.#barrier(op);
    lines.push(...this.#collect());
    return lines.map((l) => this.#normalise(l));
  }

  async #openConnection(conn: number): Promise<string> {
    const old = this.#conns.get(conn);
    if (old && !old.c.socketClosed) throw new Error(`connection ${conn} is already open`);
    const c = await RecordingConnection.open(this.#url, REPLY_TIMEOUT_MS);
    const state: ConnState = {
      c,
      channels: new Map(),
      cursor: c.log.length,
      closedNoted: false,
      leftOpen: false,
    };
    c.onInbound = (m) => this.#track(state, m);
    this.#conns.set(conn, state);
    return "-> connection.open-ok";
  }

  async #closeConnection(conn: number): Promise<string> {
    const s = this.#mustConn(conn);
    // as for a channel's close: its unacked messages come back a moment after the close-ok
    if ([...s.channels.values()].some((c) => c.open && c.unacked.length > 0)) this.#requeuePending = true;
    const since = s.c.log.length;
    await s.c.sendMethod(0, "connection.close", {
      replyCode: 200,
      replyText: "bye",
      classId: 0,
      methodId: 0,
    });
    const reply = await s.c.waitFor(
      (m) => m.name === "connection.close-ok" || m.name === "connection.close",
      REPLY_TIMEOUT_MS,
      { take: false, since },
    );
    if (reply?.name === "connection.close-ok") reply.taken = true;
    await s.c.abort();
    this.#forgetExclusive(conn);
    return reply?.name === "connection.close-ok" ? "-> connection.close-ok" : "-> (no close-ok)";
  }

  async #channelOp(op: Extract<Op, { kind: "method" | "publish" }>): Promise<string> {
    const s = this.#mustConn(op.conn);
    const args = this.#resolve(op.args);
    if (op.kind === "publish") {
      const ch = s.channels.get(op.ch);
      if (ch?.open && ch.confirm) ch.unconfirmed.add(ch.nextSeq++);
      await s.c.publish(op.ch, args, new TextEncoder().encode(op.body), op.properties);
      return "-> (async)";
    }
    if (op.method === "channel.open") s.channels.set(op.ch, newChannel());
    if (op.method === "basic.get") this.#lastGetNoAck = Boolean(args.noAck);
    const since = s.c.log.length;
    await s.c.sendMethod(op.ch, op.method, args);
    this.#afterSend(s, op.ch, op.method, args);
    if (op.reply === null) return "-> (async)";
    const replies = op.reply.split("|");
    const reply = await s.c.waitFor(
      (m) =>
        (m.channel === op.ch && (replies.includes(m.name) || m.name === "channel.close")) ||
        m.name === "connection.close",
      REPLY_TIMEOUT_MS,
      { take: false, since, what: op.reply },
    );
    if (reply === null) return "-> (socket closed)";
    if (!replies.includes(reply.name)) return "-> (closed)";
    reply.taken = true;
    this.#afterReply(s, op, args, reply);
    if (reply.name === "channel.open-ok") await this.#selectConfirms(s, op.ch);
    return `-> ${this.#describeInbound(reply)}`;
  }

  /**
   * Puts a new channel in confirm mode, outside the transcript. A publisher confirm is
   * the one answer RabbitMQ sends only after the queues have taken the message (and
   * delivered it to consumers): waiting for it makes a publish step end at a sync
   * point. Confirm mode changes no routing or delivery.
   */
  async #selectConfirms(s: ConnState, chNo: number): Promise<void> {
    const since = s.c.log.length;
    await s.c.sendMethod(chNo, "confirm.select");
    const ok = await s.c.waitFor(
      (m) =>
        (m.channel === chNo && (m.name === "confirm.select-ok" || m.name === "channel.close")) ||
        m.name === "connection.close",
      REPLY_TIMEOUT_MS,
      { take: false, since, what: "confirm.select-ok" },
    );
    if (ok?.name !== "confirm.select-ok") return;
    ok.taken = true;
    const ch = s.channels.get(chNo);
    if (ch) ch.confirm = true;
  }

  /** Client-side bookkeeping for what was just sent. */
  #afterSend(s: ConnState, chNo: number, method: string, args: AnyArgs): void {
    const ch = s.channels.get(chNo);
    if (!ch) return;
    // RabbitMQ hands a closed channel's unacked messages back asynchronously: its close-ok can
    // reach us before the queue has them, so the next observation waits for them to settle.
    if (method === "channel.close" && ch.unacked.length > 0) this.#requeuePending = true;
    if (method === "basic.ack" || method === "basic.nack" || method === "basic.reject") {
      const tag = Number(args.deliveryTag);
      ch.unacked = args.multiple
        ? (tag === 0 ? [] : ch.unacked.filter((t) => t > tag))
        : ch.unacked.filter((t) => t !== tag);
    } else if (method === "basic.recover") {
      ch.unacked = [];
    }
  }

  #afterReply(s: ConnState, op: Extract<Op, { kind: "method" }>, args: AnyArgs, reply: Inbound): void {
    const ch = s.channels.get(op.ch);
    switch (reply.name) {
      case "confirm.select-ok":
        if (ch) ch.showConfirms = true;
        break;
      case "basic.consume-ok":
        ch?.consumers.set(this.#alias(reply.args.consumerTag), Boolean(args.noAck));
        break;
      case "basic.cancel-ok":
        ch?.consumers.delete(this.#alias(reply.args.consumerTag));
        break;
      case "channel.close-ok":
        if (ch) ch.open = false;
        break;
      case "exchange.declare-ok":
        this.#declaredExchanges.add(args.exchange);
        break;
      case "exchange.delete-ok":
        this.#declaredExchanges.delete(args.exchange);
        break;
      case "queue.declare-ok":
        if (args.exclusive && !args.passive) this.#exclusiveOwner.set(reply.args.queue, op.conn);
        this.#alias(reply.args.queue);
        break;
    }
  }

  /** Keeps channel state in step with what the broker sends, as it arrives. */
  #track(s: ConnState, m: Inbound): void {
    const ch = s.channels.get(m.channel);
    switch (m.name) {
      case "channel.close":
        if (ch?.unacked.length) this.#requeuePending = true;
        if (ch) ch.open = false;
        break;
      case "connection.close":
        if ([...s.channels.values()].some((c) => c.open && c.unacked.length > 0)) this.#requeuePending = true;
        break;
      case "basic.deliver":
      case "basic.get-ok": {
        if (!ch) break;
        const tag = Number(m.args.deliveryTag);
        ch.maxTag = Math.max(ch.maxTag, tag);
        const noAck = m.name === "basic.deliver"
          ? ch.consumers.get(this.#alias(m.args.consumerTag))
          : this.#lastGetNoAck;
        if (!noAck) ch.unacked.push(tag);
        break;
      }
      case "basic.cancel":
        ch?.consumers.delete(this.#alias(m.args.consumerTag));
        break;
      case "basic.ack":
      case "basic.nack": {
        if (!ch) break;
        const tag = Number(m.args.deliveryTag);
        const settled = m.args.multiple ? [...ch.unconfirmed].filter((t) => t <= tag) : [tag];
        for (const t of settled) {
          ch.unconfirmed.delete(t);
          (m.name === "basic.ack" ? ch.acked : ch.nacked).push(t);
        }
        break;
      }
    }
  }

  #forgetExclusive(conn: number): void {
    for (const [q, owner] of this.#exclusiveOwner) if (owner === conn) this.#exclusiveOwner.delete(q);
  }

  #mustConn(conn: number): ConnState {
    const s = this.#conns.get(conn);
    if (!s) throw new Error(`connection ${conn} was never opened`);
    return s;
  }

  async #barrier(op: Op): Promise<void> {
    // 0. a broker that closed a connection closes its socket after our close-ok
    for (const s of this.#conns.values()) {
      if (!s.c.closing || s.c.socketClosed) continue;
      const closed = await s.c.waitFor(() => false, REPLY_TIMEOUT_MS, {
        take: false,
        what: "the socket to close",
      })
        .then(() => true, () => false);
      if (!closed) {
        s.leftOpen = true;
        await s.c.abort();
      }
    }
    // 1. the operation's own channel waits for the queues it touched
    if (op.kind !== "connection.open" && op.kind !== "connection.close") {
      const name = op.kind === "publish" ? "basic.publish" : op.method;
      const s = this.#conns.get(op.conn)!;
      if (ASYNC_EFFECT.has(name) && s.channels.get(op.ch)?.open && !s.c.closing) {
        const queues = new Set(this.#visible);
        for (const [q, owner] of this.#exclusiveOwner) if (owner === op.conn) queues.add(q);
        await this.#probeChannel(
          s,
          op.ch,
          [...queues].map((q) => ["queue.declare", { queue: q, passive: true }]),
        );
      }
    }
    // 2. outstanding publisher confirms
    for (const s of this.#conns.values()) {
      for (const ch of s.channels.values()) {
        if (ch.unconfirmed.size === 0) continue;
        await s.c.waitUntil(() => ch.unconfirmed.size === 0 || !ch.open || s.c.closing, REPLY_TIMEOUT_MS)
          .catch(() => {
            throw new Error(`confirms ${[...ch.unconfirmed].join(",")} never arrived`);
          });
      }
    }
    // 3. the observer's counts, and a no-op on every open channel
    await this.#observeAndFlush();
    // 4. a channel or connection the broker closed gives its unacked messages back only once our
    //    close-ok has reached it, with nothing to wait for: RabbitMQ requeues them a moment later.
    //    Observe again until nothing changes for SETTLE_ROUNDS rounds.
    if (this.#requeuePending) {
      this.#requeuePending = false;
      let stable = 0;
      for (let round = 0; round < SETTLE_MAX_ROUNDS && stable < SETTLE_ROUNDS; round++) {
        const before = [this.#observed.join("\n"), ...[...this.#conns.values()].map((s) => s.c.log.length)]
          .join();
        await new Promise((r) => setTimeout(r, SETTLE_PAUSE_MS));
        await this.#observeAndFlush();
        const after = [this.#observed.join("\n"), ...[...this.#conns.values()].map((s) => s.c.log.length)]
          .join();
        stable = before === after ? stable + 1 : 0;
      }
    }
  }

  async #observeAndFlush(): Promise<void> {
    const flushes: Promise<void>[] = [this.#observe()];
    for (const s of this.#conns.values()) {
      if (s.c.socketClosed || s.c.closing) continue;
      for (const [n, ch] of s.channels) {
        if (ch.open) flushes.push(this.#probeChannel(s, n, [["exchange.declare", NOOP_DECLARE]]));
      }
    }
    await Promise.all(flushes);
  }

  /** Sends probes on a channel at once and waits for each answer (or the channel's end). */
  async #probeChannel(s: ConnState, ch: number, probes: [string, AnyArgs][]): Promise<void> {
    const since = s.c.log.length;
    for (const [method, args] of probes) await s.c.sendMethod(ch, method, args);
    for (const [method] of probes) {
      const reply = `${method}-ok`;
      const m = await s.c.waitFor(
        (m) =>
          (m.channel === ch && (m.name === reply || m.name === "channel.close")) ||
          m.name === "connection.close",
        REPLY_TIMEOUT_MS,
        { take: false, since, what: `${reply} (probe on channel ${ch})` },
      );
      if (m === null || m.name !== reply) return;
      m.taken = true;
    }
  }

  /** Passive declares of every queue name on the observer connection; records the counts. */
  async #observe(): Promise<void> {
    const obs = this.#observer!;
    const names = [...this.#queueNames, ...this.view.generatedQueues.map((a) => this.#actualOf.get(a)!)];
    const start = obs.log.length;
    const waits: Promise<[string, Inbound | null]>[] = [];
    for (const name of names) {
      let oc = this.#observerChannels.get(name);
      if (!oc) this.#observerChannels.set(name, oc = { ch: this.#observerChannels.size + 1, open: false });
      const ch = oc.ch;
      if (!oc.open) await obs.sendMethod(ch, "channel.open");
      await obs.sendMethod(ch, "queue.declare", { queue: name, passive: true });
      oc.open = true;
      waits.push(
        obs.waitFor(
          (m) => m.channel === ch && (m.name === "queue.declare-ok" || m.name === "channel.close"),
          REPLY_TIMEOUT_MS,
          { since: start, what: `the observer's declare of ${name}` },
        ).then((m) => [name, m]),
      );
    }
    const results = await Promise.all(waits);
    this.#visible = new Set();
    this.#observed = [];
    const absent: string[] = [];
    for (const [name, m] of results) {
      if (m === null) throw new Error("the observer connection was closed");
      if (m.name === "queue.declare-ok") {
        this.#visible.add(name);
        this.#observed.push(
          `observe ${name}: ready=${m.args.messageCount} consumers=${m.args.consumerCount}`,
        );
      } else {
        this.#observerChannels.get(name)!.open = false;
        if (m.args.replyCode === 404 && m.args.replyText === `NOT_FOUND - no queue '${name}' in vhost '/'`) {
          this.#exclusiveOwner.delete(name);
          absent.push(name);
        } else {
          this.#observed.push(`observe ${name}: ${m.args.replyCode} ${m.args.replyText}`);
        }
      }
    }
    if (absent.length) this.#observed.push(`observe absent: ${absent.join(" ")}`);
    // channel.open-ok answers and close-oks are bookkeeping, not observations
    for (const m of obs.log.slice(start)) m.taken = true;
  }

  /** Everything the connections received since the last step that no waiter took, grouped per channel. */
  #collect(): string[] {
    const out: string[] = [];
    for (const [i, s] of [...this.#conns.entries()].sort(([a], [b]) => a - b)) {
      const fresh = s.c.log.slice(s.cursor);
      s.cursor = s.c.log.length;
      const byChannel = new Map<number, string[]>();
      const add = (ch: number, line: string) => {
        let l = byChannel.get(ch);
        if (!l) byChannel.set(ch, l = []);
        l.push(line);
      };
      for (const m of fresh) {
        if (m.taken) continue;
        if (m.name === "basic.ack" || m.name === "basic.nack") continue; // confirms: below, per channel
        add(m.channel, this.#describeInbound(m));
      }
      for (const [n, ch] of s.channels) {
        if (ch.showConfirms && (ch.acked.length || ch.nacked.length)) {
          add(
            n,
            `confirms ack=[${ch.acked.sort((a, b) => a - b)}] nack=[${ch.nacked.sort((a, b) => a - b)}]`,
          );
        }
        ch.acked = [];
        ch.nacked = [];
      }
      if (s.c.socketClosed && !s.closedNoted) {
        s.closedNoted = true;
        add(0, s.leftOpen ? `socket left open ${REPLY_TIMEOUT_MS} ms after close-ok` : "socket closed");
      }
      for (const [n, lines] of [...byChannel.entries()].sort(([a], [b]) => a - b)) {
        for (const l of lines) out.push(`c${i}.${n} ${l}`);
      }
    }
    out.push(...this.#observed);
    return out;
  }

  #describeInbound(m: Inbound): string {
    if (m.properties === undefined) return `${m.name} ${fmt(m.args)}`;
    const body = new TextDecoder().decode(m.body);
    return `${m.name} ${fmt(m.args)} body=${body} props=${fmt(normalisedProperties(m.properties))}`;
  }

  /** Replaces server-made names with their aliases. */
  #normalise(line: string): string {
    return line.replace(/amq\.(gen|ctag)-[A-Za-z0-9_-]+/g, (name) => this.#alias(name));
  }

  #alias(name: string): string {
    const m = /^amq\.(gen|ctag)-/.exec(name);
    if (!m) return name;
    let a = this.#aliasOf.get(name);
    if (!a) {
      const kind = m[1] as "gen" | "ctag";
      a = `$${kind}${++this.#aliasCount[kind]}`;
      this.#aliasOf.set(name, a);
      this.#actualOf.set(a, name);
    }
    return a;
  }

  /** Operation arguments name server-made objects by alias; the broker needs the real name. */
  #resolve(args: AnyArgs): AnyArgs {
    const out: AnyArgs = {};
    for (const [k, v] of Object.entries(args)) {
      out[k] = typeof v === "string" && v.startsWith("$") ? this.#actualOf.get(v) ?? v : v;
    }
    return out;
  }

  /** Closes every connection and deletes what the sequence declared (not part of the transcript). */
  async finish(): Promise<void> {
    for (const s of this.#conns.values()) {
      if (!s.c.socketClosed) {
        await s.c.sendMethod(0, "connection.close", {
          replyCode: 200,
          replyText: "bye",
          classId: 0,
          methodId: 0,
        });
        await s.c.waitFor((m) => m.name === "connection.close-ok", 2_000, { since: s.cursor }).catch(() =>
          null
        );
        await s.c.abort();
      }
    }
    const obs = this.#observer;
    if (obs === null) return;
    this.#observer = null;
    if (!obs.socketClosed) {
      const start = obs.log.length;
      const targets: [string, AnyArgs][] = [
        ...[...this.#queueNames, ...this.view.generatedQueues.map((a) => this.#actualOf.get(a)!)].map((
          q,
        ) => ["queue.delete", { queue: q }] as [string, AnyArgs]),
        ...this.#exchangeNames.map((x) => ["exchange.delete", { exchange: x }] as [string, AnyArgs]),
      ];
      // a fresh channel for each deletion: one refused (an exclusive queue) closes only its own
      const base = this.#observerChannels.size + 1;
      for (const [i, [method, args]] of targets.entries()) {
        await obs.sendMethod(base + i, "channel.open");
        await obs.sendMethod(base + i, method, args);
      }
      await obs.sendMethod(0, "connection.close", {
        replyCode: 200,
        replyText: "bye",
        classId: 0,
        methodId: 0,
      });
      await obs.waitFor((m) => m.name === "connection.close-ok", REPLY_TIMEOUT_MS, { since: start })
        .catch(() => null);
    }
    await obs.abort();
  }
}

const NOOP_DECLARE: AnyArgs = { exchange: "amq.direct", type: "direct", passive: true };
const SETTLE_PAUSE_MS = 10;
const SETTLE_ROUNDS = 2;
const SETTLE_MAX_ROUNDS = 20;
