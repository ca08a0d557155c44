// Dead-letter dispatch for one vhost: counts the dead messages and
// republishes them to their queue's dead-letter exchange. The message
// rewriting itself (x-death, cycles) is in dead_letter.ts.
import type { Exchange } from "./exchange/exchange.ts";
import type { QueueEntry } from "./message.ts";
import type { DeadLetterReason, Queue } from "./queue.ts";
import type { NodeCounters } from "./node_counters.ts";
import type { Router } from "./router.ts";
import { deadLetterMessage } from "./dead_letter.ts";

export class DeadLetterDispatch {
  readonly #exchanges: Map<string, Exchange>;
  readonly #router: Router;
  readonly #counters: NodeCounters;

  constructor(exchanges: Map<string, Exchange>, router: Router, counters: NodeCounters) {
    this.#exchanges = exchanges;
    this.#router = router;
    this.#counters = counters;
  }

  /**
   * Republishes dead messages to the queue's dead-letter exchange. Done after
   * the current operation finishes, so a queue that dead-letters into itself
   * is never re-entered mid-change.
   */
  dispatch(
    queue: Queue,
    entries: QueueEntry[],
    reason: DeadLetterReason,
    settled?: (entry: QueueEntry, routed: boolean) => void,
  ): void {
    const dlx = queue.settings.deadLetterExchange;
    const counters = this.#counters.deadLetteredOf(queue.type);
    const dead = dlx === null ? counters.withoutExchange : counters.withExchange;
    dead[reason] += entries.length;
    if (dlx === null) return;
    const routingKey = queue.settings.deadLetterRoutingKey;
    queueMicrotask(() => {
      const x = this.#exchanges.get(dlx);
      // RabbitMQ drops silently when the DLX is missing (at-most-once).
      if (x === undefined) {
        if (settled) { for (const entry of entries) settled(entry, false); }
        return;
      }
      for (const entry of entries) {
        const dead = deadLetterMessage(
          entry.message,
          { queue: queue.name, exchange: dlx, routingKey },
          reason,
        );
        const targets = this.#router.route(x, dead.message.routingKey, dead.message);
        let routed = false;
        for (const q of [...targets]) if (!dead.isCycle(q.name) && q.enqueue(dead.message)) routed = true;
        settled?.(entry, routed);
      }
    });
  }
}
