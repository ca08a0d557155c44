// The management HTTP listener (RabbitMQ's port 15672): the JSON API under
// /api and the web UI at /. It reads and changes the same model objects as
// the AMQP server. Prometheus metrics have their own listener
// (prometheus/prometheus_server.ts), as with RabbitMQ.
import { logger } from "../log.ts";
import { authenticateRequest, isAdmin, isMonitor, type Principal } from "./auth.ts";
import type { AdminContext, AdminNode, ListenerInfo } from "./context.ts";
import {
  ApiError,
  checkJsonContentType,
  errorResponse,
  jsonResponse,
  notAuthorised,
  objectNotFound,
} from "./http.ts";
import { RATE_SAMPLE_INTERVAL_MS, RateTracker } from "./rates.ts";
import { type ApiRequest, type Route, Router } from "./router.ts";
import { registerAccessRoutes } from "./routes/access.ts";
import { registerClientRoutes } from "./routes/clients.ts";
import { registerNodeRoutes } from "./routes/node.ts";
import { registerObjectRoutes } from "./routes/objects.ts";
import { registerPolicyRoutes } from "./routes/policies.ts";
import { registerRuntimeParameterRoutes } from "./routes/runtime_parameters.ts";
import { registerShovelRoutes } from "./routes/shovels.ts";
import { registerFederationRoutes } from "./routes/federation.ts";
import { sampleCounters } from "./stats.ts";
import { AcceptBackoff } from "../server/accept_loop.ts";
import { UI_HTML } from "./ui/page.ts";

const log = logger("admin");

/** What RabbitMQ's management listener allows on a path it has no handler for. */
const UNKNOWN_PATH_METHODS = "HEAD, GET, OPTIONS";

export interface AdminServerOptions {
  node: AdminNode;
  /** 0 picks a free port. */
  port: number;
  hostname?: string;
  /** The ctl secret accepted as `Authorization: Bearer <secret>` from loopback; null disables it. */
  ctlSecret?: string | null;
  dataDir?: string | null;
  /** cluster_name; "warren" when unset. */
  clusterName?: string;
  /** The effective configuration as rabbitmq.conf keys, for `ctl environment`. */
  environment?: Record<string, string>;
}

export interface AdminServer {
  readonly port: number;
  readonly hostname: string;
  readonly context: AdminContext;
  close(): Promise<void>;
}

function nodeHostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "localhost";
  }
}

function buildRouter(): Router {
  const router = new Router();
  registerNodeRoutes(router);
  registerAccessRoutes(router);
  registerObjectRoutes(router);
  registerPolicyRoutes(router);
  registerClientRoutes(router);
  registerRuntimeParameterRoutes(router);
  registerShovelRoutes(router);
  registerFederationRoutes(router);
  return router;
}

function checkRouteAccess(route: Route, p: Principal): void {
  if (route.access === "admin" && !isAdmin(p)) throw notAuthorised("Not administrator user");
  if (route.access === "monitor" && !isMonitor(p)) throw notAuthorised("Not monitor user");
}

/** The context every handler gets; `httpPort` is read when the listeners are listed. */
function adminContext(
  options: AdminServerOptions,
  rates: RateTracker,
  hostname: string,
  httpPort: () => number,
): AdminContext {
  const node = options.node;
  return {
    node,
    broker: node.broker,
    users: node.users,
    nodeName: `warren@${nodeHostname()}`,
    clusterName: options.clusterName ?? "warren",
    startedAtMs: Date.now(),
    rates,
    dataDir: options.dataDir ?? null,
    environment: options.environment ?? null,
    extraListeners: [],
    listeners(): ListenerInfo[] {
      const out: ListenerInfo[] = [{ protocol: "amqp", ip_address: node.hostname, port: node.port }];
      for (const l of node.extraListeners ?? []) {
        out.push({ protocol: "amqp", ip_address: l.hostname, port: l.port });
      }
      if (node.tlsPort) out.push({ protocol: "amqp/ssl", ip_address: node.hostname, port: node.tlsPort });
      out.push({ protocol: "http", ip_address: hostname, port: httpPort() });
      out.push(...this.extraListeners);
      return out;
    },
  };
}

/** One request: the UI page, or a route after authentication and its access check. */
async function handleRequest(
  router: Router,
  ctx: AdminContext,
  secret: string | null,
  req: Request,
  remoteHost: string,
): Promise<Response> {
  const url = new URL(req.url);
  if (req.method === "GET" || req.method === "HEAD") {
    if (url.pathname === "/" || url.pathname === "/index.html") {
      return new Response(UI_HTML, {
        headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" },
      });
    }
  }
  const match = router.match(req.method, url.pathname);
  if (match === null) {
    // RabbitMQ's catch-all for paths it does not know (such as /metrics, which is on the Prometheus
    // port) takes only GET, HEAD and OPTIONS, and answers other methods before looking for the path.
    if (req.method === "OPTIONS") return new Response(null, { headers: { allow: UNKNOWN_PATH_METHODS } });
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response(null, { status: 405, headers: { allow: UNKNOWN_PATH_METHODS } });
    }
    throw objectNotFound();
  }
  if (match.route === null) {
    return jsonResponse(
      { error: "Method Not Allowed", reason: `${req.method} is not allowed on ${url.pathname}` },
      405,
      { allow: [...new Set(match.allowed)].join(", ") },
    );
  }
  const route = match.route;
  let principal: Principal | undefined;
  if (route.access !== "public") {
    principal = authenticateRequest(req, remoteHost, ctx.users, secret);
    checkRouteAccess(route, principal);
  }
  checkJsonContentType(req);
  const rq: ApiRequest = {
    req,
    url,
    params: match.params,
    query: url.searchParams,
    principal: principal!,
    ctx,
  };
  const result = await route.handler(rq);
  return result instanceof Response ? result : jsonResponse(result);
}

/** An ApiError becomes its JSON answer, anything else a logged 500; HEAD gets the headers only. */
async function answer(req: Request, handle: () => Promise<Response>): Promise<Response> {
  let res: Response;
  try {
    res = await handle();
  } catch (e) {
    if (e instanceof ApiError) res = errorResponse(e);
    else {
      log.error("request failed", {
        method: req.method,
        url: req.url,
        error: String((e as Error)?.stack ?? e),
      });
      res = errorResponse(new ApiError(500, "internal_server_error", String((e as Error)?.message ?? e)));
    }
  }
  if (req.method === "HEAD") return new Response(null, { status: res.status, headers: res.headers });
  return res;
}

/** Starts the listener; throws Deno.errors.AddrInUse when the port is taken. */
export function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const hostname = options.hostname ?? "0.0.0.0";
  const router = buildRouter();
  const rates = new RateTracker();
  let httpPort = options.port;
  const node = options.node;
  const ctx = adminContext(options, rates, hostname, () => httpPort);
  const secret = options.ctlSecret ?? null;
  const onRequest = (req: Request, info: Deno.ServeHandlerInfo): Promise<Response> => {
    const remoteHost = (info.remoteAddr as Deno.NetAddr).hostname;
    return answer(req, () => handleRequest(router, ctx, secret, req, remoteHost));
  };

  let closed = false;
  // Deno.serve stops serving when accept() fails (EMFILE when the node is out
  // of file descriptors) and rejects `finished`; unhandled, that would end the
  // whole process. Listen again on the same port, backing off while it fails.
  const backoff = new AcceptBackoff("http", log);
  const listen = (port: number) => {
    const s = Deno.serve({ port, hostname, onListen: () => {} }, (req, info) => {
      backoff.succeeded();
      return onRequest(req, info);
    });
    s.finished.catch((e) => relisten(e));
    return s;
  };
  const relisten = async (e: unknown) => {
    while (!closed) {
      await backoff.failed(e);
      if (closed) return;
      try {
        server = listen(httpPort);
        return;
      } catch (again) {
        e = again;
      }
    }
  };
  let server = listen(options.port);
  httpPort = server.addr.port;

  const sample = () => sampleCounters(node.broker, rates, node.connections);
  sample();
  const timer = setInterval(sample, RATE_SAMPLE_INTERVAL_MS);
  Deno.unrefTimer(timer);

  log.info("listener up", { protocol: "http", hostname, port: httpPort });
  return Promise.resolve({
    port: httpPort,
    hostname,
    context: ctx,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await server.shutdown().catch(() => {});
      log.info("listener down", { protocol: "http", port: httpPort });
    },
  });
}
