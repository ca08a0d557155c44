// Runtime parameters, operator policies and vhost limits: the paths exist
// as in RabbitMQ, so its tools (rabbitmqadmin `list parameters`, `list
// vhost_limits`, definitions round trips) get the lists they expect. Warren
// has no parameter component, operator policies or vhost limits, so the
// lists are empty and a write is refused with a 400 that says so, in
// RabbitMQ's "Validation failed" form.
import { checkVHostAccess } from "../auth.ts";
import { ApiError, badRequest, objectNotFound } from "../http.ts";
import { listBody } from "../list.ts";
import { vhostOr404 } from "../operations.ts";
import type { ApiRequest, Router } from "../router.ts";

/** The vhost a per-vhost path names, 404 when missing (as RabbitMQ answers). */
function checkedVHost(rq: ApiRequest): void {
  const v = vhostOr404(rq.ctx, rq.params.vhost);
  checkVHostAccess(rq.principal, rq.ctx.users, v.name);
}

function emptyList(rq: ApiRequest): unknown {
  return listBody([], rq.query, ["vhost", "name"]);
}

function vhostNotFound(rq: ApiRequest): void {
  if (!rq.ctx.broker.vhost(rq.params.vhost)) throw new ApiError(404, "not_found", "vhost_not_found");
}

/** rabbit_vhost_limit's known limits; others get its "Unrecognised terms" text. */
const VHOST_LIMITS = new Set(["max-connections", "max-queues"]);

export function registerRuntimeParameterRoutes(r: Router): void {
  r.get("/api/parameters", "user", emptyList);
  r.get("/api/parameters/:component", "user", emptyList);
  r.get("/api/parameters/:component/:vhost", "user", (rq) => {
    checkedVHost(rq);
    return emptyList(rq);
  });
  r.get("/api/parameters/:component/:vhost/:name", "user", (rq) => {
    checkedVHost(rq);
    throw objectNotFound();
  });
  r.put("/api/parameters/:component/:vhost/:name", "user", (rq) => {
    vhostNotFound(rq);
    throw badRequest(`Validation failed\n\ncomponent ${rq.params.component} not found\n`);
  });
  r.delete("/api/parameters/:component/:vhost/:name", "user", (rq) => {
    checkedVHost(rq);
    throw objectNotFound();
  });

  r.get("/api/operator-policies", "user", emptyList);
  r.get("/api/operator-policies/:vhost", "user", (rq) => {
    checkedVHost(rq);
    return emptyList(rq);
  });
  r.get("/api/operator-policies/:vhost/:name", "user", (rq) => {
    checkedVHost(rq);
    throw objectNotFound();
  });
  r.put("/api/operator-policies/:vhost/:name", "admin", (rq) => {
    vhostNotFound(rq);
    throw badRequest("Validation failed\n\noperator policies are not supported by Warren\n");
  });
  r.delete("/api/operator-policies/:vhost/:name", "admin", (rq) => {
    checkedVHost(rq);
    throw objectNotFound();
  });

  r.get("/api/vhost-limits", "user", emptyList);
  r.get("/api/vhost-limits/:vhost", "user", (rq) => {
    checkedVHost(rq);
    return emptyList(rq);
  });
  r.put("/api/vhost-limits/:vhost/:name", "admin", (rq) => {
    vhostNotFound(rq);
    const name = rq.params.name;
    if (!VHOST_LIMITS.has(name)) {
      throw badRequest(`Validation failed\n\nUnrecognised terms [{<<"${name}">>,...}] in limits\n`);
    }
    throw badRequest(`Validation failed\n\nvhost limits (${name}) are not supported by Warren\n`);
  });
  r.delete("/api/vhost-limits/:vhost/:name", "admin", (rq) => {
    checkedVHost(rq);
    throw objectNotFound();
  });
}
