// Where a vhost's delayed messages wait: the store keeps each message (on
// disk for a durable store), and memory holds only its id and due time in a
// heap. One timer is armed for the earliest; delays longer than a timer can
// express are re-armed in steps, so there is no upper limit on a delay.
import type { Store } from "../store/store.ts";
import { MinHeap } from "./min_heap.ts";

/** setTimeout's largest delay; anything later is reached in steps. */
const MAX_TIMER_MS = 0x7fff_ffff;

export interface DueMessage {
  id: number;
  exchange: string;
}

export class DelayedSchedule {
  readonly #heap = new MinHeap<DueMessage>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = 0;

  constructor(readonly vhost: string, readonly store: Store, readonly onDue: (due: DueMessage) => void) {}

  get size(): number {
    return this.#heap.size;
  }

  /** Holds a message until `dueAt` (epoch ms). */
  hold(exchange: string, dueAt: number, message: {
    routingKey: string;
    rawProperties: Uint8Array;
    body: Uint8Array;
    persistent: boolean;
  }): void {
    const id = this.store.saveDelayed({ vhost: this.vhost, exchange, dueAt, ...message });
    this.add(id, exchange, dueAt);
  }

  /** A message already in the store (recovery after a restart). */
  add(id: number, exchange: string, dueAt: number): void {
    this.#heap.push(dueAt, { id, exchange });
    this.#arm();
  }

  #arm(): void {
    const next = this.#heap.peekKey();
    if (next === undefined) return;
    if (this.#timer !== undefined && this.#timerAt <= next) return;
    clearTimeout(this.#timer);
    this.#timerAt = next;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#fire();
    }, Math.min(MAX_TIMER_MS, Math.max(0, next - Date.now())));
  }

  #fire(): void {
    const now = Date.now();
    while ((this.#heap.peekKey() ?? Infinity) <= now) this.onDue(this.#heap.pop()!);
    this.#arm();
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
