// ctl verbs for policies: set_policy, clear_policy and list_policies, with
// rabbitmqctl's arguments, banners, columns and error texts.
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

export const POLICY_VERBS: Record<string, Verb> = {
  set_policy: {
    usage:
      "set_policy [--vhost <vhost>] [--priority <priority>] [--apply-to <apply-to>] <name> <pattern> <definition>",
    description: "Sets or updates a policy",
    minArgs: 3,
    maxArgs: 3,
    banner: (ctx) => {
      const [name, pattern, definition] = ctx.args;
      return `Setting policy "${name}" for pattern "${pattern}" to "${definition}" with priority ` +
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
      const reply = await ctx.client.call("PUT", `/api/policies/${seg(ctx.vhost)}/${seg(name)}`, body);
      if (reply.status === 404) {
        throw new CtlError(EXIT.dataErr, `Virtual host '${ctx.vhost}' does not exist`);
      }
      if (reply.status >= 300) throw new CtlError(EXIT.unavailable, reasonOf(reply.body, reply.status));
      return { kind: "none" };
    },
  },
  clear_policy: {
    usage: "clear_policy [--vhost <vhost>] <name>",
    description: "Clears (removes) a policy",
    minArgs: 1,
    maxArgs: 1,
    banner: (ctx) => `Clearing policy "${ctx.args[0]}" on vhost "${ctx.vhost}" ...`,
    async run(ctx) {
      const [name] = ctx.args;
      const reply = await ctx.client.call("DELETE", `/api/policies/${seg(ctx.vhost)}/${seg(name)}`);
      if (reply.status === 404) {
        await requireVHost(ctx, ctx.vhost);
        throw new CtlError(EXIT.unavailable, "Parameter does not exist");
      }
      if (reply.status >= 300) throw new CtlError(EXIT.software, reasonOf(reply.body, reply.status));
      return { kind: "none" };
    },
  },
  list_policies: {
    usage: "list_policies [--vhost <vhost>] [--no-table-headers]",
    description: "Lists all policies in a virtual host",
    minArgs: 0,
    maxArgs: 0,
    banner: (ctx) => `Listing policies for vhost "${ctx.vhost}" ...`,
    async run(ctx) {
      const policies = await listIn(ctx, `/api/policies/${seg(ctx.vhost)}`);
      // rabbitmqctl prints each definition as the JSON document it was given.
      const rows = policies.map((p) => ({ ...p, definition: JSON.stringify(p.definition) }));
      return { kind: "table", columns: POLICY_COLUMNS, rows };
    },
  },
};
