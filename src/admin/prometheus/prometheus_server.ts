// The Prometheus listener, rabbitmq_prometheus's own port (15692): plain
// text metrics for anyone who can reach the port, with no login and no
// management UI behind it, as RabbitMQ serves them. /metrics is aggregated
// by default, so it names no queue, vhost or user; per-object detail is
// asked for explicitly (/metrics/per-object, /metrics/detailed).
import { logger } from "../../log.ts";
import type { AdminContext, ListenerInfo } from "../context.ts";
import { channelName, connectionName } from "../format.ts";
import { errorResponse, objectNotFound } from "../http.ts";
import { permanentClusterId } from "./cluster_id.ts";
import { detailedMetrics, nodeMetrics } from "./exposition.ts";
import { type NodeIdentity, Scrape } from "./scrape.ts";
import { renderFamilies, TEXT_FORMAT_CONTENT_TYPE } from "./text_format.ts";

const log = logger("prometheus");

export interface PrometheusServerOptions {
  /** The management context: the same node, names and data dir the API reports. */
  context: AdminContext;
  /** 0 picks a free port. */
  port: number;
  hostname?: string;
  /** prometheus.return_per_object_metrics: /metrics answers what /metrics/per-object does. */
  perObjectByDefault?: boolean;
}

export interface PrometheusServer {
  readonly port: number;
  readonly hostname: string;
  close(): Promise<void>;
}

const ALLOWED_METHODS = "HEAD, GET, OPTIONS";

function textResponse(body: string): Response {
  return new Response(body, { headers: { "content-type": TEXT_FORMAT_CONTENT_TYPE } });
}

/** Starts the listener; throws Deno.errors.AddrInUse when the port is taken. */
export function startPrometheusServer(options: PrometheusServerOptions): PrometheusServer {
  const hostname = options.hostname ?? "0.0.0.0";
  const ctx = options.context;
  const identity: NodeIdentity = {
    nodeName: ctx.nodeName,
    clusterName: ctx.clusterName,
    clusterId: permanentClusterId(ctx.dataDir),
    startedAtMs: ctx.startedAtMs,
    dataDir: ctx.dataDir,
    connectionName: (c) => connectionName(ctx, c),
    channelName: (ch) => channelName(ctx, ch),
  };
  const perObjectByDefault = options.perObjectByDefault ?? false;

  const handle = (req: Request): Response => {
    const url = new URL(req.url);
    const path = url.pathname.replace(/\/+$/, "");
    if (path !== "/metrics" && path !== "/metrics/per-object" && path !== "/metrics/detailed") {
      return errorResponse(objectNotFound());
    }
    if (req.method === "OPTIONS") {
      return new Response(null, { status: 200, headers: { allow: ALLOWED_METHODS } });
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response(null, { status: 405, headers: { allow: ALLOWED_METHODS } });
    }
    // RabbitMQ answers a HEAD of a metrics page with 204, without collecting anything.
    if (req.method === "HEAD") return new Response(null, { status: 204 });
    const scrape = new Scrape(ctx.node, identity);
    if (path === "/metrics/detailed") {
      const vhosts = url.searchParams.getAll("vhost");
      const families = new Set(url.searchParams.getAll("family"));
      return textResponse(
        renderFamilies(detailedMetrics(scrape, families, vhosts.length ? new Set(vhosts) : null)),
      );
    }
    if (path === "/metrics/per-object") {
      return textResponse(renderFamilies(nodeMetrics(scrape, "per-object", true)));
    }
    return textResponse(renderFamilies(nodeMetrics(scrape, "metrics", perObjectByDefault)));
  };

  const server = Deno.serve({ port: options.port, hostname, onListen: () => {} }, (req) => {
    let res: Response;
    try {
      res = handle(req);
    } catch (e) {
      log.error("scrape failed", { url: req.url, error: String((e as Error)?.stack ?? e) });
      res = new Response("internal error\n", { status: 500 });
    }
    if (req.method === "HEAD") return new Response(null, { status: res.status, headers: res.headers });
    return res;
  });
  const port = server.addr.port;
  const listener: ListenerInfo = { protocol: "http/prometheus", ip_address: hostname, port };
  ctx.extraListeners.push(listener);
  log.info("listener up", { protocol: "prometheus", hostname, port });
  let closed = false;
  return {
    port,
    hostname,
    async close() {
      if (closed) return;
      closed = true;
      ctx.extraListeners.splice(ctx.extraListeners.indexOf(listener), 1);
      await server.shutdown();
      log.info("listener down", { protocol: "prometheus", port });
    },
  };
}
