// Policies, as RabbitMQ has them: named, per vhost, a regular expression
// over queue/exchange names, what they apply to, a priority, and a
// definition of settings. The highest-priority matching policy is the one
// in effect for a queue or exchange; declare-time arguments still win.
// Operator policies are a second set of the same shape, limited to the
// numeric queue limits, whose values cap the user policy's (the lower wins).
import { AmqpError, REPLY_PRECONDITION_FAILED } from "../amqp/errors.ts";
import { POLICY_QUEUE_KEYS } from "./queue_settings.ts";

export type PolicyApplyTo = "queues" | "exchanges" | "all";

export interface Policy {
  vhost: string;
  name: string;
  pattern: string;
  applyTo: PolicyApplyTo;
  priority: number;
  definition: Record<string, unknown>;
}

const EXCHANGE_KEYS = new Set(["alternate-exchange"]);
/** Apply to exchanges and queues alike: the links the federation plugin runs for them. */
const FEDERATION_KEYS: Record<string, string> = {
  "federation-upstream": "federation upstream name",
  "federation-upstream-set": "federation upstream set name",
  "federation-upstream-pattern": "federation upstream pattern",
};
const QUEUE_KEYS = new Set(Object.keys(POLICY_QUEUE_KEYS));
/** Keys RabbitMQ accepts that Warren stores and shows but does not act on (classic queue HA and the like). */
const IGNORED_KEYS = new Set([
  "ha-mode",
  "ha-params",
  "ha-sync-mode",
  "ha-sync-batch-size",
  "ha-promote-on-shutdown",
  "ha-promote-on-failure",
  "queue-mode",
  "queue-master-locator",
  "queue-version",
  "max-in-memory-length",
  "max-in-memory-bytes",
  "max-age",
  "stream-max-segment-size-bytes",
  "initial-cluster-size",
  "consumer-timeout",
]);

/** The keys RabbitMQ 3.10 accepts in an operator policy: limits, where the lower value wins. */
const OPERATOR_KEYS = new Set([
  "expires",
  "message-ttl",
  "max-length",
  "max-length-bytes",
  "max-in-memory-length",
  "max-in-memory-bytes",
  "delivery-limit",
]);

export type PolicyKind = "user" | "operator";

/** A policy RabbitMQ would refuse; `reason` is its validation text. */
export class InvalidPolicy extends AmqpError {
  constructor(readonly reason: string) {
    super(REPLY_PRECONDITION_FAILED, `Validation failed\n\n${reason}`);
  }
}

function invalid(text: string): AmqpError {
  return new InvalidPolicy(text);
}

/** A JSON value as RabbitMQ's validation texts print the Erlang term it became. */
export function erlangTerm(v: unknown): string {
  return typeof v === "string" ? `<<"${v}">>` : JSON.stringify(v);
}

/** Checks a policy the way RabbitMQ's validators do; throws with the reason. */
export function validatePolicy(p: Policy, kind: PolicyKind = "user"): void {
  try {
    new RegExp(p.pattern);
  } catch (e) {
    throw invalid(`pattern should be regular expression but is invalid: ${(e as Error).message}`);
  }
  if (!["queues", "exchanges", "all"].includes(p.applyTo)) {
    throw invalid(`apply-to '${p.applyTo}' unrecognised; should be 'queues', 'exchanges' or 'all'`);
  }
  if (!Number.isInteger(p.priority)) throw invalid(`priority must be an integer`);
  const known = kind === "operator"
    ? (k: string) => OPERATOR_KEYS.has(k)
    : (k: string) => QUEUE_KEYS.has(k) || EXCHANGE_KEYS.has(k) || IGNORED_KEYS.has(k) || k in FEDERATION_KEYS;
  const unknown = Object.keys(p.definition).filter((k) => !known(k));
  if (unknown.length > 0) {
    const terms = unknown.map((k) => `{<<"${k}">>,${erlangTerm(p.definition[k])}}`);
    throw invalid(`[${terms.join(",")}] are not recognised policy settings`);
  }
  if (Object.keys(FEDERATION_KEYS).filter((k) => k in p.definition).length > 1) {
    throw invalid(
      "cannot specify federation-upstream, federation-upstream-set or federation-upstream-pattern together",
    );
  }
  for (const [k, v] of Object.entries(p.definition)) {
    if (k in FEDERATION_KEYS && typeof v !== "string") {
      throw invalid(`${JSON.stringify(v)} is not a valid ${FEDERATION_KEYS[k]}`);
    }
    const what = NUMERIC_KEYS[k];
    if (what !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < 0)) {
      throw invalid(`${typeof v === "string" ? `<<"${v}">>` : JSON.stringify(v)} is not a valid ${what}`);
    }
    if (k === "overflow" && !["drop-head", "reject-publish", "reject-publish-dlx"].includes(v as string)) {
      throw invalid(
        `${typeof v === "string" ? `<<"${v}">>` : JSON.stringify(v)} is not a valid overflow value`,
      );
    }
    if (k === "dead-letter-strategy" && v !== "at-most-once" && v !== "at-least-once") {
      throw invalid(
        `${typeof v === "string" ? `<<"${v}">>` : JSON.stringify(v)} is not a valid dead letter strategy`,
      );
    }
    const text = ["dead-letter-exchange", "dead-letter-routing-key", "alternate-exchange", "overflow"]
      .includes(k);
    if (text && typeof v !== "string") throw invalid(`${JSON.stringify(v)} is not a valid value for ${k}`);
  }
}

/** Numeric policy keys and RabbitMQ's name for them in validation errors. */
const NUMERIC_KEYS: Record<string, string> = {
  "message-ttl": "message TTL",
  "expires": "queue TTL",
  "max-length": "maximum length",
  "max-length-bytes": "maximum length in bytes",
  "max-priority": "maximum priority",
  "delivery-limit": "delivery limit",
  // RabbitMQ 3.10 words both of these so.
  "max-in-memory-length": "maximum memory in bytes",
  "max-in-memory-bytes": "maximum memory in bytes",
};

interface CompiledPolicy extends Policy {
  re: RegExp;
}

/**
 * The definition in effect when both a user and an operator policy match,
 * as rabbit_policy merges them: every key of either, and the lower value
 * where both set one (all operator keys are limits).
 */
export function mergedDefinition(
  user: Policy | undefined,
  operator: Policy | undefined,
): Record<string, unknown> {
  if (!operator) return user?.definition ?? {};
  const out: Record<string, unknown> = { ...user?.definition };
  for (const [k, v] of Object.entries(operator.definition)) {
    const mine = out[k];
    out[k] = typeof mine === "number" && typeof v === "number" ? Math.min(mine, v) : v;
  }
  return out;
}

export class PolicySet {
  readonly #policies = new Map<string, CompiledPolicy>();

  constructor(readonly kind: PolicyKind = "user") {}

  get size(): number {
    return this.#policies.size;
  }

  list(): Policy[] {
    return [...this.#policies.values()].map(({ re: _re, ...p }) => p);
  }

  get(name: string): Policy | undefined {
    return this.#policies.get(name);
  }

  set(policy: Policy): void {
    validatePolicy(policy, this.kind);
    this.#policies.set(policy.name, { ...policy, re: new RegExp(policy.pattern) });
  }

  delete(name: string): boolean {
    return this.#policies.delete(name);
  }

  /** The policy in effect for a queue or exchange of this name, if any. */
  match(name: string, kind: "queue" | "exchange"): Policy | undefined {
    let best: CompiledPolicy | undefined;
    for (const p of this.#policies.values()) {
      if (p.applyTo !== "all" && p.applyTo !== (kind === "queue" ? "queues" : "exchanges")) continue;
      if (!p.re.test(name)) continue;
      if (!best || p.priority > best.priority || (p.priority === best.priority && p.name > best.name)) {
        best = p;
      }
    }
    return best;
  }

  alternateExchangeFor(name: string): string | null {
    if (this.#policies.size === 0) return null;
    const ae = this.match(name, "exchange")?.definition["alternate-exchange"];
    return typeof ae === "string" ? ae : null;
  }
}
