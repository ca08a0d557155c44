// Scenario 13, connection churn: several loops, each opening a connection and
// a channel, publishing one message and closing, as short-lived clients
// (scripts, PHP requests, serverless functions) do. The measure is whole
// cycles per second; every published message must be in the queue at the
// end (close-ok comes after the broker has handled the publish before it).
import { AmqpConnection } from "./amqp_client.ts";
import type { Broker } from "./brokers.ts";
import { buildPublishTemplate, clockMs } from "./message.ts";
import { coresUsed, RssWatcher, sampleCpu } from "./procstat.ts";
import type { BenchOptions } from "./scenarios.ts";
import { ratePerS } from "./stats.ts";

const BODY_BYTES = 16;

/** One open-publish-close cycle on the client the run asked for. */
type Cycle = (url: string, queue: string) => Promise<void>;

async function harnessCycle(url: string, queue: string): Promise<void> {
  const c = await AmqpConnection.open(url, { name: "bench-churn", initialWriteBytes: 1024 });
  try {
    await c.openChannel(1);
    const t = buildPublishTemplate({
      channel: 1,
      exchange: "",
      routingKey: queue,
      bodyBytes: BODY_BYTES,
      persistent: false,
      frameMaxBytes: c.frameMaxBytes,
    });
    c.out.raw(t.bytes);
    c.flush();
  } finally {
    await c.close();
  }
  if (c.closeError && !c.closedCleanly) throw c.closeError;
}

async function amqplibCycle(): Promise<Cycle> {
  const { default: amqp } = await import("./amqplib.ts");
  const { Buffer } = await import("node:buffer");
  return async (url, queue) => {
    const conn = await amqp.connect(url, {
      noDelay: true,
      clientProperties: { connection_name: "bench-churn" },
    });
    try {
      const ch = await conn.createChannel();
      ch.publish("", queue, Buffer.alloc(BODY_BYTES));
      // amqplib multiplexes channels onto the socket in its own order: connection.close
      // could overtake the publish, channel.close on the same channel cannot.
      await ch.close();
    } finally {
      await conn.close();
    }
  };
}

export async function runChurn(broker: Broker, opts: BenchOptions) {
  const cycle: Cycle = opts.client === "amqplib" ? await amqplibCycle() : harnessCycle;
  const queue = `bench.13-churn.${Date.now().toString(36)}`;
  const control = await AmqpConnection.open(broker.url, { name: "bench-control" });
  await control.openChannel(1);
  await control.queueDeclare(1, queue, {});
  try {
    const pid = broker.pid();
    const brk0 = sampleCpu(pid === null ? [] : [pid]);
    const gen0 = sampleCpu([Deno.pid]);
    const rss = new RssWatcher(pid);
    const t0 = clockMs();
    const endAt = t0 + opts.durationMs;
    let cycles = 0;
    let failed = 0;
    let firstError: unknown = null;
    await Promise.all(Array.from({ length: opts.churnLoops }, async () => {
      while (clockMs() < endAt) {
        try {
          await cycle(broker.url, queue);
          cycles++;
        } catch (e) {
          failed++;
          firstError ??= e;
        }
      }
    }));
    const elapsedMs = clockMs() - t0;
    const brk1 = sampleCpu(pid === null ? [] : [pid]);
    const gen1 = sampleCpu([Deno.pid]);
    const peakKiB = rss.stop();
    const inQueue = (await control.queueDeclare(1, queue, { passive: true })).messageCount;
    return {
      metrics: { "cycles/s": ratePerS(cycles, elapsedMs) },
      lost: Math.max(0, cycles - inQueue),
      duplicates: Math.max(0, inQueue - cycles - failed),
      generatorCores: coresUsed(gen0, gen1),
      brokerCores: pid === null ? NaN : coresUsed(brk0, brk1),
      brokerPeakRssMiB: peakKiB / 1024,
      details: {
        cycles,
        failed,
        inQueue,
        loops: opts.churnLoops,
        firstError: firstError && String(firstError),
      },
    };
  } finally {
    await control.queueDelete(1, queue).catch(() => {});
    await control.close();
  }
}
