// max-connections bookkeeping for one vhost: the connections opened in it,
// weakly held, and the refusal at connection.open once the limit is reached.
import { ConnectionError, REPLY_NOT_ALLOWED } from "../amqp/errors.ts";
import { methodSpec } from "../amqp/method_codec.ts";

/** Connections tracked for max-connections before closed ones are first pruned. */
const PRUNE_CONNECTIONS_MIN = 64;
const CONNECTION_OPEN = methodSpec("connection.open");

/** What the vhost needs to know of a connection to count it. */
export interface OpenConnection {
  readonly isOpen: boolean;
}

export class ConnectionAdmission {
  /**
   * The connections opened in the vhost. Weakly held, and the closed ones
   * pruned when they are counted: the vhost never learns of a close.
   */
  readonly #connections = new Set<WeakRef<OpenConnection>>();
  #pruneAtSize = PRUNE_CONNECTIONS_MIN;

  /**
   * Counts a connection opening in `vhost`, or refuses it at
   * connection.open when `max` (negative: none) is reached, in RabbitMQ's words.
   */
  admit(connection: OpenConnection, user: string, vhost: string, max: number): void {
    // Without a limit the count is only needed to prune, which is done when the set has doubled.
    if (max >= 0 || this.#connections.size >= this.#pruneAtSize) {
      const open = this.#prune();
      if (max >= 0 && open >= max) {
        throw new ConnectionError(
          REPLY_NOT_ALLOWED,
          `access to vhost '${vhost}' refused for user '${user}': connection limit (${max}) is reached`,
          CONNECTION_OPEN.classId,
          CONNECTION_OPEN.methodId,
        );
      }
    }
    this.#connections.add(new WeakRef(connection));
  }

  /** Drops the connections that have closed; returns how many are open. */
  #prune(): number {
    for (const ref of this.#connections) {
      if (!ref.deref()?.isOpen) this.#connections.delete(ref);
    }
    this.#pruneAtSize = Math.max(PRUNE_CONNECTIONS_MIN, 2 * this.#connections.size);
    return this.#connections.size;
  }
}
