// A connection's heartbeats: a timer at half the negotiated interval sends a
// heartbeat frame when nothing else was written for that long, and gives up on
// a client that has sent nothing for HEARTBEAT_SILENT_TICKS ticks.
import { HEARTBEAT_SILENT_TICKS } from "./limits.ts";

/** What the heartbeat timer reads of its connection and asks of it. */
export interface HeartbeatPeer {
  /** Bytes read from the client so far. */
  receivedBytes(): number;
  /** The connection is not reading the socket now, so a silence is ours rather than the client's. */
  readsHeld(): boolean;
  /** When the last bytes went out (Date.now() milliseconds). */
  lastWriteMs(): number;
  sendHeartbeat(): void;
  /** The client fell silent: close the connection. */
  silent(): void;
}

export class Heartbeats {
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(readonly peer: HeartbeatPeer) {}

  /** Starts the timer for a negotiated heartbeat of `intervalS` seconds; 0 turns heartbeats off. */
  start(intervalS: number): void {
    if (intervalS <= 0) return;
    const intervalMs = intervalS * 1000;
    const peer = this.peer;
    // Silence is counted in ticks of this timer rather than in wall-clock time: when the node was
    // too busy to run the timer, or to read, the client is not the one that fell silent.
    let seenBytes = peer.receivedBytes();
    let silentTicks = 0;
    this.#timer = setInterval(() => {
      const received = peer.receivedBytes();
      if (received !== seenBytes || peer.readsHeld()) {
        seenBytes = received;
        silentTicks = 0;
      } else if (++silentTicks >= HEARTBEAT_SILENT_TICKS) {
        peer.silent();
        return;
      }
      if (Date.now() - peer.lastWriteMs() >= intervalMs / 2) peer.sendHeartbeat();
    }, intervalMs / 2);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
