// Pure statistics for the benchmark: percentiles, medians, ratios, loss and
// duplicate counting over sequence numbers, and a bounded latency sample.
// Nothing here touches sockets, processes or clocks, so tests/unit can pin
// it down exactly.

/**
 * The p-th percentile (0..100) of values already sorted ascending, by the
 * nearest-rank method: the smallest value with at least p% of the samples at
 * or below it. NaN for no samples.
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (p <= 0) return sorted[0];
  if (p >= 100) return sorted[n - 1];
  const rank = Math.ceil((p / 100) * n);
  return sorted[Math.max(0, rank - 1)];
}

/** The p-th percentile of unsorted values (copied, not reordered in place). */
export function percentile(values: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(values).sort();
  return percentileSorted(sorted, p);
}

/** The median; the mean of the two middle values for an even count. NaN for none. */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v));
  const n = finite.length;
  if (n === 0) return NaN;
  const s = finite.slice().sort((a, b) => a - b);
  const mid = n >> 1;
  return n % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** a / b, or NaN when either is missing or b is zero. */
export function ratio(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return NaN;
  return a / b;
}

/** Messages per second from a count and a duration in milliseconds. */
export function ratePerS(count: number, elapsedMs: number): number {
  if (!(elapsedMs > 0)) return NaN;
  return (count * 1000) / elapsedMs;
}

/**
 * Tracks which sequence numbers [0, capacity) arrived, in one bit each:
 * the first arrival counts as unique, any later one as a duplicate, and
 * numbers outside the range as foreign (a stray message from elsewhere).
 */
export class SeqTracker {
  readonly capacity: number;
  unique = 0;
  duplicates = 0;
  foreign = 0;
  #bits: Uint8Array;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#bits = new Uint8Array(Math.ceil(capacity / 8));
  }

  /** Records one arrival; true when it is the first for this number. */
  record(seq: number): boolean {
    if (!(seq >= 0 && seq < this.capacity) || seq !== Math.floor(seq)) {
      this.foreign++;
      return false;
    }
    const i = seq >>> 3;
    const mask = 1 << (seq & 7);
    const b = this.#bits[i];
    if ((b & mask) !== 0) {
      this.duplicates++;
      return false;
    }
    this.#bits[i] = b | mask;
    this.unique++;
    return true;
  }

  has(seq: number): boolean {
    if (!(seq >= 0 && seq < this.capacity)) return false;
    return (this.#bits[seq >>> 3] & (1 << (seq & 7))) !== 0;
  }

  /** How many of [0, sent) never arrived. */
  lost(sent: number): number {
    const n = Math.min(sent, this.capacity);
    let missing = sent - n;
    const fullBytes = n >>> 3;
    let seen = 0;
    for (let i = 0; i < fullBytes; i++) seen += POPCOUNT[this.#bits[i]];
    for (let s = fullBytes << 3; s < n; s++) if (this.has(s)) seen++;
    missing += n - seen;
    return missing;
  }

  /** The first few missing numbers below `sent`, for a report. */
  missingSample(sent: number, max = 5): number[] {
    const out: number[] = [];
    for (let s = 0; s < sent && out.length < max; s++) if (!this.has(s)) out.push(s);
    return out;
  }
}

const POPCOUNT = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) t[i] = (i & 1) + t[i >> 1];
  return t;
})();

/**
 * Publisher-confirm accounting over delivery tags 1..capacity: a multiple
 * ack covers every tag up to it, single acks may come in any order, and a
 * tag is counted once however often it is covered.
 */
export class ConfirmTracker {
  confirmed = 0;
  nacked = 0;
  #settled: SeqTracker;
  #low = 0;

  constructor(capacity: number) {
    this.#settled = new SeqTracker(capacity + 1);
  }

  /** Everything at or below this tag is settled. */
  get lowWater(): number {
    return this.#low;
  }

  settle(tag: number, multiple: boolean, nack: boolean): void {
    if (multiple) {
      for (let t = this.#low + 1; t <= tag; t++) this.#one(t, nack);
      if (tag > this.#low) this.#low = tag;
    } else {
      this.#one(tag, nack);
    }
    while (this.#settled.has(this.#low + 1)) this.#low++;
  }

  #one(tag: number, nack: boolean): void {
    if (!this.#settled.record(tag)) return;
    if (nack) this.nacked++;
    else this.confirmed++;
  }
}

/**
 * A bounded sample of latencies: every value until the buffer is full, then
 * reservoir sampling, so percentiles stay unbiased over long runs without
 * unbounded memory. `random` is injectable for tests.
 */
export class LatencySample {
  count = 0;
  max = -Infinity;
  #values: Float64Array;
  #random: () => number;

  constructor(capacity = 1_000_000, random: () => number = Math.random) {
    this.#values = new Float64Array(capacity);
    this.#random = random;
  }

  add(v: number): void {
    const n = this.count++;
    if (v > this.max) this.max = v;
    const cap = this.#values.length;
    if (n < cap) {
      this.#values[n] = v;
      return;
    }
    const j = Math.floor(this.#random() * (n + 1));
    if (j < cap) this.#values[j] = v;
  }

  /** Kept values, sorted ascending. */
  sorted(): Float64Array {
    return this.#values.slice(0, Math.min(this.count, this.#values.length)).sort();
  }

  summary(): LatencySummary {
    const s = this.sorted();
    return {
      count: this.count,
      p50Ms: percentileSorted(s, 50),
      p99Ms: percentileSorted(s, 99),
      maxMs: this.count > 0 ? this.max : NaN,
    };
  }
}

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}
