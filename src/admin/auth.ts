// Who is calling the management API, and what their tags let them do, as
// RabbitMQ's management plugin decides it: HTTP basic auth against the
// user registry, any of administrator/monitoring/policymaker/management to
// get in at all, and every refusal a 401 "not_authorised" with its reason.
// `ctl` on the same machine authenticates with the node's secret file
// instead (a bearer token), as an administrator that is no user.
import { timingSafeEqual } from "node:crypto";
import type { UserRegistry } from "../auth/users.ts";
import { isLoopback } from "../server/authentication.ts";
import { ApiError, notAuthorised } from "./http.ts";

/** The name the ctl secret authenticates as (RabbitMQ's CLI acting user). */
const CLI_ACTING_USER = "rmq-cli";
const AUTH_REALM = 'Basic realm="RabbitMQ Management"';

export interface Principal {
  name: string;
  tags: readonly string[];
  /** Authenticated by the ctl secret: an administrator that bypasses vhost permissions. */
  internal: boolean;
}

const has = (tags: readonly string[], wanted: readonly string[]) => tags.some((t) => wanted.includes(t));

export function isAdmin(p: Principal): boolean {
  return has(p.tags, ["administrator"]);
}

export function isMonitor(p: Principal): boolean {
  return has(p.tags, ["administrator", "monitoring"]);
}

export function isPolicymaker(p: Principal): boolean {
  return has(p.tags, ["administrator", "policymaker"]);
}

function isManagementUser(p: { tags: readonly string[] }): boolean {
  return has(p.tags, ["administrator", "monitoring", "policymaker", "management"]);
}

function notAuthenticated(): ApiError {
  return new ApiError(401, "not_authorized", "Not_Authorized", { "www-authenticate": AUTH_REALM });
}

function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Decodes "Basic base64(user:password)"; the password may itself contain colons. */
function parseBasic(value: string): [string, string] | null {
  const m = value.match(/^Basic\s+(\S+)\s*$/i);
  if (!m) return null;
  let decoded: string;
  try {
    const raw = Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0));
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

/**
 * The caller of a request, or an ApiError: 401 "not_authorized" for missing
 * or wrong credentials, 401 "not_authorised" for a user who may not use the
 * management API at all.
 */
export function authenticateRequest(
  req: Request,
  remoteHost: string,
  users: UserRegistry,
  ctlSecret: string | null,
): Principal {
  const header = req.headers.get("authorization");
  if (!header) throw notAuthenticated();
  const bearer = header.match(/^Bearer\s+(\S+)\s*$/i);
  if (bearer) {
    if (ctlSecret !== null && isLoopback(remoteHost) && sameSecret(bearer[1], ctlSecret)) {
      return { name: CLI_ACTING_USER, tags: ["administrator"], internal: true };
    }
    throw notAuthenticated();
  }
  const creds = parseBasic(header);
  if (!creds) throw notAuthenticated();
  const user = users.authenticate(creds[0], creds[1]);
  if (!user) throw notAuthenticated();
  if (users.loopbackUsers.has(user.name) && !isLoopback(remoteHost)) {
    throw notAuthorised("User can only log in via localhost");
  }
  if (!isManagementUser(user)) throw notAuthorised("Not management user");
  return { name: user.name, tags: [...user.tags], internal: false };
}

/** Vhosts the principal may log into over AMQP (administrators included: RabbitMQ checks this too). */
function loginVHosts(p: Principal, users: UserRegistry, all: Iterable<string>): string[] {
  const names = [...all];
  if (p.internal) return names;
  return names.filter((v) => users.canAccessVHost(p.name, v));
}

/** Vhosts the principal sees in /api/vhosts and the overview's totals: all for monitoring and administrators. */
export function visibleVHosts(p: Principal, users: UserRegistry, all: Iterable<string>): string[] {
  if (isMonitor(p)) return [...all];
  return loginVHosts(p, users, all);
}

/**
 * Vhosts whose queues, exchanges, bindings, consumers and policies the
 * principal's lists show: all for administrators, the vhosts they may log
 * into for everyone else — monitoring included, as RabbitMQ filters them.
 */
export function objectVHosts(p: Principal, users: UserRegistry, all: Iterable<string>): string[] {
  if (isAdmin(p)) return [...all];
  return loginVHosts(p, users, all);
}

/** May the principal read or change objects in the vhost: administrators, or users who may log into it. */
export function mayAccessVHost(p: Principal, users: UserRegistry, vhost: string): boolean {
  return isAdmin(p) || p.internal || users.canAccessVHost(p.name, vhost);
}

/** is_authorized_vhost: administrators, or users who may log into the vhost (monitoring is no exception). */
export function checkVHostAccess(p: Principal, users: UserRegistry, vhost: string): void {
  if (!mayAccessVHost(p, users, vhost)) throw notAuthorised("User not authorised to access virtual host");
}
