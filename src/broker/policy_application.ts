// How a vhost's user and operator policies apply: a queue's effective
// settings (declare-time arguments over the matching policies') and an
// exchange's alternate exchange, and re-applying both when a policy changes.
import type { FieldTable } from "../amqp/field_table.ts";
import type { Exchange } from "./exchange/exchange.ts";
import type { Queue } from "./queue.ts";
import { policyQueueArgs, type QueueSettings, queueSettings } from "./queue_settings.ts";
import { mergedDefinition, type PolicySet } from "./policies.ts";

export class PolicyApplication {
  readonly #policies: PolicySet;
  readonly #operatorPolicies: PolicySet;

  constructor(policies: PolicySet, operatorPolicies: PolicySet) {
    this.#policies = policies;
    this.#operatorPolicies = operatorPolicies;
  }

  /** Effective settings: declare-time arguments over the matching policies'. */
  settingsFor(name: string, args: FieldTable): QueueSettings {
    if (this.#policies.size === 0 && this.#operatorPolicies.size === 0) return queueSettings(args);
    return queueSettings(args, policyQueueArgs(this.effectiveDefinition(name)));
  }

  /** The user and operator policies in effect for a queue, merged as RabbitMQ merges them. */
  effectiveDefinition(queue: string): Record<string, unknown> {
    return mergedDefinition(
      this.#policies.match(queue, "queue"),
      this.#operatorPolicies.match(queue, "queue"),
    );
  }

  alternateExchangeOf(x: Exchange): string | null {
    const arg = x.arguments["alternate-exchange"];
    return typeof arg === "string" ? arg : this.#policies.alternateExchangeFor(x.name);
  }

  /** Re-applies policies to every queue and exchange (a policy was set or cleared). */
  applyTo(queues: Iterable<Queue>, exchanges: Iterable<Exchange>): void {
    // Settings only merge here: arguments were checked when declared, policy values when the policy was set.
    for (const q of queues) q.applySettings(this.settingsFor(q.name, q.arguments));
    for (const x of exchanges) x.alternateExchange = this.alternateExchangeOf(x);
  }
}
