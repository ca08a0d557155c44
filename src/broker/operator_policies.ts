// Operator policies, as RabbitMQ keeps them: runtime parameters of the
// operator_policy component whose value is a policy (pattern, definition,
// priority, apply-to) limited to the queue limits. The vhost holds them next
// to its user policies and merges the two when it computes queue settings.
import type { ParameterComponent } from "./runtime_parameters.ts";
import { InvalidPolicy, type Policy, type PolicyApplyTo, validatePolicy } from "./policies.ts";

export const OPERATOR_POLICY_COMPONENT = "operator_policy";

interface OperatorPolicyHost {
  setOperatorPolicy(policy: Policy): void;
  clearOperatorPolicy(name: string): void;
}

/** A stored value as a policy, or the reason RabbitMQ would give for refusing it. */
export function operatorPolicyOf(vhost: string, name: string, value: unknown): Policy | string {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "policy must be an object";
  const v = value as Record<string, unknown>;
  for (const key of ["pattern", "definition"]) {
    if (v[key] === undefined) return `[{key_missing,${key}}]`;
  }
  const definition = v.definition;
  if (definition === null || typeof definition !== "object" || Array.isArray(definition)) {
    return `${JSON.stringify(definition)} is not a valid definition`;
  }
  if (Object.keys(definition).length === 0) return "no policy provided";
  const policy: Policy = {
    vhost,
    name,
    pattern: String(v.pattern),
    applyTo: (v["apply-to"] ?? "all") as PolicyApplyTo,
    priority: (v.priority ?? 0) as number,
    definition: definition as Record<string, unknown>,
  };
  try {
    validatePolicy(policy, "operator");
  } catch (e) {
    if (e instanceof InvalidPolicy) return e.reason;
    throw e;
  }
  return policy;
}

/** The operator_policy component: the vhost named by a parameter gets the policy. */
export function operatorPolicyComponent(
  vhostNamed: (name: string) => OperatorPolicyHost | undefined,
): ParameterComponent {
  return {
    validate(vhost, name, value) {
      const p = operatorPolicyOf(vhost, name, value);
      return typeof p === "string" ? [p] : [];
    },
    onSet(vhost, name, value) {
      const p = operatorPolicyOf(vhost, name, value);
      if (typeof p !== "string") vhostNamed(vhost)?.setOperatorPolicy(p);
    },
    onClear(vhost, name) {
      vhostNamed(vhost)?.clearOperatorPolicy(name);
    },
  };
}
