// Runtime parameters (/api/parameters, per component, vhost and name) and
// global parameters, in RabbitMQ's shapes and with its access rules:
// parameters are for policymakers (and administrators) on the vhosts they
// may use; global parameters for policymakers too (RabbitMQ 3.10 checks the
// same tags for both). Validation failures are
// 400s worded by the component, HTML-escaped as RabbitMQ's management
// plugin sends them. Operator policies and vhost limits are runtime
// parameters too (as in RabbitMQ), with their own paths here.
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
import { parameterJson, policyJson } from "../format.ts";
import { OPERATOR_POLICY_COMPONENT, operatorPolicyOf } from "../../broker/operator_policies.ts";
import { VHOST_LIMITS_COMPONENT, VHOST_LIMITS_NAME } from "../../broker/vhost_limits.ts";
import { POLICY_PUT_FIELDS } from "./policies.ts";

/** The vhost a per-vhost path names, 404 when missing (as RabbitMQ answers). */
function checkedVHost(rq: ApiRequest): void {
  const v = vhostOr404(rq.ctx, rq.params.vhost);
  checkVHostAccess(rq.principal, rq.ctx.users, v.name);
}

function vhostNotFound(rq: ApiRequest): void {
  if (!rq.ctx.broker.vhost(rq.params.vhost)) throw new ApiError(404, "not_found", "vhost_not_found");
}

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

  registerOperatorPolicyRoutes(r);
  registerVHostLimitRoutes(r);
}

/** Operator policies' and limits' 400s are not HTML-escaped: RabbitMQ's handlers for them send the text as is. */
function setParameter(rq: ApiRequest, component: string, name: string, value: unknown): boolean {
  try {
    return rq.ctx.broker.parameters.set(component, rq.params.vhost, name, value);
  } catch (e) {
    if (e instanceof ParameterValidationError) throw badRequest(e.message);
    throw e;
  }
}

/** The operator policies of the vhosts the principal may see, in /api/policies' shape. */
function operatorPolicyList(rq: ApiRequest, vhost?: string): unknown {
  const vhosts = new Set(objectVHosts(rq.principal, rq.ctx.users, rq.ctx.broker.vhosts.keys()));
  const items = rq.ctx.broker.parameters.list({ component: OPERATOR_POLICY_COMPONENT, vhost })
    .filter((p) => vhosts.has(p.vhost))
    .map((p) => operatorPolicyOf(p.vhost, p.name, p.value))
    .filter((p) => typeof p !== "string")
    .map(policyJson);
  return listBody(items, rq.query, ["priority", "vhost", "name"]);
}

/** Operator policies are for administrators only (rabbit_mgmt_wm_operator_policies). */
function registerOperatorPolicyRoutes(r: Router): void {
  r.get("/api/operator-policies", "admin", (rq) => operatorPolicyList(rq));
  r.get("/api/operator-policies/:vhost", "admin", (rq) => {
    checkedVHost(rq);
    return operatorPolicyList(rq, rq.params.vhost);
  });
  r.get("/api/operator-policies/:vhost/:name", "admin", (rq) => {
    checkedVHost(rq);
    const p = rq.ctx.broker.parameters.get(OPERATOR_POLICY_COMPONENT, rq.params.vhost, rq.params.name);
    const policy = p && operatorPolicyOf(p.vhost, p.name, p.value);
    if (!policy || typeof policy === "string") throw objectNotFound();
    return policyJson(policy);
  });
  r.put("/api/operator-policies/:vhost/:name", "admin", async (rq) => {
    vhostNotFound(rq);
    checkedVHost(rq);
    const body = await readJsonBody(rq.req, POLICY_PUT_FIELDS);
    requireFields(body, ["pattern", "definition"]);
    // The component validates it, as rabbit_policy does for an operator_policy parameter.
    const value = {
      pattern: body.pattern,
      definition: body.definition,
      priority: body.priority ?? 0,
      "apply-to": body["apply-to"] ?? "all",
    };
    return setParameter(rq, OPERATOR_POLICY_COMPONENT, rq.params.name, value) ? created() : noContent();
  });
  r.delete("/api/operator-policies/:vhost/:name", "admin", (rq) => {
    checkedVHost(rq);
    if (!rq.ctx.broker.parameters.clear(OPERATOR_POLICY_COMPONENT, rq.params.vhost, rq.params.name)) {
      throw objectNotFound();
    }
    return noContent();
  });
}

/** A vhost's limits as stored, {} when none. */
function limitsValue(rq: ApiRequest, vhost: string): Record<string, unknown> {
  const p = rq.ctx.broker.parameters.get(VHOST_LIMITS_COMPONENT, vhost, VHOST_LIMITS_NAME);
  return (p?.value ?? {}) as Record<string, unknown>;
}

/** Listed like RabbitMQ: {vhost, value} for each vhost that has a limit. */
function limitList(rq: ApiRequest, vhost?: string): unknown {
  const vhosts = new Set(objectVHosts(rq.principal, rq.ctx.users, rq.ctx.broker.vhosts.keys()));
  const items = rq.ctx.broker.parameters.list({ component: VHOST_LIMITS_COMPONENT, vhost })
    .filter((p) => vhosts.has(p.vhost) && p.name === VHOST_LIMITS_NAME)
    .map((p) => ({ vhost: p.vhost, value: p.value }));
  return listBody(items, rq.query, ["vhost"]);
}

/**
 * Limits are set and cleared one at a time (PUT and DELETE answer 204 either
 * way, as RabbitMQ's do); they are kept together in one parameter per vhost.
 */
function registerVHostLimitRoutes(r: Router): void {
  r.get("/api/vhost-limits", "user", (rq) => limitList(rq));
  r.get("/api/vhost-limits/:vhost", "user", (rq) => {
    checkedVHost(rq);
    return limitList(rq, rq.params.vhost);
  });
  r.put("/api/vhost-limits/:vhost/:name", "admin", async (rq) => {
    vhostNotFound(rq);
    const body = await readJsonBody(rq.req, ["value"]);
    requireFields(body, ["value"]);
    const { vhost, name } = rq.params;
    setParameter(rq, VHOST_LIMITS_COMPONENT, VHOST_LIMITS_NAME, {
      ...limitsValue(rq, vhost),
      [name]: body.value,
    });
    return noContent();
  });
  r.delete("/api/vhost-limits/:vhost/:name", "admin", (rq) => {
    checkedVHost(rq);
    const { vhost, name } = rq.params;
    const { [name]: _gone, ...rest } = limitsValue(rq, vhost);
    // RabbitMQ keeps an empty parameter; Warren drops it, so exports carry no empty limits.
    if (Object.keys(rest).length > 0) setParameter(rq, VHOST_LIMITS_COMPONENT, VHOST_LIMITS_NAME, rest);
    else rq.ctx.broker.parameters.clear(VHOST_LIMITS_COMPONENT, vhost, VHOST_LIMITS_NAME);
    return noContent();
  });
}
