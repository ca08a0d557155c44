// The on-confirm bookkeeping of a shovel: which source delivery each
// destination publish carries, so the source is acknowledged only once the
// destination has confirmed. Confirms may come out of order and in ranges;
// the source is acked with one `multiple` ack for the longest confirmed
// prefix, and a nacked publish is nacked (requeued) at the source alone.

const ACKED = 1;
const NACKED = 2;
/** Settled entries are dropped from the front once this many have piled up. */
const COMPACT_AFTER = 4096;

export interface SourceAcks {
  ack(deliveryTag: number, multiple: boolean): void;
  nack(deliveryTag: number): void;
}

export class ConfirmWindow {
  /** Source delivery tags, indexed by publish sequence number minus #base. */
  #tags: number[] = [];
  #states: number[] = [];
  #base = 1;
  #head = 0;

  constructor(readonly source: SourceAcks) {}

  /** Publishes not yet confirmed. */
  get pending(): number {
    return this.#tags.length - this.#head;
  }

  /** `seq` is the destination's publish sequence number (1, 2, …) carrying source delivery `tag`. */
  add(seq: number, tag: number): void {
    if (this.#tags.length === 0) this.#base = seq;
    this.#tags.push(tag);
    this.#states.push(0);
  }

  /** Applies a confirm; returns how many publishes it acked. */
  confirm(seq: number, multiple: boolean, ack: boolean): number {
    const last = seq - this.#base;
    if (last < this.#head || last >= this.#tags.length) return 0;
    let acked = 0;
    const state = ack ? ACKED : NACKED;
    for (let i = multiple ? this.#head : last; i <= last; i++) {
      if (this.#states[i] !== 0) continue;
      this.#states[i] = state;
      if (ack) acked++;
      else this.source.nack(this.#tags[i]);
    }
    let lastAckedTag = -1;
    while (this.#head < this.#tags.length && this.#states[this.#head] !== 0) {
      if (this.#states[this.#head] === ACKED) lastAckedTag = this.#tags[this.#head];
      this.#head++;
    }
    if (lastAckedTag >= 0) this.source.ack(lastAckedTag, true);
    if (this.#head >= COMPACT_AFTER) {
      this.#tags = this.#tags.slice(this.#head);
      this.#states = this.#states.slice(this.#head);
      this.#base += this.#head;
      this.#head = 0;
    }
    return acked;
  }
}
