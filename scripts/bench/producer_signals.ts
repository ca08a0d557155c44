// What a producer role keeps whichever client it runs on (roles.ts for the
// harness's own, amqplib_roles.ts for amqplib): the host's start, consumed and
// stop commands, and the waits of its publish loop, which any of those (or a
// confirm) cut short.
import { clockMs } from "./message.ts";
import type { HostCommand } from "./roles.ts";

/** Shortest sleep of a rate-limited producer: 10k msg/s goes out ~3 at a time. */
const PACE_MIN_WAIT_MS = 0.25;

/** cap()'s answer when the next message is not due yet. */
export const PACED = -1;

export class ProducerSignals {
  /** the host's latest count of messages consumed, for the backlog limit */
  consumed = 0;
  stopped = false;
  /** resolves on the host's start (or stop) */
  readonly started: Promise<void>;
  #startResolve!: () => void;
  #wake: (() => void) | null = null;
  #waitCell = new Int32Array(new SharedArrayBuffer(4));

  constructor() {
    this.started = new Promise((r) => this.#startResolve = r);
  }

  onCommand(msg: HostCommand): void {
    if (msg.type === "start") this.#startResolve();
    else if (msg.type === "consumed") {
      this.consumed = msg.count;
      this.wakeUp();
    } else if (msg.type === "stop") {
      this.stopped = true;
      this.#startResolve();
      this.wakeUp();
    }
  }

  /** Ends the current sleep(), if any. */
  wakeUp(): void {
    const w = this.#wake;
    if (w) {
      this.#wake = null;
      w();
    }
  }

  /** Waits until woken (a confirm, a progress report, stop) or `ms` passed. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /**
   * `allowed` capped by the backlog limit and the rate; PACED when the rate says the next
   * message is not due yet (the caller waits with pace()).
   */
  cap(
    allowed: number,
    sent: number,
    now: number,
    startMs: number,
    cfg: { maxBacklog: number; ratePerS: number },
  ): number {
    if (cfg.maxBacklog > 0) allowed = Math.min(allowed, cfg.maxBacklog - (sent - this.consumed));
    if (cfg.ratePerS > 0) {
      const due = Math.floor(((now - startMs) * cfg.ratePerS) / 1000) + 1;
      if (due <= sent) return PACED;
      allowed = Math.min(allowed, due - sent);
    }
    return allowed;
  }

  /**
   * Waits until message `sent` is due at `ratePerS` from `startMs`: timers for the long
   * part, a futex wait (Atomics.wait, no spinning) for the last few ms, which timers
   * cannot resolve; null when it has already waited that way. At least
   * PACE_MIN_WAIT_MS, so high rates go out in small bursts instead of costing a
   * wake-up and a write per message.
   */
  pace(startMs: number, sent: number, ratePerS: number): Promise<void> | null {
    const nextAt = startMs + (sent * 1000) / ratePerS;
    const waitMs = Math.max(PACE_MIN_WAIT_MS, nextAt - clockMs());
    if (waitMs > 4) return this.sleep(waitMs - 3);
    if (waitMs > 0) Atomics.wait(this.#waitCell, 0, 0, waitMs);
    return null;
  }
}
