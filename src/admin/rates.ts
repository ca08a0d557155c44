// Message rates and their history from the broker's plain counters. A timer
// records each object's counters once a second; a rate is the difference
// between the live counter at request time and the newest sample at least a
// second old, so what the API shows moves within a second or two of the
// traffic (RabbitMQ's statistics lag by its 5-second collection interval).
// Every fifth second the counters also go into a ten-minute history per
// object (a fixed ring of numbers), which the API serves as RabbitMQ's
// `samples` arrays so that a chart is full the moment a page opens.

/** How often counters are sampled. */
export const RATE_SAMPLE_INTERVAL_MS = 1000;
/** A rate is measured over at least this long, so one burst does not read as a spike. */
const RATE_MIN_WINDOW_MS = 1000;
/** Samples kept per object for rates (the window never needs more than the last few). */
const RATE_SAMPLES_KEPT = 4;
/** Spacing and span of the history (RabbitMQ's basic retention: 10 minutes at 5 s). */
const HISTORY_INTERVAL_MS = 5000;
export const HISTORY_SPAN_MS = 600_000;
const HISTORY_SLOTS = HISTORY_SPAN_MS / HISTORY_INTERVAL_MS + 1;
/** Most samples one `samples` array may hold, whatever age and incr ask for. */
const MAX_SAMPLES_PER_SERIES = 1000;

interface Sample {
  atMs: number;
  values: readonly number[];
}

/** One object's history: slot i holds the counters recorded at times[i]. */
interface History {
  times: Float64Array;
  values: Float64Array;
  width: number;
  /** Next slot to write; the ring wraps. */
  next: number;
  count: number;
  lastBucket: number;
}

/** A `samples` request: how far back, and how far apart (RabbitMQ's *_age and *_incr, in ms). */
export interface SampleRange {
  ageMs: number;
  incrMs: number;
}

export interface HistorySample {
  sample: number;
  timestamp: number;
}

export class RateTracker {
  /** Keyed by the model object itself, so deleted queues leave with their history. */
  readonly #recent = new WeakMap<object, Sample[]>();
  readonly #history = new WeakMap<object, History>();

  /**
   * Records `values` (counters in a fixed order per kind of object) for `key`;
   * with `history` false only for rates (connections and channels keep no history).
   */
  record(key: object, values: readonly number[], nowMs = Date.now(), history = true): void {
    let samples = this.#recent.get(key);
    if (!samples) {
      samples = [];
      this.#recent.set(key, samples);
    }
    samples.push({ atMs: nowMs, values });
    if (samples.length > RATE_SAMPLES_KEPT) samples.shift();
    if (history) this.#remember(key, values, nowMs);
  }

  #remember(key: object, values: readonly number[], nowMs: number): void {
    const bucket = Math.floor(nowMs / HISTORY_INTERVAL_MS);
    let h = this.#history.get(key);
    if (!h || h.width !== values.length) {
      h = {
        times: new Float64Array(HISTORY_SLOTS),
        values: new Float64Array(HISTORY_SLOTS * values.length),
        width: values.length,
        next: 0,
        count: 0,
        lastBucket: -1,
      };
      this.#history.set(key, h);
    }
    if (bucket === h.lastBucket) return;
    h.lastBucket = bucket;
    // Stamped with the bucket's start: the first sample after each 5-second mark
    // stands for that mark, so a node that just started already has one.
    h.times[h.next] = bucket * HISTORY_INTERVAL_MS;
    h.values.set(values, h.next * h.width);
    h.next = (h.next + 1) % HISTORY_SLOTS;
    h.count = Math.min(h.count + 1, HISTORY_SLOTS);
  }

  /** Per-second rates of `current` against the recorded history of `key` (zeros when there is none). */
  rates(key: object, current: readonly number[], nowMs = Date.now()): number[] {
    const samples = this.#recent.get(key);
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

  /**
   * Counter `index` of `key` at the times RabbitMQ would report for `range`:
   * multiples of incr from now back to now - age, newest first, each the
   * value recorded at or before that time (times before the history are left out).
   */
  samples(key: object, index: number, range: SampleRange, nowMs = Date.now()): HistorySample[] {
    const h = this.#history.get(key);
    const out: HistorySample[] = [];
    if (!h || h.count === 0 || index >= h.width) return out;
    const newest = Math.floor(nowMs / range.incrMs) * range.incrMs;
    let slot = (h.next - 1 + HISTORY_SLOTS) % HISTORY_SLOTS;
    let seen = 0;
    for (
      let t = newest;
      t >= newest - range.ageMs && out.length < MAX_SAMPLES_PER_SERIES;
      t -= range.incrMs
    ) {
      while (seen < h.count && h.times[slot] > t) {
        slot = (slot - 1 + HISTORY_SLOTS) % HISTORY_SLOTS;
        seen++;
      }
      if (seen >= h.count) break;
      out.push({ sample: h.values[slot * h.width + index], timestamp: t });
    }
    return out;
  }
}
