// ctl verbs for policies: set_policy, clear_policy and list_policies, and
// their operator-policy twins (set_operator_policy, ...), with rabbitmqctl's
// arguments, banners, columns and error texts.
import { CtlError, EXIT, seg } from "../node_client.ts";
import { listIn, requireVHost, type Verb } from "../verb.ts";

type Row = Record<string, unknown>;

/** rabbit_policy's info keys, in the order rabbitmqctl prints them. */
const POLICY_COLUMNS = ["vhost", "name", "pattern", "apply-to", "definition", "priority"];

function reasonOf(body: unknown, status: number): string {
  const reason = (body as { reason?: unknown } | null)?.reason;
  return typeof reason === "string" ? reason : `HTTP ${status}`;
}

/** The definition argument as a JSON object, or rabbit_policy's decoding error. */
function parseDefinition(text: string): Row {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CtlError(EXIT.unavailable, `JSON decoding error. Reason: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new CtlError(EXIT.unavailable, "JSON decoding error. Reason: the definition must be a JSON object");
  }
  return value as Row;
}

/** What differs between the policy verbs and the operator-policy ones: paths and rabbitmqctl's words. */
interface PolicyKindTexts {
  /** Verb name part: set_<x>, clear_<x>; list_<plural>. */
  verb: string;
  plural: string;
  /** /api/<path>/... */
  path: string;
  /** "policy" or "operator policy override" in the set banner. */
  setWhat: string;
  /** "policy" or "operator policy" in the clear banner. */
  clearWhat: string;
  /** "policies" or "operator policy overrides" in the list banner. */
  listWhat: string;
  setDescription: string;
  clearDescription: string;
  listDescription: string;
}

function policyVerbs(t: PolicyKindTexts): Record<string, Verb> {
  return {
    [`set_${t.verb}`]: {
      usage: `set_${t.verb} [--vhost <vhost>] [--priority <priority>] [--apply-to <apply-to>] ` +
        "<name> <pattern> <definition>",
      description: t.setDescription,
      minArgs: 3,
      maxArgs: 3,
      banner: (ctx) => {
        const [name, pattern, definition] = ctx.args;
        return `Setting ${t.setWhat} "${name}" for pattern "${pattern}" to "${definition}" with priority ` +
          `"${ctx.options.priority ?? 0}" for vhost "${ctx.vhost}" ...`;
      },
      async run(ctx) {
        const [name, pattern, definitionText] = ctx.args;
        const body = {
          pattern,
          definition: parseDefinition(definitionText),
          priority: ctx.options.priority ?? 0,
          "apply-to": ctx.options.applyTo ?? "all",
        };
        const reply = await ctx.client.call("PUT", `/api/${t.path}/${seg(ctx.vhost)}/${seg(name)}`, body);
        if (reply.status === 404) {
          throw new CtlError(EXIT.dataErr, `Virtual host '${ctx.vhost}' does not exist`);
        }
        if (reply.status >= 300) throw new CtlError(EXIT.unavailable, reasonOf(reply.body, reply.status));
        return { kind: "none" };
      },
    },
    [`clear_${t.verb}`]: {
      usage: `clear_${t.verb} [--vhost <vhost>] <name>`,
      description: t.clearDescription,
      minArgs: 1,
      maxArgs: 1,
      banner: (ctx) => `Clearing ${t.clearWhat} "${ctx.args[0]}" on vhost "${ctx.vhost}" ...`,
      async run(ctx) {
        const [name] = ctx.args;
        const reply = await ctx.client.call("DELETE", `/api/${t.path}/${seg(ctx.vhost)}/${seg(name)}`);
        if (reply.status === 404) {
          await requireVHost(ctx, ctx.vhost);
          throw new CtlError(EXIT.unavailable, "Parameter does not exist");
        }
        if (reply.status >= 300) throw new CtlError(EXIT.software, reasonOf(reply.body, reply.status));
        return { kind: "none" };
      },
    },
    [`list_${t.plural}`]: {
      usage: `list_${t.plural} [--vhost <vhost>] [--no-table-headers]`,
      description: t.listDescription,
      minArgs: 0,
      maxArgs: 0,
      banner: (ctx) => `Listing ${t.listWhat} for vhost "${ctx.vhost}" ...`,
      async run(ctx) {
        const policies = await listIn(ctx, `/api/${t.path}/${seg(ctx.vhost)}`);
        // rabbitmqctl prints each definition as the JSON document it was given.
        const rows = policies.map((p) => ({ ...p, definition: JSON.stringify(p.definition) }));
        return { kind: "table", columns: POLICY_COLUMNS, rows };
      },
    },
  };
}

export const POLICY_VERBS: Record<string, Verb> = {
  ...policyVerbs({
    verb: "policy",
    plural: "policies",
    path: "policies",
    setWhat: "policy",
    clearWhat: "policy",
    listWhat: "policies",
    setDescription: "Sets or updates a policy",
    clearDescription: "Clears (removes) a policy",
    listDescription: "Lists all policies in a virtual host",
  }),
  ...policyVerbs({
    verb: "operator_policy",
    plural: "operator_policies",
    path: "operator-policies",
    setWhat: "operator policy override",
    clearWhat: "operator policy",
    listWhat: "operator policy overrides",
    setDescription: "Sets an operator policy that overrides a subset of arguments in user policies",
    clearDescription: "Clears an operator policy",
    listDescription: "Lists operator policy overrides for a virtual host",
  }),
};
