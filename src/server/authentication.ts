// SASL PLAIN and AMQPLAIN for connection.start-ok, with RabbitMQ's refusal
// text (clients and people grep for it) and its loopback_users rule.
import { readTable } from "../amqp/field_table.ts";
import { WireReader } from "../amqp/wire.ts";
import type { User, UserRegistry } from "../auth/users.ts";
import type { NodeCounters } from "../broker/node_counters.ts";

export interface AuthContext {
  readonly users: UserRegistry;
  /** Where attempts are counted (rabbitmq_auth_attempts_*); none in tests that check mechanisms alone. */
  readonly counters?: NodeCounters;
}

export type AuthResult =
  | { ok: true; user: User }
  /** `replyText` without the ACCESS_REFUSED prefix, which the error adds. */
  | { ok: false; username: string; reason: string; replyText: string };

const decoder = new TextDecoder();

function refused(mechanism: string, username: string, reason: string): AuthResult {
  return {
    ok: false,
    username,
    reason,
    replyText: `Login was refused using authentication mechanism ${mechanism}. ` +
      "For details see the broker logfile.",
  };
}

export function isLoopback(hostname: string): boolean {
  return hostname.startsWith("127.") || hostname === "::1" || hostname.startsWith("::ffff:127.");
}

function parseCredentials(mechanism: string, response: Uint8Array): [string, string] | null {
  if (mechanism === "PLAIN") {
    const parts = decoder.decode(response).split("\u0000");
    if (parts.length !== 3) return null;
    return [parts[1], parts[2]];
  }
  if (mechanism === "AMQPLAIN") {
    // A field table's body without its length prefix.
    const framed = new Uint8Array(response.length + 4);
    new DataView(framed.buffer).setUint32(0, response.length);
    framed.set(response, 4);
    try {
      const t = readTable(new WireReader().reset(framed, 0, framed.length));
      if (typeof t.LOGIN !== "string" || typeof t.PASSWORD !== "string") return null;
      return [t.LOGIN, t.PASSWORD];
    } catch {
      return null;
    }
  }
  return null;
}

export function authenticate(
  ctx: AuthContext,
  mechanism: string,
  response: Uint8Array,
  peerHostname: string,
): AuthResult {
  const result = check(ctx, mechanism, response, peerHostname);
  if (ctx.counters) {
    if (result.ok) ctx.counters.authSucceeded++;
    else ctx.counters.authFailed++;
  }
  return result;
}

function check(ctx: AuthContext, mechanism: string, response: Uint8Array, peerHostname: string): AuthResult {
  if (mechanism !== "PLAIN" && mechanism !== "AMQPLAIN") {
    return {
      ok: false,
      username: "",
      reason: `unsupported mechanism ${mechanism}`,
      replyText: `unsupported authentication mechanism '${mechanism}'`,
    };
  }
  const creds = parseCredentials(mechanism, response);
  if (!creds) return refused(mechanism, "", "malformed SASL response");
  const [username, password] = creds;
  const user = ctx.users.authenticate(username, password);
  if (!user) return refused(mechanism, username, "invalid credentials");
  if (ctx.users.loopbackUsers.has(username) && !isLoopback(peerHostname)) {
    return refused(mechanism, username, `user '${username}' can only connect via localhost`);
  }
  return { ok: true, user };
}
