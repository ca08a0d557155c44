// The soak's bookkeeping (scripts/soak/ledger.ts, resources.ts, latency.ts):
// that it catches what the soak is for — a duplicate without redelivered, a
// delivery after the end, a wrong dead-letter reason, a confirmed message that
// never arrived, growth of RSS or fds — and lets the legitimate cases pass.
import assert from "node:assert/strict";
import { LatencyHistogram } from "../../scripts/soak/latency.ts";
import { Ledger } from "../../scripts/soak/ledger.ts";
import { checkGrowth, type ResourceSample } from "../../scripts/soak/resources.ts";

Deno.test("a second delivery without redelivered is a violation; with it, it is not", () => {
  const ledger = new Ledger();
  const a = ledger.publish("work", true, 0);
  const b = ledger.publish("work", true, 0);
  assert.equal(ledger.deliver("work", a, false, null, 5), 5);
  assert.ok(Number.isNaN(ledger.deliver("work", a, true, null, 9)));
  assert.equal(ledger.violations, 0);
  ledger.deliver("work", b, false, null, 1);
  ledger.deliver("work", b, false, null, 2);
  assert.equal(ledger.violations, 1);
  assert.match(ledger.violationTexts[0], /delivered twice/);
});

Deno.test("a delivery after the ack is a violation even when flagged redelivered", () => {
  const ledger = new Ledger();
  const id = ledger.publish("prio", false, 0);
  ledger.deliver("prio", id, false, null, 1);
  ledger.ack("prio", id);
  ledger.deliver("prio", id, true, null, 2);
  assert.equal(ledger.violations, 1);
  assert.match(ledger.violationTexts[0], /after it was settled/);
});

Deno.test("dead-lettering must carry the expected reason: expired for TTL, rejected after a nack", () => {
  const ledger = new Ledger();
  const ttl = ledger.publish("ttl", true, 0);
  const work = ledger.publish("work", true, 0);
  ledger.deliver("dead", ttl, false, "expired", 1);
  ledger.deliver("work", work, false, null, 1);
  ledger.reject(work);
  ledger.deliver("dead", work, false, "rejected", 2);
  assert.equal(ledger.violations, 0);
  const unrejected = ledger.publish("work", true, 0);
  ledger.deliver("dead", unrejected, false, "rejected", 1);
  assert.equal(ledger.violations, 1);
});

Deno.test("a confirmed message that never reached its end is outstanding; a nacked one is forgotten", () => {
  const ledger = new Ledger();
  const kept = ledger.publish("work", true, 0);
  const refused = ledger.publish("work", true, 0);
  const done = ledger.publish("work", true, 0);
  for (const id of [kept, done]) ledger.settlePublish(id, true);
  ledger.settlePublish(refused, false);
  ledger.deliver("work", done, false, null, 1);
  ledger.ack("work", done);
  assert.deepEqual(ledger.outstanding(), { all: 1, confirmed: 1 });
  assert.match(ledger.missingConfirmed(5)[0], new RegExp(`^${kept} `));
});

Deno.test("RSS or fds that keep growing fail the growth check; a level run passes", () => {
  const run = (rss: (t: number) => number, fds: (t: number) => number): ResourceSample[] =>
    Array.from({ length: 101 }, (_, t) => ({ atS: t, rssKiB: rss(t), fds: fds(t) }));
  assert.deepEqual(checkGrowth(run(() => 100_000, () => 40), 100).violations, []);
  assert.equal(checkGrowth(run((t) => 100_000 + t * 5_000, () => 40), 100).violations.length, 1);
  assert.equal(checkGrowth(run(() => 100_000, (t) => 40 + t * 2), 100).violations.length, 1);
});

Deno.test("latency percentiles are within 2% and the maximum is exact", () => {
  const h = new LatencyHistogram();
  for (let i = 1; i <= 1000; i++) h.record(i / 10);
  assert.ok(Math.abs(h.percentile(50) - 50) <= 1, `p50 ${h.percentile(50)}`);
  assert.ok(Math.abs(h.percentile(99) - 99) <= 2, `p99 ${h.percentile(99)}`);
  assert.equal(h.maxMs, 100);
});
