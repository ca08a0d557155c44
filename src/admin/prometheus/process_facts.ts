// What the operating system says about this process, read when scraped:
// resident memory, open and allowed file descriptors, free disk space. Each
// returns null where the platform cannot tell (no /proc outside Linux), and
// the metric is then left without a sample rather than given a made-up one.
import { statfsSync } from "node:fs";

export function residentMemoryBytes(): number {
  return Deno.memoryUsage().rss;
}

export function openFileDescriptors(): number | null {
  try {
    let n = 0;
    for (const _ of Deno.readDirSync("/proc/self/fd")) n++;
    // The directory handle used to list them is one of them.
    return Math.max(0, n - 1);
  } catch {
    return null;
  }
}

/** The soft limit on open files (what the process actually runs into). */
export function maxFileDescriptors(): number | null {
  try {
    const limits = Deno.readTextFileSync("/proc/self/limits");
    const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(limits);
    if (m === null) return null;
    return m[1] === "unlimited" ? Infinity : Number(m[1]);
  } catch {
    return null;
  }
}

export function diskFreeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}
