// Publisher confirms for one channel: settlements arrive in any order but
// go out in sequence order, coalesced into `multiple` acks, and an ack
// never covers a message that is still pending or was nacked.
import assert from "node:assert/strict";
import { ConfirmTracker } from "../../src/server/confirm_tracker.ts";

type Emitted = [deliveryTag: number, multiple: boolean, ack: boolean];

function drain(t: ConfirmTracker): Emitted[] {
  const out: Emitted[] = [];
  t.drain((tag, multiple, ack) => out.push([tag, multiple, ack]));
  return out;
}

function tracker(n: number): ConfirmTracker {
  const t = new ConfirmTracker();
  for (let i = 1; i <= n; i++) assert.equal(t.next(), i);
  return t;
}

/** What the publisher believes after applying the frames, as the AMQP spec defines multiple. */
function applyAsClient(emitted: Emitted[], outstanding: Set<number>, outcome: Map<number, boolean>): void {
  for (const [tag, multiple, ack] of emitted) {
    const covered = multiple ? [...outstanding].filter((s) => s <= tag) : [tag];
    assert.ok(covered.length > 0, `frame ${tag} confirms something outstanding`);
    for (const s of covered) {
      assert.ok(outstanding.delete(s), `seq ${s} confirmed once`);
      outcome.set(s, ack);
    }
  }
}

Deno.test("sequence numbers start at 1 and nothing is emitted while the head is pending", () => {
  const t = tracker(3);
  assert.equal(t.hasSettled, false);
  t.settle(2, true);
  t.settle(3, true);
  assert.equal(t.hasSettled, false, "seq 1 still pending");
  assert.deepEqual(drain(t), []);
});

Deno.test("out-of-order settles go out in order once the gap fills, as one multiple ack", () => {
  const t = tracker(4);
  t.settle(3, true);
  t.settle(2, true);
  t.settle(4, true);
  assert.deepEqual(drain(t), []);
  t.settle(1, true);
  assert.equal(t.hasSettled, true);
  assert.deepEqual(drain(t), [[4, true, true]]);
  assert.deepEqual(drain(t), [], "drained twice emits nothing new");
});

Deno.test("a single settled message is acked without multiple", () => {
  const t = tracker(2);
  t.settle(1, true);
  assert.deepEqual(drain(t), [[1, false, true]]);
  t.settle(2, true);
  assert.deepEqual(drain(t), [[2, false, true]]);
});

Deno.test("a nack breaks the run: acks before it, the nack alone, then acks after it", () => {
  const t = tracker(6);
  for (const s of [1, 2, 4, 5]) t.settle(s, true);
  t.settle(3, false);
  t.settle(6, false);
  assert.deepEqual(drain(t), [
    [2, true, true],
    [3, false, false],
    [5, true, true],
    [6, false, false],
  ]);
});

Deno.test("a multiple ack after earlier drains only covers messages not yet confirmed", () => {
  const t = tracker(5);
  t.settle(1, false);
  t.settle(2, true);
  assert.deepEqual(drain(t), [[1, false, false], [2, false, true]]);
  for (const s of [3, 4, 5]) t.settle(s, true);
  assert.deepEqual(drain(t), [[5, true, true]]);
});

Deno.test("settling an unknown or already-confirmed sequence number changes nothing", () => {
  const t = tracker(2);
  t.settle(1, true);
  drain(t);
  t.settle(1, false); // already confirmed
  t.settle(99, true); // never published
  t.settle(0, true);
  assert.deepEqual(drain(t), []);
  t.settle(2, true);
  assert.deepEqual(drain(t), [[2, false, true]]);
});

Deno.test("a long seeded random run: every message confirmed exactly once with its own outcome", () => {
  let seed = 424242;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const t = new ConfirmTracker();
  const outstanding = new Set<number>();
  const pending: number[] = [];
  const truth = new Map<number, boolean>();
  const outcome = new Map<number, boolean>();
  let published = 0;
  for (let step = 0; step < 5000; step++) {
    const r = rand();
    if (r < 0.45) {
      const s = t.next();
      assert.equal(s, ++published);
      outstanding.add(s);
      pending.push(s);
    } else if (r < 0.9 && pending.length > 0) {
      const i = Math.floor(rand() * pending.length);
      const [s] = pending.splice(i, 1);
      const ack = rand() < 0.8;
      truth.set(s, ack);
      t.settle(s, ack);
    } else {
      applyAsClient(drain(t), outstanding, outcome);
    }
  }
  for (const s of pending) {
    truth.set(s, true);
    t.settle(s, true);
  }
  applyAsClient(drain(t), outstanding, outcome);
  assert.equal(outstanding.size, 0, "everything confirmed");
  assert.equal(outcome.size, published);
  for (const [s, ack] of truth) assert.equal(outcome.get(s), ack, `seq ${s}`);
});
