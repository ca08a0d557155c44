// Whether a connection's socket is read now. Reading stops for three
// reasons, each set and cleared by its owner, and resumes when none is left:
// - alarm: a resource alarm blocked this publisher and it published again
//   (AlarmGate);
// - flow: it published FLOW_CREDIT_MESSAGES into queues that cannot keep
//   up, so it waits a moment, as RabbitMQ's credit flow holds a reader back
//   (its initial credit is 400 messages too);
// - outbox: it does not read what it is sent (basic.return it never takes),
//   so nothing more is read from it until its outbox drains.
// The read loop stops parsing after the frame that set a hold, and waits
// before its next socket read; the kernel's buffers then push back on the
// client, which is all TCP flow control needs.

export const HOLD_ALARM = 1;
export const HOLD_FLOW = 2;
export const HOLD_OUTBOX = 4;

/** Publishes into queues that cannot keep up that a connection may make between two pauses... */
export const FLOW_CREDIT_MESSAGES = 400;
/** ...and how long it is not read then. */
export const FLOW_PAUSE_MS = 2;
/** The admin API shows a connection as in "flow" this long after its last pause (RabbitMQ: 1 s). */
export const FLOW_STATE_SHOWN_MS = 1000;

export class ReadGate {
  #holds = 0;
  #resume: (() => void) | null = null;
  #flowTimer: ReturnType<typeof setTimeout> | undefined;
  #flowAtMs = 0;
  #flowCredit = FLOW_CREDIT_MESSAGES;
  /** How often the flow hold was set, for tests and the log. */
  flowPauses = 0;

  /** Some hold is set: parse no further, read no more. */
  get held(): boolean {
    return this.#holds !== 0;
  }

  has(hold: number): boolean {
    return (this.#holds & hold) !== 0;
  }

  /** Paused for flow now or within the last FLOW_STATE_SHOWN_MS. */
  get inFlow(): boolean {
    return this.has(HOLD_FLOW) || Date.now() - this.#flowAtMs < FLOW_STATE_SHOWN_MS;
  }

  hold(hold: number): void {
    this.#holds |= hold;
  }

  release(hold: number): void {
    if ((this.#holds & hold) === 0) return;
    this.#holds &= ~hold;
    if (this.#holds === 0) this.wake();
  }

  /** A publish into a queue that cannot keep up: spends credit, and pauses when it is gone. */
  spendFlowCredit(): void {
    if (--this.#flowCredit > 0 || this.has(HOLD_FLOW)) return;
    this.#flowCredit = FLOW_CREDIT_MESSAGES;
    this.#holds |= HOLD_FLOW;
    this.flowPauses++;
    this.#flowAtMs = Date.now();
    this.#flowTimer = setTimeout(() => {
      this.#flowTimer = undefined;
      this.release(HOLD_FLOW);
    }, FLOW_PAUSE_MS);
  }

  /** Null when reading may go on, else resolves when every hold is gone (or wake() is called). */
  waitUntilOpen(): Promise<void> | null {
    if (this.#holds === 0) return null;
    return new Promise((resolve) => (this.#resume = resolve));
  }

  /** Lets a waiting reader run (holds cleared, or the connection is closing). */
  wake(): void {
    const resume = this.#resume;
    this.#resume = null;
    resume?.();
  }

  /** The connection is closing: drop every hold and its timer, and let the reader see it. */
  close(): void {
    clearTimeout(this.#flowTimer);
    this.#flowTimer = undefined;
    this.#holds = 0;
    this.wake();
  }
}
