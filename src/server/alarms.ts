// Resource alarms, as RabbitMQ raises them: memory in use above the high
// watermark, or free disk under the data dir below the limit. While either
// is set, connections that publish are blocked (connection.blocked, and no
// more reads from their sockets once they publish) so consumers can drain
// what is queued.
//
// Memory in use is what the process holds and could give back: the
// JavaScript heap in use plus the buffers outside it (message bodies, slabs,
// socket buffers). Not resident memory: the allocator keeps freed pages, so
// RSS stays high after a drain and an alarm measured by it may never clear.
// The alarm clears only below MEMORY_ALARM_CLEAR_RATIO of the watermark, so
// one collection does not flip it on and off (RabbitMQ clears at the
// watermark itself; its allocator's figure does not drop as a collection's
// does). Garbage the collector has not reached yet would count too, so
// before the alarm is set, and while it is on, a full collection is run
// (at most every FULL_GC_INTERVAL_MS) and memory is measured again: the
// alarm follows live memory, and an idle node whose queues drained gives
// its heap back at once instead of whenever V8 next looks. For the same
// reason a collection also runs when memory in use has grown by
// RECLAIM_GROWTH_BYTES since the last one and no client has sent a byte
// since the previous check (the node is idle): V8 keeps a heap a burst grew for a long while after the burst
// is gone, but a busy node grows that much in garbage within seconds, and a
// forced full collection would pause its traffic for tens of milliseconds.
import { statfsSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { logger } from "../log.ts";

const log = logger("alarms");

export type AlarmKind = "memory" | "disk";

export interface AlarmLimits {
  memoryHighWatermark: { absoluteBytes: number } | { relative: number };
  diskFreeLimitBytes: number;
  /** Directory whose file system is watched for free space; null for none. */
  dataDir: string | null;
}

/** How often memory and disk are sampled. */
const ALARM_CHECK_INTERVAL_MS = 1000;
/** A set memory alarm clears once memory in use is below this share of the watermark. */
export const MEMORY_ALARM_CLEAR_RATIO = 0.9;

/** Full collections run for the memory alarm at most this often: one costs tens of ms on a big heap. */
const FULL_GC_INTERVAL_MS = 5000;
/** Growth of memory in use since the last full collection that makes the next check collect. */
const RECLAIM_GROWTH_BYTES = 64 * 1024 * 1024;

let gc: (() => void) | null = null;

/** V8's full collection, exposed at run time on first use (Deno has no other handle on it). */
function fullGc(): void {
  if (gc === null) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}

/** Bytes the process holds and could release: heap in use and external buffers (not RSS). */
export function memoryInUseBytes(): number {
  const m = Deno.memoryUsage();
  return m.heapUsed + m.external;
}

export class ResourceAlarms {
  #active = new Set<AlarmKind>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #listeners: ((active: ReadonlySet<AlarmKind>) => void)[] = [];
  #lastGcMs = 0;
  #usedAfterGc = 0;
  #activityAtLastCheck = -1;

  /** `activity` grows with every byte clients send: unchanged between two checks means idle. */
  constructor(public limits: AlarmLimits, readonly activity: () => number = () => 0) {}

  get active(): ReadonlySet<AlarmKind> {
    return this.#active;
  }

  get memoryLimitBytes(): number {
    const w = this.limits.memoryHighWatermark;
    return "absoluteBytes" in w ? w.absoluteBytes : Math.floor(w.relative * Deno.systemMemoryInfo().total);
  }

  onChange(listener: (active: ReadonlySet<AlarmKind>) => void): void {
    this.#listeners.push(listener);
  }

  start(): void {
    this.check();
    this.#timer = setInterval(() => this.check(), ALARM_CHECK_INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Samples memory and disk now and raises or clears alarms. */
  check(): void {
    const limit = this.memoryLimitBytes;
    const threshold = this.#active.has("memory") ? limit * MEMORY_ALARM_CLEAR_RATIO : limit;
    let used = memoryInUseBytes();
    const now = Date.now();
    const activity = this.activity();
    const idle = activity === this.#activityAtLastCheck;
    this.#activityAtLastCheck = activity;
    const worthCollecting = used >= threshold ||
      (idle && used - this.#usedAfterGc > RECLAIM_GROWTH_BYTES);
    if (worthCollecting && now - this.#lastGcMs >= FULL_GC_INTERVAL_MS) {
      this.#lastGcMs = now;
      fullGc();
      used = memoryInUseBytes();
      this.#usedAfterGc = used;
    }
    this.#set("memory", used >= threshold, { used_bytes: used, limit_bytes: limit });
    if (this.limits.dataDir !== null) {
      const free = freeBytes(this.limits.dataDir);
      if (free !== null) {
        this.#set("disk", free < this.limits.diskFreeLimitBytes, {
          free_bytes: free,
          limit_bytes: this.limits.diskFreeLimitBytes,
        });
      }
    }
  }

  #set(kind: AlarmKind, on: boolean, fields: Record<string, number>): void {
    if (on === this.#active.has(kind)) return;
    if (on) this.#active.add(kind);
    else this.#active.delete(kind);
    if (on) log.warning(`${kind} alarm set; publishers are blocked`, fields);
    else log.info(`${kind} alarm cleared`, fields);
    for (const l of this.#listeners) l(this.#active);
  }
}

function freeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}
