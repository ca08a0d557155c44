// What the soak expects of every message it published, and what it saw: each
// message has one numeric id and one place it must end (acked from its queue,
// or dead-lettered for a stated reason and acked from the dead-letter queue).
// Messages still on their way are in a map; finished ones cost one bit, so an
// hour's run stays small and a delivery after the end is still caught.

/** Where a message is published, and so where it must end up. */
export type Route = "work" | "ttl" | "prio" | "temp";

/** The queues the soak consumes from, by role. */
export type Source = Route | "dead";

interface InFlight {
  route: Route;
  persistent: boolean;
  /** Published with confirms and acked by the broker. */
  confirmed: boolean;
  sentAtMs: number;
  /** Delivered at least once from its own queue / from the dead-letter queue. */
  delivered: boolean;
  deadDelivered: boolean;
  /** Rejected without requeue: it must now arrive in the dead-letter queue. */
  rejected: boolean;
}

/** Largest number of violations kept with their text (all are counted). */
const MAX_VIOLATION_TEXTS = 50;

export class Ledger {
  published = 0;
  confirmed = 0;
  publishNacked = 0;
  deliveries = 0;
  redeliveries = 0;
  consumed = 0;
  deadLettered = 0;
  violations = 0;
  readonly violationTexts: string[] = [];
  #nextId = 0;
  #inFlight = new Map<number, InFlight>();
  #finished = new Uint8Array(1 << 16);

  /** A new id for a message about to be published. */
  publish(route: Route, persistent: boolean, nowMs: number): number {
    const id = this.#nextId++;
    this.published++;
    this.#inFlight.set(id, {
      route,
      persistent,
      confirmed: false,
      sentAtMs: nowMs,
      delivered: false,
      deadDelivered: false,
      rejected: false,
    });
    return id;
  }

  /** The broker confirmed (ack) or refused (nack) the publish. */
  settlePublish(id: number, ack: boolean): void {
    const m = this.#inFlight.get(id);
    if (ack) {
      this.confirmed++;
      if (m) m.confirmed = true;
      return;
    }
    // A nacked message carries no promise: forget it whether or not it arrives.
    this.publishNacked++;
    this.#inFlight.delete(id);
    this.#markFinished(id);
  }

  /**
   * A delivery of message `id` from `source`; returns the publish-to-deliver
   * latency of a first delivery from its own queue, else NaN. Records a
   * violation for a message delivered again without the redelivered flag (and
   * not after its consumer died, which sets the flag), or after it ended.
   */
  deliver(
    source: Source,
    id: number,
    redelivered: boolean,
    deathReason: string | null,
    nowMs: number,
  ): number {
    this.deliveries++;
    if (redelivered) this.redeliveries++;
    const m = this.#inFlight.get(id);
    if (m === undefined) {
      if (this.#isFinished(id)) this.violation(`message ${id} delivered from ${source} after it was settled`);
      else this.violation(`message ${id} delivered from ${source} was never published`);
      return NaN;
    }
    if (source === "dead") {
      const expected = m.route === "ttl" ? "expired" : m.rejected ? "rejected" : null;
      if (expected === null || deathReason !== expected) {
        this.violation(
          `message ${id} (${m.route}) dead-lettered with reason ${deathReason}, expected ${
            expected ?? "none"
          }`,
        );
      }
      if (m.deadDelivered && !redelivered) this.violation(`message ${id} dead-lettered twice`);
      m.deadDelivered = true;
      return NaN;
    }
    if (source !== m.route) this.violation(`message ${id} for ${m.route} delivered from ${source}`);
    if (m.rejected) this.violation(`message ${id} delivered from ${source} after it was rejected`);
    if (m.delivered) {
      if (!redelivered) this.violation(`message ${id} delivered twice from ${source} without redelivered`);
      return NaN;
    }
    m.delivered = true;
    return nowMs - m.sentAtMs;
  }

  /** The consumer acked message `id` from `source`: its journey ends. */
  ack(source: Source, id: number): void {
    const m = this.#inFlight.get(id);
    if (m === undefined) return;
    this.#inFlight.delete(id);
    this.#markFinished(id);
    if (source === "dead") this.deadLettered++;
    else this.consumed++;
  }

  /** The consumer rejected message `id` without requeue: expect it in the dead-letter queue. */
  reject(id: number): void {
    const m = this.#inFlight.get(id);
    if (m !== undefined) m.rejected = true;
  }

  /** Messages not yet at their end: all, and those the broker confirmed. */
  outstanding(): { all: number; confirmed: number } {
    let confirmed = 0;
    for (const m of this.#inFlight.values()) if (m.confirmed) confirmed++;
    return { all: this.#inFlight.size, confirmed };
  }

  /** A few of the confirmed messages that never arrived, for the report. */
  missingConfirmed(limit: number): string[] {
    const out: string[] = [];
    for (const [id, m] of this.#inFlight) {
      if (!m.confirmed) continue;
      out.push(
        `${id} (${m.route}, ${m.persistent ? "persistent" : "transient"}, delivered=${m.delivered}, ` +
          `rejected=${m.rejected}, dead=${m.deadDelivered})`,
      );
      if (out.length >= limit) break;
    }
    return out;
  }

  violation(text: string): void {
    this.violations++;
    if (this.violationTexts.length < MAX_VIOLATION_TEXTS) this.violationTexts.push(text);
  }

  #markFinished(id: number): void {
    const byte = id >> 3;
    if (byte >= this.#finished.length) {
      const grown = new Uint8Array(Math.max(this.#finished.length * 2, byte + 1));
      grown.set(this.#finished);
      this.#finished = grown;
    }
    this.#finished[byte] |= 1 << (id & 7);
  }

  #isFinished(id: number): boolean {
    const byte = id >> 3;
    return byte < this.#finished.length && (this.#finished[byte] & (1 << (id & 7))) !== 0;
  }
}
