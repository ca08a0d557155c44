// Runtime parameters (/api/parameters, per component, vhost and name) and
// global parameters, in RabbitMQ's shapes and with its access rules:
// parameters are for policymakers (and administrators) on the vhosts they
// may use; global parameters for policymakers too (RabbitMQ 3.10 checks the
// same tags for both). Validation failures are
// 400s worded by the component, HTML-escaped as RabbitMQ's management
// plugin sends them. Operator policies and vhost limits, which Warren does
// not have, answer empty lists and refuse writes in RabbitMQ's form.
import { ParameterValidationError } from "../../broker/runtime_parameters.ts";
import { checkVHostAccess, isPolicymaker, objectVHosts, type Principal } from "../auth.ts";
import {
  ApiError,
  badRequest,
  created,
  noContent,
  notAuthorised,
  objectNotFound,
  readJsonBody,
  requireFields,
} from "../http.ts";
import { listBody } from "../list.ts";
import { vhostOr404 } from "../operations.ts";
import type { ApiRequest, Router } from "../router.ts";
import { parameterJson } from "../format.ts";

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

const LIST_SORT = ["vhost", "component", "name"];

/** is_authorized_policies: runtime parameters are policymakers' business. */
function checkPolicymaker(p: Principal): void {
  if (!isPolicymaker(p) && !p.internal) throw notAuthorised("User not authorised to access object");
}

/** rabbit_mgmt_util:bad_request escapes the reason as HTML, so RabbitMQ's clients see "&lt;&lt;". */
export function escapeReason(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

export function validationFailed(e: ParameterValidationError): ApiError {
  return badRequest(escapeReason(e.message));
}

function parameterList(rq: ApiRequest, filter: { component?: string; vhost?: string }): unknown {
  checkPolicymaker(rq.principal);
  const vhosts = new Set(objectVHosts(rq.principal, rq.ctx.users, rq.ctx.broker.vhosts.keys()));
  const items = rq.ctx.broker.parameters.list(filter).filter((p) => vhosts.has(p.vhost)).map(parameterJson);
  return listBody(items, rq.query, LIST_SORT);
}

function registerParameterRoutes(r: Router): void {
  r.get("/api/parameters", "user", (rq) => parameterList(rq, {}));
  r.get("/api/parameters/:component", "user", (rq) => parameterList(rq, { component: rq.params.component }));
  r.get("/api/parameters/:component/:vhost", "user", (rq) => {
    checkPolicymaker(rq.principal);
    checkedVHost(rq);
    return parameterList(rq, { component: rq.params.component, vhost: rq.params.vhost });
  });
  r.get("/api/parameters/:component/:vhost/:name", "user", (rq) => {
    checkPolicymaker(rq.principal);
    checkedVHost(rq);
    const p = rq.ctx.broker.parameters.get(rq.params.component, rq.params.vhost, rq.params.name);
    if (!p) throw objectNotFound();
    return parameterJson(p);
  });
  r.put("/api/parameters/:component/:vhost/:name", "user", async (rq) => {
    checkPolicymaker(rq.principal);
    vhostNotFound(rq);
    checkedVHost(rq);
    const body = await readJsonBody(rq.req, ["value"]);
    requireFields(body, ["value"]);
    const { component, vhost, name } = rq.params;
    try {
      const user = rq.principal.internal ? null : rq.principal.name;
      return rq.ctx.broker.parameters.set(component, vhost, name, body.value, user) ? created() : noContent();
    } catch (e) {
      if (e instanceof ParameterValidationError) throw validationFailed(e);
      throw e;
    }
  });
  r.delete("/api/parameters/:component/:vhost/:name", "user", (rq) => {
    checkPolicymaker(rq.principal);
    checkedVHost(rq);
    if (!rq.ctx.broker.parameters.clear(rq.params.component, rq.params.vhost, rq.params.name)) {
      throw objectNotFound();
    }
    return noContent();
  });
}

function registerGlobalParameterRoutes(r: Router): void {
  r.get("/api/global-parameters", "user", (rq) => {
    checkPolicymaker(rq.principal);
    const items = rq.ctx.broker.parameters.listGlobal().map((g) => ({ name: g.name, value: g.value }));
    return listBody(items, rq.query, ["name"]);
  });
  r.get("/api/global-parameters/:name", "user", (rq) => {
    checkPolicymaker(rq.principal);
    const g = rq.ctx.broker.parameters.getGlobal(rq.params.name);
    if (!g) throw objectNotFound();
    return { value: g.value, name: g.name };
  });
  r.put("/api/global-parameters/:name", "user", async (rq) => {
    checkPolicymaker(rq.principal);
    const body = await readJsonBody(rq.req, ["value"]);
    requireFields(body, ["value"]);
    return rq.ctx.broker.parameters.setGlobal(rq.params.name, body.value) ? created() : noContent();
  });
  r.delete("/api/global-parameters/:name", "user", (rq) => {
    checkPolicymaker(rq.principal);
    if (!rq.ctx.broker.parameters.clearGlobal(rq.params.name)) throw objectNotFound();
    return noContent();
  });
}

export function registerRuntimeParameterRoutes(r: Router): void {
  registerParameterRoutes(r);
  registerGlobalParameterRoutes(r);

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
