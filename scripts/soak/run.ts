// One soak run: starts the workload against a broker at a URL, samples the
// broker's memory and file descriptors every second (when its pid is known),
// prints a progress line every so often, then stops publishing, waits for
// every message to reach its end, and reports what it found. A violated check
// is collected, not thrown, so one run reports all of them.
import { LatencyHistogram } from "./latency.ts";
import { Ledger } from "./ledger.ts";
import { checkGrowth, type GrowthReport, mib, type ResourceSample, sampleResources } from "./resources.ts";
import { Workload } from "./workload.ts";

export interface SoakOptions {
  url: string;
  /** The broker's process id, for RSS and fd checks; null skips them. */
  pid: number | null;
  durationS: number;
  /** Messages per second over all publishers. */
  ratePerS: number;
  progressEveryS: number;
  /** How long the messages still on their way get to arrive after publishing stops. */
  drainTimeoutS: number;
  seed: number;
  log: (line: string) => void;
}

/** The only latency bound asserted: generous, since the machine is shared. */
export const MAX_LATENCY_MS = 5_000;
const SAMPLE_EVERY_MS = 1_000;
/** Stopping the actors, or closing everything, taking longer than this is a violation (and is not waited for). */
const STOP_TIMEOUT_MS = 30_000;

export interface SoakResult {
  durationS: number;
  ledger: Ledger;
  latency: LatencyHistogram;
  samples: ResourceSample[];
  growth: GrowthReport | null;
  connectionsOpened: number;
  queuesDeclared: number;
  /** Every violated check, as one line each. */
  violations: string[];
}

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const ledger = new Ledger();
  const latency = new LatencyHistogram();
  const samples: ResourceSample[] = [];
  const workload = new Workload({
    url: o.url,
    prefix: `soak-${o.seed}`,
    ratePerS: o.ratePerS,
    ledger,
    latency,
    random: prng(o.seed),
  });
  const t0 = performance.now();
  const elapsedS = () => (performance.now() - t0) / 1000;
  const sample = () => {
    if (o.pid !== null) samples.push(sampleResources(o.pid, elapsedS()));
  };
  sample();
  const sampler = setInterval(sample, SAMPLE_EVERY_MS);
  const progress = setInterval(
    () => o.log(progressLine(elapsedS(), ledger, latency, samples)),
    o.progressEveryS * 1000,
  );
  try {
    await workload.start();
    await new Promise((r) => setTimeout(r, o.durationS * 1000));
    await bounded(workload.stopPublishing(), STOP_TIMEOUT_MS, "stopping the publishers and churners", ledger);
    await drain(ledger, o.drainTimeoutS);
  } finally {
    clearInterval(progress);
    clearInterval(sampler);
  }
  const runS = elapsedS();
  sample();
  await bounded(workload.close(), STOP_TIMEOUT_MS, "closing the consumers and deleting the topology", ledger);
  const growth = o.pid === null ? null : checkGrowth(samples, runS);
  o.log(progressLine(runS, ledger, latency, samples));
  return {
    durationS: runS,
    ledger,
    latency,
    samples,
    growth,
    connectionsOpened: workload.connectionsOpened,
    queuesDeclared: workload.queuesDeclared,
    violations: violations(ledger, latency, growth),
  };
}

/** Awaits `work` for at most `ms`; a failure or a timeout is a violation. */
async function bounded(work: Promise<void>, ms: number, what: string, ledger: Ledger): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((r) => {
    timer = setTimeout(() => {
      ledger.violation(`${what} took over ${ms} ms`);
      r();
    }, ms);
  });
  try {
    await Promise.race([work, timeout]);
  } catch (e) {
    ledger.violation(`${what} failed: ${e instanceof Error ? e.message : e}`);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until every message has reached its end, or the timeout. */
async function drain(ledger: Ledger, timeoutS: number): Promise<void> {
  const deadline = performance.now() + timeoutS * 1000;
  while (ledger.outstanding().all > 0 && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

function violations(ledger: Ledger, latency: LatencyHistogram, growth: GrowthReport | null): string[] {
  const out = [...ledger.violationTexts];
  if (ledger.violations > ledger.violationTexts.length) {
    out.push(`... and ${ledger.violations - ledger.violationTexts.length} more`);
  }
  const missing = ledger.outstanding().confirmed;
  if (missing > 0) {
    out.push(
      `${missing} confirmed messages never reached their end, e.g. ${ledger.missingConfirmed(5).join("; ")}`,
    );
  }
  if (latency.maxMs > MAX_LATENCY_MS) {
    out.push(
      `publish-to-deliver latency reached ${latency.maxMs.toFixed(0)} ms (bound ${MAX_LATENCY_MS} ms)`,
    );
  }
  if (growth !== null) out.push(...growth.violations);
  return out;
}

function progressLine(
  elapsedS: number,
  ledger: Ledger,
  latency: LatencyHistogram,
  samples: readonly ResourceSample[],
): string {
  const last = samples.at(-1);
  const resources = last === undefined ? "rss - fds -" : `rss ${mib(last.rssKiB)} MiB fds ${last.fds}`;
  return `${
    elapsedS.toFixed(0).padStart(5)
  } s  published ${ledger.published} confirmed ${ledger.confirmed} ` +
    `consumed ${ledger.consumed} dead-lettered ${ledger.deadLettered} redelivered ${ledger.redeliveries}  ` +
    `${resources}  p99 ${latency.percentile(99).toFixed(1)} ms  violations ${ledger.violations}`;
}

export function formatSummary(r: SoakResult): string {
  const l = r.ledger;
  const { all, confirmed } = l.outstanding();
  const lines = [
    `soak ran ${r.durationS.toFixed(0)} s: ${r.connectionsOpened} connections opened, ` +
    `${r.queuesDeclared} queues declared`,
    `messages: published ${l.published}, confirmed ${l.confirmed}, publish-nacked ${l.publishNacked}, ` +
    `deliveries ${l.deliveries} (redelivered ${l.redeliveries}), consumed ${l.consumed}, ` +
    `dead-lettered ${l.deadLettered}, not arrived ${all} (of them confirmed ${confirmed})`,
    `latency publish->deliver: p50 ${fmtMs(r.latency.percentile(50))} ms, p99 ${
      fmtMs(r.latency.percentile(99))
    } ms, max ${fmtMs(r.latency.maxMs)} ms (${r.latency.count} first deliveries)`,
  ];
  if (r.samples.length > 0) {
    const first = r.samples[0];
    const last = r.samples[r.samples.length - 1];
    const peakRss = Math.max(...r.samples.map((s) => s.rssKiB));
    const peakFds = Math.max(...r.samples.map((s) => s.fds));
    lines.push(
      `broker: RSS ${mib(first.rssKiB)} -> ${mib(last.rssKiB)} MiB (peak ${mib(peakRss)}), ` +
        `fds ${first.fds} -> ${last.fds} (peak ${peakFds})`,
    );
  }
  if (r.growth?.early && r.growth.late) {
    const { early, late } = r.growth;
    lines.push(
      `growth check: early-window peak RSS ${mib(early.rssKiB)} MiB / ${early.fds} fds, ` +
        `late-window peak ${mib(late.rssKiB)} MiB / ${late.fds} fds`,
    );
  }
  lines.push(r.violations.length === 0 ? "checks: all passed" : `checks: ${r.violations.length} violated`);
  for (const v of r.violations) lines.push(`  VIOLATION ${v}`);
  return lines.join("\n");
}

function fmtMs(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms.toFixed(0);
}
