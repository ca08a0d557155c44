// amqplib test fixture shared by the extension tests (TTL, dead-lettering,
// limits, priorities, policies, delayed messages, …): a Session owns every
// connection, queue and exchange a test opens or declares and removes them
// in close(); `scenario()` wraps a test with a broker, a time bound and that
// cleanup. The helpers are the same ones seeds_amqplib.test.ts uses,
// exported so several files can share them.
//
// With WARREN_TEST_AMQP_URL set the scenarios run against that broker (a real
// RabbitMQ, to prove the tests encode RabbitMQ's behaviour); `EXTERNAL` tells a
// test which one it is talking to, for the few Warren-only checks.
import amqp, { type Channel, type ConfirmChannel, type GetMessage } from "./amqplib.ts";
import type { ChannelModel as Connection, Message } from "npm:@types/amqplib@0.10.7";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { startTestBroker } from "./broker.ts";

export type { Connection, Message };

/** True when the tests run against an external broker (RabbitMQ), not an in-process Warren. */
export const EXTERNAL = Boolean(Deno.env.get("WARREN_TEST_AMQP_URL"));

export const TEST_TIMEOUT_MS = 20_000;
export const WAIT_MS = 5_000;

/** The error amqplib reports when the broker closes a channel/connection. */
export interface AmqpError extends Error {
  code?: number;
}

export function uniq(prefix: string): string {
  return `warren-test-${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until cond() is true; fails the test after timeoutMs. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await sleep(5);
  }
}

/** Retries probe() until it returns expected: for effects a broker applies
 * asynchronously (expiry, dead-lettering, counts right after publishes). */
export async function eventually<T>(
  probe: () => Promise<T>,
  expected: T,
  what: string,
  timeoutMs = 3_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const actual = await probe();
    if (actual === expected) return;
    if (Date.now() > deadline) {
      assert.fail(`${what}: expected ${String(expected)}, got ${String(actual)} (waited ${timeoutMs}ms)`);
    }
    await sleep(20);
  }
}

/** The reply text inside amqplib's 'Channel closed by server: 404 (NOT-FOUND) with message "..."'. */
export function replyText(err: Error): string {
  const m = /with message "(.*)"$/s.exec(err.message);
  return m ? m[1] : err.message;
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms}ms: ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** One broker + every connection a test opens; cleans up in close(). */
export class Session {
  readonly conns: Connection[] = [];
  readonly queues = new Set<string>();
  readonly exchanges = new Set<string>();

  constructor(readonly url: string) {}

  async connect(url = this.url): Promise<Connection> {
    const conn = await amqp.connect(url, { timeout: 5_000 });
    // connection-level errors are asserted where a test expects them
    conn.on("error", () => {});
    this.conns.push(conn);
    return conn;
  }

  /** A unique queue name, deleted when the session closes. */
  queue(prefix: string): string {
    const name = uniq(prefix);
    this.queues.add(name);
    return name;
  }

  /** A unique exchange name, deleted when the session closes. */
  exchange(prefix: string): string {
    const name = uniq(prefix);
    this.exchanges.add(name);
    return name;
  }

  async close(): Promise<void> {
    if (this.queues.size || this.exchanges.size) {
      await withTimeout(this.cleanup(), 5_000, "cleanup").catch(() => {});
    }
    // bounded: closing a connection whose socket is already gone may never complete
    await Promise.all(this.conns.map((conn) => withTimeout(conn.close(), 2_000, "close").catch(() => {})));
  }

  /** Destroys the connection's socket without an AMQP close: a client that dies. */
  kill(conn: Connection): void {
    const stream = (conn as unknown as { connection: { stream: { destroy(): void } } }).connection.stream;
    stream.destroy();
    this.conns.splice(this.conns.indexOf(conn), 1);
  }

  /** Best-effort deletion of the names the test registered. */
  private async cleanup(): Promise<void> {
    try {
      const conn = await this.connect();
      for (const q of this.queues) {
        const ch = await channel(conn);
        await ch.deleteQueue(q).catch(() => {});
      }
      for (const x of this.exchanges) {
        const ch = await channel(conn);
        await ch.deleteExchange(x).catch(() => {});
      }
    } catch { /* best effort */ }
  }
}

/** A channel whose server-side close does not crash the test process. */
export async function channel(conn: Connection): Promise<Channel> {
  const ch = await conn.createChannel();
  ch.on("error", () => {});
  return ch;
}

export async function confirmChannel(conn: Connection): Promise<ConfirmChannel> {
  const ch = await conn.createConfirmChannel();
  ch.on("error", () => {});
  return ch;
}

/** Runs action on ch; the broker must close ch with code and reply text
 * (exact, or starting with it when exact=false). */
export async function expectChannelError(
  ch: Channel,
  action: () => unknown,
  code: number,
  text: string,
  what: string,
  exact = true,
): Promise<AmqpError> {
  const closed = new Promise<AmqpError>((resolve) => ch.once("error", resolve));
  try {
    await action();
  } catch {
    // the operation's own rejection; the 'error' event is checked
  }
  const err = await withTimeout(closed, WAIT_MS, `${what}: channel close ${code}`);
  assert.equal(err.code, code, `${what}: reply code (${err.message})`);
  if (exact) assert.equal(replyText(err), text, `${what}: reply text`);
  else assert.ok(replyText(err).startsWith(text), `${what}: reply text ${replyText(err)}`);
  return err;
}

/** Declares a durable queue on a fresh channel; "OK" or the reply code and text of the channel close. */
export async function declareOutcome(
  s: Session,
  name: string,
  options: {
    durable?: boolean;
    exclusive?: boolean;
    autoDelete?: boolean;
    arguments?: Record<string, unknown>;
  },
): Promise<string> {
  const conn = await s.connect();
  const ch = await channel(conn);
  const closed = new Promise<AmqpError>((resolve) => ch.once("error", resolve));
  try {
    await ch.assertQueue(name, { durable: true, ...options });
    await ch.close();
    return "OK";
  } catch {
    const err = await withTimeout(closed, 5_000, `declare ${name}`);
    return `${err.code} ${replyText(err)}`;
  }
}

/** Declares a durable queue named from prefix with these arguments; its name. */
export async function durableQueue(
  s: Session,
  prefix: string,
  args: Record<string, unknown>,
): Promise<string> {
  const q = s.queue(prefix);
  const ch = await channel(await s.connect());
  await ch.assertQueue(q, { durable: true, arguments: args });
  await ch.close();
  return q;
}

/** basic.get, retrying briefly while the queue is still empty. */
export async function getEventually(
  ch: Channel,
  queue: string,
  noAck = true,
  timeoutMs = WAIT_MS,
): Promise<GetMessage> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const msg = await ch.get(queue, { noAck });
    if (msg) return msg;
    if (Date.now() > deadline) throw new Error(`no message in ${queue} after ${timeoutMs}ms`);
    await sleep(10);
  }
}

/** Every ready message's body, in order (auto-ack). */
export async function drain(ch: Channel, queue: string): Promise<string[]> {
  const out: string[] = [];
  while (true) {
    const msg = await ch.get(queue, { noAck: true });
    if (!msg) return out;
    out.push(msg.content.toString());
  }
}

export async function queueExists(conn: Connection, name: string): Promise<boolean> {
  const ch = await channel(conn);
  try {
    await ch.checkQueue(name);
    await ch.close();
    return true;
  } catch (e) {
    if ((e as AmqpError).code === 404) return false;
    throw e;
  }
}

/** The queue's ready-message count (passive declare). */
export async function readyCount(ch: Channel, queue: string): Promise<number> {
  return (await ch.checkQueue(queue)).messageCount;
}

export const text = (m: Message | null): string => (m ? m.content.toString() : "<null>");

export const body = (s: string): Buffer => Buffer.from(s, "utf8");

export interface ScenarioOptions {
  /** Not run against an external broker (RabbitMQ lacks the feature); say why at the call site. */
  warrenOnly?: boolean;
  timeoutMs?: number;
}

/** A test with its own broker (or the external one), time bound and cleanup. */
export function scenario(
  name: string,
  fn: (s: Session) => Promise<void>,
  options: ScenarioOptions = {},
): void {
  Deno.test({
    name: `amqplib: ${name}`,
    ignore: Boolean(options.warrenOnly) && EXTERNAL,
    // amqplib keeps socket/timer ops that Deno's sanitizers attribute to the
    // test; Session.close() closes every connection the test opened.
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const broker = await startTestBroker();
      const session = new Session(broker.url);
      try {
        await withTimeout(fn(session), options.timeoutMs ?? TEST_TIMEOUT_MS, name);
      } finally {
        await session.close();
        await broker.close();
      }
    },
  });
}
