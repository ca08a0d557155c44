// Shovel status and control in the shape of RabbitMQ's shovel management
// plugin: /api/shovels (all, or one vhost's), /api/shovels/vhost/{vhost}/
// {name} (a one-element list, as RabbitMQ answers), deleting a shovel (its
// parameter goes too) and restarting one. Shovels are defined through
// /api/parameters/shovel/… like any runtime parameter.
import type { ShovelSupervisor } from "../../shovel/shovel_supervisor.ts";
import { SHOVEL_COMPONENT } from "../../shovel/shovel_supervisor.ts";
import { checkVHostAccess, objectVHosts } from "../auth.ts";
import { noContent, objectNotFound } from "../http.ts";
import { listBody } from "../list.ts";
import { vhostOr404 } from "../operations.ts";
import type { ApiRequest, Router } from "../router.ts";

const LIST_SORT = ["vhost", "name"];

function supervisor(rq: ApiRequest): ShovelSupervisor | null {
  return rq.ctx.node.shovels ?? null;
}

function checkedVHost(rq: ApiRequest): string {
  const v = vhostOr404(rq.ctx, rq.params.vhost);
  checkVHostAccess(rq.principal, rq.ctx.users, v.name);
  return v.name;
}

export function registerShovelRoutes(r: Router): void {
  r.get("/api/shovels", "user", (rq) => {
    const vhosts = new Set(objectVHosts(rq.principal, rq.ctx.users, rq.ctx.broker.vhosts.keys()));
    const items = (supervisor(rq)?.status() ?? []).filter((s) => vhosts.has(s.vhost));
    return listBody(items as unknown as Record<string, unknown>[], rq.query, LIST_SORT);
  });
  r.get("/api/shovels/:vhost", "user", (rq) => {
    const vhost = checkedVHost(rq);
    return listBody(
      (supervisor(rq)?.status(vhost) ?? []) as unknown as Record<string, unknown>[],
      rq.query,
      LIST_SORT,
    );
  });
  r.get("/api/shovels/vhost/:vhost/:name", "user", (rq) => {
    const vhost = checkedVHost(rq);
    const found = (supervisor(rq)?.status(vhost) ?? []).filter((s) => s.name === rq.params.name);
    if (found.length === 0) throw objectNotFound();
    return found;
  });
  r.delete("/api/shovels/vhost/:vhost/:name", "user", (rq) => {
    const vhost = checkedVHost(rq);
    if (!supervisor(rq)?.get(vhost, rq.params.name)) throw objectNotFound();
    rq.ctx.broker.parameters.clear(SHOVEL_COMPONENT, vhost, rq.params.name);
    return noContent();
  });
  r.delete("/api/shovels/vhost/:vhost/:name/restart", "user", (rq) => {
    const vhost = checkedVHost(rq);
    if (!supervisor(rq)?.restart(vhost, rq.params.name)) throw objectNotFound();
    return noContent();
  });
}
