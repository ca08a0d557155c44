// Message rates from the broker's plain counters. A timer records each
// object's counters once a second; a rate is the difference between the
// live counter at request time and the newest sample at least a second old,
// so what the API shows moves within a second or two of the traffic
// (RabbitMQ's statistics lag by its 5-second collection interval).

/** How often counters are sampled. */
export const RATE_SAMPLE_INTERVAL_MS = 1000;
/** A rate is measured over at least this long, so one burst does not read as a spike. */
const RATE_MIN_WINDOW_MS = 1000;
/** Samples kept per object (the window never needs more than the last few). */
const RATE_SAMPLES_KEPT = 4;

interface Sample {
  atMs: number;
  values: readonly number[];
}

export class RateTracker {
  /** Keyed by the model object itself, so deleted queues leave with their history. */
  readonly #history = new WeakMap<object, Sample[]>();

  /** Records `values` (counters in a fixed order per kind of object) for `key`. */
  record(key: object, values: readonly number[], nowMs = Date.now()): void {
    let samples = this.#history.get(key);
    if (!samples) {
      samples = [];
      this.#history.set(key, samples);
    }
    samples.push({ atMs: nowMs, values });
    if (samples.length > RATE_SAMPLES_KEPT) samples.shift();
  }

  /** Per-second rates of `current` against the recorded history of `key` (zeros when there is none). */
  rates(key: object, current: readonly number[], nowMs = Date.now()): number[] {
    const samples = this.#history.get(key);
    const out = new Array<number>(current.length).fill(0);
    if (!samples || samples.length === 0) return out;
    let base = samples[0];
    for (let i = samples.length - 1; i >= 0; i--) {
      if (nowMs - samples[i].atMs >= RATE_MIN_WINDOW_MS) {
        base = samples[i];
        break;
      }
    }
    const dtS = (nowMs - base.atMs) / 1000;
    if (dtS <= 0) return out;
    for (let i = 0; i < current.length; i++) {
      const delta = current[i] - (base.values[i] ?? 0);
      out[i] = Math.round((delta / dtS) * 100) / 100;
    }
    return out;
  }
}
