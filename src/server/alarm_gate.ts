// How a resource alarm reaches one connection: a connection that publishes
// is blocked while an alarm is in force — told so with connection.blocked
// if it announced that capability — and its socket is not read until the
// alarm clears. Connections that only consume are never blocked, so they
// keep draining the queues that set the alarm off.

export interface AlarmGateEvents {
  /** Send connection.blocked (reason) or connection.unblocked (null). */
  notify(reason: string | null): void;
  /** May this connection be blocked now (it is open)? */
  canBlock(): boolean;
  supportsBlockedNotice(): boolean;
}

export class AlarmGate {
  #publisher = false;
  #alarm: string | null = null;
  #blockedBy: string | null = null;
  #notified = false;
  #resume: (() => void) | null = null;

  constructor(readonly events: AlarmGateEvents) {}

  get blockedBy(): string | null {
    return this.#blockedBy;
  }

  /** Every basic.publish: the first one makes this a publishing connection. */
  notePublish(): void {
    if (this.#publisher) return;
    this.#publisher = true;
    if (this.#alarm !== null) this.#block(this.#alarm);
  }

  /** The node's alarms changed (null: none in force). Returns true when the connection was released. */
  setAlarm(reason: string | null): boolean {
    this.#alarm = reason;
    if (reason !== null) {
      if (this.#publisher) this.#block(reason);
      return false;
    }
    if (this.#blockedBy === null) return false;
    this.#blockedBy = null;
    if (this.#notified) {
      this.#notified = false;
      this.events.notify(null);
    }
    this.release();
    return true;
  }

  /** Resolves at once when not blocked, else when the alarm clears (or release() is called). */
  waitUntilOpen(): Promise<void> | null {
    if (this.#blockedBy === null) return null;
    return new Promise((resolve) => (this.#resume = resolve));
  }

  /** Wakes a waiting reader (alarm cleared, or the connection is closing). */
  release(): void {
    const resume = this.#resume;
    this.#resume = null;
    resume?.();
  }

  #block(reason: string): void {
    if (this.#blockedBy !== null || !this.events.canBlock()) return;
    this.#blockedBy = reason;
    if (this.events.supportsBlockedNotice()) {
      this.#notified = true;
      this.events.notify(reason);
    }
  }
}
