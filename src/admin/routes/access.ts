// Users, vhosts and permissions: /api/users, /api/vhosts, /api/permissions.
import { hashPassword } from "../../auth/password.ts";
import { visibleVHosts } from "../auth.ts";
import type { AdminContext } from "../context.ts";
import { parseTags, validPasswordHash } from "../definitions.ts";
import { HASHING_ALGORITHM, permissionJson, userJson, vhostJson } from "../format.ts";
import {
  badRequest,
  boolField,
  created,
  noContent,
  objectNotFound,
  readJsonBody,
  requireFields,
} from "../http.ts";
import { listBody } from "../list.ts";
import { existingVHost } from "../operations.ts";
import type { ApiRequest, Router } from "../router.ts";
import { logger } from "../../log.ts";

const log = logger("admin");

/** Closes the vhost's client connections, then removes it with everything in it and its permissions. */
export function deleteVHost(ctx: AdminContext, name: string): boolean {
  if (!ctx.broker.vhost(name)) return false;
  for (const c of ctx.node.connections) {
    if (c.hasOpened && c.vhost.name === name) c.forceClose(`vhost '${name}' is deleted`);
  }
  ctx.broker.deleteVHost(name);
  ctx.users.dropVHost(name);
  log.info("vhost deleted", { vhost: name });
  return true;
}

function permissionsWhere(ctx: AdminContext, keep: (p: { vhost: string; user: string }) => boolean) {
  return [...ctx.users.allPermissions()].filter(keep).map(permissionJson);
}

function putUser(rq: ApiRequest, body: Record<string, unknown>): Response {
  const { ctx } = rq;
  const name = rq.params.user;
  if (body.tags === undefined && body.administrator === undefined) throw badRequest("tags_not_present");
  const tags = body.tags !== undefined
    ? parseTags(body.tags, "tags")
    : body.administrator === true || body.administrator === "true"
    ? ["administrator"]
    : [];
  const hasPassword = body.password !== undefined && body.password !== null;
  const hasHash = body.password_hash !== undefined && body.password_hash !== null;
  if (hasPassword && hasHash) throw badRequest("both_password_and_password_hash_are_provided");
  const algorithm = body.hashing_algorithm ?? HASHING_ALGORITHM;
  if (algorithm !== HASHING_ALGORITHM) {
    throw badRequest(`hashing algorithm '${algorithm}' is not supported (use ${HASHING_ALGORITHM})`);
  }
  let passwordHash: string;
  if (hasPassword) {
    if (typeof body.password !== "string") throw badRequest("field 'password' must be a string");
    passwordHash = hashPassword(body.password);
  } else if (hasHash) {
    if (typeof body.password_hash !== "string" || !validPasswordHash(body.password_hash)) {
      throw badRequest("password_hash is not a salted SHA-256 hash in base64");
    }
    passwordHash = body.password_hash;
  } else {
    // RabbitMQ: without either, the user cannot log in with a password.
    passwordHash = "";
  }
  const existed = ctx.users.users.has(name);
  ctx.users.putUser({ name, passwordHash, tags });
  return existed ? noContent() : created();
}

export function registerAccessRoutes(r: Router): void {
  registerUserRoutes(r);
  registerVHostRoutes(r);
  registerPermissionRoutes(r);
}

function registerUserRoutes(r: Router): void {
  r.get(
    "/api/users",
    "admin",
    (rq) => listBody([...rq.ctx.users.users.values()].map(userJson), rq.query, ["name"]),
  );
  r.get("/api/users/without-permissions", "admin", (rq) => {
    const withPerms = new Set([...rq.ctx.users.allPermissions()].map((p) => p.user));
    const users = [...rq.ctx.users.users.values()].filter((u) => !withPerms.has(u.name)).map(userJson);
    return listBody(users, rq.query, ["name"]);
  });
  r.post("/api/users/bulk-delete", "admin", async (rq) => {
    const body = await readJsonBody(rq.req, ["users"]);
    requireFields(body, ["users"]);
    if (!Array.isArray(body.users) || !body.users.every((u) => typeof u === "string")) {
      throw badRequest("field 'users' must be a list of user names");
    }
    for (const u of body.users as string[]) rq.ctx.users.deleteUser(u);
    return noContent();
  });
  r.get("/api/users/:user", "admin", (rq) => {
    const u = rq.ctx.users.users.get(rq.params.user);
    if (!u) throw objectNotFound();
    return userJson(u);
  });
  r.put("/api/users/:user", "admin", async (rq) => {
    const body = await readJsonBody(rq.req, [
      "password",
      "password_hash",
      "hashing_algorithm",
      "tags",
      "administrator",
      "limits",
      "name",
      "username",
    ]);
    return putUser(rq, body);
  });
  r.delete("/api/users/:user", "admin", (rq) => {
    if (!rq.ctx.users.deleteUser(rq.params.user)) throw objectNotFound();
    return noContent();
  });
  r.get("/api/users/:user/permissions", "admin", (rq) => {
    const name = rq.params.user;
    if (!rq.ctx.users.users.has(name)) throw objectNotFound();
    return listBody(permissionsWhere(rq.ctx, (p) => p.user === name), rq.query, ["vhost", "user"]);
  });
  r.get("/api/users/:user/topic-permissions", "admin", (rq) => {
    if (!rq.ctx.users.users.has(rq.params.user)) throw objectNotFound();
    return [];
  });
}

async function putVHost(rq: ApiRequest): Promise<Response> {
  const body = await readJsonBody(rq.req, [
    "description",
    "tags",
    "default_queue_type",
    "defaultqueuetype",
    "tracing",
    "name",
    "protected_from_deletion",
    "metadata",
  ]);
  // Warren does not trace, but a value that is not a boolean is refused as RabbitMQ refuses it.
  boolField(body, "tracing", false);
  const name = rq.params.vhost;
  if (name === "") throw badRequest("vhost name must not be empty");
  if (rq.ctx.broker.vhost(name)) return noContent();
  rq.ctx.broker.addVHost(name);
  // As RabbitMQ does, the user who creates a vhost over HTTP gets full permissions on it.
  if (!rq.principal.internal && rq.ctx.users.users.has(rq.principal.name)) {
    rq.ctx.users.setPermission(name, rq.principal.name, { configure: ".*", write: ".*", read: ".*" });
  }
  log.info("vhost created", { vhost: name, user: rq.principal.name });
  return created();
}

function registerVHostRoutes(r: Router): void {
  r.get("/api/vhosts", "user", (rq) => {
    const names = visibleVHosts(rq.principal, rq.ctx.users, rq.ctx.broker.vhosts.keys());
    const items = names.map((n) => vhostJson(rq.ctx, existingVHost(rq.ctx, n)));
    return listBody(items, rq.query, ["name"]);
  });
  // RabbitMQ 3.10 shows one vhost to administrators only ("Not administrator user"), though it lists them to all.
  r.get("/api/vhosts/:vhost", "admin", (rq) => {
    const v = rq.ctx.broker.vhost(rq.params.vhost);
    if (!v) throw objectNotFound();
    return vhostJson(rq.ctx, v, rq.query);
  });
  r.put("/api/vhosts/:vhost", "admin", putVHost);
  r.delete("/api/vhosts/:vhost", "admin", (rq) => {
    if (!deleteVHost(rq.ctx, rq.params.vhost)) throw objectNotFound();
    return noContent();
  });
  r.get("/api/vhosts/:vhost/permissions", "admin", (rq) => {
    const name = rq.params.vhost;
    if (!rq.ctx.broker.vhost(name)) throw objectNotFound();
    return listBody(permissionsWhere(rq.ctx, (p) => p.vhost === name), rq.query, ["vhost", "user"]);
  });
  r.get("/api/vhosts/:vhost/topic-permissions", "admin", (rq) => {
    if (!rq.ctx.broker.vhost(rq.params.vhost)) throw objectNotFound();
    return [];
  });
}

async function putPermission(rq: ApiRequest): Promise<Response> {
  const { vhost, user } = rq.params;
  const body = await readJsonBody(rq.req, ["configure", "write", "read", "user", "vhost", "username"]);
  if (!rq.ctx.broker.vhost(vhost) || !rq.ctx.users.users.has(user)) {
    throw badRequest("vhost_or_user_not_found");
  }
  requireFields(body, ["configure", "write", "read"]);
  const perm = { configure: "", write: "", read: "" };
  for (const k of ["configure", "write", "read"] as const) {
    const v = body[k];
    if (typeof v !== "string") throw badRequest(`field '${k}' must be a string`);
    try {
      new RegExp(v);
    } catch {
      throw badRequest(`field '${k}': '${v}' is not a valid regular expression`);
    }
    perm[k] = v;
  }
  const existed = rq.ctx.users.permission(vhost, user) !== undefined;
  rq.ctx.users.setPermission(vhost, user, perm);
  return existed ? noContent() : created();
}

function registerPermissionRoutes(r: Router): void {
  r.get(
    "/api/permissions",
    "admin",
    (rq) => listBody(permissionsWhere(rq.ctx, () => true), rq.query, ["vhost", "user"]),
  );
  r.get("/api/topic-permissions", "admin", () => []);
  r.get("/api/permissions/:vhost/:user", "admin", (rq) => {
    const { vhost, user } = rq.params;
    const p = rq.ctx.users.permission(vhost, user);
    if (!p || !rq.ctx.broker.vhost(vhost) || !rq.ctx.users.users.has(user)) throw objectNotFound();
    return permissionJson({ vhost, user, ...p });
  });
  r.put("/api/permissions/:vhost/:user", "admin", putPermission);
  r.delete("/api/permissions/:vhost/:user", "admin", (rq) => {
    const { vhost, user } = rq.params;
    if (!rq.ctx.users.clearPermission(vhost, user)) throw objectNotFound();
    return noContent();
  });
}
