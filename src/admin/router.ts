// Path routing for the management API. Paths are split on "/" before
// decoding, so a vhost named "/" arrives as the one segment "%2F".
import type { Principal } from "./auth.ts";
import type { AdminContext } from "./context.ts";
import { badRequest } from "./http.ts";

/**
 * Who may call a route, before any per-vhost check: "public" needs no
 * credentials, "user" any management user, "monitor" monitoring or
 * administrator, "admin" administrator.
 */
export type Access = "public" | "user" | "monitor" | "admin";

export interface ApiRequest {
  readonly req: Request;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Undefined on public routes. */
  readonly principal: Principal;
  readonly ctx: AdminContext;
}

/** A Response as is, or any other value as a 200 JSON body. */
export type Handler = (rq: ApiRequest) => unknown;

export interface Route {
  method: string;
  parts: string[];
  access: Access;
  handler: Handler;
}

/** Path parameters that name exchanges; "amq.default" in a URL means the default exchange "". */
const EXCHANGE_PARAMS = new Set(["exchange", "source"]);

export class Router {
  readonly routes: Route[] = [];

  add(method: string, pattern: string, access: Access, handler: Handler): void {
    this.routes.push({ method, parts: pattern.split("/").filter((p) => p !== ""), access, handler });
  }

  get(pattern: string, access: Access, handler: Handler): void {
    this.add("GET", pattern, access, handler);
  }
  put(pattern: string, access: Access, handler: Handler): void {
    this.add("PUT", pattern, access, handler);
  }
  post(pattern: string, access: Access, handler: Handler): void {
    this.add("POST", pattern, access, handler);
  }
  delete(pattern: string, access: Access, handler: Handler): void {
    this.add("DELETE", pattern, access, handler);
  }

  /**
   * The route for a method and raw path with its decoded parameters; a
   * route with `method` null means the path exists under other methods
   * (those are listed in `allowed`).
   */
  match(
    method: string,
    rawPath: string,
  ): { route: Route; params: Record<string, string> } | { route: null; allowed: string[] } | null {
    const segments = rawPath.split("/").filter((p) => p !== "");
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = matchParts(route.parts, segments);
      if (params === null) continue;
      if (route.method === method || (method === "HEAD" && route.method === "GET")) return { route, params };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { route: null, allowed } : null;
  }
}

function matchParts(parts: string[], segments: string[]): Record<string, string> | null {
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.startsWith(":")) {
      let value: string;
      try {
        value = decodeURIComponent(segments[i]);
      } catch {
        throw badRequest(`malformed percent-encoding in path segment '${segments[i]}'`);
      }
      const name = p.slice(1);
      params[name] = EXCHANGE_PARAMS.has(name) && value === "amq.default" ? "" : value;
    } else if (p !== segments[i]) {
      return null;
    }
  }
  return params;
}
