// The benchmark's pure statistics (scripts/bench/stats.ts and the summary in
// scripts/bench/report.ts). The benchmark itself never runs in CI; this
// pins down the arithmetic its verdicts rest on.
import assert from "node:assert/strict";
import {
  ConfirmTracker,
  LatencySample,
  median,
  percentile,
  percentileSorted,
  ratePerS,
  ratio,
  SeqTracker,
} from "../../scripts/bench/stats.ts";
import { meetsTarget, summarize } from "../../scripts/bench/report.ts";
import type { RunResult, Scenario } from "../../scripts/bench/scenarios.ts";

Deno.test("percentiles use the nearest rank", () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
  assert.deepEqual(percentileSorted(values, 50), 50);
  assert.deepEqual(percentileSorted(values, 99), 99);
  assert.deepEqual(percentileSorted(values, 100), 100);
  assert.deepEqual(percentileSorted(values, 0), 1);
  assert.deepEqual(percentileSorted([7], 99), 7);
  assert.ok(Number.isNaN(percentileSorted([], 50)));
  // ten values: p99 is the largest, p50 the fifth
  assert.deepEqual(percentile([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 99), 10);
  assert.deepEqual(percentile([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 50), 5);
});

Deno.test("percentile does not reorder its input", () => {
  const values = [3, 1, 2];
  percentile(values, 50);
  assert.deepEqual(values, [3, 1, 2]);
});

Deno.test("median of odd and even counts, ignoring missing values", () => {
  assert.deepEqual(median([3, 1, 2]), 2);
  assert.deepEqual(median([4, 1, 3, 2]), 2.5);
  assert.deepEqual(median([5, NaN, 1, 3]), 3);
  assert.ok(Number.isNaN(median([])));
  assert.ok(Number.isNaN(median([NaN])));
});

Deno.test("ratio is NaN when either side is missing or the divisor is zero", () => {
  assert.deepEqual(ratio(200, 100), 2);
  assert.ok(Number.isNaN(ratio(1, 0)));
  assert.ok(Number.isNaN(ratio(NaN, 1)));
  assert.ok(Number.isNaN(ratio(1, Infinity)));
  assert.deepEqual(ratePerS(500, 250), 2000);
  assert.ok(Number.isNaN(ratePerS(5, 0)));
});

Deno.test("sequence tracker counts unique, duplicate, lost and foreign messages", () => {
  const t = new SeqTracker(20);
  for (const seq of [0, 1, 2, 3, 5, 5, 6, 7, 8, 9, 3]) t.record(seq);
  t.record(25); // outside the range
  t.record(1.5); // not a sequence number
  assert.deepEqual(t.unique, 9);
  assert.deepEqual(t.duplicates, 2);
  assert.deepEqual(t.foreign, 2);
  assert.deepEqual(t.lost(10), 1); // 4 never arrived
  assert.deepEqual(t.missingSample(10), [4]);
  assert.deepEqual(t.lost(12), 3); // 4, 10, 11
  assert.deepEqual(t.lost(0), 0);
});

Deno.test("sequence tracker counts past a byte boundary and beyond its capacity", () => {
  const t = new SeqTracker(17);
  for (let s = 0; s < 17; s++) if (s !== 8 && s !== 16) t.record(s);
  assert.deepEqual(t.lost(17), 2);
  assert.deepEqual(t.missingSample(17), [8, 16]);
  // sent more than it can track: the excess is counted as lost
  assert.deepEqual(t.lost(20), 5);
});

Deno.test("confirm tracker settles multiple and single acks once each", () => {
  const c = new ConfirmTracker(10);
  c.settle(2, false, false);
  c.settle(3, true, false); // covers 1 and 3; 2 already counted
  assert.deepEqual(c.confirmed, 3);
  assert.deepEqual(c.lowWater, 3);
  c.settle(5, false, true); // nack, out of order
  assert.deepEqual(c.nacked, 1);
  assert.deepEqual(c.lowWater, 3);
  c.settle(4, false, false);
  assert.deepEqual(c.lowWater, 5);
  c.settle(5, true, false); // already settled: no change
  assert.deepEqual(c.confirmed, 4);
  assert.deepEqual(c.nacked, 1);
  c.settle(10, true, false);
  assert.deepEqual(c.confirmed, 9);
});

Deno.test("latency sample keeps everything up to its capacity, then samples", () => {
  const s = new LatencySample(100, () => 0.999);
  for (let i = 1; i <= 100; i++) s.add(i);
  assert.deepEqual(s.summary(), { count: 100, p50Ms: 50, p99Ms: 99, maxMs: 100 });
  s.add(1000); // replaces nothing with random() near 1, but the max still sees it
  const after = s.summary();
  assert.deepEqual(after.count, 101);
  assert.deepEqual(after.maxMs, 1000);
  assert.deepEqual(after.p99Ms, 99);
  assert.ok(Number.isNaN(new LatencySample(4).summary().p50Ms));
});

function fakeRun(scenario: string, broker: string, round: number, value: number, lost = 0): RunResult {
  return {
    scenario,
    broker,
    round,
    metrics: { "msg/s": value },
    lost,
    duplicates: 0,
    generatorCores: 0.1,
    brokerCores: 1,
    brokerPeakRssMiB: 50,
    details: {},
  };
}

Deno.test("summary takes per-broker medians and the first/second ratio against the target", () => {
  const scenario: Scenario = {
    id: "1-16B",
    group: 1,
    title: "t",
    metrics: [{ key: "msg/s", higherIsBetter: true, target: { kind: "ratio", op: ">=", value: 2 } }],
    run: () => Promise.reject(new Error("not run")),
  };
  const runs = [
    fakeRun("1-16B", "warren", 1, 300),
    fakeRun("1-16B", "rabbitmq", 1, 100),
    fakeRun("1-16B", "warren", 2, 100),
    fakeRun("1-16B", "rabbitmq", 2, 90),
    fakeRun("1-16B", "warren", 3, 250),
    fakeRun("1-16B", "rabbitmq", 3, 110),
  ];
  const [row] = summarize([scenario], runs, ["warren", "rabbitmq"]);
  assert.deepEqual(row.medians, { warren: 250, rabbitmq: 100 });
  assert.deepEqual(row.values.warren, [300, 100, 250]);
  assert.deepEqual(row.ratio, 2.5);
  assert.deepEqual(row.verdict, "pass");
  assert.deepEqual(meetsTarget({ kind: "ratio", op: "<=", value: 0.5 }, 80, 0.8), false);
  assert.deepEqual(meetsTarget({ kind: "absolute", op: "<=", value: 150 }, 120, NaN), true);
  assert.deepEqual(meetsTarget(undefined, 1, 1), null);
});
