// Headers exchange: a binding's arguments are matched against the message's
// headers table; `x-match` chooses all/any, and the `-with-x` variants also
// compare `x-` prefixed keys. Matching must look at each binding, so the
// message's headers are decoded once per publish, not per binding.
import { type Binding, type Destination, Exchange } from "./exchange.ts";
import { type FieldTable, fieldValuesEqual } from "../../amqp/field_table.ts";
import type { Message } from "../message.ts";

type MatchMode = "all" | "any" | "all-with-x" | "any-with-x";

interface HeaderRule {
  destination: Destination;
  mode: MatchMode;
  /** [key, value]; a null value matches on presence alone */
  pairs: [string, unknown][];
}

export const HEADERS_MATCH_MODES: readonly string[] = ["all", "any", "all-with-x", "any-with-x"];

export class HeadersExchange extends Exchange {
  readonly type = "headers";
  #rules: HeaderRule[] = [];
  #ruleOf = new Map<Binding, HeaderRule>();

  route(_routingKey: string, message: Message, out: Destination[]): void {
    if (this.#rules.length === 0) return;
    const headers = message.properties.headers ?? {};
    for (const rule of this.#rules) {
      if (matches(rule, headers)) out.push(rule.destination);
    }
  }

  protected index(binding: Binding): void {
    const raw = binding.arguments["x-match"];
    const mode = (typeof raw === "string" && HEADERS_MATCH_MODES.includes(raw) ? raw : "all") as MatchMode;
    const withX = mode.endsWith("-with-x");
    const pairs: [string, unknown][] = [];
    for (const [k, v] of Object.entries(binding.arguments)) {
      if (k === "x-match") continue;
      if (k.startsWith("x-") && !withX) continue;
      pairs.push([k, v]);
    }
    const rule = { destination: binding.destination, mode, pairs };
    this.#rules.push(rule);
    this.#ruleOf.set(binding, rule);
  }

  protected unindex(binding: Binding): void {
    const rule = this.#ruleOf.get(binding);
    if (!rule) return;
    this.#ruleOf.delete(binding);
    this.#rules.splice(this.#rules.indexOf(rule), 1);
  }
}

function matches(rule: HeaderRule, headers: FieldTable): boolean {
  const all = rule.mode === "all" || rule.mode === "all-with-x";
  for (const [key, expected] of rule.pairs) {
    const present = Object.hasOwn(headers, key);
    const ok = present &&
      (expected === null || fieldValuesEqual(headers[key], expected as FieldTable[string]));
    if (all && !ok) return false;
    if (!all && ok) return true;
  }
  return all;
}
