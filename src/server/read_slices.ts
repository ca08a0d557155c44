// Fair turns for the connections' input. A socket read that finds data
// already waiting completes without a trip through the event loop, so a
// client that keeps its socket full would otherwise be read and parsed for as
// long as it keeps sending, while timers (heartbeats), the other sockets and
// the store's commits wait. Each connection therefore handles its input in
// slices of at most READ_SLICE_FRAMES frames, READ_SLICE_BYTES bytes or
// READ_SLICE_MS milliseconds (some frames cost far more than others: a
// headers table to decode, a fanout to many queues) and gives the event loop
// a turn between slices. A read that empties the socket (it does not fill
// the buffer) ends the slice without a yield: that client is not pushing
// faster than it is served, and its next frames need not wait for anyone.
//
// The turn is a setImmediate (a few microseconds): timers run before it ends.
// But Deno's runtime only looks for other sockets' input when it has nothing
// left to run, or every few dozen turns: with 1-2 ms slices, a publisher that
// never stops would still keep the others waiting for 50-100 ms. So at least
// every IO_TURN_INTERVAL_MS the turn is a timer instead (setTimeout(0), about
// 2 ms here), shared by every connection whose slice is spent, so that the
// runtime runs dry and polls all the sockets.
import { setImmediate } from "node:timers";
import { IO_TURN_INTERVAL_MS, READ_SLICE_BYTES, READ_SLICE_FRAMES, READ_SLICE_MS } from "./limits.ts";

/** The clock is read after every this many frames (a power of two)... */
const CLOCK_EVERY_FRAMES = 64;
/** ...and after any frame this big. */
const CLOCK_FRAME_BYTES = 4096;

/** The pending I/O turn every spent connection waits for, if one is due. */
let ioTurn: Promise<void> | null = null;
let lastIoTurnMs = performance.now();

function nextTurn(): Promise<void> {
  if (ioTurn !== null) return ioTurn;
  if (performance.now() - lastIoTurnMs < IO_TURN_INTERVAL_MS) {
    return new Promise((resolve) => setImmediate(resolve));
  }
  ioTurn = new Promise((resolve) =>
    setTimeout(() => {
      ioTurn = null;
      lastIoTurnMs = performance.now();
      resolve();
    }, 0)
  );
  return ioTurn;
}

export class ReadSlices {
  #frames = 0;
  #bytes = 0;
  #startedMs = 0;
  #spent = false;

  /** Counts one frame (or bytes dropped unparsed); true once this slice is spent. */
  spend(bytes: number): boolean {
    if (this.#frames === 0) this.#startedMs = performance.now();
    this.#bytes += bytes;
    if (++this.#frames >= READ_SLICE_FRAMES || this.#bytes >= READ_SLICE_BYTES) return this.#spent = true;
    if ((this.#frames & (CLOCK_EVERY_FRAMES - 1)) !== 0 && bytes < CLOCK_FRAME_BYTES) return false;
    return this.#spent = performance.now() - this.#startedMs >= READ_SLICE_MS;
  }

  get spent(): boolean {
    return this.#spent;
  }

  /** Resolves on a later turn of the event loop, and starts a new slice. */
  nextTurn(): Promise<void> {
    this.#restart();
    return nextTurn();
  }

  /** After each socket read: one that did not fill the buffer emptied the socket, and starts a new slice. */
  readDone(filledBuffer: boolean): void {
    if (!filledBuffer) this.#restart();
  }

  #restart(): void {
    this.#frames = 0;
    this.#bytes = 0;
    this.#spent = false;
  }
}
