// One dynamic shovel: an AMQP 0-9-1 client that consumes from a source
// queue (or a queue of its own bound to a source exchange) and republishes
// to a destination. With ack-mode on-confirm a source message is acked only
// after the destination confirmed it, so a crash of either side loses
// nothing: what was in flight is redelivered by the source (a possible
// duplicate, counted as `redelivered`). Any failure closes both sides, the
// shovel shows `terminated` with the reason, and it reconnects after
// reconnect-delay, backing off while failures repeat.
import type { ClientChannel, ClientConnection, ClientTransport, Delivery } from "../client/amqp_client.ts";
import { ServerClosed } from "../client/amqp_client.ts";
import { connectToUri } from "../client/connect.ts";
import { REPLY_NOT_FOUND } from "../amqp/errors.ts";
import type { FieldTable } from "../amqp/field_table.ts";
import { present } from "../assert.ts";
import { logger } from "../log.ts";
import { ConfirmWindow } from "./confirm_window.ts";
import { type MessageRewriter, rewriterFor } from "./rewrite.ts";
import type { ShovelConfig } from "./shovel_config.ts";

const log = logger("shovel");

export type ShovelState = "starting" | "running" | "terminated";

/** Repeated failures stretch the wait up to this (or reconnect-delay, if longer). */
const MAX_BACKOFF_MS = 30_000;
/** A connection that stayed up this long resets the backoff. */
const STABLE_AFTER_MS = 10_000;

export interface ShovelEnvironment {
  /** A transport to this node (a URI with no host). */
  connectLocal(): ClientTransport;
  readonly nodeName: string;
  /** src-delete-after reached: the shovel's parameter goes away. */
  finished(shovel: Shovel): void;
}

/** What one session (a pair of connections) ended with. */
type SessionEnd = { done: true } | { done: false; error: Error };

export class Shovel {
  state: ShovelState = "starting";
  reason: string | null = null;
  /** When the state last changed. */
  changedAt = new Date();
  srcUri: string | null = null;
  destUri: string | null = null;
  /** Messages the destination took (confirmed, published or sent, per ack-mode). */
  forwarded = 0;
  /** Source deliveries flagged redelivered: possible duplicates at the destination. */
  redelivered = 0;

  #stopped = false;
  /** Aborts a TCP connect in progress when the shovel stops. */
  readonly #abort = new AbortController();
  #src: ClientConnection | null = null;
  #dest: ClientConnection | null = null;
  #wake: (() => void) | null = null;
  #endSession: ((end: SessionEnd) => void) | null = null;
  #running: Promise<void> | null = null;

  // Per-session state used on every delivery (fields, not closures, on the hot path).
  #srcCh: ClientChannel | null = null;
  #destCh: ClientChannel | null = null;
  #window: ConfirmWindow | null = null;
  #remaining = Infinity;
  #publishAckTag = -1;
  #rewrite: MessageRewriter | null = null;

  constructor(
    readonly vhost: string,
    readonly name: string,
    readonly config: ShovelConfig,
    readonly env: ShovelEnvironment,
  ) {}

  start(): void {
    this.#running ??= this.#run();
  }

  /** Stops for good: both connections closed. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    this.#wake?.();
    this.#endSession?.({ done: false, error: new Error("shovel stopped") });
    await this.#running;
  }

  /** Drops both connections and reconnects at once (the management API's restart). */
  restart(): void {
    this.#wake?.();
    this.#endSession?.({ done: false, error: new Error("restarted") });
  }

  #setState(state: ShovelState, reason: string | null = null): void {
    this.state = state;
    this.reason = reason;
    this.changedAt = new Date();
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      this.#setState("starting");
      const startedAt = Date.now();
      const end = await this.#session().catch((e): SessionEnd => ({ done: false, error: e as Error }));
      await this.#closeConnections();
      if (this.#stopped) break;
      if (end.done) {
        log.info("shovel finished (src-delete-after reached)", { vhost: this.vhost, name: this.name });
        this.#setState("terminated", "finished");
        this.env.finished(this);
        break;
      }
      const reason = end.error instanceof ServerClosed
        ? `${end.error.replyCode} ${end.error.replyText}`
        : end.error.message;
      this.#setState("terminated", reason);
      log.warning("shovel failed", { vhost: this.vhost, name: this.name, reason });
      if (this.config.reconnectDelayS === 0 && reason !== "restarted") break;
      failures = Date.now() - startedAt > STABLE_AFTER_MS ? 1 : failures + 1;
      const baseMs = this.config.reconnectDelayS * 1000;
      const delayMs = reason === "restarted"
        ? 0
        : Math.min(baseMs * 2 ** (failures - 1), Math.max(baseMs, MAX_BACKOFF_MS));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
  }

  #connect(uris: string[], side: string): Promise<[ClientConnection, string]> {
    return connectToUri(uris, {
      connectLocal: () => this.env.connectLocal(),
      connectionName: `Shovel ${this.name} (${side})`,
      signal: this.#abort.signal,
    });
  }

  async #session(): Promise<SessionEnd> {
    const c = this.config;
    const ended = new Promise<SessionEnd>((resolve) => (this.#endSession = resolve));
    if (this.#stopped) return { done: false, error: new Error("shovel stopped") };

    const [src, srcUri] = await this.#connect(c.srcUris, "source");
    this.#src = src;
    const [dest, destUri] = await this.#connect(c.destUris, "destination");
    this.#dest = dest;
    this.srcUri = srcUri;
    this.destUri = destUri;

    if (c.destQueue !== null) await ensureQueue(dest, c.destQueue, c.destQueueArgs);
    const destCh = await dest.channel();
    if (c.ackMode === "on-confirm") await destCh.confirmSelect();

    let queue: string;
    let count: number;
    if (c.srcQueue !== null) {
      queue = c.srcQueue;
      count = await ensureQueue(src, c.srcQueue, c.srcQueueArgs);
    } else {
      const ch = await src.channel();
      const ok = await ch.call("queue.declare", { queue: "", exclusive: true, autoDelete: true });
      queue = ok.queue;
      count = 0;
      const exchange = present(c.srcExchange, "a shovel without a source queue has a source exchange");
      await ch.call("queue.bind", { queue, exchange, routingKey: c.srcExchangeKey });
      await ch.close();
    }
    const srcCh = await src.channel();
    if (c.prefetchCount > 0) await srcCh.call("basic.qos", { prefetchCount: c.prefetchCount });

    this.#remaining = c.deleteAfter === "queue-length"
      ? count
      : c.deleteAfter === "never"
      ? Infinity
      : c.deleteAfter;
    if (this.#remaining === 0) return { done: true };
    this.#srcCh = srcCh;
    this.#destCh = destCh;
    this.#rewrite = rewriterFor(this, c);
    this.#publishAckTag = -1;
    if (c.ackMode === "on-confirm") {
      const window = new ConfirmWindow({
        ack: (tag, multiple) => srcCh.ack(tag, multiple),
        nack: (tag) => {
          this.#remaining++;
          srcCh.nack(tag, false, true);
        },
      });
      this.#window = window;
      destCh.onConfirm = (seq, multiple, ack) => {
        this.forwarded += window.confirm(seq, multiple, ack);
        if (this.forwarded >= this.#stopAt) this.#endSession?.({ done: true });
      };
    } else if (c.ackMode === "on-publish") {
      destCh.onWritable = () => {
        if (this.#publishAckTag < 0) return;
        srcCh.ack(this.#publishAckTag, true);
        this.#publishAckTag = -1;
      };
    }
    this.#stopAt = this.#remaining;
    this.forwarded = 0;
    srcCh.onCancel = () => this.#endSession?.({ done: false, error: new Error("source consumer cancelled") });
    await srcCh.consume(queue, {
      noAck: c.ackMode === "no-ack",
      arguments: c.srcConsumerArgs as FieldTable,
    }, this.#onDelivery);
    this.#setState("running");
    log.info("shovel running", { vhost: this.vhost, name: this.name });

    const failed = (e: Error): SessionEnd => ({ done: false, error: e });
    return await Promise.race([
      ended,
      src.closed.then(failed),
      dest.closed.then(failed),
      srcCh.closed.then(failed),
      destCh.closed.then(failed),
    ]);
  }

  #stopAt = Infinity;

  #onDelivery = (d: Delivery): void => {
    const dest = this.#destCh;
    // Past src-delete-after, or the session is closing: left unacked, the source requeues it.
    if (this.#remaining <= 0 || dest === null) return;
    this.#remaining--;
    const c = this.config;
    if (d.redelivered) this.redelivered++;
    let exchange = d.exchange;
    let routingKey = d.routingKey;
    if (c.destQueue !== null) {
      exchange = "";
      routingKey = c.destQueue;
    } else if (c.destExchange !== null) {
      exchange = c.destExchange;
      if (c.destExchangeKey !== null) routingKey = c.destExchangeKey;
    }
    const props = this.#rewrite === null ? d.rawProperties : this.#rewrite.rewrite(d.rawProperties);
    const seq = dest.publish(exchange, routingKey, props, d.body);
    if (c.ackMode === "on-confirm") {
      present(this.#window, "an on-confirm session has its confirm window").add(seq, d.deliveryTag);
      return;
    }
    if (c.ackMode === "on-publish") this.#publishAckTag = d.deliveryTag;
    this.forwarded++;
    if (this.forwarded >= this.#stopAt) {
      if (this.#publishAckTag >= 0) {
        present(this.#srcCh, "a running session has its source channel").ack(this.#publishAckTag, true);
      }
      this.#endSession?.({ done: true });
    }
  };

  async #closeConnections(): Promise<void> {
    this.#endSession = null;
    this.#srcCh = null;
    this.#destCh = null;
    this.#window = null;
    const src = this.#src;
    const dest = this.#dest;
    this.#src = null;
    this.#dest = null;
    // The destination first: with on-confirm, acks for what it confirmed are already on their way.
    await Promise.all([dest?.close(), src?.close()]);
  }
}

/**
 * The queue's message count, declaring it (durable, with `args`) if it does
 * not exist, as RabbitMQ's shovel does; an existing queue is used as it is.
 */
async function ensureQueue(
  conn: ClientConnection,
  queue: string,
  args: Record<string, unknown>,
): Promise<number> {
  const probe = await conn.channel();
  try {
    const ok = await probe.call("queue.declare", { queue, passive: true });
    await probe.close();
    return ok.messageCount;
  } catch (e) {
    if (!(e instanceof ServerClosed) || e.replyCode !== REPLY_NOT_FOUND) throw e;
  }
  const ch = await conn.channel();
  const ok = await ch.call("queue.declare", { queue, durable: true, arguments: args as FieldTable });
  await ch.close();
  return ok.messageCount;
}
