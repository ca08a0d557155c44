// What exchange and queue federation links share: a link is a pair of
// client connections, one to the upstream and one to this node, that moves
// messages downstream. Any failure closes both, the link shows `error` with
// the reason, and it reconnects after the upstream's reconnect-delay,
// backing off while failures repeat; a stopped link closes both for good.
import type { ClientChannel, ClientConnection, ClientTransport, Delivery } from "../client/amqp_client.ts";
import { ServerClosed } from "../client/amqp_client.ts";
import { connectToUri } from "../client/connect.ts";
import { logger } from "../log.ts";
import { ConfirmWindow } from "../shovel/confirm_window.ts";
import type { UpstreamConfig } from "./upstream_config.ts";

const log = logger("federation");

export type LinkState = "starting" | "running" | "error";

/** Repeated failures stretch the wait up to this (or reconnect-delay, if longer). */
const MAX_BACKOFF_MS = 30_000;
/** A session that stayed up this long resets the backoff. */
const STABLE_AFTER_MS = 10_000;

export interface LinkEnvironment {
  connectLocal(): ClientTransport;
  /** This node's cluster name: what x-received-from and the upstream queue's name call it. */
  readonly clusterName: string;
}

export interface LinkIdentity {
  vhost: string;
  /** The downstream exchange or queue. */
  name: string;
  policy: string;
  upstream: UpstreamConfig;
}

export abstract class FederationLink {
  abstract readonly type: "exchange" | "queue";
  state: LinkState = "starting";
  error: string | null = null;
  changedAt = new Date();
  /** The upstream URI of the current session. */
  uri: string | null = null;
  /** Messages published downstream (and confirmed there, with on-confirm). */
  forwarded = 0;

  #stopped = false;
  #removed = false;
  protected readonly abort = new AbortController();
  #wake: (() => void) | null = null;
  #endSession: ((e: Error) => void) | null = null;
  #running: Promise<void> | null = null;
  #upstreamConn: ClientConnection | null = null;
  #localConn: ClientConnection | null = null;

  constructor(readonly id: LinkIdentity, readonly env: LinkEnvironment) {}

  get vhost(): string {
    return this.id.vhost;
  }

  get upstream(): UpstreamConfig {
    return this.id.upstream;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  /**
   * Stops for good. `removed`: the link is no longer wanted (its policy or
   * upstream went), so what it declared upstream is deleted too, unless
   * the upstream says resource-cleanup-mode "never"; a node shutting down
   * or a link restarting leaves it for the next session.
   */
  async stop(removed = false): Promise<void> {
    this.#removed = removed && !this.upstream.keepUpstreamResources;
    this.#stopped = true;
    this.abort.abort();
    this.#wake?.();
    this.#endSession?.(new Error("link stopped"));
    await this.#running;
  }

  /** Ends the session with `error`; the link reconnects. */
  protected fail(error: Error): void {
    this.#endSession?.(error);
  }

  #setState(state: LinkState, error: string | null = null): void {
    this.state = state;
    this.error = error;
    this.changedAt = new Date();
  }

  /** Connects both sides, sets up what the link needs and starts moving messages. */
  protected abstract setUp(upstream: ClientConnection, local: ClientConnection): Promise<Promise<Error>[]>;
  /** Deletes what the link declared upstream (the link is being removed; the session is still up). */
  protected cleanUpstream(): Promise<void> {
    return Promise.resolve();
  }

  /** The session ended: forget its channels. */
  protected tearDown(): void {
    this.#upCh = null;
    this.#localCh = null;
    this.#window = null;
  }

  // Per-session state used on every delivery (fields, not closures, on the hot path).
  #upCh: ClientChannel | null = null;
  #localCh: ClientChannel | null = null;
  #window: ConfirmWindow | null = null;

  /** Deliveries from `upCh` are republished on `localCh`, acked upstream as ack-mode says. */
  protected async startForwarding(upCh: ClientChannel, localCh: ClientChannel): Promise<void> {
    this.#upCh = upCh;
    this.#localCh = localCh;
    if (this.upstream.ackMode !== "on-confirm") return;
    await localCh.confirmSelect();
    const window = new ConfirmWindow({
      ack: (tag, multiple) => upCh.ack(tag, multiple),
      nack: (tag) => upCh.nack(tag, false, true),
    });
    this.#window = window;
    localCh.onConfirm = (seq, multiple, ack) => {
      this.forwarded += window.confirm(seq, multiple, ack);
    };
  }

  protected forward(d: Delivery, exchange: string, routingKey: string, rawProperties: Uint8Array): void {
    const local = this.#localCh;
    if (local === null) return; // closing: left unacked, the upstream requeues it
    const seq = local.publish(exchange, routingKey, rawProperties, d.body);
    const mode = this.upstream.ackMode;
    if (mode === "on-confirm") {
      this.#window!.add(seq, d.deliveryTag);
      return;
    }
    if (mode === "on-publish") this.#upCh!.ack(d.deliveryTag);
    this.forwarded++;
  }

  /** A delivery not forwarded (a loop, too many hops): settled upstream all the same. */
  protected drop(d: Delivery): void {
    if (this.upstream.ackMode !== "no-ack") this.#upCh?.ack(d.deliveryTag);
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      this.#setState("starting");
      const startedAt = Date.now();
      const error = await this.#session().catch((e) => e as Error);
      if (this.#stopped && this.#removed && this.state === "running") {
        await this.cleanUpstream().catch(() => {/* best effort: the upstream may be gone */});
      }
      this.tearDown();
      this.#endSession = null;
      const up = this.#upstreamConn;
      const local = this.#localConn;
      this.#upstreamConn = null;
      this.#localConn = null;
      await Promise.all([local?.close(), up?.close()]);
      if (this.#stopped) break;
      const reason = error instanceof ServerClosed ? `${error.replyCode} ${error.replyText}` : error.message;
      this.#setState("error", reason);
      log.warning("federation link failed", {
        vhost: this.vhost,
        [this.type]: this.id.name,
        upstream: this.upstream.name,
        reason,
      });
      failures = Date.now() - startedAt > STABLE_AFTER_MS ? 1 : failures + 1;
      const baseMs = Math.max(this.upstream.reconnectDelayS * 1000, 100);
      const delayMs = Math.min(baseMs * 2 ** (failures - 1), Math.max(baseMs, MAX_BACKOFF_MS));
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

  async #session(): Promise<Error> {
    const ended = new Promise<Error>((resolve) => (this.#endSession = resolve));
    if (this.#stopped) return new Error("link stopped");
    const connectionName = `Federation link (upstream: ${this.upstream.name}, policy: ${this.id.policy})`;
    // Picked here, as RabbitMQ picks one of the URIs at random, so a failing link shows which it tried.
    const uris = this.upstream.uris;
    this.uri = uris[Math.floor(Math.random() * uris.length)];
    const [up] = await connectToUri([this.uri], {
      connectLocal: this.env.connectLocal,
      connectionName,
      signal: this.abort.signal,
    });
    this.#upstreamConn = up;
    const [local] = await connectToUri(["amqp:///" + encodeURIComponent(this.vhost)], {
      connectLocal: this.env.connectLocal,
      connectionName,
      signal: this.abort.signal,
    });
    this.#localConn = local;
    const closers = await this.setUp(up, local);
    this.#setState("running");
    log.info("federation link running", {
      vhost: this.vhost,
      [this.type]: this.id.name,
      upstream: this.upstream.name,
    });
    return await Promise.race([ended, up.closed, local.closed, ...closers]);
  }
}
