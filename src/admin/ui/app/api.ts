// The management HTTP API, as RabbitMQ serves it: Basic auth on every
// request (the credentials live in sessionStorage, never in a cookie), JSON
// in and out, and RabbitMQ's {"error", "reason"} bodies turned into errors.
import { session } from "./session.ts";

export class ApiError extends Error {
  constructor(readonly status: number, reason: string) {
    super(reason);
    this.name = "ApiError";
  }
}

export function enc(s: string): string {
  return encodeURIComponent(s);
}

export async function api<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  auth: string | null = session.auth,
): Promise<T> {
  const headers: Record<string, string> = { authorization: "Basic " + (auth ?? "") };
  const init: RequestInit = { method, headers, credentials: "omit", cache: "no-store" };
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch("api" + path, init);
  } catch (e) {
    throw new ApiError(0, "cannot reach the server (" + (e instanceof Error ? e.message : String(e)) + ")");
  }
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) throw new ApiError(res.status, reasonOf(data) || `HTTP ${res.status} ${res.statusText}`);
  return data as T;
}

function reasonOf(data: unknown): string {
  if (typeof data === "string") return data;
  if (data && typeof data === "object") {
    const { reason, error } = data as { reason?: unknown; error?: unknown };
    const r = reason ?? error ?? "";
    return typeof r === "string" ? r : JSON.stringify(r);
  }
  return "";
}

/** The items of a list reply, paged or not. */
export function items<T>(data: T[] | { items: T[] } | null): T[] {
  if (Array.isArray(data)) return data;
  return data?.items ?? [];
}

export function errText(e: unknown): string {
  if (e instanceof ApiError) return (e.status ? e.status + ": " : "") + e.message;
  return e instanceof Error ? e.message : String(e);
}
