// The node as a whole: /api/overview, /api/whoami, /api/nodes, health
// checks and /api/definitions.
import { VERSION } from "../../version.ts";
import { memoryInUseBytes } from "../../server/alarms.ts";
import { checkVHostAccess, isMonitor, visibleVHosts } from "../auth.ts";
import type { AdminContext, ListenerInfo } from "../context.ts";
import { exportDefinitions, importDefinitions, RABBITMQ_COMPAT_VERSION } from "../definitions.ts";
import { BackupError } from "../../store/store.ts";
import {
  ApiError,
  badRequest,
  jsonResponse,
  noContent,
  notAuthorised,
  readJsonBody,
  stringField,
} from "../http.ts";
import { existingVHost, vhostOr404 } from "../operations.ts";
import type { ApiRequest, Router } from "../router.ts";
import { COUNTER_COUNT, messageStats, queueTotals, statsHistory, vhostCounters } from "../stats.ts";
import { openConnections } from "./clients.ts";

const EXCHANGE_TYPES = ["direct", "fanout", "headers", "topic"].map((name) => ({
  name,
  description: `AMQP ${name} exchange, as per the AMQP specification`,
  enabled: true,
}));

function listenersJson(ctx: AdminContext): Record<string, unknown>[] {
  return ctx.listeners().map((l) => ({
    node: ctx.nodeName,
    protocol: l.protocol,
    ip_address: l.ip_address,
    port: l.port,
    socket_opts: {},
  }));
}

function httpListener(ctx: AdminContext): ListenerInfo | undefined {
  return ctx.listeners().find((l) => l.protocol === "http");
}

function overview(rq: ApiRequest): Record<string, unknown> {
  const { ctx, principal } = rq;
  const names = visibleVHosts(principal, ctx.users, ctx.broker.vhosts.keys());
  const c = new Array<number>(COUNTER_COUNT).fill(0);
  const r = new Array<number>(COUNTER_COUNT).fill(0);
  let queues = 0;
  let exchanges = 0;
  for (const name of names) {
    const v = existingVHost(ctx, name);
    const vc = vhostCounters(v);
    const vr = ctx.rates.rates(v, vc);
    for (let i = 0; i < COUNTER_COUNT; i++) {
      c[i] += vc[i];
      r[i] += vr[i];
    }
    queues += v.queues.size;
    exchanges += v.exchanges.size;
  }
  const visible = new Set(names);
  // Summed over the vhosts this user sees, like the totals above.
  const history = statsHistory(ctx.rates, names.map((n) => existingVHost(ctx, n)), rq.query);
  const conns = openConnections(ctx).filter((x) =>
    visible.has(x.vhost.name) &&
    (isMonitor(principal) || principal.internal || x.user.name === principal.name)
  );
  let channels = 0;
  let consumers = 0;
  for (const conn of conns) {
    channels += conn.channels.size;
    for (const ch of conn.channels.values()) consumers += ch.consumers.size;
  }
  const http = httpListener(ctx);
  return {
    management_version: RABBITMQ_COMPAT_VERSION,
    rates_mode: "basic",
    sample_retention_policies: { global: [600, 3600, 28800, 86400], basic: [600, 3600], detailed: [600] },
    exchange_types: EXCHANGE_TYPES,
    product_version: VERSION,
    product_name: "Warren",
    rabbitmq_version: RABBITMQ_COMPAT_VERSION,
    cluster_name: ctx.clusterName,
    erlang_version: `Deno ${Deno.version.deno}`,
    erlang_full_version:
      `Deno ${Deno.version.deno} (V8 ${Deno.version.v8}, TypeScript ${Deno.version.typescript})`,
    release_series_support_status: "supported",
    disable_stats: false,
    is_op_policy_updating_enabled: false,
    enable_queue_totals: true,
    message_stats: messageStats(c, r, history),
    queue_totals: queueTotals(c, r, history),
    object_totals: { channels, connections: conns.length, consumers, exchanges, queues },
    statistics_db_event_queue: 0,
    node: ctx.nodeName,
    listeners: listenersJson(ctx),
    contexts: http
      ? [{ node: ctx.nodeName, description: "RabbitMQ Management", path: "/", port: String(http.port) }]
      : [],
  };
}

function nodeJson(ctx: AdminContext): Record<string, unknown> {
  const alarms = ctx.node.alarms ?? null;
  const active = alarms ? alarms.active : new Set<string>();
  return {
    name: ctx.nodeName,
    type: "disc",
    running: true,
    being_drained: false,
    os_pid: String(Deno.pid),
    uptime: Date.now() - ctx.startedAtMs,
    // What the memory alarm compares with mem_limit: heap in use and external buffers, not RSS.
    mem_used: memoryInUseBytes(),
    mem_limit: alarms ? alarms.memoryLimitBytes : 0,
    mem_alarm: active.has("memory"),
    disk_free_limit: alarms ? alarms.limits.diskFreeLimitBytes : 0,
    disk_free_alarm: active.has("disk"),
    fd_used: 0,
    fd_total: 0,
    sockets_used: ctx.node.connections.size,
    sockets_total: 0,
    proc_used: 0,
    proc_total: 0,
    processors: navigator.hardwareConcurrency,
    run_queue: 0,
    rates_mode: "basic",
    partitions: [],
    exchange_types: EXCHANGE_TYPES,
    auth_mechanisms: [
      { name: "PLAIN", description: "SASL PLAIN authentication mechanism", enabled: true },
      { name: "AMQPLAIN", description: "QPid AMQPLAIN mechanism", enabled: true },
    ],
    enabled_plugins: ["rabbitmq_management", "rabbitmq_prometheus"],
    listeners: listenersJson(ctx),
    data_directory: ctx.dataDir,
    product_name: "Warren",
    product_version: VERSION,
    rabbitmq_version: RABBITMQ_COMPAT_VERSION,
    runtime: `Deno ${Deno.version.deno}`,
    os: Deno.build.os,
  };
}

function alarmCheck(ctx: AdminContext): Response {
  const active = ctx.node.alarms ? [...ctx.node.alarms.active] : [];
  if (active.length === 0) return jsonResponse({ status: "ok" });
  return jsonResponse({
    status: "failed",
    reason: "There are alarms in effect in the cluster",
    alarms: active.map((resource) => ({ node: ctx.nodeName, resource })),
  }, 503);
}

export function registerNodeRoutes(r: Router): void {
  r.get("/api/overview", "user", overview);
  r.get("/api/whoami", "user", (rq) => ({
    name: rq.principal.name,
    tags: [...rq.principal.tags],
    is_internal_user: !rq.principal.internal,
  }));
  r.get("/api/cluster-name", "user", (rq) => ({ name: rq.ctx.clusterName }));
  r.get("/api/extensions", "user", () => []);
  r.get("/api/auth", "public", () => ({ oauth_enabled: false }));
  r.get("/api/nodes", "monitor", (rq) => [nodeJson(rq.ctx)]);
  // Warren's own: the node's effective configuration, for `ctl environment`.
  r.get("/api/nodes/:node/environment", "admin", (rq) => {
    if (rq.params.node !== rq.ctx.nodeName) throw new ApiError(404, "Object Not Found", "Not Found");
    return { node: rq.ctx.nodeName, environment: rq.ctx.environment ?? {} };
  });
  r.get("/api/nodes/:node", "monitor", (rq) => {
    if (rq.params.node !== rq.ctx.nodeName) throw new ApiError(404, "Object Not Found", "Not Found");
    return nodeJson(rq.ctx);
  });
  registerHealthCheckRoutes(r);
  registerDefinitionRoutes(r);
  registerBackupRoutes(r);
}

function registerHealthCheckRoutes(r: Router): void {
  r.get("/api/health/checks/alarms", "user", (rq) => alarmCheck(rq.ctx));
  r.get("/api/health/checks/local-alarms", "user", (rq) => alarmCheck(rq.ctx));
  r.get("/api/health/checks/virtual-hosts", "user", () => ({ status: "ok" }));
  r.get("/api/health/checks/node-is-quorum-critical", "user", () => ({ status: "ok" }));
  r.get("/api/health/checks/port-listener/:port", "user", (rq) => {
    if (!/^\d+$/.test(rq.params.port)) throw badRequest("Invalid port");
    const port = Number(rq.params.port);
    const ports = rq.ctx.listeners().map((l) => l.port);
    if (ports.includes(port)) return { status: "ok", port };
    return jsonResponse({ status: "failed", reason: "No active listener", missing: port, ports }, 503);
  });
  r.get("/api/health/checks/protocol-listener/:protocol", "user", (rq) => {
    const wanted = rq.params.protocol.toLowerCase();
    const aliases: Record<string, string> = { amqp091: "amqp", "amqp0.9.1": "amqp", "amqp0-9-1": "amqp" };
    const protocol = aliases[wanted] ?? wanted;
    const protocols = rq.ctx.listeners().map((l) => l.protocol as string);
    if (protocols.includes(protocol)) return { status: "ok", protocol };
    return jsonResponse(
      { status: "failed", reason: "No active listener", missing: protocol, protocols },
      503,
    );
  });
  r.get("/api/aliveness-test/:vhost", "user", (rq) => {
    const v = vhostOr404(rq.ctx, rq.params.vhost);
    checkVHostAccess(rq.principal, rq.ctx.users, v.name);
    if (!rq.principal.internal && !rq.ctx.users.canAccessVHost(rq.principal.name, v.name)) {
      throw notAuthorised("Access refused.");
    }
    return { status: "ok" };
  });
}

function registerDefinitionRoutes(r: Router): void {
  const exportHandler = (rq: ApiRequest) => {
    const vhost = rq.params.vhost ?? null;
    if (vhost !== null && !rq.ctx.broker.vhost(vhost)) throw badRequest("vhost_not_found");
    const headers: Record<string, string> = {};
    const download = rq.query.get("download");
    if (download && /^[\w.\-]+$/.test(download)) {
      headers["content-disposition"] = `attachment; filename=${download}`;
    }
    return jsonResponse(exportDefinitions(rq.ctx, vhost), 200, headers);
  };
  const importHandler = async (rq: ApiRequest) => {
    const vhost = rq.params.vhost ?? null;
    if (vhost !== null) vhostOr404(rq.ctx, vhost);
    importDefinitions(rq.ctx, await readJsonBody(rq.req, null), vhost);
    return noContent();
  };
  r.get("/api/definitions", "admin", exportHandler);
  r.post("/api/definitions", "admin", importHandler);
  r.get("/api/definitions/:vhost", "admin", exportHandler);
  r.post("/api/definitions/:vhost", "admin", importHandler);
}

function registerBackupRoutes(r: Router): void {
  // Writes a file wherever the node's user may: an administrator's power only.
  r.post("/api/backup", "admin", async (rq) => {
    const file = stringField(await readJsonBody(rq.req, ["file"]), "file");
    try {
      const done = await rq.ctx.broker.store.backup(file);
      return jsonResponse({ file: done.file, bytes: done.bytes, duration_ms: done.ms });
    } catch (e) {
      if (e instanceof BackupError) throw badRequest(e.message);
      throw e;
    }
  });
  r.get("/api/backup", "admin", (rq) => {
    const p = rq.ctx.broker.store.backupProgress;
    if (p === null) return jsonResponse({ running: false });
    return jsonResponse({
      running: true,
      file: p.file,
      copied_bytes: p.copiedBytes,
      total_bytes: p.totalBytes,
      started_at: p.startedAt,
    });
  });
}
