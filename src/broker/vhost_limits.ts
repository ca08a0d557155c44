// Virtual host limits, as rabbit_vhost_limit keeps them: one runtime
// parameter per vhost (component vhost-limits, name "limits") whose value
// maps max-connections and max-queues to a count. A negative count is no
// limit; 0 allows none. The vhost enforces them (VHost.admitConnection and
// queue declaration); this file validates and hands them over.
import type { ParameterComponent } from "./runtime_parameters.ts";
import { erlangTerm } from "./policies.ts";

export const VHOST_LIMITS_COMPONENT = "vhost-limits";
/** The one parameter name RabbitMQ stores a vhost's limits under. */
export const VHOST_LIMITS_NAME = "limits";

export interface VHostLimits {
  /** Negative: no limit. */
  readonly maxConnections: number;
  readonly maxQueues: number;
}

export const NO_LIMITS: VHostLimits = Object.freeze({ maxConnections: -1, maxQueues: -1 });

/** The limit names RabbitMQ 3.10 knows, each with the VHostLimits field it sets. */
export const LIMIT_NAMES: Readonly<Record<string, keyof VHostLimits>> = {
  "max-connections": "maxConnections",
  "max-queues": "maxQueues",
};

/** rabbit_vhost_limit's reasons for refusing a limits value; empty when it is fine. */
export function limitsProblems(value: unknown): string[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return [`Unrecognised terms ${erlangTerm(value)} in limits`];
  }
  const entries = Object.entries(value);
  const unknown = entries.filter(([k]) => LIMIT_NAMES[k] === undefined);
  if (unknown.length > 0) {
    return [
      `Unrecognised terms [${unknown.map(([k, v]) => `{<<"${k}">>,${erlangTerm(v)}}`).join(",")}] in limits`,
    ];
  }
  return entries.filter(([, v]) => typeof v !== "number" || !Number.isInteger(v))
    .map(([k, v]) => `${k} should be a number, actually was ${erlangTerm(v)}`);
}

/** The limits a validated value sets. */
export function limitsOf(value: Record<string, unknown>): VHostLimits {
  const out = { ...NO_LIMITS };
  for (const [k, v] of Object.entries(value)) out[LIMIT_NAMES[k]] = v as number;
  return out;
}

/** The vhost-limits component: the vhost named by a parameter gets its limits. */
export function vhostLimitsComponent(
  vhostNamed: (name: string) => { limits: VHostLimits } | undefined,
): ParameterComponent {
  return {
    validate: (_vhost, _name, value) => limitsProblems(value),
    onSet(vhost, _name, value) {
      const v = vhostNamed(vhost);
      if (v) v.limits = limitsOf(value as Record<string, unknown>);
    },
    onClear(vhost) {
      const v = vhostNamed(vhost);
      if (v) v.limits = NO_LIMITS;
    },
  };
}
