// Queues, exchanges and bindings: /api/queues, /api/exchanges, /api/bindings,
// with the actions the management UI uses on them (get, purge, publish).
import { present } from "../../assert.ts";
import { checkVHostAccess, objectVHosts, type Principal } from "../auth.ts";
import type { AdminContext } from "../context.ts";
import type { Binding, Exchange } from "../../broker/exchange/exchange.ts";
import type { Queue } from "../../broker/queue.ts";
import type { VHost } from "../../broker/vhost.ts";
import type { AccessKind } from "../../auth/users.ts";
import type { BasicProperties } from "../../amqp/properties.ts";
import {
  bindingJson,
  bindingPropertiesKey,
  defaultBindingJson,
  exchangeJson,
  propertyName,
  queueJson,
  vhostBindings,
} from "../format.ts";
import {
  ApiError,
  badRequest,
  boolField,
  created,
  intField,
  type JsonObject,
  noContent,
  notAuthorised,
  objectField,
  objectNotFound,
  readJsonBody,
  requireFields,
  stringField,
} from "../http.ts";
import { jsonToTable } from "../json_table.ts";
import { listBody } from "../list.ts";
import {
  ACK_MODES,
  type AckMode,
  API_OWNER,
  authorize,
  existingVHost,
  getMessages,
  type GetOptions,
  type Mode,
  publishMessage,
  queueOr404,
  runBroker,
  vhostOr404,
} from "../operations.ts";
import type { ApiRequest, Router } from "../router.ts";

/** The vhosts a list covers: one named in the path (checked), or all the caller may see. */
function scopedVHosts(rq: ApiRequest): VHost[] {
  const { ctx, principal } = rq;
  if (rq.params.vhost !== undefined) {
    const v = vhostOr404(ctx, rq.params.vhost);
    checkVHostAccess(principal, ctx.users, v.name);
    return [v];
  }
  return objectVHosts(principal, ctx.users, ctx.broker.vhosts.keys()).map((n) => existingVHost(ctx, n));
}

function queueIn(rq: ApiRequest): Queue {
  checkVisible(rq);
  return queueOr404(rq.ctx, rq.params.vhost, rq.params.name);
}

function exchangeIn(rq: ApiRequest): Exchange {
  checkVisible(rq);
  const x = vhostOr404(rq.ctx, rq.params.vhost).exchanges.get(rq.params.exchange);
  if (!x) throw objectNotFound();
  return x;
}

function checkVisible(rq: ApiRequest): void {
  const v = vhostOr404(rq.ctx, rq.params.vhost);
  checkVHostAccess(rq.principal, rq.ctx.users, v.name);
}

/** Publishing and getting open a channel to the vhost first; RabbitMQ refuses one to a vhost that does not exist. */
function refuseMissingVHost(rq: ApiRequest): void {
  if (!rq.ctx.broker.vhost(rq.params.vhost)) throw notAuthorised("Access refused.");
}

/** For changes: the caller must be able to log into the vhost (administrators included, as in RabbitMQ). */
function vhostForChange(rq: ApiRequest): VHost {
  const v = vhostOr404(rq.ctx, rq.params.vhost);
  checkVHostAccess(rq.principal, rq.ctx.users, v.name);
  return v;
}

/** The caller's `kind` permission on a queue or exchange of `v`, as a client on a `via` channel needs it. */
function authorizeIn(
  rq: ApiRequest,
  v: VHost,
  via: Mode,
  kind: AccessKind,
  resource: "queue" | "exchange",
  name: string,
): void {
  authorize(rq.ctx, rq.principal, via, { vhost: v.name, kind, resource, name });
}

function ifFlag(rq: ApiRequest, name: string): boolean {
  return rq.query.get(name) === "true";
}

// ---- bindings between one source and one destination ---------------------

function bindingsBetween(v: VHost, source: string, destKind: "queue" | "exchange", dest: string): Binding[] {
  const x = v.exchanges.get(source);
  if (!x || x === v.defaultExchange) return [];
  return [...x.bindings.values()].filter((b) =>
    b.destination.kind === destKind && b.destination.name === dest
  );
}

function bindingEndpoints(
  rq: ApiRequest,
  destKind: "queue" | "exchange",
): { v: VHost; source: string; dest: string } {
  checkVisible(rq);
  const v = vhostOr404(rq.ctx, rq.params.vhost);
  const { source, destination } = rq.params;
  if (!v.exchanges.has(source)) throw objectNotFound();
  const destExists = destKind === "queue" ? v.queues.has(destination) : v.exchanges.has(destination);
  if (!destExists) throw objectNotFound();
  return { v, source, dest: destination };
}

function listBetween(rq: ApiRequest, destKind: "queue" | "exchange"): unknown {
  const { v, source, dest } = bindingEndpoints(rq, destKind);
  const items = bindingsBetween(v, source, destKind, dest).map(bindingJson);
  if (source === "" && destKind === "queue") {
    items.unshift(
      defaultBindingJson(present(v.queues.get(dest), `queue '${dest}' exists: bindingEndpoints checked it`)),
    );
  }
  return listBody(items, rq.query, []);
}

async function createBinding(rq: ApiRequest, destKind: "queue" | "exchange"): Promise<Response> {
  const { v, source, dest } = bindingEndpoints(rq, destKind);
  vhostForChange(rq);
  const body = await readJsonBody(rq.req, [
    "routing_key",
    "arguments",
    "vhost",
    "source",
    "destination",
    "destination_type",
  ]);
  const routingKey = stringField(body, "routing_key", "");
  const args = jsonToTable(objectField(body, "arguments"), "arguments");
  authorizeBinding(rq.ctx, rq.principal, v.name, source, destKind, dest);
  runBroker("direct", () => {
    if (destKind === "queue") v.bindQueue(dest, source, routingKey, args, API_OWNER);
    else v.bindExchange(dest, source, routingKey, args);
  });
  const props = bindingPropertiesKey(routingKey, args);
  const kind = destKind === "queue" ? "q" : "e";
  const enc = encodeURIComponent;
  return created(`/api/bindings/${enc(v.name)}/e/${enc(source)}/${kind}/${enc(dest)}/${enc(props)}`);
}

/** queue.bind / exchange.bind: write on the destination, read on the source. */
function authorizeBinding(
  ctx: AdminContext,
  p: Principal,
  vhost: string,
  source: string,
  destKind: "queue" | "exchange",
  dest: string,
): void {
  authorize(ctx, p, "direct", { vhost, kind: "write", resource: destKind, name: dest });
  authorize(ctx, p, "direct", { vhost, kind: "read", resource: "exchange", name: source });
}

function findBinding(rq: ApiRequest, destKind: "queue" | "exchange"): { v: VHost; b: Binding } {
  const { v, source, dest } = bindingEndpoints(rq, destKind);
  const b = bindingsBetween(v, source, destKind, dest).find((x) =>
    bindingPropertiesKey(x.routingKey, x.arguments) === rq.params.props
  );
  if (!b) throw objectNotFound();
  return { v, b };
}

function deleteBinding(rq: ApiRequest, destKind: "queue" | "exchange"): Response {
  const { v, b } = findBinding(rq, destKind);
  vhostForChange(rq);
  authorizeBinding(rq.ctx, rq.principal, v.name, b.source.name, destKind, b.destination.name);
  runBroker("direct", () => {
    if (destKind === "queue") {
      v.unbindQueue(b.destination.name, b.source.name, b.routingKey, b.arguments, API_OWNER);
    } else v.unbindExchange(b.destination.name, b.source.name, b.routingKey, b.arguments);
  });
  return noContent();
}

// ---- publishing -------------------------------------------------------------

const INT_PROPERTIES = new Set(["delivery_mode", "priority", "timestamp"]);

function basicProperties(json: JsonObject): BasicProperties {
  const props: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    if (value === undefined || value === null || value === "") continue;
    const name = propertyName(key);
    if (!name) throw badRequest(`unknown message property '${key}'`);
    if (key === "headers") props[name] = jsonToTable(value, "properties.headers");
    else if (INT_PROPERTIES.has(key)) {
      const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
      if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw badRequest(`not_int: ${key}`);
      props[name] = n;
    } else {
      if (typeof value !== "string") throw badRequest(`not_string: ${key}`);
      props[name] = value;
    }
  }
  return props as BasicProperties;
}

function decodePayload(payload: unknown, encoding: string): Uint8Array {
  if (typeof payload !== "string") throw badRequest("payload_not_string");
  if (encoding === "string") return new TextEncoder().encode(payload);
  if (encoding === "base64") {
    try {
      return Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
    } catch {
      throw badRequest("payload is not valid base64");
    }
  }
  throw new ApiError(400, "bad_request", ["unsupported_encoding", encoding]);
}

const BINDING_NAME_FIELDS = ["source", "destination"];

// ---- queues -------------------------------------------------------------------

function listQueues(rq: ApiRequest): unknown {
  const items = scopedVHosts(rq).flatMap((v) => [...v.queues.values()].map((q) => queueJson(rq.ctx, q)));
  return listBody(items, rq.query);
}

async function declareQueue(rq: ApiRequest): Promise<Response> {
  const v = vhostForChange(rq);
  // rabbitmqadmin sends queue_type besides x-queue-type in the arguments; RabbitMQ ignores it, and "type".
  const body = await readJsonBody(rq.req, [
    "durable",
    "auto_delete",
    "arguments",
    "node",
    "vhost",
    "name",
    "queue_type",
    "type",
  ]);
  const name = rq.params.name;
  if (name === "") throw badRequest("queue name must not be empty");
  if (new TextEncoder().encode(name).length > 255) throw badRequest("queue name is longer than 255 bytes");
  authorizeIn(rq, v, "direct", "configure", "queue", name);
  const existed = v.queues.has(name);
  runBroker("direct", () =>
    v.declareQueue({
      name,
      passive: false,
      durable: boolField(body, "durable", false),
      exclusive: false,
      autoDelete: boolField(body, "auto_delete", false),
      arguments: jsonToTable(objectField(body, "arguments"), "arguments"),
      owner: API_OWNER,
    }));
  return existed ? noContent() : created();
}

function deleteQueue(rq: ApiRequest): Response {
  const q = queueIn(rq);
  const v = vhostForChange(rq);
  authorizeIn(rq, v, "direct", "configure", "queue", q.name);
  runBroker("direct", () =>
    v.deleteQueue(q.name, {
      ifUnused: ifFlag(rq, "if-unused"),
      ifEmpty: ifFlag(rq, "if-empty"),
      owner: API_OWNER,
    }));
  return noContent();
}

function purgeQueue(rq: ApiRequest): Response {
  const q = queueIn(rq);
  const v = vhostForChange(rq);
  authorizeIn(rq, v, "channel", "read", "queue", q.name);
  // RabbitMQ's management purges with a direct call: its refusals (a locked exclusive queue, a stream)
  // carry no reply code.
  runBroker("direct", () => v.purgeQueue(q.name, API_OWNER));
  return noContent();
}

/** The body of a get request, checked as RabbitMQ checks it. */
async function getRequest(rq: ApiRequest): Promise<GetOptions> {
  const body = await readJsonBody(rq.req, [
    "count",
    "ackmode",
    "encoding",
    "truncate",
    "requeue",
    "vhost",
    "name",
  ]);
  requireFields(body, ["ackmode", "count", "encoding"]);
  const ackMode = stringField(body, "ackmode");
  if (!ACK_MODES.includes(ackMode as AckMode)) {
    throw badRequest(`unknown ackmode '${ackMode}' (expected one of: ${ACK_MODES.join(", ")})`);
  }
  const encoding = stringField(body, "encoding");
  if (encoding !== "auto" && encoding !== "base64") {
    throw badRequest("Unsupported encoding. Please use auto or base64.");
  }
  const count = intField(body, "count", 1);
  if (count < 0) throw badRequest("count must not be negative");
  const truncate = body.truncate === undefined || body.truncate === null || body.truncate === ""
    ? null
    : intField(body, "truncate", 0);
  return { count, ackMode: ackMode as AckMode, encoding, truncate };
}

async function getFromQueue(rq: ApiRequest): Promise<Record<string, unknown>[]> {
  refuseMissingVHost(rq);
  const q = queueIn(rq);
  const v = vhostForChange(rq);
  const request = await getRequest(rq);
  authorizeIn(rq, v, "channel", "read", "queue", q.name);
  runBroker("channel", () => v.getQueue(q.name, API_OWNER));
  // A queue type that refuses basic.get (a stream) gets RabbitMQ's 400 with the AMQP refusal.
  return runBroker("channel", () => getMessages(q, request));
}

function registerQueueRoutes(r: Router): void {
  r.get("/api/queues", "user", listQueues);
  r.get("/api/queues/:vhost", "user", listQueues);
  r.get("/api/queues/:vhost/:name", "user", (rq) => queueJson(rq.ctx, queueIn(rq), true, rq.query));
  r.put("/api/queues/:vhost/:name", "user", declareQueue);
  r.delete("/api/queues/:vhost/:name", "user", deleteQueue);
  r.delete("/api/queues/:vhost/:name/contents", "user", purgeQueue);
  r.post("/api/queues/:vhost/:name/get", "user", getFromQueue);
  r.get("/api/queues/:vhost/:name/bindings", "user", (rq) => {
    const q = queueIn(rq);
    return listBody([defaultBindingJson(q), ...[...q.bindings].map(bindingJson)], rq.query, []);
  });
}

// ---- exchanges ----------------------------------------------------------------

function listExchanges(rq: ApiRequest): unknown {
  const items = scopedVHosts(rq).flatMap((v) =>
    [...v.exchanges.values()].map((x) => exchangeJson(rq.ctx, x))
  );
  return listBody(items, rq.query);
}

async function declareExchange(rq: ApiRequest): Promise<Response> {
  const v = vhostForChange(rq);
  const body = await readJsonBody(rq.req, [
    "type",
    "durable",
    "auto_delete",
    "internal",
    "arguments",
    "vhost",
    "name",
    "node",
    "user_who_performed_action",
  ]);
  const name = rq.params.exchange;
  authorizeIn(rq, v, "direct", "configure", "exchange", name);
  const existed = v.exchanges.has(name);
  runBroker("direct", () =>
    v.declareExchange({
      name,
      type: stringField(body, "type", "direct"),
      passive: false,
      durable: boolField(body, "durable", false),
      autoDelete: boolField(body, "auto_delete", false),
      internal: boolField(body, "internal", false),
      arguments: jsonToTable(objectField(body, "arguments"), "arguments"),
    }));
  return existed ? noContent() : created();
}

function deleteExchange(rq: ApiRequest): Response {
  const x = exchangeIn(rq);
  const v = vhostForChange(rq);
  authorizeIn(rq, v, "direct", "configure", "exchange", x.name);
  runBroker("direct", () => v.deleteExchange(x.name, ifFlag(rq, "if-unused")));
  return noContent();
}

async function publishToExchange(rq: ApiRequest): Promise<{ routed: boolean }> {
  refuseMissingVHost(rq);
  const x = exchangeIn(rq);
  const v = vhostForChange(rq);
  const body = await readJsonBody(rq.req, [
    "routing_key",
    "properties",
    "payload",
    "payload_encoding",
    "vhost",
    "name",
  ]);
  requireFields(body, ["routing_key", "properties", "payload", "payload_encoding"]);
  const routingKey = stringField(body, "routing_key");
  const properties = basicProperties(objectField(body, "properties"));
  const payload = decodePayload(body.payload, stringField(body, "payload_encoding"));
  authorizeIn(rq, v, "channel", "write", "exchange", x.name);
  const routed = await publishMessage(v, rq.principal, {
    exchange: x.name,
    routingKey,
    properties,
    body: payload,
  });
  return { routed };
}

function registerExchangeRoutes(r: Router): void {
  r.get("/api/exchanges", "user", listExchanges);
  r.get("/api/exchanges/:vhost", "user", listExchanges);
  r.get("/api/exchanges/:vhost/:exchange", "user", (rq) => exchangeJson(rq.ctx, exchangeIn(rq)));
  r.put("/api/exchanges/:vhost/:exchange", "user", declareExchange);
  r.delete("/api/exchanges/:vhost/:exchange", "user", deleteExchange);
  r.post("/api/exchanges/:vhost/:exchange/publish", "user", publishToExchange);
  r.get("/api/exchanges/:vhost/:exchange/bindings/source", "user", (rq) => {
    const x = exchangeIn(rq);
    const v = vhostOr404(rq.ctx, rq.params.vhost);
    const items = x === v.defaultExchange
      ? [...v.queues.values()].map(defaultBindingJson)
      : [...x.bindings.values()].map(bindingJson);
    return listBody(items, rq.query, []);
  });
  r.get("/api/exchanges/:vhost/:exchange/bindings/destination", "user", (rq) => {
    const x = exchangeIn(rq);
    return listBody([...x.incoming].map(bindingJson), rq.query, []);
  });
}

// ---- bindings -----------------------------------------------------------------

function registerBindingRoutes(r: Router): void {
  // RabbitMQ 3.10 ignores paging here and always returns the whole array; Warren pages when asked
  // (the UI lists thousands of bindings), filtering `name` on the source and destination names.
  const listBindings = (rq: ApiRequest) =>
    listBody(scopedVHosts(rq).flatMap(vhostBindings), rq.query, [], BINDING_NAME_FIELDS);
  r.get("/api/bindings", "user", listBindings);
  r.get("/api/bindings/:vhost", "user", listBindings);
  for (const [letter, kind] of [["q", "queue"], ["e", "exchange"]] as const) {
    const base = `/api/bindings/:vhost/e/:source/${letter}/:destination`;
    r.get(base, "user", (rq) => listBetween(rq, kind));
    r.post(base, "user", (rq) => createBinding(rq, kind));
    r.get(`${base}/:props`, "user", (rq) => bindingJson(findBinding(rq, kind).b));
    r.delete(`${base}/:props`, "user", (rq) => deleteBinding(rq, kind));
  }
}

export function registerObjectRoutes(r: Router): void {
  registerQueueRoutes(r);
  registerExchangeRoutes(r);
  registerBindingRoutes(r);
}
