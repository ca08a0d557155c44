// Policies: /api/policies, per vhost and by name, in RabbitMQ's shapes. As
// in RabbitMQ, administrators may manage every vhost's policies and
// policymakers those of the vhosts they can log into; setting or clearing
// one applies it to matching queues and exchanges at once.
import { AmqpError } from "../../amqp/errors.ts";
import { type Policy, type PolicyApplyTo, validatePolicy } from "../../broker/policies.ts";
import type { VHost } from "../../broker/vhost.ts";
import { checkVHostAccess, isPolicymaker, objectVHosts, type Principal } from "../auth.ts";
import { policyJson } from "../format.ts";
import {
  ApiError,
  badRequest,
  created,
  type JsonObject,
  noContent,
  notAuthorised,
  objectField,
  objectNotFound,
  readJsonBody,
  requireFields,
  stringField,
} from "../http.ts";
import { listBody } from "../list.ts";
import { existingVHost, vhostOr404 } from "../operations.ts";
import type { ApiRequest, Router } from "../router.ts";

/** Fields a PUT body may carry: RabbitMQ's UI sends vhost and name along with the policy. */
export const POLICY_PUT_FIELDS = ["pattern", "definition", "priority", "apply-to", "vhost", "name"];

/** is_authorized_policies: administrators, or policymakers (checked per vhost where there is one). */
function checkPolicymaker(p: Principal): void {
  if (!isPolicymaker(p) && !p.internal) throw notAuthorised("User not authorised to access object");
}

function policyVHost(rq: ApiRequest): VHost {
  checkPolicymaker(rq.principal);
  const v = vhostOr404(rq.ctx, rq.params.vhost);
  checkVHostAccess(rq.principal, rq.ctx.users, v.name);
  return v;
}

/** RabbitMQ's policy priority check: a JSON number, not a numeric string (the broker wants an integer). */
function priorityField(body: JsonObject): number {
  const v = body.priority;
  if (v === undefined || v === null) return 0;
  if (typeof v !== "number") {
    const shown = typeof v === "string" ? `<<${JSON.stringify(v)}>>` : JSON.stringify(v);
    throw badRequest(`Validation failed\n\npriority should be a number, actually was ${shown}`);
  }
  return v;
}

/** RabbitMQ lists policies by priority, lowest first. */
const LIST_SORT = ["priority", "vhost", "name"];

/**
 * A policy from its JSON form (a PUT body or a definitions entry), checked
 * as RabbitMQ checks it; `where` prefixes the 400 reasons.
 */
export function parsePolicy(vhost: string, name: string, body: JsonObject, where = ""): Policy {
  const prefix = where === "" ? "" : `${where}: `;
  try {
    requireFields(body, ["pattern", "definition"]);
    const policy: Policy = {
      vhost,
      name,
      pattern: stringField(body, "pattern"),
      applyTo: stringField(body, "apply-to", "all") as PolicyApplyTo,
      priority: priorityField(body),
      definition: objectField(body, "definition"),
    };
    if (Object.keys(policy.definition).length === 0) {
      throw badRequest("Validation failed\n\nno policy provided");
    }
    validatePolicy(policy);
    return policy;
  } catch (e) {
    if (e instanceof AmqpError) throw badRequest(`${prefix}${e.message}`);
    if (e instanceof ApiError) throw new ApiError(e.status, e.error, `${prefix}${e.message}`);
    throw e;
  }
}

export function registerPolicyRoutes(r: Router): void {
  // Listing policies is open to every management user, for the vhosts they may access (RabbitMQ 3.10).
  r.get("/api/policies", "user", (rq) => {
    const names = objectVHosts(rq.principal, rq.ctx.users, rq.ctx.broker.vhosts.keys());
    const items = names.flatMap((n) => existingVHost(rq.ctx, n).policies.list()).map(policyJson);
    return listBody(items, rq.query, LIST_SORT);
  });
  r.get("/api/policies/:vhost", "user", (rq) => {
    const v = vhostOr404(rq.ctx, rq.params.vhost);
    checkVHostAccess(rq.principal, rq.ctx.users, v.name);
    return listBody(v.policies.list().map(policyJson), rq.query, LIST_SORT);
  });
  r.get("/api/policies/:vhost/:name", "user", (rq) => {
    const p = policyVHost(rq).policies.get(rq.params.name);
    if (!p) throw objectNotFound();
    return policyJson(p);
  });
  r.put("/api/policies/:vhost/:name", "user", async (rq) => {
    checkPolicymaker(rq.principal);
    if (!rq.ctx.broker.vhost(rq.params.vhost)) throw new ApiError(404, "not_found", "vhost_not_found");
    const v = policyVHost(rq);
    const body = await readJsonBody(rq.req, POLICY_PUT_FIELDS);
    const policy = parsePolicy(v.name, rq.params.name, body);
    const existed = v.policies.get(policy.name) !== undefined;
    try {
      v.setPolicy(policy);
    } catch (e) {
      if (e instanceof AmqpError) throw badRequest(e.message);
      throw e;
    }
    return existed ? noContent() : created();
  });
  r.delete("/api/policies/:vhost/:name", "user", (rq) => {
    if (!policyVHost(rq).clearPolicy(rq.params.name)) throw objectNotFound();
    return noContent();
  });
}
