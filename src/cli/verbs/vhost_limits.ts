// ctl verbs for virtual host limits: set_vhost_limits, clear_vhost_limits
// and list_vhost_limits, with rabbitmqctl's arguments, banners and output.
// The limits are one runtime parameter per vhost (vhost-limits/limits), as
// in RabbitMQ, so these verbs set, clear and read that parameter whole.
import { CtlError, EXIT, seg } from "../node_client.ts";
import { listIn, requireVHost, type Verb, type VerbContext } from "../verb.ts";

function limitsPath(ctx: VerbContext): string {
  return `/api/parameters/vhost-limits/${seg(ctx.vhost)}/limits`;
}

/** The management API escapes reasons as HTML; rabbitmqctl prints them plain. */
function reasonOf(body: unknown, status: number): string {
  const reason = (body as { reason?: unknown } | null)?.reason;
  if (typeof reason !== "string") return `HTTP ${status}`;
  return reason.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

export const VHOST_LIMIT_VERBS: Record<string, Verb> = {
  set_vhost_limits: {
    usage: "set_vhost_limits [--vhost <vhost>] <definition>",
    description: "Sets virtual host limits",
    minArgs: 1,
    maxArgs: 1,
    banner: (ctx) => `Setting vhost limits to "${ctx.args[0]}" for vhost "${ctx.vhost}" ...`,
    async run(ctx) {
      let value: unknown;
      try {
        value = JSON.parse(ctx.args[0]);
      } catch {
        throw new CtlError(EXIT.unavailable, "JSON decoding error. Reason: badarg");
      }
      await requireVHost(ctx, ctx.vhost);
      const reply = await ctx.client.call("PUT", limitsPath(ctx), { value });
      if (reply.status >= 300) throw new CtlError(EXIT.unavailable, reasonOf(reply.body, reply.status));
      return { kind: "none" };
    },
  },
  clear_vhost_limits: {
    usage: "clear_vhost_limits [--vhost <vhost>]",
    description: "Clears virtual host limits",
    minArgs: 0,
    maxArgs: 0,
    banner: (ctx) => `Clearing vhost "${ctx.vhost}" limits ...`,
    async run(ctx) {
      await requireVHost(ctx, ctx.vhost);
      // Clearing limits a vhost does not have succeeds, as in rabbitmqctl.
      const reply = await ctx.client.call("DELETE", limitsPath(ctx));
      if (reply.status >= 300 && reply.status !== 404) {
        throw new CtlError(EXIT.software, reasonOf(reply.body, reply.status));
      }
      return { kind: "none" };
    },
  },
  list_vhost_limits: {
    usage: "list_vhost_limits [--vhost <vhost>] [--global] [--no-table-headers]",
    description: "Displays configured virtual host limits",
    minArgs: 0,
    maxArgs: 0,
    banner: (ctx) =>
      ctx.options.global
        ? "Listing limits for all vhosts ..."
        : `Listing limits for vhost "${ctx.vhost}" ...`,
    async run(ctx) {
      if (ctx.options.global) {
        const all = await listIn(ctx, "/api/vhost-limits");
        const rows = all.map((l) => ({ vhost: l.vhost, limits: JSON.stringify(l.value) }));
        return { kind: "table", columns: ["vhost", "limits"], rows };
      }
      const mine = await listIn(ctx, `/api/vhost-limits/${seg(ctx.vhost)}`);
      // rabbitmqctl prints the vhost's limits as one JSON document, or an empty line when it has none.
      return { kind: "raw", text: mine.length > 0 ? JSON.stringify(mine[0].value) : "" };
    },
  },
};
