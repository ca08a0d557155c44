// The two load-generator roles, each run in its own worker or process: a
// producer that publishes stamped messages (as fast as allowed, or at a
// fixed rate) and a consumer that counts, de-duplicates and times them.
// They talk to the orchestrator through RoleControl messages only.
import { AmqpConnection } from "./amqp_client.ts";
import { methodSpec, writeMethodFrame } from "../../src/amqp/method_codec.ts";
import { WireWriter } from "../../src/amqp/wire.ts";
import type { FieldTable } from "../../src/amqp/field_table.ts";
import { buildPublishTemplate, clockMs, type PublishTemplate, writeStamp } from "./message.ts";
import { ConfirmTracker, LatencySample, type LatencySummary } from "./stats.ts";
import { ConsumerTally } from "./consumer_tally.ts";
import { PACED, ProducerSignals } from "./producer_signals.ts";

/** The load generator's AMQP client: the harness's own (on Warren's codec) or amqplib. */
export type BenchClient = "harness" | "amqplib";

export interface ProducerConfig {
  role: "producer";
  client: BenchClient;
  url: string;
  exchange: string;
  /** message i goes to routingKeys[i % length] */
  routingKeys: string[];
  bodyBytes: number;
  persistent: boolean;
  /** publisher confirms with at most this many unconfirmed; 0 = no confirms */
  confirmWindow: number;
  /** fixed publish rate; 0 = as fast as the window and backlog allow */
  ratePerS: number;
  durationMs: number;
  maxMessages: number;
  /** at most this many published but not yet consumed (reported by the host); 0 = no limit */
  maxBacklog: number;
}

export interface ConsumerConfig {
  role: "consumer";
  client: BenchClient;
  url: string;
  /**
   * Queues sharing a tracker share one sequence space. `streamOffset` is the consumer's
   * `x-stream-offset` (an integer goes out as a long).
   */
  queues: { queue: string; tracker: number; streamOffset?: string | number }[];
  /** consecutive queues consumed on one connection (default 1); they must share a tracker */
  queuesPerConnection?: number;
  trackers: number;
  noAck: boolean;
  prefetch: number;
  /** acknowledge once per socket read with `multiple` set, instead of once per delivery */
  ackMultiple?: boolean;
  maxMessages: number;
  /** after the expected counts are known, give up once nothing arrived for this long */
  idleTimeoutMs: number;
  latencySamples: number;
}

export type RoleConfig = ProducerConfig | ConsumerConfig;

export type HostCommand =
  | { type: "init"; config: RoleConfig }
  | { type: "start" }
  | { type: "consumed"; count: number }
  | { type: "expect"; counts: number[] }
  | { type: "stop" };

export interface ProducerResult {
  role: "producer";
  sent: number;
  confirmed: number;
  nacked: number;
  startMs: number;
  lastPublishMs: number;
  endMs: number;
  /** publish to confirm, when confirms are on */
  confirmLatency?: LatencySummary;
}

export interface TrackerResult {
  expected: number;
  unique: number;
  duplicates: number;
  foreign: number;
  lost: number;
  missingSample: number[];
}

export interface ConsumerResult {
  role: "consumer";
  deliveries: number;
  trackers: TrackerResult[];
  firstMs: number;
  lastMs: number;
  latency: LatencySummary;
  timedOut: boolean;
}

export type RoleReport =
  | { type: "ready"; pid: number }
  | { type: "progress"; counts: number[] }
  | { type: "done"; result: ProducerResult | ConsumerResult }
  | { type: "error"; message: string };

export interface RoleControl {
  post(msg: RoleReport): void;
  onMessage(handler: (msg: HostCommand) => void): void;
}

/** Bytes of publishes encoded before handing them to the socket. */
const PUBLISH_BATCH_BYTES = 256 * 1024;
const CONFIRM_DRAIN_TIMEOUT_MS = 60_000;
const PRODUCER_CLOSE_TIMEOUT_MS = 120_000;

/** What runRole drives; one implementation per client and role. */
export interface Role {
  onCommand(msg: HostCommand): void;
  prepare(): Promise<void>;
  run(): Promise<ProducerResult | ConsumerResult>;
  close(): Promise<void>;
}

/** Runs one role to completion; resolves when it has reported its result. */
export async function runRole(control: RoleControl): Promise<void> {
  let handler: ((msg: HostCommand) => void) | null = null;
  const config = await new Promise<RoleConfig>((resolve) => {
    control.onMessage((msg) => {
      if (msg.type === "init") resolve(msg.config);
      else handler?.(msg);
    });
  });
  try {
    let role: Role;
    if (config.client === "amqplib") {
      // loaded only when asked for, so harness runs do not load the npm package
      const { AmqplibProducer, AmqplibConsumer } = await import("./amqplib_roles.ts");
      role = config.role === "producer"
        ? new AmqplibProducer(config, control)
        : new AmqplibConsumer(config, control);
    } else {
      role = config.role === "producer" ? new Producer(config, control) : new Consumer(config, control);
    }
    handler = (msg) => role.onCommand(msg);
    await role.prepare();
    control.post({ type: "ready", pid: Deno.pid });
    const result = await role.run();
    control.post({ type: "done", result });
    await role.close();
  } catch (e) {
    control.post({ type: "error", message: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
}

class Producer {
  #cfg: ProducerConfig;
  #conn: AmqpConnection | null = null;
  #templates: PublishTemplate[] = [];
  #confirms: ConfirmTracker;
  #signals = new ProducerSignals();
  #sent = 0;
  /** Send time of each unconfirmed message, by sequence number modulo the window. */
  #sentAt: Float64Array;
  #confirmLatency = new LatencySample(1_000_000);

  constructor(cfg: ProducerConfig, _control: RoleControl) {
    this.#cfg = cfg;
    this.#confirms = new ConfirmTracker(cfg.confirmWindow > 0 ? cfg.maxMessages : 0);
    this.#sentAt = new Float64Array(Math.max(1, cfg.confirmWindow));
  }

  onCommand(msg: HostCommand): void {
    this.#signals.onCommand(msg);
  }

  async prepare(): Promise<void> {
    const cfg = this.#cfg;
    const conn = await AmqpConnection.open(cfg.url, {
      name: "bench-producer",
      initialWriteBytes: 512 * 1024,
    });
    this.#conn = conn;
    await conn.openChannel(1);
    if (cfg.confirmWindow > 0) {
      await conn.confirmSelect(1);
      const window = cfg.confirmWindow;
      conn.onConfirm = (_ch, tag, multiple, nack) => {
        // Tag t is message t - 1. A multiple confirm times every tag above the low-water
        // mark; one already settled singly would be timed twice, which no broker here does.
        const now = clockMs();
        for (let t = multiple ? this.#confirms.lowWater + 1 : tag; t <= tag; t++) {
          this.#confirmLatency.add(now - this.#sentAt[(t - 1) % window]);
        }
        this.#confirms.settle(tag, multiple, nack);
        this.#signals.wakeUp();
      };
    }
    this.#templates = cfg.routingKeys.map((routingKey) =>
      buildPublishTemplate({
        channel: 1,
        exchange: cfg.exchange,
        routingKey,
        bodyBytes: cfg.bodyBytes,
        persistent: cfg.persistent,
        frameMaxBytes: conn.frameMaxBytes,
      })
    );
  }

  async run(): Promise<ProducerResult> {
    await this.#signals.started;
    const cfg = this.#cfg;
    const conn = this.#conn!;
    const startMs = clockMs();
    const endAt = startMs + cfg.durationMs;
    const templates = this.#templates;
    const nTemplates = templates.length;
    // routing keys differ in length, so templates do: size batches by the largest
    const msgBytesMax = Math.max(...templates.map((t) => t.bytes.length));
    const batchMax = Math.max(1, Math.floor(PUBLISH_BATCH_BYTES / msgBytesMax));
    let lastPublishMs = startMs;
    while (!this.#signals.stopped && !conn.closed) {
      const now = clockMs();
      if (now >= endAt || this.#sent >= cfg.maxMessages) break;
      let allowed = Math.min(batchMax, cfg.maxMessages - this.#sent);
      if (cfg.confirmWindow > 0) {
        const outstanding = this.#sent - this.#confirms.confirmed - this.#confirms.nacked;
        allowed = Math.min(allowed, cfg.confirmWindow - outstanding);
      }
      allowed = this.#signals.cap(allowed, this.#sent, now, startMs, cfg);
      if (allowed === PACED) {
        const paced = this.#signals.pace(startMs, this.#sent, cfg.ratePerS);
        if (paced) await paced;
        continue;
      }
      if (allowed <= 0) {
        await this.#signals.sleep(50);
        continue;
      }
      const w = conn.out;
      const stampAt = cfg.ratePerS > 0 ? clockMs() : now;
      w.ensure(allowed * msgBytesMax);
      const bytes = w.bytes;
      const view = w.view;
      let pos = w.pos;
      let seq = this.#sent;
      const window = cfg.confirmWindow;
      const sentAt = this.#sentAt;
      for (let i = 0; i < allowed; i++) {
        const t = nTemplates === 1 ? templates[0] : templates[seq % nTemplates];
        bytes.set(t.bytes, pos);
        writeStamp(view, pos + t.bodyOffset, seq, stampAt);
        if (window > 0) sentAt[seq % window] = stampAt;
        pos += t.bytes.length;
        seq++;
      }
      w.pos = pos;
      this.#sent = seq;
      lastPublishMs = stampAt;
      conn.flush();
      await conn.whenDrained();
    }
    if (cfg.confirmWindow > 0) {
      const deadline = clockMs() + CONFIRM_DRAIN_TIMEOUT_MS;
      while (
        !conn.closed && this.#confirms.confirmed + this.#confirms.nacked < this.#sent && clockMs() < deadline
      ) {
        await this.#signals.sleep(100);
      }
    }
    if (conn.closed) throw conn.closeError ?? new Error("producer connection closed");
    // Close before reporting: the broker answers connection.close only after it has
    // handled every frame before it, so once close-ok is in, all `sent` messages were
    // routed and the consumers can be told what to expect. A broker applying flow
    // control may take a while to read the tail of what was sent.
    await conn.close(PRODUCER_CLOSE_TIMEOUT_MS);
    if (conn.closeError && !conn.closedCleanly) throw conn.closeError;
    return {
      role: "producer",
      sent: this.#sent,
      confirmed: this.#confirms.confirmed,
      nacked: this.#confirms.nacked,
      startMs,
      lastPublishMs,
      endMs: clockMs(),
      confirmLatency: cfg.confirmWindow > 0 ? this.#confirmLatency.summary() : undefined,
    };
  }

  async close(): Promise<void> {
    await this.#conn?.close();
  }
}

class Consumer {
  #cfg: ConsumerConfig;
  #conns: AmqpConnection[] = [];
  #tally: ConsumerTally;

  constructor(cfg: ConsumerConfig, control: RoleControl) {
    this.#cfg = cfg;
    this.#tally = new ConsumerTally(cfg, control);
  }

  onCommand(msg: HostCommand): void {
    this.#tally.onCommand(msg);
  }

  async prepare(): Promise<void> {
    const cfg = this.#cfg;
    const ackWriter = new WireWriter(64);
    const ackMultiple = cfg.ackMultiple ?? false;
    writeMethodFrame(ackWriter, 1, methodSpec("basic.ack"), { deliveryTag: 0, multiple: ackMultiple });
    const ackTemplate = ackWriter.bytes.slice(0, ackWriter.pos);
    const ackBytes = ackTemplate.length;
    const TAG_OFFSET = 7 + 4; // frame header, class + method ids
    const perConn = Math.max(1, cfg.queuesPerConnection ?? 1);
    const groups: ConsumerConfig["queues"][] = [];
    for (let i = 0; i < cfg.queues.length; i += perConn) groups.push(cfg.queues.slice(i, i + perConn));
    const opened = groups.map(async (group) => {
      const tracker = group[0].tracker;
      if (group.some((q) => q.tracker !== tracker)) {
        throw new Error("queues consumed on one connection must share a tracker");
      }
      const conn = await AmqpConnection.open(cfg.url, { name: "bench-consumer" });
      this.#conns.push(conn);
      await conn.openChannel(1);
      if (!cfg.noAck && cfg.prefetch > 0) await conn.qos(1, cfg.prefetch);
      const tally = this.#tally;
      const seqs = tally.trackers[tracker];
      const latency = tally.latency;
      const noAck = cfg.noAck;
      const out = conn.out;
      const writeAck = (deliveryTag: number) => {
        out.ensure(ackBytes);
        out.bytes.set(ackTemplate, out.pos);
        out.view.setUint32(out.pos + TAG_OFFSET, Math.floor(deliveryTag / 0x1_0000_0000));
        out.view.setUint32(out.pos + TAG_OFFSET + 4, deliveryTag >>> 0);
        out.pos += ackBytes;
      };
      const ackEach = !noAck && !ackMultiple;
      let lastTag = 0;
      // The hot path: one call per delivery, no allocation; acks are appended to the
      // output buffer and go out in one write after the read that carried the deliveries.
      conn.onDelivery = (_channel, deliveryTag, seq, sentAtMs) => {
        seqs.record(seq);
        latency.add(conn.lastReadMs - sentAtMs);
        tally.deliveries++;
        lastTag = deliveryTag;
        if (ackEach) writeAck(deliveryTag);
      };
      let seen = 0;
      let ackedTag = 0;
      conn.onReadDone = () => {
        if (ackMultiple && !noAck && lastTag > ackedTag) {
          writeAck(lastTag);
          ackedTag = lastTag;
        }
        if (seen === tally.deliveries) return;
        seen = tally.deliveries;
        if (Number.isNaN(tally.firstMs)) tally.firstMs = conn.lastReadMs;
        tally.lastMs = conn.lastReadMs;
        if (tally.expected) tally.checkDone();
      };
      for (const { queue, streamOffset } of group) {
        const args: FieldTable = streamOffset === undefined
          ? {}
          : { "x-stream-offset": typeof streamOffset === "number" ? BigInt(streamOffset) : streamOffset };
        await conn.consume(1, queue, { noAck, arguments: args });
      }
    });
    await Promise.all(opened);
  }

  async run(): Promise<ConsumerResult> {
    const timedOut = await this.#tally.watch(() => this.#conns.some((c) => c.closed));
    const brokenConn = this.#conns.find((c) => c.closed);
    if (brokenConn && !this.#tally.stopped) {
      throw brokenConn.closeError ?? new Error("consumer connection closed");
    }
    return this.#tally.result(timedOut);
  }

  async close(): Promise<void> {
    await Promise.all(this.#conns.map((c) => c.close()));
  }
}
