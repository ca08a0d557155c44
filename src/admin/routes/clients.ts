// Client-side objects: /api/connections, /api/channels, /api/consumers. A
// management user sees their own connections, channels and consumers;
// monitoring and administrators see everyone's, and only administrators
// close other users' connections.
import { type Connection, connectionOf } from "../../server/connection.ts";
import type { Channel } from "../../server/channel.ts";
import { checkVHostAccess, isAdmin, isMonitor, mayAccessVHost, type Principal } from "../auth.ts";
import type { AdminContext } from "../context.ts";
import { channelJson, channelName, connectionJson, connectionName, consumerJson } from "../format.ts";
import { notAuthorised, objectNotFound } from "../http.ts";
import { listBody } from "../list.ts";
import { vhostOr404 } from "../operations.ts";
import type { ApiRequest, Router } from "../router.ts";

/** Connections past connection.open (earlier ones have no user or vhost yet). */
export function openConnections(ctx: AdminContext): Connection[] {
  return [...ctx.node.connections].filter((c) => c.hasOpened);
}

function mayRead(p: Principal, c: Connection): boolean {
  return isMonitor(p) || p.internal || c.user.name === p.name;
}

function mayClose(p: Principal, c: Connection): boolean {
  return isAdmin(p) || p.internal || c.user.name === p.name;
}

/**
 * The connections a list shows: the caller's own unless monitoring or
 * administrator; with a vhost in the path, that vhost's, if the caller may
 * access it.
 */
function connectionsFor(rq: ApiRequest): Connection[] {
  let conns = openConnections(rq.ctx).filter((c) => mayRead(rq.principal, c));
  if (rq.params.vhost !== undefined) {
    const v = vhostOr404(rq.ctx, rq.params.vhost);
    checkVHostAccess(rq.principal, rq.ctx.users, v.name);
    conns = conns.filter((c) => c.vhost.name === v.name);
  } else if (!isMonitor(rq.principal) && !rq.principal.internal) {
    conns = conns.filter((c) => mayAccessVHost(rq.principal, rq.ctx.users, c.vhost.name));
  }
  return conns;
}

/**
 * The connections whose consumers a list shows: as for connections, the
 * caller's own unless monitoring or administrator, but a vhost the caller
 * may not access lists them rather than refusing (RabbitMQ 3.10).
 */
function consumerConnections(rq: ApiRequest): Connection[] {
  const v = rq.params.vhost === undefined ? null : vhostOr404(rq.ctx, rq.params.vhost);
  return openConnections(rq.ctx).filter((c) => mayRead(rq.principal, c) && (v === null || c.vhost === v));
}

function connectionNamed(rq: ApiRequest): Connection {
  const c = openConnections(rq.ctx).find((x) => connectionName(rq.ctx, x) === rq.params.name);
  if (!c) throw objectNotFound();
  if (!mayRead(rq.principal, c)) throw notAuthorised("User not authorised to access object");
  return c;
}

function channelsOf(conns: Connection[]): Channel[] {
  return conns.flatMap((c) => [...c.channels.values()]);
}

export function registerClientRoutes(r: Router): void {
  const listConnections = (rq: ApiRequest) =>
    listBody(connectionsFor(rq).map((c) => connectionJson(rq.ctx, c)), rq.query, ["name"]);
  r.get("/api/connections", "user", listConnections);
  r.get("/api/vhosts/:vhost/connections", "user", listConnections);
  r.get("/api/connections/:name", "user", (rq) => connectionJson(rq.ctx, connectionNamed(rq)));
  r.delete("/api/connections/:name", "user", (rq) => {
    const c = connectionNamed(rq);
    if (!mayClose(rq.principal, c)) throw notAuthorised("User not authorised to access object");
    c.forceClose(rq.req.headers.get("x-reason") ?? "Closed via management plugin");
    return new Response(null, { status: 204 });
  });
  r.get("/api/connections/:name/channels", "user", (rq) => {
    const c = connectionNamed(rq);
    return listBody(channelsOf([c]).map((ch) => channelJson(rq.ctx, ch)), rq.query, ["name"]);
  });

  const listChannels = (rq: ApiRequest) =>
    listBody(channelsOf(connectionsFor(rq)).map((ch) => channelJson(rq.ctx, ch)), rq.query, ["name"]);
  r.get("/api/channels", "user", listChannels);
  r.get("/api/vhosts/:vhost/channels", "user", listChannels);
  r.get("/api/channels/:name", "user", (rq) => {
    const ch = channelsOf(openConnections(rq.ctx)).find((x) => channelName(rq.ctx, x) === rq.params.name);
    if (!ch) throw objectNotFound();
    if (!mayRead(rq.principal, connectionOf(ch))) throw notAuthorised("User not authorised to access object");
    return channelJson(rq.ctx, ch);
  });

  const listConsumers = (rq: ApiRequest) => {
    const items = channelsOf(consumerConnections(rq)).flatMap((ch) =>
      [...ch.consumers.values()].map((x) => consumerJson(rq.ctx, x))
    );
    return listBody(items, rq.query, ["consumer_tag"]);
  };
  r.get("/api/consumers", "user", listConsumers);
  r.get("/api/consumers/:vhost", "user", listConsumers);
}
