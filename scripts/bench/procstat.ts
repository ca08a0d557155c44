// CPU time and memory of processes, read from Linux's /proc: the broker's,
// and the load generator's, so the report can show who used the two cores.

/** Clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;

export interface CpuSample {
  /** user + system CPU time in ms (10 ms resolution) */
  cpuMs: number;
  atMs: number;
}

/** CPU time (user + system, all threads) of a process; NaN if it is gone. */
function cpuTimeMs(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // the command name may contain spaces and parentheses: fields start after the last ')'
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / TICKS_PER_S;
  } catch {
    return NaN;
  }
}

export function sampleCpu(pids: readonly number[]): CpuSample {
  let cpuMs = 0;
  for (const pid of pids) cpuMs += cpuTimeMs(pid);
  return { cpuMs, atMs: performance.now() };
}

/** CPU cores used between two samples (1.0 = one core busy all the time). */
export function coresUsed(a: CpuSample, b: CpuSample): number {
  const wall = b.atMs - a.atMs;
  return wall > 0 ? (b.cpuMs - a.cpuMs) / wall : NaN;
}

export interface MemorySample {
  rssKiB: number;
  hwmKiB: number;
}

/** Resident set size and its high-water mark, in KiB; NaN if the process is gone. */
export function memoryKiB(pid: number): MemorySample {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return { rssKiB: statusField(status, "VmRSS"), hwmKiB: statusField(status, "VmHWM") };
  } catch {
    return { rssKiB: NaN, hwmKiB: NaN };
  }
}

function statusField(status: string, key: string): number {
  const m = status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"));
  return m ? Number(m[1]) : NaN;
}

/** Parent pid of a process, or -1. */
function parentPid(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return -1;
  }
}

function commandName(pid: number): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/comm`).trim();
  } catch {
    return "";
  }
}

/** The first descendant of `root` whose command name is `comm` (e.g. "beam.smp"). */
export function findDescendant(root: number, comm: string): number | null {
  const children = new Map<number, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid)) continue;
    const ppid = parentPid(pid);
    let list = children.get(ppid);
    if (!list) children.set(ppid, list = []);
    list.push(pid);
  }
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.shift()!;
    for (const child of children.get(pid) ?? []) {
      if (commandName(child) === comm) return child;
      todo.push(child);
    }
  }
  return null;
}

export function processAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Samples a process's RSS every `everyMs` and keeps the largest value. */
export class RssWatcher {
  peakKiB = NaN;
  #timer: ReturnType<typeof setInterval>;

  constructor(readonly pid: number | null, everyMs = 250) {
    this.#timer = setInterval(() => this.sample(), everyMs);
    this.sample();
  }

  sample(): void {
    if (this.pid === null) return;
    const { rssKiB } = memoryKiB(this.pid);
    if (Number.isFinite(rssKiB) && !(rssKiB <= this.peakKiB)) this.peakKiB = rssKiB;
  }

  stop(): number {
    clearInterval(this.#timer);
    this.sample();
    return this.peakKiB;
  }
}
