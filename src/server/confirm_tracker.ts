// Publisher-confirm bookkeeping for one channel. Messages are numbered in
// publish order; each is settled (ack or nack) when it is safe — at once
// for transient ones, after the store's commit for persistent ones — and
// settlements go out in sequence order, coalesced into `multiple` acks, so
// an ack never covers a message that is still pending or was nacked.

const PENDING = 0;
const ACKED = 1;
const NACKED = 2;

export type ConfirmEmitter = (deliveryTag: number, multiple: boolean, ack: boolean) => void;

export class ConfirmTracker {
  /** Sequence number of #states[#head]. */
  #base = 1;
  #states: number[] = [];
  #head = 0;
  #nextSeq = 1;

  /** Numbers the next published message. */
  next(): number {
    this.#states.push(PENDING);
    return this.#nextSeq++;
  }

  /** Confirms (acks and nacks) sent so far. */
  get sentCount(): number {
    return this.#base - 1;
  }

  settle(seq: number, ack: boolean): void {
    const i = this.#head + (seq - this.#base);
    if (i >= this.#head && i < this.#states.length) this.#states[i] = ack ? ACKED : NACKED;
  }

  /** Messages numbered whose confirm has not been written yet. */
  get outstanding(): number {
    return this.#states.length - this.#head;
  }

  get hasSettled(): boolean {
    return this.#head < this.#states.length && this.#states[this.#head] !== PENDING;
  }

  /** Emits every settlement that is ready, in order, as few frames as possible. */
  drain(emit: ConfirmEmitter): void {
    const states = this.#states;
    let runStart = -1;
    let runEnd = -1;
    while (this.#head < states.length && states[this.#head] !== PENDING) {
      const seq = this.#base;
      if (states[this.#head] === ACKED) {
        if (runStart < 0) runStart = seq;
        runEnd = seq;
      } else {
        if (runStart >= 0) emit(runEnd, runEnd > runStart, true);
        runStart = -1;
        emit(seq, false, false);
      }
      this.#head++;
      this.#base++;
    }
    if (runStart >= 0) emit(runEnd, runEnd > runStart, true);
    if (this.#head > 1024 && this.#head * 2 > states.length) {
      this.#states = states.slice(this.#head);
      this.#head = 0;
    }
  }
}
