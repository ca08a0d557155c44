// The ten-minute counter history behind RabbitMQ's `samples` arrays: one
// entry per 5-second bucket, served newest first at multiples of incr, each
// the value recorded at or before that time.
import assert from "node:assert/strict";
import { HISTORY_SPAN_MS, RateTracker } from "../../src/admin/rates.ts";

const T0 = 1_000_000_000_000; // a multiple of 5000 ms

Deno.test("samples are newest first at multiples of incr, each the value recorded at or before it", () => {
  const rates = new RateTracker();
  const key = {};
  for (let s = 0; s <= 30; s++) rates.record(key, [s * 10], T0 + s * 1000 + 100);
  // Into the history go the first sample after each 5 s mark, stamped with the mark:
  // 0 at T0, 50 at T0+5s, ..., 300 at T0+30s.
  const got = rates.samples(key, 0, { ageMs: 20_000, incrMs: 10_000 }, T0 + 31_000);
  assert.deepEqual(got, [
    { sample: 300, timestamp: T0 + 30_000 },
    { sample: 200, timestamp: T0 + 20_000 },
    { sample: 100, timestamp: T0 + 10_000 },
  ]);
});

Deno.test("times before the history began are left out, and the ring keeps only ten minutes", () => {
  const rates = new RateTracker();
  const key = {};
  const steps = HISTORY_SPAN_MS / 5000 + 20;
  for (let i = 0; i < steps; i++) rates.record(key, [i], T0 + i * 5000);
  const now = T0 + (steps - 1) * 5000;
  const got = rates.samples(key, 0, { ageMs: 2 * HISTORY_SPAN_MS, incrMs: 5000 }, now);
  assert.equal(got.length, HISTORY_SPAN_MS / 5000 + 1);
  assert.deepEqual(got[0], { sample: steps - 1, timestamp: now });
  assert.equal(got[got.length - 1].sample, steps - 1 - HISTORY_SPAN_MS / 5000);
});

Deno.test("an object with no history has no samples", () => {
  assert.deepEqual(new RateTracker().samples({}, 0, { ageMs: 60_000, incrMs: 5000 }), []);
});
