// What a consumer role keeps whichever client it runs on (roles.ts for the
// harness's own, amqplib_roles.ts for amqplib): the per-tracker sequence
// counts, the latency sample, the host's expect and stop commands, the
// progress reports and the result. The client's delivery callback updates the
// public fields directly, so the per-delivery path costs no extra call.
import { clockMs } from "./message.ts";
import { LatencySample, SeqTracker } from "./stats.ts";
import type { ConsumerConfig, ConsumerResult, HostCommand, RoleControl } from "./roles.ts";

const PROGRESS_EVERY_MS = 20;

export class ConsumerTally {
  readonly trackers: SeqTracker[];
  readonly latency: LatencySample;
  deliveries = 0;
  firstMs = NaN;
  lastMs = NaN;
  /** per-tracker counts to wait for, once the host knows what was sent */
  expected: number[] | null = null;
  /** the host said stop: a broken connection after that is no failure */
  stopped = false;
  #cfg: ConsumerConfig;
  #control: RoleControl;
  #done: Promise<void>;
  #doneResolve!: () => void;

  constructor(cfg: ConsumerConfig, control: RoleControl) {
    this.#cfg = cfg;
    this.#control = control;
    this.trackers = Array.from({ length: cfg.trackers }, () => new SeqTracker(cfg.maxMessages));
    this.latency = new LatencySample(cfg.latencySamples);
    this.#done = new Promise((r) => this.#doneResolve = r);
  }

  onCommand(msg: HostCommand): void {
    if (msg.type === "expect") {
      this.expected = msg.counts;
      this.checkDone();
    } else if (msg.type === "stop") {
      this.stopped = true;
      this.#doneResolve();
    }
  }

  /** Ends watch() once every tracker has its expected count. */
  checkDone(): void {
    const expected = this.expected;
    if (!expected) return;
    for (let i = 0; i < expected.length; i++) {
      if (this.trackers[i].unique < expected[i]) return;
    }
    this.#doneResolve();
  }

  /**
   * Reports progress to the host until everything expected is in or the host says
   * stop; gives up, answering true (timed out), once nothing has arrived for the
   * idle timeout after the expected counts are known, or when `broken()` says a
   * connection failed.
   */
  async watch(broken: () => boolean): Promise<boolean> {
    let lastCounts = "";
    let lastProgressAt = clockMs();
    let lastDeliveries = -1;
    let timedOut = false;
    const progress = setInterval(() => {
      const counts = this.trackers.map((t) => t.unique);
      const key = counts.join(",");
      if (key !== lastCounts) {
        lastCounts = key;
        this.#control.post({ type: "progress", counts });
      }
      if (this.deliveries !== lastDeliveries) {
        lastDeliveries = this.deliveries;
        lastProgressAt = clockMs();
      } else if (this.expected && clockMs() - lastProgressAt > this.#cfg.idleTimeoutMs) {
        timedOut = true;
        this.#doneResolve();
      }
      if (broken()) {
        timedOut = true;
        this.#doneResolve();
      }
    }, PROGRESS_EVERY_MS);
    await this.#done;
    clearInterval(progress);
    return timedOut;
  }

  result(timedOut: boolean): ConsumerResult {
    const expected = this.expected ?? this.trackers.map(() => 0);
    return {
      role: "consumer",
      deliveries: this.deliveries,
      trackers: this.trackers.map((t, i) => ({
        expected: expected[i],
        unique: t.unique,
        duplicates: t.duplicates,
        foreign: t.foreign,
        lost: t.lost(expected[i]),
        missingSample: t.missingSample(expected[i]),
      })),
      firstMs: this.firstMs,
      lastMs: this.lastMs,
      latency: this.latency.summary(),
      timedOut,
    };
  }
}
