// A connection's share of a turn (src/server/read_slices.ts): a slice is
// spent after READ_SLICE_FRAMES frames or READ_SLICE_BYTES bytes (or
// READ_SLICE_MS, which makes exact counts machine-dependent), a read that
// empties the socket starts a new one, and nextTurn() hands the event loop
// over (due timers run) before the next slice.
import assert from "node:assert/strict";
import { ReadSlices } from "../../src/server/read_slices.ts";
import { READ_SLICE_BYTES, READ_SLICE_FRAMES } from "../../src/server/limits.ts";

/** Frames of `frameBytes` spent until the slice is (it may end sooner on READ_SLICE_MS, on a slow machine). */
function framesUntilSpent(s: ReadSlices, frameBytes: number): number {
  let frames = 1;
  while (!s.spend(frameBytes)) frames++;
  return frames;
}

Deno.test("a slice is spent after READ_SLICE_FRAMES small frames at the latest", () => {
  const s = new ReadSlices();
  assert.ok(framesUntilSpent(s, 8) <= READ_SLICE_FRAMES);
  assert.equal(s.spent, true);
});

Deno.test("a slice is spent after READ_SLICE_BYTES bytes at the latest, however few the frames", () => {
  assert.ok(framesUntilSpent(new ReadSlices(), READ_SLICE_BYTES / 4) <= 4);
});

Deno.test("a read that does not fill the buffer starts a new slice; one that fills it does not", () => {
  const s = new ReadSlices();
  framesUntilSpent(s, 8);
  s.readDone(true);
  assert.equal(s.spent, true, "a client that keeps the buffer full keeps its spent slice");
  s.readDone(false);
  assert.equal(s.spent, false);
  assert.equal(s.spend(8), false, "a client that was caught up starts afresh");
});

Deno.test("nextTurn lets a due timer run before it resolves, and starts a new slice", async () => {
  const s = new ReadSlices();
  for (let i = 0; i < READ_SLICE_FRAMES; i++) s.spend(8);
  let timerRan = false;
  const timer = setTimeout(() => (timerRan = true), 0);
  // The timer falls due while this turn is busy; a microtask would not let it run, a turn does.
  const until = performance.now() + 5;
  while (performance.now() < until) { /* busy, as a connection parsing a flood */ }
  await s.nextTurn();
  clearTimeout(timer);
  assert.equal(timerRan, true);
  assert.equal(s.spent, false);
});
