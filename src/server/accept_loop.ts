// Accepting sockets until the listener is closed, whatever accept() throws
// meanwhile. Running out of file descriptors (EMFILE/ENFILE) makes accept
// fail until some socket closes; ending the loop then would leave a live
// process that no client can reach, so it waits and tries again instead,
// as RabbitMQ slows its acceptors down and recovers.
import { logger } from "../log.ts";

const log = logger("server");

/** The first retry after a failed accept waits this long; each further failure doubles it. */
const ACCEPT_RETRY_FIRST_MS = 10;
/** The longest wait between two accept attempts. */
const ACCEPT_RETRY_MAX_MS = 1_000;
/**
 * A run of failures ends only after this long without one: at the fd limit,
 * every socket that closes lets one accept through before the next fails.
 */
const ACCEPT_QUIET_MS = 5_000;

/**
 * Paces the retries of one listener: a growing, bounded delay after each
 * failure, and one log line when a run of failures starts and one when it
 * is over, not a line per attempt.
 */
export class AcceptBackoff {
  #failures = 0;
  #lastFailureMs = 0;
  #delayMs = ACCEPT_RETRY_FIRST_MS;

  constructor(readonly protocol: string, readonly logComponent = log) {}

  /** Records a failed accept; resolves when it is time to try again. */
  failed(e: unknown): Promise<void> {
    if (this.#failures === 0) {
      this.logComponent.error("accept failed; retrying with backoff", {
        protocol: this.protocol,
        error: String((e as Error)?.message ?? e),
      });
    }
    this.#failures++;
    this.#lastFailureMs = Date.now();
    const wait = this.#delayMs;
    this.#delayMs = Math.min(this.#delayMs * 2, ACCEPT_RETRY_MAX_MS);
    return new Promise((resolve) => setTimeout(resolve, wait));
  }

  /** Records an accepted connection (cheap: called for every one). */
  succeeded(): void {
    if (this.#failures === 0 || Date.now() - this.#lastFailureMs < ACCEPT_QUIET_MS) return;
    this.logComponent.info("accepting again", { protocol: this.protocol, failed_attempts: this.#failures });
    this.#failures = 0;
    this.#delayMs = ACCEPT_RETRY_FIRST_MS;
  }
}

/** Hands every accepted connection to `onConn` until `listener.close()`. */
export async function acceptUntilClosed<C extends Deno.Conn>(
  listener: Deno.Listener<C>,
  protocol: string,
  onConn: (conn: C) => void,
): Promise<void> {
  const backoff = new AcceptBackoff(protocol);
  while (true) {
    let conn: C;
    try {
      conn = await listener.accept();
    } catch (e) {
      if (e instanceof Deno.errors.BadResource || e instanceof Deno.errors.Interrupted) return;
      await backoff.failed(e);
      continue;
    }
    backoff.succeeded();
    onConn(conn);
  }
}
