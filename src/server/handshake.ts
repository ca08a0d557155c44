// The handshake's decisions, apart from the connection's state machine: what
// connection.start and connection.tune offer, who connection.start-ok
// authenticates, and whether connection.open may enter the vhost. Each refusal
// is RabbitMQ's error and text.
import { ConnectionError, REPLY_ACCESS_REFUSED, REPLY_NOT_ALLOWED } from "../amqp/errors.ts";
import { methodSpec } from "../amqp/method_codec.ts";
import type { MethodArgs, MethodArgsOut } from "../amqp/spec.ts";
import type { OpenConnection } from "../broker/connection_admission.ts";
import type { VHost } from "../broker/vhost.ts";
import type { User } from "../auth/users.ts";
import { logger } from "../log.ts";
import { type AuthContext, authenticate } from "./authentication.ts";
import type { ServerLimits } from "./limits.ts";
import { serverProperties } from "./server_properties.ts";

const log = logger("connection");

const START_OK = methodSpec("connection.start-ok");
const OPEN = methodSpec("connection.open");

export interface HandshakeContext extends AuthContext {
  vhostNamed(name: string): VHost | undefined;
}

export function startArgs(clusterName: string): MethodArgsOut<"connection.start"> {
  return {
    versionMajor: 0,
    versionMinor: 9,
    serverProperties: serverProperties(clusterName),
    mechanisms: "PLAIN AMQPLAIN",
    locales: "en_US",
  };
}

/** connection.tune offers the node's limits; the client may lower them at tune-ok (see tune.ts). */
export function tuneArgs(limits: ServerLimits): MethodArgsOut<"connection.tune"> {
  return { channelMax: limits.channelMax, frameMax: limits.frameMaxBytes, heartbeat: limits.heartbeatS };
}

/** The user connection.start-ok's credentials name, or ACCESS_REFUSED. */
export function authenticateStartOk(
  ctx: AuthContext,
  args: MethodArgs<"connection.start-ok">,
  hostname: string,
  peer: string,
): User {
  const result = authenticate(ctx, args.mechanism, args.response, hostname);
  if (result.ok) return result.user;
  log.warning("authentication failed", { peer, user: result.username, reason: result.reason });
  throw new ConnectionError(REPLY_ACCESS_REFUSED, result.replyText, START_OK.classId, START_OK.methodId);
}

/**
 * The vhost connection.open names, once the user may enter it and its
 * connection limit allows one more. `internal` connections enter any vhost
 * and are not counted.
 */
export function admitToVHost(
  ctx: HandshakeContext,
  vhostName: string,
  user: User,
  connection: OpenConnection,
  internal: boolean,
): VHost {
  const vhost = ctx.vhostNamed(vhostName);
  if (!vhost) {
    throw new ConnectionError(REPLY_NOT_ALLOWED, `vhost ${vhostName} not found`, OPEN.classId, OPEN.methodId);
  }
  if (internal) return vhost;
  if (!ctx.users.canAccessVHost(user.name, vhostName)) {
    throw new ConnectionError(
      REPLY_NOT_ALLOWED,
      `access to vhost '${vhostName}' refused for user '${user.name}'`,
      OPEN.classId,
      OPEN.methodId,
    );
  }
  vhost.admitConnection(connection, user.name);
  return vhost;
}
