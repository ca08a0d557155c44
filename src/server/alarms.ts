// Resource alarms, as RabbitMQ raises them: resident memory above the high
// watermark, or free disk under the data dir below the limit. While either
// is set, connections that publish are blocked (connection.blocked, and no
// more reads from their sockets) so consumers can drain what is queued.
import { statfsSync } from "node:fs";
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

export class ResourceAlarms {
  #active = new Set<AlarmKind>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #listeners: ((active: ReadonlySet<AlarmKind>) => void)[] = [];

  constructor(public limits: AlarmLimits) {}

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
    const rss = Deno.memoryUsage().rss;
    this.#set("memory", rss > this.memoryLimitBytes, { rss_bytes: rss, limit_bytes: this.memoryLimitBytes });
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
