// HTTP plumbing for the management API: RabbitMQ's error bodies, JSON
// replies, and request bodies checked against the fields an endpoint knows.
import { AmqpError } from "../amqp/errors.ts";

/** Request bodies past this size are refused (RabbitMQ's default management.http.max_body_size). */
const MAX_BODY_BYTES = 20 * 1024 * 1024;

/**
 * An HTTP error with RabbitMQ's `{"error": ..., "reason": ...}` body. The
 * reason is a list where RabbitMQ's is an Erlang tuple (`["not_boolean","x"]`).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly reason: string | readonly unknown[],
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof reason === "string" ? reason : JSON.stringify(reason));
    this.name = "ApiError";
  }
}

export function objectNotFound(): ApiError {
  return new ApiError(404, "Object Not Found", "Not Found");
}

export function badRequest(reason: string): ApiError {
  return new ApiError(400, "bad_request", reason);
}

export function notAuthorised(reason: string): ApiError {
  return new ApiError(401, "not_authorised", reason);
}

/**
 * What a broker error becomes over HTTP, as RabbitMQ's management plugin
 * maps channel errors: 404 stays 404, 403 becomes 401, the rest are 400
 * with the code and text.
 */
export function fromAmqpError(e: AmqpError): ApiError {
  if (e.replyCode === 404) return new ApiError(404, "not_found", e.replyText);
  if (e.replyCode === 403 || e.replyCode === 530) return notAuthorised(e.replyText);
  // As RabbitMQ 3.10.8 words them: a channel error keeps its reply name ("405 RESOURCE_LOCKED - cannot
  // obtain …"), one that closes the connection has none ("540 basic.get not supported by stream queues …").
  return badRequest(e.isHard ? `${e.replyCode} ${e.message}` : `${e.replyCode} ${e.replyText}`);
}

const JSON_HEADERS = { "content-type": "application/json", "cache-control": "no-cache" };

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body, jsonReplacer), {
    status,
    headers: { ...JSON_HEADERS, ...headers },
  });
}

export function errorResponse(e: ApiError): Response {
  if (e.status === 415) return new Response(null, { status: 415, headers: e.headers });
  return jsonResponse({ error: e.error, reason: e.reason }, e.status, e.headers);
}

export function noContent(): Response {
  return new Response(null, { status: 204, headers: { "cache-control": "no-cache" } });
}

export function created(location?: string): Response {
  const headers: Record<string, string> = { "cache-control": "no-cache" };
  if (location) headers.location = location;
  return new Response(null, { status: 201, headers });
}

/** bigint counters and the like must not make JSON.stringify throw. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  return value;
}

export type JsonObject = Record<string, unknown>;

function bodyTooLarge(): ApiError {
  return badRequest("Exceeded HTTP request body size limit");
}

/**
 * The body's bytes, read only up to MAX_BODY_BYTES: a larger one is refused
 * as soon as it passes the limit, declared or not (chunked), unread beyond it.
 */
async function readBodyBytes(req: Request): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw bodyTooLarge();
  if (req.body === null) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      throw bodyTooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    bytes.set(c, off);
    off += c.length;
  }
  return bytes;
}

/**
 * Write requests must be JSON: a POST always, any other method whenever it
 * carries a body. The media types an HTML form on another site can send
 * without the browser asking first (text/plain, urlencoded, multipart) are
 * refused with RabbitMQ's bodiless 415, so cached credentials cannot be
 * used to change the node (CSRF). RabbitMQ 3.10 checks this on
 * /api/definitions only.
 */
export function checkJsonContentType(req: Request): void {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return;
  const hasBody = Number(req.headers.get("content-length") ?? "0") > 0 ||
    req.headers.has("transfer-encoding");
  if (req.method !== "POST" && !hasBody) return;
  const mediaType = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (mediaType !== "application/json") throw new ApiError(415, "", "");
}

/**
 * The request body as a JSON object. An empty body (or `null`) is `{}`, as
 * in RabbitMQ; anything else that is not a JSON object is a 400. Fields
 * outside `allowed` are dropped: RabbitMQ ignores fields it does not know,
 * and clients such as rabbitmqadmin send some (`vhost` on a user).
 */
export async function readJsonBody(req: Request, allowed: readonly string[] | null): Promise<JsonObject> {
  let text = new TextDecoder().decode(await readBodyBytes(req));
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const trimmed = text.trim();
  if (trimmed === "" || trimmed === "null" || trimmed === "undefined") return {};
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (e) {
    throw badRequest(`not_json: ${(e as Error).message}`);
  }
  if (typeof value === "string") {
    throw badRequest(
      "invalid payload: the request body JSON-decoded to a string. Is the input doubly-JSON-encoded?",
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw badRequest("not_json: the request body must be a JSON object");
  }
  const body = value as JsonObject;
  if (allowed === null) return body;
  const known: JsonObject = {};
  for (const key of allowed) if (Object.hasOwn(body, key)) known[key] = body[key];
  return known;
}

/** RabbitMQ's "[{key_missing,configure}]" reason for absent required fields. */
export function requireFields(body: JsonObject, keys: readonly string[]): void {
  const missing = keys.filter((k) => body[k] === undefined || body[k] === null);
  if (missing.length > 0) {
    throw badRequest(`[${missing.map((k) => `{key_missing,${k}}`).join(",")}]`);
  }
}

/**
 * Booleans as JSON booleans or the strings "true"/"false" (the RabbitMQ UI
 * sends strings); anything else gets RabbitMQ's `["not_boolean", value]`.
 */
export function boolField(body: JsonObject, key: string, fallback: boolean): boolean {
  const v = body[key];
  if (v === undefined || v === null || v === "") return fallback;
  if (v === true || v === "true") return true;
  if (v === false || v === "false") return false;
  throw new ApiError(400, "bad_request", ["not_boolean", v]);
}

export function stringField(body: JsonObject, key: string, fallback?: string): string {
  const v = body[key];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw badRequest(`[{key_missing,${key}}]`);
  }
  if (typeof v !== "string") throw badRequest(`field '${key}' must be a string, got ${JSON.stringify(v)}`);
  return v;
}

/** Integers as JSON numbers or numeric strings; anything else gets RabbitMQ's `["not_integer", value]`. */
export function intField(body: JsonObject, key: string, fallback: number): number {
  const v = body[key];
  if (v === undefined || v === null || v === "") return fallback;
  const n = typeof v === "number" ? v : typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new ApiError(400, "bad_request", ["not_integer", v]);
  return n;
}

export function objectField(body: JsonObject, key: string): JsonObject {
  const v = body[key];
  if (v === undefined || v === null || v === "") return {};
  if (Array.isArray(v) && v.length === 0) return {};
  if (typeof v !== "object" || Array.isArray(v)) {
    throw badRequest(`field '${key}' must be a JSON object, got ${JSON.stringify(v)}`);
  }
  return v as JsonObject;
}
