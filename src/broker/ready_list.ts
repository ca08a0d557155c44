// The ready messages of a queue: one FIFO, or — for x-max-priority queues —
// one FIFO per priority level, highest served first and FIFO within a
// level. Both offer the same operations so the queue does not care which.
import { Deque } from "./deque.ts";
import type { QueueEntry } from "./message.ts";

export interface ReadyList extends Iterable<QueueEntry> {
  readonly length: number;
  push(entry: QueueEntry): void;
  /** Into its level ahead of the first entry it `precedes` (requeue in arrival order). */
  insertBefore(entry: QueueEntry, precedes: (other: QueueEntry) => boolean): void;
  shift(): QueueEntry | undefined;
  peek(): QueueEntry | undefined;
  removeWhere(pred: (entry: QueueEntry) => boolean): QueueEntry[];
  clear(): void;
}

export class PriorityReadyList implements ReadyList {
  readonly #levels: Deque<QueueEntry>[];
  #length = 0;

  constructor(readonly maxPriority: number) {
    this.#levels = Array.from({ length: maxPriority + 1 }, () => new Deque<QueueEntry>());
  }

  get length(): number {
    return this.#length;
  }

  #level(entry: QueueEntry): Deque<QueueEntry> {
    const p = entry.message.priority;
    return this.#levels[p > this.maxPriority ? this.maxPriority : p];
  }

  push(entry: QueueEntry): void {
    this.#level(entry).push(entry);
    this.#length++;
  }

  insertBefore(entry: QueueEntry, precedes: (other: QueueEntry) => boolean): void {
    this.#level(entry).insertBefore(entry, precedes);
    this.#length++;
  }

  shift(): QueueEntry | undefined {
    for (let p = this.maxPriority; p >= 0; p--) {
      const level = this.#levels[p];
      if (level.length > 0) {
        this.#length--;
        return level.shift();
      }
    }
    return undefined;
  }

  peek(): QueueEntry | undefined {
    for (let p = this.maxPriority; p >= 0; p--) {
      const level = this.#levels[p];
      if (level.length > 0) return level.peek();
    }
    return undefined;
  }

  removeWhere(pred: (entry: QueueEntry) => boolean): QueueEntry[] {
    const removed: QueueEntry[] = [];
    for (const level of this.#levels) removed.push(...level.removeWhere(pred));
    this.#length -= removed.length;
    return removed;
  }

  clear(): void {
    for (const level of this.#levels) level.clear();
    this.#length = 0;
  }

  *[Symbol.iterator](): IterableIterator<QueueEntry> {
    for (let p = this.maxPriority; p >= 0; p--) yield* this.#levels[p];
  }
}
