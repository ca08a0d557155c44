// How a resource alarm reaches one connection: a connection that publishes
// is blocked while an alarm is in force — told so with connection.blocked
// if it announced that capability. As in RabbitMQ, a blocked connection is
// still read ("blocking") until it publishes; from that frame on its socket
// is left unread ("blocked") until the alarm clears. So a publisher that
// stopped when told can still close its connection. Connections that only
// consume are never blocked, so they keep draining the queues that set the
// alarm off.
import { HOLD_ALARM, type ReadGate } from "./read_gate.ts";

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

  constructor(readonly reads: ReadGate, readonly events: AlarmGateEvents) {}

  get blockedBy(): string | null {
    return this.#blockedBy;
  }

  /** Blocked, and a publish has arrived since: the socket is not read. */
  get holdingReads(): boolean {
    return this.reads.has(HOLD_ALARM);
  }

  /** Every basic.publish: the first one makes this a publishing connection; one under an alarm stops reads. */
  notePublish(): void {
    if (!this.#publisher) {
      this.#publisher = true;
      if (this.#alarm !== null) this.#block(this.#alarm);
    }
    if (this.#blockedBy !== null) this.reads.hold(HOLD_ALARM);
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
    this.reads.release(HOLD_ALARM);
    return true;
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
