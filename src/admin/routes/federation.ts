// Federation link status in the shape of RabbitMQ's federation management
// plugin: /api/federation-links (every vhost the user may see) and
// /api/federation-links/{vhost}. Upstreams and upstream sets are defined
// through /api/parameters/federation-upstream[-set]/… like any parameter.
import { checkVHostAccess, objectVHosts } from "../auth.ts";
import { listBody } from "../list.ts";
import { vhostOr404 } from "../operations.ts";
import type { Router } from "../router.ts";

const LIST_SORT = ["vhost", "exchange", "queue", "upstream"];

export function registerFederationRoutes(r: Router): void {
  r.get("/api/federation-links", "user", (rq) => {
    const vhosts = new Set(objectVHosts(rq.principal, rq.ctx.users, rq.ctx.broker.vhosts.keys()));
    const items = (rq.ctx.node.federation?.status() ?? []).filter((s) => vhosts.has(s.vhost));
    return listBody(items as unknown as Record<string, unknown>[], rq.query, LIST_SORT);
  });
  r.get("/api/federation-links/:vhost", "user", (rq) => {
    const v = vhostOr404(rq.ctx, rq.params.vhost);
    checkVHostAccess(rq.principal, rq.ctx.users, v.name);
    const items = rq.ctx.node.federation?.status(v.name) ?? [];
    return listBody(items as unknown as Record<string, unknown>[], rq.query, LIST_SORT);
  });
}
