// Publish-to-deliver latencies of an hour's run in constant memory: a
// histogram with buckets 2% wide from 10 µs up (percentiles are good to 2%),
// and the exact maximum.

const MIN_MS = 0.01;
const GROWTH = 1.02;
const BUCKETS = 1200; // 0.01 ms * 1.02^1200 is far past any latency worth telling apart

export class LatencyHistogram {
  count = 0;
  maxMs = 0;
  #counts = new Float64Array(BUCKETS);

  record(ms: number): void {
    if (!Number.isFinite(ms)) return;
    this.count++;
    if (ms > this.maxMs) this.maxMs = ms;
    const i = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / Math.log(GROWTH)));
    this.#counts[i]++;
  }

  /** The p-th percentile (0..100), as the upper edge of its bucket, capped at the maximum; NaN when empty. */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i];
      if (seen >= rank) return Math.min(this.maxMs, MIN_MS * GROWTH ** i);
    }
    return this.maxMs;
  }
}
