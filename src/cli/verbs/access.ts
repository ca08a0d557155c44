// ctl verbs for users, vhosts and permissions, with rabbitmqctl's argument
// order, banners and messages.
import { checkPassword } from "../../auth/password.ts";
import { CtlError, EXIT, seg } from "../node_client.ts";
import { columnsFrom, listIn, requireUser, requireVHost, type Verb, type VerbContext } from "../verb.ts";

const DONE_ADD_USER = "Done. Don't forget to grant the user permissions to some virtual hosts! " +
  "See 'rabbitmqctl help set_permissions' to learn more.";

async function passwordArg(ctx: VerbContext, index: number): Promise<string> {
  if (ctx.args.length > index) return ctx.args[index];
  const line = (await ctx.readStdin()).split(/\r?\n/)[0];
  if (line === undefined || line === "") {
    throw new CtlError(EXIT.dataErr, "Password is not provided via argument or stdin");
  }
  return line;
}

export const ACCESS_VERBS: Record<string, Verb> = {
  authenticate_user: {
    usage: "authenticate_user <username> <password>",
    description: "Attempts to authenticate a user. Exits with a non-zero code if authentication fails.",
    minArgs: 1,
    maxArgs: 2,
    banner: (ctx) => `Authenticating user "${ctx.args[0]}" ...`,
    async run(ctx) {
      const [user] = ctx.args;
      const password = await passwordArg(ctx, 1);
      // The hash is checked here with the node's own algorithm: the API has no login call for
      // users without management tags, and rabbitmqctl checks credentials, not tags.
      const reply = await ctx.client.call("GET", `/api/users/${seg(user)}`);
      const hash = reply.status === 200
        ? String((reply.body as Record<string, unknown>).password_hash ?? "")
        : "";
      if (reply.status !== 200 && reply.status !== 404) {
        throw new CtlError(EXIT.software, `cannot read user "${user}" (HTTP ${reply.status})`);
      }
      if (hash === "" || !checkPassword(password, hash)) {
        throw new CtlError(
          EXIT.dataErr,
          `failed to authenticate user "${user}"\nuser '${user}' - invalid credentials`,
        );
      }
      return { kind: "message", text: "Success" };
    },
  },
  add_user: {
    usage: "add_user <username> [<password>] [<password_hash> --pre-hashed-password]",
    description: "Creates a new user in the internal database",
    minArgs: 1,
    maxArgs: 2,
    banner: (ctx) => `Adding user "${ctx.args[0]}" ...`,
    async run(ctx) {
      const [user] = ctx.args;
      const existing = await ctx.client.call("GET", `/api/users/${seg(user)}`);
      if (existing.status === 200) throw new CtlError(EXIT.software, `User "${user}" already exists`);
      const secret = await passwordArg(ctx, 1);
      const body = ctx.options.preHashedPassword
        ? { password_hash: secret, tags: [] }
        : { password: secret, tags: [] };
      await ctx.client.ok("PUT", `/api/users/${seg(user)}`, body, () => EXIT.dataErr);
      return { kind: "message", text: DONE_ADD_USER };
    },
  },
  delete_user: {
    usage: "delete_user <username>",
    description: "Removes a user from the internal database",
    minArgs: 1,
    maxArgs: 1,
    banner: (ctx) => `Deleting user "${ctx.args[0]}" ...`,
    async run(ctx) {
      const [user] = ctx.args;
      const reply = await ctx.client.call("DELETE", `/api/users/${seg(user)}`);
      if (reply.status === 404) throw new CtlError(EXIT.noUser, `User "${user}" does not exist`);
      if (reply.status >= 300) throw new CtlError(EXIT.software, `deleting user "${user}" failed`);
      return { kind: "none" };
    },
  },
  change_password: {
    usage: "change_password <username> <password>",
    description: "Changes the user password",
    minArgs: 1,
    maxArgs: 2,
    banner: (ctx) => `Changing password for user "${ctx.args[0]}" ...`,
    async run(ctx) {
      const [user] = ctx.args;
      const current = await requireUser(ctx, user);
      const password = await passwordArg(ctx, 1);
      await ctx.client.ok("PUT", `/api/users/${seg(user)}`, { password, tags: current.tags ?? [] });
      return { kind: "none" };
    },
  },
  set_user_tags: {
    usage: "set_user_tags <username> <tag> [...]",
    description: "Sets user tags",
    minArgs: 1,
    maxArgs: Infinity,
    banner: (ctx) => `Setting tags for user "${ctx.args[0]}" to [${ctx.args.slice(1).join(", ")}] ...`,
    async run(ctx) {
      const [user, ...tags] = ctx.args;
      const current = await requireUser(ctx, user);
      await ctx.client.ok("PUT", `/api/users/${seg(user)}`, {
        password_hash: current.password_hash ?? "",
        tags: tags.flatMap((t) => t.split(",")).map((t) => t.trim()).filter((t) => t !== ""),
      });
      return { kind: "none" };
    },
  },
  list_users: {
    usage: "list_users [--no-table-headers]",
    description: "List user names and tags",
    minArgs: 0,
    maxArgs: 0,
    banner: () => "Listing users ...",
    async run(ctx) {
      const users = (await ctx.client.ok("GET", "/api/users")) as Record<string, unknown>[];
      return {
        kind: "table",
        columns: ["user", "tags"],
        rows: users.map((u) => ({ user: u.name, tags: u.tags })),
      };
    },
  },
  add_vhost: {
    usage:
      'add_vhost <vhost> [--description <description> --tags "<tag1>,<tag2>,<...>" --default-queue-type <quorum|classic|stream>]',
    description: "Creates a virtual host",
    minArgs: 1,
    maxArgs: 1,
    banner: (ctx) => `Adding vhost "${ctx.args[0]}" ...`,
    async run(ctx) {
      const body: Record<string, unknown> = {};
      if (ctx.options.description !== undefined) body.description = ctx.options.description;
      if (ctx.options.tags !== undefined) body.tags = ctx.options.tags;
      if (ctx.options.defaultQueueType !== undefined) body.default_queue_type = ctx.options.defaultQueueType;
      await ctx.client.ok("PUT", `/api/vhosts/${seg(ctx.args[0])}`, body, () => EXIT.usage);
      return { kind: "none" };
    },
  },
  delete_vhost: {
    usage: "delete_vhost <vhost>",
    description: "Deletes a virtual host",
    minArgs: 1,
    maxArgs: 1,
    banner: (ctx) => `Deleting vhost "${ctx.args[0]}" ...`,
    async run(ctx) {
      const reply = await ctx.client.call("DELETE", `/api/vhosts/${seg(ctx.args[0])}`);
      if (reply.status === 404) {
        throw new CtlError(EXIT.dataErr, `Virtual host '${ctx.args[0]}' does not exist`);
      }
      if (reply.status >= 300) throw new CtlError(EXIT.software, `deleting vhost "${ctx.args[0]}" failed`);
      return { kind: "none" };
    },
  },
  list_vhosts: {
    usage: "list_vhosts [--no-table-headers] [<column> ...]",
    description: "Lists virtual hosts",
    minArgs: 0,
    maxArgs: Infinity,
    banner: () => "Listing vhosts ...",
    async run(ctx) {
      const columns = columnsFrom(ctx.args, ["name"], [
        "name",
        "description",
        "tags",
        "default_queue_type",
        "tracing",
        "cluster_state",
        "metadata",
      ]);
      const vhosts = (await ctx.client.ok("GET", "/api/vhosts")) as Record<string, unknown>[];
      return { kind: "table", columns, rows: vhosts };
    },
  },
  set_permissions: {
    usage: "set_permissions [--vhost <vhost>] <username> <conf> <write> <read>",
    description: "Sets user permissions for a vhost",
    minArgs: 4,
    maxArgs: 4,
    banner: (ctx) => `Setting permissions for user "${ctx.args[0]}" in vhost "${ctx.vhost}" ...`,
    async run(ctx) {
      const [user, configure, write, read] = ctx.args;
      await requireUser(ctx, user);
      await requireVHost(ctx, ctx.vhost);
      await ctx.client.ok(
        "PUT",
        `/api/permissions/${seg(ctx.vhost)}/${seg(user)}`,
        { configure, write, read },
        () => EXIT.dataErr,
      );
      return { kind: "none" };
    },
  },
  clear_permissions: {
    usage: "clear_permissions [--vhost <vhost>] <username>",
    description: "Revokes user permissions for a vhost",
    minArgs: 1,
    maxArgs: 1,
    banner: (ctx) => `Clearing permissions for user "${ctx.args[0]}" in vhost "${ctx.vhost}" ...`,
    async run(ctx) {
      const [user] = ctx.args;
      const reply = await ctx.client.call("DELETE", `/api/permissions/${seg(ctx.vhost)}/${seg(user)}`);
      if (reply.status === 404) {
        // Nothing to clear is fine, as long as the user and vhost exist.
        await requireUser(ctx, user);
        await requireVHost(ctx, ctx.vhost);
      } else if (reply.status >= 300) {
        throw new CtlError(EXIT.software, `clearing permissions failed (HTTP ${reply.status})`);
      }
      return { kind: "none" };
    },
  },
  list_permissions: {
    usage: "list_permissions [--vhost <vhost>] [--no-table-headers]",
    description: "Lists user permissions in a virtual host",
    minArgs: 0,
    maxArgs: 0,
    banner: (ctx) => `Listing permissions for vhost "${ctx.vhost}" ...`,
    async run(ctx) {
      const rows = await listIn(ctx, `/api/vhosts/${seg(ctx.vhost)}/permissions`);
      return { kind: "table", columns: ["user", "configure", "write", "read"], rows };
    },
  },
  list_user_permissions: {
    usage: "list_user_permissions [--no-table-headers] <username>",
    description: "Lists permissions of a user across all virtual hosts",
    minArgs: 1,
    maxArgs: 1,
    banner: (ctx) => `Listing permissions for user "${ctx.args[0]}" ...`,
    async run(ctx) {
      const [user] = ctx.args;
      const reply = await ctx.client.call("GET", `/api/users/${seg(user)}/permissions`);
      if (reply.status === 404) throw new CtlError(EXIT.noUser, `User "${user}" does not exist`);
      if (reply.status !== 200) throw new CtlError(EXIT.software, `listing failed (HTTP ${reply.status})`);
      return {
        kind: "table",
        columns: ["vhost", "configure", "write", "read"],
        rows: reply.body as Record<string, unknown>[],
      };
    },
  },
};
