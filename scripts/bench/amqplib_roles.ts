// The producer and consumer roles on amqplib (npm:amqplib@0.10.4) instead of
// the harness's own client, for `--client amqplib`: figures that do not
// depend on Warren's codec being on both ends. Same stamps, sequence
// numbers, pacing, confirm window and backlog limit as roles.ts, written the
// way an application would use amqplib: one publish() call and one Buffer per
// message, a per-message confirm callback, one ack() per delivery.
import amqp, { type Channel, type ConfirmChannel, type ConsumeMessage } from "./amqplib.ts";
import { setImmediate } from "node:timers";
import { Buffer } from "node:buffer";
import { clockMs } from "./message.ts";
import { LatencySample } from "./stats.ts";
import { ConsumerTally } from "./consumer_tally.ts";
import { PACED, ProducerSignals } from "./producer_signals.ts";
import type {
  ConsumerConfig,
  ConsumerResult,
  HostCommand,
  ProducerConfig,
  ProducerResult,
  RoleControl,
} from "./roles.ts";

type AmqpConnection = Awaited<ReturnType<typeof amqp.connect>>;

/** Messages published per turn of the event loop before yielding to the socket and the confirms. */
const PUBLISH_BATCH = 256;
const CONFIRM_DRAIN_TIMEOUT_MS = 60_000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class AmqplibProducer {
  #cfg: ProducerConfig;
  #conn: AmqpConnection | null = null;
  #ch: Channel | ConfirmChannel | null = null;
  #signals = new ProducerSignals();
  #sent = 0;
  #confirmed = 0;
  #nacked = 0;
  /** Send time of each unconfirmed message, by sequence number modulo the window. */
  #sentAt: Float64Array;
  #confirmLatency = new LatencySample(1_000_000);
  #failure: Error | null = null;

  constructor(cfg: ProducerConfig, _control: RoleControl) {
    this.#cfg = cfg;
    this.#sentAt = new Float64Array(Math.max(1, cfg.confirmWindow));
  }

  onCommand(msg: HostCommand): void {
    this.#signals.onCommand(msg);
  }

  async prepare(): Promise<void> {
    const conn = await amqp.connect(this.#cfg.url, {
      noDelay: true,
      clientProperties: { connection_name: "bench-producer" },
    });
    this.#conn = conn;
    conn.on("error", (e: Error) => this.#failure ??= e);
    this.#ch = this.#cfg.confirmWindow > 0 ? await conn.createConfirmChannel() : await conn.createChannel();
    this.#ch.on("error", (e: Error) => this.#failure ??= e);
  }

  async run(): Promise<ProducerResult> {
    await this.#signals.started;
    const cfg = this.#cfg;
    const ch = this.#ch!;
    const options = { persistent: cfg.persistent };
    const startMs = clockMs();
    const endAt = startMs + cfg.durationMs;
    const window = cfg.confirmWindow;
    let lastPublishMs = startMs;
    let drained = true;
    const onDrain = () => {
      drained = true;
      this.#signals.wakeUp();
    };
    while (!this.#signals.stopped && this.#failure === null) {
      const now = clockMs();
      if (now >= endAt || this.#sent >= cfg.maxMessages) break;
      let allowed = Math.min(PUBLISH_BATCH, cfg.maxMessages - this.#sent);
      if (window > 0) allowed = Math.min(allowed, window - (this.#sent - this.#confirmed - this.#nacked));
      allowed = this.#signals.cap(allowed, this.#sent, now, startMs, cfg);
      if (allowed === PACED) {
        const paced = this.#signals.pace(startMs, this.#sent, cfg.ratePerS);
        if (paced) await paced;
        continue;
      }
      if (allowed <= 0 || !drained) {
        await this.#signals.sleep(50);
        continue;
      }
      const stampAt = cfg.ratePerS > 0 ? clockMs() : now;
      for (let i = 0; i < allowed; i++) {
        const seq = this.#sent++;
        const body = Buffer.alloc(cfg.bodyBytes);
        body.writeDoubleLE(seq, 0);
        body.writeDoubleLE(stampAt, 8);
        const routingKey = cfg.routingKeys[seq % cfg.routingKeys.length];
        let writable: boolean;
        if (window > 0) {
          this.#sentAt[seq % window] = stampAt;
          writable = (ch as ConfirmChannel).publish(cfg.exchange, routingKey, body, options, (err) => {
            if (err) this.#nacked++;
            else this.#confirmed++;
            this.#confirmLatency.add(clockMs() - this.#sentAt[seq % window]);
            this.#signals.wakeUp();
          });
        } else writable = ch.publish(cfg.exchange, routingKey, body, options);
        if (!writable) {
          drained = false;
          ch.once("drain", onDrain);
          break;
        }
      }
      lastPublishMs = stampAt;
      await nextTurn();
    }
    if (window > 0) {
      const deadline = clockMs() + CONFIRM_DRAIN_TIMEOUT_MS;
      while (this.#failure === null && this.#confirmed + this.#nacked < this.#sent && clockMs() < deadline) {
        await this.#signals.sleep(100);
      }
    }
    if (this.#failure) throw this.#failure;
    // As in roles.ts: close-ok means the broker has handled every publish before it.
    await ch.close();
    await this.#conn!.close();
    this.#conn = null;
    return {
      role: "producer",
      sent: this.#sent,
      confirmed: window > 0 ? this.#confirmed : 0,
      nacked: this.#nacked,
      startMs,
      lastPublishMs,
      endMs: clockMs(),
      confirmLatency: window > 0 ? this.#confirmLatency.summary() : undefined,
    };
  }

  async close(): Promise<void> {
    await this.#conn?.close().catch(() => {});
  }
}

export class AmqplibConsumer {
  #cfg: ConsumerConfig;
  #conns: AmqpConnection[] = [];
  #tally: ConsumerTally;
  #failure: Error | null = null;

  constructor(cfg: ConsumerConfig, control: RoleControl) {
    this.#cfg = cfg;
    this.#tally = new ConsumerTally(cfg, control);
  }

  onCommand(msg: HostCommand): void {
    this.#tally.onCommand(msg);
  }

  async prepare(): Promise<void> {
    const cfg = this.#cfg;
    const perConn = Math.max(1, cfg.queuesPerConnection ?? 1);
    const groups: { queue: string; tracker: number }[][] = [];
    for (let i = 0; i < cfg.queues.length; i += perConn) groups.push(cfg.queues.slice(i, i + perConn));
    await Promise.all(groups.map(async (group) => {
      const conn = await amqp.connect(cfg.url, {
        noDelay: true,
        clientProperties: { connection_name: "bench-consumer" },
      });
      this.#conns.push(conn);
      conn.on("error", (e: Error) => this.#failure ??= e);
      conn.on("close", () => this.#failure ??= new Error("consumer connection closed"));
      const ch = await conn.createChannel();
      ch.on("error", (e: Error) => this.#failure ??= e);
      if (!cfg.noAck && cfg.prefetch > 0) await ch.prefetch(cfg.prefetch);
      for (const { queue, tracker } of group) {
        const tally = this.#tally;
        const seqs = tally.trackers[tracker];
        await ch.consume(queue, (msg: ConsumeMessage | null) => {
          if (msg === null) return;
          const now = clockMs();
          const body = msg.content;
          seqs.record(body.length >= 16 ? body.readDoubleLE(0) : -1);
          if (body.length >= 16) tally.latency.add(now - body.readDoubleLE(8));
          tally.deliveries++;
          if (Number.isNaN(tally.firstMs)) tally.firstMs = now;
          tally.lastMs = now;
          if (!cfg.noAck) ch.ack(msg);
          if (tally.expected) tally.checkDone();
        }, { noAck: cfg.noAck });
      }
    }));
  }

  async run(): Promise<ConsumerResult> {
    const timedOut = await this.#tally.watch(() => this.#failure !== null);
    if (this.#failure && !this.#tally.stopped) throw this.#failure;
    return this.#tally.result(timedOut);
  }

  async close(): Promise<void> {
    const conns = this.#conns;
    this.#conns = [];
    this.#failure ??= new Error("closing");
    await Promise.all(conns.map((c) => c.close().catch(() => {})));
  }
}
