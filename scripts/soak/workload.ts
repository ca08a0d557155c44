// The soak's mixed workload, driven through amqplib from one process: its
// topology (a work queue with a dead-letter exchange, a TTL queue that
// dead-letters everything, a priority queue, the dead-letter queue) and the
// actors that run against it until told to stop. Every delivery goes through
// the Ledger, which says whether it was lost, duplicated or misrouted.
import { Buffer } from "node:buffer";
// @ts-types="npm:@types/amqplib@0.10.7"
import amqp from "npm:amqplib@0.10.4";
import type { Channel, ConfirmChannel, ConsumeMessage } from "npm:@types/amqplib@0.10.7";
import type { LatencyHistogram } from "./latency.ts";
import type { Ledger, Route, Source } from "./ledger.ts";

type Connection = Awaited<ReturnType<typeof amqp.connect>>;

/** Messages in the TTL queue expire (and are dead-lettered) after this long. */
const TTL_MS = 200;
/** Publishers publish on this tick; the rate is spread over the ticks. */
const PUBLISH_TICK_MS = 20;
/** Publisher connections are closed and reopened this often (connection churn). */
const PUBLISHER_RECONNECT_MS = 5_000;
/** A dying consumer lives between these bounds before closing with unacked messages. */
const DYING_LIFETIME_MS = [300, 2_500] as const;
const TEMP_QUEUE_MESSAGES = 5;
const TEMP_QUEUE_PAUSE_MS = 250;
/** A temporary queue must hand back its messages within this long. */
const TEMP_QUEUE_TIMEOUT_MS = 10_000;
const BODY_BYTES = [16, 4096] as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface WorkloadOptions {
  url: string;
  /** Prefix of every exchange and queue name (unique per run, so a shared broker is fine). */
  prefix: string;
  /** Messages per second over all publishers. */
  ratePerS: number;
  ledger: Ledger;
  latency: LatencyHistogram;
  /** Seeded random numbers in [0, 1). */
  random: () => number;
}

export class Workload {
  /** Publishers, dying consumers and temporary queues run while this is true. */
  #running = true;
  /** Set for the drain: the steady consumers stop nacking so every message can end. */
  #draining = false;
  #actors: Promise<void>[] = [];
  #steady: Connection[] = [];
  readonly names: Record<Source, string> & { exchange: string; dlx: string };
  connectionsOpened = 0;
  queuesDeclared = 0;

  constructor(readonly o: WorkloadOptions) {
    const p = o.prefix;
    this.names = {
      exchange: `${p}.x`,
      dlx: `${p}.dlx`,
      work: `${p}.work`,
      ttl: `${p}.ttl`,
      prio: `${p}.prio`,
      dead: `${p}.dead`,
      temp: `${p}.temp`,
    };
  }

  async start(): Promise<void> {
    await this.#declareTopology();
    const n = this.names;
    for (let i = 0; i < 2; i++) await this.#steadyConsumer("work", n.work, 50, true);
    await this.#steadyConsumer("prio", n.prio, 10, false);
    await this.#steadyConsumer("dead", n.dead, 50, false);
    this.#actors.push(
      this.#actor("confirming publisher", () => this.#publisher(true, 0.75)),
      this.#actor("plain publisher", () => this.#publisher(false, 0.25)),
      this.#actor("dying consumer", () => this.#dyingConsumers()),
      this.#actor("temporary queues", () => this.#temporaryQueues()),
    );
  }

  /** Stops publishing, churning and dying; the steady consumers ack everything from now on. */
  async stopPublishing(): Promise<void> {
    this.#running = false;
    this.#draining = true;
    await Promise.all(this.#actors);
  }

  /** Closes the steady consumers and deletes the topology. */
  async close(): Promise<void> {
    for (const c of this.#steady) await c.close().catch(() => {});
    const conn = await this.#connect();
    try {
      const ch = await conn.createChannel();
      const n = this.names;
      for (const q of [n.work, n.ttl, n.prio, n.dead]) await ch.deleteQueue(q);
      for (const x of [n.exchange, n.dlx]) await ch.deleteExchange(x);
    } finally {
      await conn.close().catch(() => {});
    }
  }

  async #declareTopology(): Promise<void> {
    const conn = await this.#connect();
    const n = this.names;
    try {
      const ch = await conn.createChannel();
      await ch.assertExchange(n.exchange, "direct", { durable: true });
      await ch.assertExchange(n.dlx, "direct", { durable: true });
      const deadLetter = { "x-dead-letter-exchange": n.dlx, "x-dead-letter-routing-key": "dead" };
      await ch.assertQueue(n.work, { durable: true, arguments: deadLetter });
      await ch.assertQueue(n.ttl, { durable: true, arguments: { ...deadLetter, "x-message-ttl": TTL_MS } });
      await ch.assertQueue(n.prio, { durable: true, arguments: { "x-max-priority": 9 } });
      await ch.assertQueue(n.dead, { durable: true });
      for (const route of ["work", "ttl", "prio"] as const) await ch.bindQueue(n[route], n.exchange, route);
      await ch.bindQueue(n.dead, n.dlx, "dead");
      this.queuesDeclared += 4;
    } finally {
      await conn.close();
    }
  }

  /** Runs one actor; its failure is a violation, not a crash of the run. */
  async #actor(name: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (e) {
      this.o.ledger.violation(`${name} failed: ${e instanceof Error ? e.message : e}`);
    }
  }

  /** Opens a connection; the broker closing it (or the socket failing) is a violation. */
  async #connect(): Promise<Connection> {
    const conn = await amqp.connect(this.o.url);
    this.connectionsOpened++;
    conn.on("error", (e: Error) => this.o.ledger.violation(`connection error: ${e.message}`));
    return conn;
  }

  #onMessage(source: Source, msg: ConsumeMessage): number {
    const id = Number(msg.properties.messageId);
    const deaths = msg.properties.headers?.["x-death"] as { reason?: string }[] | undefined;
    const latency = this.o.ledger.deliver(
      source,
      id,
      msg.fields.redelivered,
      deaths?.[0]?.reason ?? null,
      performance.now(),
    );
    if (source === "work" || source === "prio") this.o.latency.record(latency);
    return id;
  }

  /**
   * A consumer that lives for the whole run. On the work queue it acks most
   * messages and nacks some, with and without requeue (the latter are
   * dead-lettered); elsewhere it acks everything.
   */
  async #steadyConsumer(source: Source, queue: string, prefetch: number, nacks: boolean): Promise<void> {
    const conn = await this.#connect();
    this.#steady.push(conn);
    const ch = await conn.createChannel();
    await ch.prefetch(prefetch);
    await ch.consume(queue, (msg) => {
      if (msg === null) return this.o.ledger.violation(`consumer of ${queue} cancelled by the broker`);
      const id = this.#onMessage(source, msg);
      const r = nacks && !this.#draining ? this.o.random() : 1;
      if (r < 0.05) {
        ch.nack(msg, false, true);
      } else if (r < 0.1) {
        this.o.ledger.reject(id);
        ch.nack(msg, false, false);
      } else {
        this.o.ledger.ack(source, id);
        ch.ack(msg);
      }
    });
  }

  /** Publishes `share` of the rate, persistent and transient, reconnecting every few seconds. */
  async #publisher(confirms: boolean, share: number): Promise<void> {
    const perTick = (this.o.ratePerS * share * PUBLISH_TICK_MS) / 1000;
    let owed = 0;
    while (this.#running) {
      const conn = await this.#connect();
      const ch = confirms ? await conn.createConfirmChannel() : await conn.createChannel();
      const until = performance.now() + PUBLISHER_RECONNECT_MS;
      while (this.#running && performance.now() < until) {
        owed += perTick;
        for (; owed >= 1; owed--) this.#publishOne(ch, confirms);
        await sleep(PUBLISH_TICK_MS);
      }
      if (confirms) await (ch as ConfirmChannel).waitForConfirms().catch(() => {});
      await conn.close();
    }
  }

  #publishOne(ch: Channel, confirms: boolean): void {
    const r = this.o.random();
    // Plain publishes skip the TTL queue: its check is about dead-lettering confirmed messages.
    const route: Route = r < 0.5 ? "work" : r < 0.7 && confirms ? "ttl" : "prio";
    const persistent = this.o.random() < 0.8;
    const { ledger } = this.o;
    const id = ledger.publish(route, persistent, performance.now());
    const size = BODY_BYTES[0] + Math.floor(this.o.random() * (BODY_BYTES[1] - BODY_BYTES[0]));
    const options = {
      persistent,
      messageId: String(id),
      priority: route === "prio" ? Math.floor(this.o.random() * 10) : undefined,
    };
    const body = Buffer.alloc(size, id & 0xff);
    if (confirms) {
      (ch as ConfirmChannel).publish(
        this.names.exchange,
        route,
        body,
        options,
        (err: unknown) => ledger.settlePublish(id, !err),
      );
    } else {
      ch.publish(this.names.exchange, route, body, options);
    }
  }

  /**
   * Consumers of the work queue that ack about half of what they get, keep the
   * rest unacked, and close their connection after a short while: what they
   * held must come back, redelivered, to someone else.
   */
  async #dyingConsumers(): Promise<void> {
    while (this.#running) {
      const conn = await this.#connect();
      const ch = await conn.createChannel();
      await ch.prefetch(20);
      let dying = false;
      await ch.consume(this.names.work, (msg) => {
        if (msg === null) return;
        const id = this.#onMessage("work", msg);
        if (!dying && this.o.random() < 0.5) {
          this.o.ledger.ack("work", id);
          ch.ack(msg);
        }
      });
      const [lo, hi] = DYING_LIFETIME_MS;
      await sleep(lo + this.o.random() * (hi - lo));
      dying = true;
      await conn.close();
      await sleep(100);
    }
  }

  /**
   * Connection churn with temporary queues: open a connection, declare a queue
   * (server-named exclusive, or named auto-delete), publish a few confirmed
   * transient messages to it, consume them, delete the queue, close.
   */
  async #temporaryQueues(): Promise<void> {
    for (let round = 0; this.#running; round++) {
      const conn = await this.#connect();
      const ch = await conn.createConfirmChannel();
      const q = round % 2 === 0
        ? (await ch.assertQueue("", { exclusive: true })).queue
        : (await ch.assertQueue(`${this.names.temp}.${round}`, { durable: false, autoDelete: true })).queue;
      this.queuesDeclared++;
      const { ledger } = this.o;
      let got = 0;
      let allArrived: () => void = () => {};
      const arrived = new Promise<void>((r) => allArrived = r);
      for (let i = 0; i < TEMP_QUEUE_MESSAGES; i++) {
        const id = ledger.publish("temp", false, performance.now());
        ch.sendToQueue(q, Buffer.from("t"), { messageId: String(id) }, (err: unknown) => {
          ledger.settlePublish(id, !err);
        });
      }
      await ch.waitForConfirms();
      await ch.consume(q, (msg) => {
        if (msg === null) return;
        ledger.ack("temp", this.#onMessage("temp", msg));
        ch.ack(msg);
        if (++got === TEMP_QUEUE_MESSAGES) allArrived();
      });
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([arrived, new Promise((r) => timer = setTimeout(r, TEMP_QUEUE_TIMEOUT_MS))]);
      clearTimeout(timer);
      if (got !== TEMP_QUEUE_MESSAGES) ledger.violation(`temporary queue ${q} gave back ${got} messages`);
      await ch.deleteQueue(q);
      await conn.close();
      await sleep(TEMP_QUEUE_PAUSE_MS);
    }
  }
}
