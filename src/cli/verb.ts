// The shape every ctl verb has, and the small helpers verbs share.
import type { CtlOptions } from "./args.ts";
import { CtlError, EXIT, type NodeClient, seg } from "./node_client.ts";
import type { Output } from "./output.ts";

export interface VerbContext {
  client: NodeClient;
  args: string[];
  options: CtlOptions;
  /** -p / --vhost, "/" by default. */
  vhost: string;
  readStdin(): Promise<string>;
  /** A client for the node as ctl would find it now (await_startup: the node may have just written its record). */
  locate(): NodeClient;
  /** Prints a progress line of long work (not with --quiet, --silent or the json formatter). */
  progress(line: string): void;
}

export interface Verb {
  usage: string;
  description: string;
  minArgs: number;
  maxArgs: number;
  /** The "Doing X ..." line printed first, unless --quiet or a machine formatter. */
  banner?(ctx: VerbContext): string;
  run(ctx: VerbContext): Promise<Output>;
}

/** The columns asked for (validated against rabbitmqctl's info keys), or the defaults. */
export function columnsFrom(args: string[], defaults: string[], valid: readonly string[]): string[] {
  const cols = args.flatMap((a) => a.split(",")).map((c) => c.trim()).filter((c) => c !== "");
  if (cols.length === 0) return defaults;
  const bad = cols.filter((c) => !valid.includes(c));
  if (bad.length > 0) throw new CtlError(EXIT.usage, `Info key(s) ${bad.join(",")} are not supported`);
  return cols;
}

/** Fails with rabbitmqctl's "does not exist" errors when the user or vhost is missing. */
export async function requireUser(ctx: VerbContext, user: string): Promise<Record<string, unknown>> {
  const reply = await ctx.client.call("GET", `/api/users/${seg(user)}`);
  if (reply.status === 404) throw new CtlError(EXIT.noUser, `User "${user}" does not exist`);
  if (reply.status !== 200) {
    throw new CtlError(EXIT.software, `cannot read user "${user}" (HTTP ${reply.status})`);
  }
  return reply.body as Record<string, unknown>;
}

export async function requireVHost(ctx: VerbContext, vhost: string): Promise<void> {
  const reply = await ctx.client.call("GET", `/api/vhosts/${seg(vhost)}`);
  if (reply.status === 404) throw new CtlError(EXIT.dataErr, `Virtual host '${vhost}' does not exist`);
  if (reply.status !== 200) {
    throw new CtlError(EXIT.software, `cannot read vhost "${vhost}" (HTTP ${reply.status})`);
  }
}

/**
 * GET of a list endpoint scoped to a vhost. A missing vhost is an empty
 * list for the object listings (list_queues, list_exchanges, list_bindings,
 * list_consumers print nothing and exit 0 in rabbitmqctl) and rabbitmqctl's
 * "does not exist" error, exit 65, for the others.
 */
export async function listIn(
  ctx: VerbContext,
  path: string,
  missingVHost: "empty" | "error" = "error",
): Promise<Record<string, unknown>[]> {
  const reply = await ctx.client.call("GET", path);
  if (reply.status === 404 && missingVHost === "empty") return [];
  if (reply.status === 404) throw new CtlError(EXIT.dataErr, `Virtual host '${ctx.vhost}' does not exist`);
  if (reply.status !== 200) throw new CtlError(EXIT.software, `listing failed (HTTP ${reply.status})`);
  return reply.body as Record<string, unknown>[];
}
