// ctl verbs for runtime and global parameters and shovels: set_parameter,
// clear_parameter, list_parameters, the global_parameter trio,
// shovel_status, delete_shovel and restart_shovel, with rabbitmqctl's
// arguments, banners, columns and error texts.
import { CtlError, EXIT, seg } from "../node_client.ts";
import { listIn, requireVHost, type Verb, type VerbContext } from "../verb.ts";

type Row = Record<string, unknown>;

/** The management API escapes reasons as HTML (as RabbitMQ's does); rabbitmqctl prints them plain. */
function reasonOf(body: unknown, status: number): string {
  const reason = (body as { reason?: unknown } | null)?.reason;
  if (typeof reason !== "string") return `HTTP ${status}`;
  return reason.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CtlError(EXIT.unavailable, `JSON decoding error. Reason: ${(e as Error).message}`);
  }
}

async function clearOr404(ctx: VerbContext, path: string, vhost: string | null): Promise<void> {
  const reply = await ctx.client.call("DELETE", path);
  if (reply.status === 404) {
    if (vhost !== null) await requireVHost(ctx, vhost);
    throw new CtlError(EXIT.unavailable, "Parameter does not exist");
  }
  if (reply.status >= 300) throw new CtlError(EXIT.software, reasonOf(reply.body, reply.status));
}

/** rabbitmqctl shovel_status prints the union of the status keys, sorted. */
function shovelRow(s: Row): Row {
  const row: Row = {
    name: s.name,
    vhost: s.vhost,
    type: s.type,
    state: s.state,
    last_changed: s.timestamp,
    termination_reason: s.reason ?? "",
  };
  if (s.state === "running") {
    row.source = s.src_uri;
    row.source_protocol = s.src_protocol;
    row.destination = s.dest_uri;
    row.destination_protocol = s.dest_protocol;
    for (const [from, to] of SHOVEL_KEYS) if (s[from] !== undefined) row[to] = s[from];
  }
  return row;
}

const SHOVEL_KEYS: [string, string][] = [
  ["src_queue", "source_queue"],
  ["src_exchange", "source_exchange"],
  ["src_exchange_key", "source_exchange_key"],
  ["dest_queue", "destination_queue"],
  ["dest_exchange", "destination_exchange"],
  ["dest_exchange_key", "destination_exchange_key"],
];

async function shovelCall(ctx: VerbContext, suffix: string): Promise<void> {
  const [name] = ctx.args;
  const reply = await ctx.client.call("DELETE", `/api/shovels/vhost/${seg(ctx.vhost)}/${seg(name)}${suffix}`);
  if (reply.status === 404) {
    throw new CtlError(
      EXIT.dataErr,
      `Shovel with the given name was not found on the target node '${ctx.client.address}' and / or virtual host '${ctx.vhost}'`,
    );
  }
  if (reply.status >= 300) throw new CtlError(EXIT.software, reasonOf(reply.body, reply.status));
}

export const PARAMETER_VERBS: Record<string, Verb> = {
  set_parameter: {
    usage: "set_parameter [--vhost <vhost>] <component_name> <name> <value>",
    description: "Sets a runtime parameter.",
    minArgs: 3,
    maxArgs: 3,
    banner: (ctx) => {
      const [component, name, value] = ctx.args;
      return `Setting runtime parameter "${name}" for component "${component}" to "${value}" in vhost "${ctx.vhost}" ...`;
    },
    async run(ctx) {
      const [component, name, text] = ctx.args;
      const body = { value: parseValue(text) };
      const path = `/api/parameters/${seg(component)}/${seg(ctx.vhost)}/${seg(name)}`;
      const reply = await ctx.client.call("PUT", path, body);
      if (reply.status === 404) {
        throw new CtlError(EXIT.dataErr, `Virtual host '${ctx.vhost}' does not exist`);
      }
      if (reply.status >= 300) throw new CtlError(EXIT.unavailable, reasonOf(reply.body, reply.status));
      return { kind: "none" };
    },
  },
  clear_parameter: {
    usage: "clear_parameter [--vhost <vhost>] <component_name> <key>",
    description: "Clears a runtime parameter.",
    minArgs: 2,
    maxArgs: 2,
    banner: (ctx) =>
      `Clearing runtime parameter "${ctx.args[1]}" for component "${
        ctx.args[0]
      }" on vhost "${ctx.vhost}" ...`,
    async run(ctx) {
      const [component, name] = ctx.args;
      await clearOr404(ctx, `/api/parameters/${seg(component)}/${seg(ctx.vhost)}/${seg(name)}`, ctx.vhost);
      return { kind: "none" };
    },
  },
  list_parameters: {
    usage: "list_parameters [--vhost <vhost>] [--no-table-headers]",
    description: "Lists runtime parameters for a virtual host",
    minArgs: 0,
    maxArgs: 0,
    banner: (ctx) => `Listing runtime parameters for vhost "${ctx.vhost}" ...`,
    async run(ctx) {
      await requireVHost(ctx, ctx.vhost);
      const all = await listIn(ctx, "/api/parameters");
      const rows = all.filter((p) => p.vhost === ctx.vhost).map((p) => ({
        ...p,
        value: JSON.stringify(p.value),
      }));
      return { kind: "table", columns: ["component", "name", "value"], rows };
    },
  },
  set_global_parameter: {
    usage: "set_global_parameter <name> <value>",
    description: "Sets a runtime parameter.",
    minArgs: 2,
    maxArgs: 2,
    banner: (ctx) => `Setting global runtime parameter "${ctx.args[0]}" to "${ctx.args[1]}" ...`,
    async run(ctx) {
      const [name, text] = ctx.args;
      const reply = await ctx.client.call("PUT", `/api/global-parameters/${seg(name)}`, {
        value: parseValue(text),
      });
      if (reply.status >= 300) throw new CtlError(EXIT.unavailable, reasonOf(reply.body, reply.status));
      return { kind: "none" };
    },
  },
  clear_global_parameter: {
    usage: "clear_global_parameter <key>",
    description: "Clears a global runtime parameter",
    minArgs: 1,
    maxArgs: 1,
    banner: (ctx) => `Clearing global runtime parameter "${ctx.args[0]}" ...`,
    async run(ctx) {
      await clearOr404(ctx, `/api/global-parameters/${seg(ctx.args[0])}`, null);
      return { kind: "none" };
    },
  },
  list_global_parameters: {
    usage: "list_global_parameters [--no-table-headers]",
    description: "Lists global runtime parameters",
    minArgs: 0,
    maxArgs: 0,
    banner: () => "Listing global runtime parameters ...",
    async run(ctx) {
      const reply = await ctx.client.ok("GET", "/api/global-parameters");
      const rows = (reply as Row[]).map((g) => ({ name: g.name, value: JSON.stringify(g.value) }));
      return { kind: "table", columns: ["name", "value"], rows };
    },
  },
  shovel_status: {
    usage: "shovel_status",
    description: "Displays status of Shovel on a node",
    minArgs: 0,
    maxArgs: 0,
    banner: (ctx) => `Shovel status on node ${ctx.client.address}`,
    async run(ctx) {
      const reply = await ctx.client.ok("GET", "/api/shovels");
      const rows = (reply as Row[]).map(shovelRow);
      const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].sort();
      return {
        kind: "table",
        columns: columns.length > 0 ? columns : ["name", "vhost", "type", "state"],
        rows,
      };
    },
  },
  delete_shovel: {
    usage: "delete_shovel [--vhost <vhost>] <name>",
    description: "Deletes a Shovel",
    minArgs: 1,
    maxArgs: 1,
    banner: (ctx) => `Deleting shovel ${ctx.args[0]} in vhost ${ctx.vhost}`,
    async run(ctx) {
      await shovelCall(ctx, "");
      return { kind: "none" };
    },
  },
  restart_shovel: {
    usage: "restart_shovel [--vhost <vhost>] <name>",
    description: "Restarts a dynamic Shovel",
    minArgs: 1,
    maxArgs: 1,
    banner: (ctx) => `Restarting dynamic Shovel ${ctx.args[0]} in virtual host ${ctx.vhost}`,
    async run(ctx) {
      await shovelCall(ctx, "/restart");
      return { kind: "none" };
    },
  },
};
