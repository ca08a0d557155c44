// A ring-buffer double-ended queue: O(1) push, shift and unshift, where an
// Array's shift() copies the whole backlog once it is large.
// It shrinks as it empties, so a drained backlog gives its memory back.
const INITIAL_CAPACITY = 16;
/** Capacity below which a deque never shrinks: small ones are not worth copying. */
const SHRINK_ABOVE_CAPACITY = 1024;

export class Deque<T> {
  #items: (T | undefined)[] = new Array(INITIAL_CAPACITY);
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(item: T): void {
    if (this.#length === this.#items.length) this.#resize(this.#items.length * 2);
    this.#items[(this.#head + this.#length) & (this.#items.length - 1)] = item;
    this.#length++;
  }

  unshift(item: T): void {
    if (this.#length === this.#items.length) this.#resize(this.#items.length * 2);
    this.#head = (this.#head - 1) & (this.#items.length - 1);
    this.#items[this.#head] = item;
    this.#length++;
  }

  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#items.length - 1);
    this.#length--;
    const capacity = this.#items.length;
    if (capacity > SHRINK_ABOVE_CAPACITY && this.#length < capacity >>> 2) this.#resize(capacity >>> 1);
    return item;
  }

  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head];
  }

  /**
   * Inserts item ahead of the first item it `precedes`, or at the end. O(position):
   * cheap when that is near the head, as for a message requeued into a queue.
   */
  insertBefore(item: T, precedes: (other: T) => boolean): void {
    const ahead: T[] = [];
    while (this.#length > 0 && !precedes(this.#items[this.#head] as T)) ahead.push(this.shift() as T);
    this.unshift(item);
    for (let i = ahead.length - 1; i >= 0; i--) this.unshift(ahead[i]);
  }

  at(index: number): T | undefined {
    if (index < 0 || index >= this.#length) return undefined;
    return this.#items[(this.#head + index) & (this.#items.length - 1)];
  }

  /** Removes and returns the items `pred` selects, keeping the others in order. O(n). */
  removeWhere(pred: (item: T) => boolean): T[] {
    const removed: T[] = [];
    const kept: T[] = [];
    for (const item of this) (pred(item) ? removed : kept).push(item);
    if (removed.length === 0) return removed;
    this.clear();
    for (const item of kept) this.push(item);
    return removed;
  }

  clear(): void {
    this.#items = new Array(INITIAL_CAPACITY);
    this.#head = 0;
    this.#length = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.#length; i++) {
      yield this.#items[(this.#head + i) & (this.#items.length - 1)] as T;
    }
  }

  #resize(capacity: number): void {
    const old = this.#items;
    const next: (T | undefined)[] = new Array(capacity);
    for (let i = 0; i < this.#length; i++) next[i] = old[(this.#head + i) & (old.length - 1)];
    this.#items = next;
    this.#head = 0;
  }
}
