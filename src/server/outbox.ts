// A connection's outgoing bytes: frames are appended to one buffer and
// written to the socket once per turn of the event loop (a microtask after
// the current batch of work), never one write per frame. Past a high-water
// mark of unsent bytes the outbox reports itself congested, so consumers on
// a slow reader stop getting deliveries until it drains. Far past it (a
// client that never reads the basic.return it is sent) the connection's
// socket is no longer read until the backlog drains.
import { WireWriter } from "../amqp/wire.ts";
import {
  OUTBOX_HOLD_READS_BYTES,
  WRITE_BUFFER_INITIAL_BYTES,
  WRITE_HIGH_WATER_BYTES,
  WRITE_LOW_WATER_BYTES,
} from "./limits.ts";
import type { Transport } from "./transport.ts";

export interface OutboxEvents {
  /** Just before bytes go out: last chance to append (coalesced confirms). */
  beforeFlush(): void;
  /** Congestion has cleared. */
  drained(): void;
  /** More than OUTBOX_HOLD_READS_BYTES are unsent: stop reading from the peer. */
  overfull(): void;
  /** ...and now fewer than WRITE_LOW_WATER_BYTES. */
  relieved(): void;
  /** The socket refused a write. */
  failed(error: Error): void;
}

export class Outbox {
  readonly out = new WireWriter(WRITE_BUFFER_INITIAL_BYTES);
  lastWriteMs = Date.now();
  #scheduled = false;
  #writing = false;
  #inFlightBytes = 0;
  #congested = false;
  #overfull = false;
  #closed = false;

  constructor(readonly socket: Transport, readonly events: OutboxEvents) {}

  /** False while more than the high-water mark of bytes is unsent. */
  get writable(): boolean {
    if (this.#congested) return false;
    if (this.out.pos + this.#inFlightBytes >= WRITE_HIGH_WATER_BYTES) {
      this.#congested = true;
      return false;
    }
    return true;
  }

  /** Bytes written to the socket, for the admin API's send_oct. */
  sentBytes = 0;

  get writing(): boolean {
    return this.#writing;
  }

  schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(this.flush);
  }

  flush = (): void => {
    this.#scheduled = false;
    if (this.#closed) return;
    this.events.beforeFlush();
    if (!this.#overfull && this.out.pos + this.#inFlightBytes > OUTBOX_HOLD_READS_BYTES) {
      this.#overfull = true;
      this.events.overfull();
    }
    if (!this.#writing && this.out.pos > 0) void this.#writeLoop();
  };

  /** Writes what is buffered and resolves once the socket has taken it. */
  async drain(): Promise<void> {
    this.flush();
    while (this.#writing) await new Promise((r) => setTimeout(r, 1));
  }

  close(): void {
    this.#closed = true;
  }

  async #writeLoop(): Promise<void> {
    this.#writing = true;
    try {
      while (this.out.pos > 0 && !this.#closed) {
        const chunk = this.out.take();
        this.#inFlightBytes = chunk.length;
        let off = 0;
        while (off < chunk.length) off += await this.socket.write(chunk.subarray(off));
        this.sentBytes += chunk.length;
        this.lastWriteMs = Date.now();
        this.#inFlightBytes = 0;
        this.out.recycle(chunk);
        if (this.#congested && this.out.pos < WRITE_LOW_WATER_BYTES) {
          this.#congested = false;
          this.events.drained();
        }
        if (this.#overfull && this.out.pos < WRITE_LOW_WATER_BYTES) {
          this.#overfull = false;
          this.events.relieved();
        }
      }
    } catch (e) {
      this.#inFlightBytes = 0;
      this.events.failed(e as Error);
    } finally {
      this.#writing = false;
    }
  }
}
