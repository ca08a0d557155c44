// The broker's resident memory and open file descriptors, sampled from /proc
// while the soak runs, and the check that neither keeps growing: the last
// stretch of the run is compared with an early one (after start-up and JIT
// warm-up), with generous bounds, since a broker under a steady load should
// level off rather than match some exact figure.
import { memoryKiB } from "../bench/procstat.ts";

export interface ResourceSample {
  atS: number;
  rssKiB: number;
  fds: number;
}

/** Stretches of the run compared, as fractions of its length. */
const EARLY_WINDOW = [0.15, 0.35] as const;
const LATE_WINDOW = [0.8, 1] as const;
/** The late peak may exceed the early peak by this factor plus this much. */
const RSS_GROWTH_FACTOR = 1.5;
const RSS_GROWTH_SLACK_KIB = 64 * 1024;
const FD_GROWTH_SLACK = 64;

export function openFds(pid: number): number {
  try {
    let n = 0;
    for (const _ of Deno.readDirSync(`/proc/${pid}/fd`)) n++;
    return n;
  } catch {
    return NaN;
  }
}

export function sampleResources(pid: number, atS: number): ResourceSample {
  return { atS, rssKiB: memoryKiB(pid).rssKiB, fds: openFds(pid) };
}

export interface WindowPeaks {
  rssKiB: number;
  fds: number;
}

function peaks(samples: readonly ResourceSample[], from: number, to: number): WindowPeaks | null {
  const inWindow = samples.filter((s) => s.atS >= from && s.atS <= to);
  if (inWindow.length === 0) return null;
  return {
    rssKiB: Math.max(...inWindow.map((s) => s.rssKiB)),
    fds: Math.max(...inWindow.map((s) => s.fds)),
  };
}

export interface GrowthReport {
  early: WindowPeaks | null;
  late: WindowPeaks | null;
  violations: string[];
}

/** Compares the late window's peaks with the early window's over a run of `runS` seconds. */
export function checkGrowth(samples: readonly ResourceSample[], runS: number): GrowthReport {
  const early = peaks(samples, EARLY_WINDOW[0] * runS, EARLY_WINDOW[1] * runS);
  const late = peaks(samples, LATE_WINDOW[0] * runS, LATE_WINDOW[1] * runS);
  const violations: string[] = [];
  if (early === null || late === null) {
    violations.push("too few resource samples to compare the start of the run with its end");
    return { early, late, violations };
  }
  const rssBound = early.rssKiB * RSS_GROWTH_FACTOR + RSS_GROWTH_SLACK_KIB;
  if (!(late.rssKiB <= rssBound)) {
    violations.push(
      `broker RSS grew from ${mib(early.rssKiB)} MiB to ${mib(late.rssKiB)} MiB (bound ${mib(rssBound)} MiB)`,
    );
  }
  if (!(late.fds <= early.fds + FD_GROWTH_SLACK)) {
    violations.push(
      `broker open fds grew from ${early.fds} to ${late.fds} (bound ${early.fds + FD_GROWTH_SLACK})`,
    );
  }
  return { early, late, violations };
}

export function mib(kib: number): string {
  return (kib / 1024).toFixed(1);
}
