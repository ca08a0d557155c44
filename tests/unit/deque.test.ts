// The ring-buffer deque behind every queue's ready list: FIFO order across
// growth and wrap-around, unshift for requeues, and agreement with a plain
// array under a long seeded sequence of random operations.
import assert from "node:assert/strict";
import { Deque } from "../../src/broker/deque.ts";

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("push and shift keep FIFO order across growth", () => {
  const d = new Deque<number>();
  for (let i = 0; i < 1000; i++) d.push(i);
  assert.equal(d.length, 1000);
  for (let i = 0; i < 1000; i++) assert.equal(d.shift(), i);
  assert.equal(d.length, 0);
  assert.equal(d.shift(), undefined);
  assert.equal(d.peek(), undefined);
});

Deno.test("unshift puts items back at the head in the order given", () => {
  const d = new Deque<string>();
  d.push("c");
  d.push("d");
  d.unshift("b");
  d.unshift("a");
  assert.deepEqual([...d], ["a", "b", "c", "d"]);
  assert.equal(d.peek(), "a");
  assert.equal(d.at(0), "a");
  assert.equal(d.at(3), "d");
  assert.equal(d.at(4), undefined);
  assert.equal(d.at(-1), undefined);
});

Deno.test("the ring wraps around and grows while wrapped without losing order", () => {
  const d = new Deque<number>();
  // Move the head forward so the live region wraps the end of the buffer.
  for (let i = 0; i < 12; i++) d.push(i);
  for (let i = 0; i < 10; i++) d.shift();
  for (let i = 12; i < 40; i++) d.push(i); // grows past 16 while wrapped
  d.unshift(11.5);
  assert.deepEqual([...d], [11.5, 10, 11, ...Array.from({ length: 28 }, (_, i) => 12 + i)]);
  // unshift on an empty deque whose head is at 0 wraps to the end.
  const e = new Deque<number>();
  for (let i = 0; i < 40; i++) e.unshift(i);
  assert.deepEqual([...e], Array.from({ length: 40 }, (_, i) => 39 - i));
});

Deno.test("clear empties the deque and it is usable afterwards", () => {
  const d = new Deque<number>();
  for (let i = 0; i < 100; i++) d.push(i);
  d.clear();
  assert.equal(d.length, 0);
  assert.deepEqual([...d], []);
  d.push(1);
  d.unshift(0);
  assert.deepEqual([...d], [0, 1]);
});

Deno.test("a seeded random mix of push, unshift and shift agrees with an array", () => {
  const seed = 20240607;
  const rand = mulberry32(seed);
  const d = new Deque<number>();
  const model: number[] = [];
  for (let step = 0; step < 20_000; step++) {
    const r = rand();
    if (r < 0.4) {
      d.push(step);
      model.push(step);
    } else if (r < 0.6) {
      d.unshift(step);
      model.unshift(step);
    } else {
      assert.equal(d.shift(), model.shift(), `seed ${seed} step ${step}`);
    }
    assert.equal(d.length, model.length);
    if (step % 997 === 0) assert.deepEqual([...d], model, `seed ${seed} step ${step}`);
  }
  assert.deepEqual([...d], model);
});

Deno.test("insertBefore puts an item ahead of the first one it precedes, or at the end", () => {
  const d = new Deque<number>();
  for (const n of [2, 5, 9]) d.push(n);
  d.insertBefore(1, (other) => other > 1);
  d.insertBefore(7, (other) => other > 7);
  d.insertBefore(12, (other) => other > 12);
  assert.deepEqual([...d], [1, 2, 5, 7, 9, 12]);
  const empty = new Deque<number>();
  empty.insertBefore(3, () => true);
  assert.deepEqual([...empty], [3]);
});
