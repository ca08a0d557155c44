// Definitions in RabbitMQ's JSON format: users (with their salted SHA-256
// hashes, so they move between RabbitMQ and Warren), vhosts, permissions,
// policies, runtime and global parameters, queues, exchanges and bindings.
// Import checks the whole file first (parameters through their component's
// validation), then applies it in RabbitMQ's order (policies before the
// queues and exchanges they match), except that parameters come last, so a
// shovel starts against the queues the file declares rather than declaring
// them itself. Topic permissions, which Warren does not have, are accepted
// and skipped with a log line.
import { hashPassword } from "../auth/password.ts";
import type { Permission, User } from "../auth/users.ts";
import type { Policy } from "../broker/policies.ts";
import type { VHost } from "../broker/vhost.ts";
import type { FieldTable } from "../amqp/field_table.ts";
import { logger } from "../log.ts";
import { VERSION } from "../version.ts";
import type { AdminContext } from "./context.ts";
import {
  HASHING_ALGORITHM,
  parameterJson,
  permissionJson,
  policyJson,
  userJson,
  vhostDescription,
} from "./format.ts";
import { ParameterValidationError } from "../broker/runtime_parameters.ts";
import { badRequest, type JsonObject } from "./http.ts";
import { jsonToTable, tableToJson } from "./json_table.ts";
import { API_OWNER, existingVHost, runBroker } from "./operations.ts";
import { parsePolicy } from "./routes/policies.ts";

const log = logger("definitions");

/** The RabbitMQ release whose definitions format Warren writes. */
export const RABBITMQ_COMPAT_VERSION = "3.13.7";

/** Top-level keys of RabbitMQ definition files (cluster-wide and single-vhost), any version since 3.6. */
const KNOWN_KEYS = [
  "rabbit_version",
  "rabbitmq_version",
  "product_name",
  "product_version",
  "rabbitmq_definition_format",
  "original_cluster_name",
  "original_vhost_name",
  "explanation",
  "users",
  "vhosts",
  "permissions",
  "topic_permissions",
  "parameters",
  "global_parameters",
  "policies",
  "queues",
  "exchanges",
  "bindings",
  "metadata",
  "description",
  "limits",
  "default_queue_type",
];

interface VHostObjects {
  policies: JsonObject[];
  queues: JsonObject[];
  exchanges: JsonObject[];
  bindings: JsonObject[];
}

/**
 * Appends a vhost's policies, queues, exchanges and bindings as a definitions
 * file lists them; a single-vhost file (`keepVHost` false) drops their "vhost".
 */
function exportVHostObjects(v: VHost, into: VHostObjects, keepVHost: boolean): void {
  const add = (list: JsonObject[], o: JsonObject) => {
    if (!keepVHost) delete o.vhost;
    list.push(o);
  };
  for (const p of v.policies.list()) add(into.policies, policyJson(p));
  for (const q of v.queues.values()) {
    if (q.exclusiveOwner !== null) continue; // cannot be restored, as in RabbitMQ
    add(into.queues, {
      name: q.name,
      vhost: v.name,
      durable: q.durable,
      auto_delete: q.autoDelete,
      arguments: tableToJson(q.arguments),
    });
  }
  for (const x of v.exchanges.values()) {
    if (x.name === "" || x.name.startsWith("amq.")) continue;
    add(into.exchanges, {
      name: x.name,
      vhost: v.name,
      type: x.type,
      durable: x.durable,
      auto_delete: x.autoDelete,
      internal: x.internal,
      arguments: tableToJson(x.arguments),
    });
  }
  for (const x of v.exchanges.values()) {
    if (x === v.defaultExchange) continue;
    for (const b of x.bindings.values()) {
      const dst = b.destination;
      if (dst.kind === "queue" && dst.exclusiveOwner !== null) continue;
      add(into.bindings, {
        source: x.name,
        vhost: v.name,
        destination: dst.name,
        destination_type: dst.kind,
        routing_key: b.routingKey,
        arguments: tableToJson(b.arguments),
      });
    }
  }
}

/** Cluster-wide export, or one vhost's objects without their "vhost" fields. */
export function exportDefinitions(ctx: AdminContext, vhost: string | null): JsonObject {
  const inScope = (v: string) => vhost === null || v === vhost;
  const objects: VHostObjects = { policies: [], queues: [], exchanges: [], bindings: [] };
  const vhosts = [...ctx.broker.vhosts.values()].filter((v) => inScope(v.name));
  for (const v of vhosts) exportVHostObjects(v, objects, vhost === null);
  // RabbitMQ keeps "vhost" on parameters even in a single-vhost export.
  const parameters = ctx.broker.parameters.list().filter((p) => inScope(p.vhost)).map(parameterJson);
  const head: JsonObject = {
    rabbit_version: RABBITMQ_COMPAT_VERSION,
    rabbitmq_version: RABBITMQ_COMPAT_VERSION,
    product_name: "Warren",
    product_version: VERSION,
  };
  const { policies, queues, exchanges, bindings } = objects;
  if (vhost !== null) {
    const description = vhostDescription(vhost);
    return {
      ...head,
      rabbitmq_definition_format: "single_virtual_host",
      original_vhost_name: vhost,
      explanation: `Definitions of virtual host '${vhost}'`,
      metadata: { description, tags: [], default_queue_type: "classic" },
      description,
      limits: {},
      parameters,
      policies,
      queues,
      exchanges,
      bindings,
    };
  }
  return {
    ...head,
    users: [...ctx.users.users.values()].map(userJson),
    vhosts: vhosts.map((v) => ({
      name: v.name,
      limits: {},
      metadata: { description: vhostDescription(v.name), tags: [], default_queue_type: "classic" },
    })),
    permissions: [...ctx.users.allPermissions()].map(permissionJson),
    topic_permissions: [],
    parameters,
    global_parameters: ctx.broker.parameters.listGlobal().map((g) => ({ name: g.name, value: g.value })),
    policies,
    queues,
    exchanges,
    bindings,
  };
}

// ---- import ----------------------------------------------------------------

interface ImportPlan {
  users: User[];
  vhosts: string[];
  permissions: ({ vhost: string; user: string } & Permission)[];
  policies: Policy[];
  parameters: { component: string; vhost: string; name: string; value: unknown }[];
  globalParameters: { name: string; value: unknown }[];
  exchanges: {
    vhost: string;
    name: string;
    type: string;
    durable: boolean;
    autoDelete: boolean;
    internal: boolean;
    arguments: FieldTable;
  }[];
  queues: { vhost: string; name: string; durable: boolean; autoDelete: boolean; arguments: FieldTable }[];
  bindings: {
    vhost: string;
    source: string;
    destination: string;
    destinationType: "queue" | "exchange";
    routingKey: string;
    arguments: FieldTable;
  }[];
  skipped: string[];
}

function list(defs: JsonObject, key: string): JsonObject[] {
  const v = defs[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw badRequest(`definitions: '${key}' must be a list`);
  v.forEach((item, i) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      throw badRequest(`definitions: ${key}[${i}] must be an object`);
    }
  });
  return v as JsonObject[];
}

function str(o: JsonObject, key: string, where: string, fallback?: string): string {
  const v = o[key];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw badRequest(`definitions: ${where} has no '${key}'`);
  }
  if (typeof v !== "string") throw badRequest(`definitions: ${where}: '${key}' must be a string`);
  return v;
}

function bool(o: JsonObject, key: string, where: string, fallback: boolean): boolean {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  if (v === true || v === "true") return true;
  if (v === false || v === "false") return false;
  throw badRequest(`definitions: ${where}: '${key}' must be true or false`);
}

/** Tags as a list (RabbitMQ 3.9+) or a comma-separated string (older exports). */
export function parseTags(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) {
    if (!v.every((t) => typeof t === "string")) throw badRequest(`${where}: tags must be strings`);
    return v.map((t: string) => t.trim()).filter((t) => t !== "");
  }
  if (typeof v === "string") return v.split(",").map((t) => t.trim()).filter((t) => t !== "");
  throw badRequest(`${where}: tags must be a list or a comma-separated string`);
}

/** A stored password hash must be base64 of a 4-byte salt and a SHA-256 digest. */
export function validPasswordHash(hash: string): boolean {
  if (hash === "") return true;
  try {
    return atob(hash).length === 36;
  } catch {
    return false;
  }
}

function checkRegex(pattern: string, where: string): void {
  try {
    new RegExp(pattern);
  } catch {
    throw badRequest(`${where}: '${pattern}' is not a valid regular expression`);
  }
}

/** What parsing one entry needs besides the entry: its vhost, and where to note what is skipped. */
interface EntryScope {
  ctx: AdminContext;
  vhostOf(o: JsonObject, where: string): string;
  skip(what: string): void;
}

/** An entry of the file, checked; null when it is skipped. */
type EntryParser<T> = (o: JsonObject, where: string, s: EntryScope) => T | null;

function parseEntries<T>(defs: JsonObject, key: string, parse: EntryParser<T>, s: EntryScope): T[] {
  const out: T[] = [];
  list(defs, key).forEach((o, i) => {
    const entry = parse(o, `${key}[${i}]`, s);
    if (entry !== null) out.push(entry);
  });
  return out;
}

const parseUser: EntryParser<User> = (u, where) => {
  const name = str(u, "name", where);
  const algorithm = str(u, "hashing_algorithm", where, HASHING_ALGORITHM);
  if (algorithm !== HASHING_ALGORITHM) {
    throw badRequest(
      `${where}: hashing algorithm '${algorithm}' is not supported (use ${HASHING_ALGORITHM})`,
    );
  }
  let passwordHash: string;
  if (typeof u.password === "string") passwordHash = hashPassword(u.password);
  else {
    passwordHash = str(u, "password_hash", where, "");
    if (!validPasswordHash(passwordHash)) {
      throw badRequest(`${where}: password_hash is not a salted SHA-256 hash in base64`);
    }
  }
  return { name, passwordHash, tags: parseTags(u.tags, where) };
};

const parseVHost: EntryParser<string> = (v, where) => str(v, "name", where);

const parsePermission: EntryParser<ImportPlan["permissions"][number]> = (perm, where) => {
  const entry = {
    vhost: str(perm, "vhost", where),
    user: str(perm, "user", where),
    configure: str(perm, "configure", where),
    write: str(perm, "write", where),
    read: str(perm, "read", where),
  };
  checkRegex(entry.configure, where);
  checkRegex(entry.write, where);
  checkRegex(entry.read, where);
  return entry;
};

const parsePolicyEntry: EntryParser<Policy> = (pol, where, s) =>
  parsePolicy(s.vhostOf(pol, where), str(pol, "name", where), pol, where);

const parseExchange: EntryParser<ImportPlan["exchanges"][number]> = (x, where, s) => {
  const name = str(x, "name", where);
  if (name === "" || name.startsWith("amq.")) {
    s.skip(`exchange '${name}' (reserved name)`);
    return null;
  }
  return {
    vhost: s.vhostOf(x, where),
    name,
    type: str(x, "type", where),
    durable: bool(x, "durable", where, true),
    autoDelete: bool(x, "auto_delete", where, false),
    internal: bool(x, "internal", where, false),
    arguments: jsonToTable(x.arguments, `${where}.arguments`),
  };
};

const parseQueue: EntryParser<ImportPlan["queues"][number]> = (q, where, s) => {
  const name = str(q, "name", where);
  if (name.startsWith("amq.")) {
    s.skip(`queue '${name}' (reserved name)`);
    return null;
  }
  return {
    vhost: s.vhostOf(q, where),
    name,
    durable: bool(q, "durable", where, true),
    autoDelete: bool(q, "auto_delete", where, false),
    arguments: jsonToTable(q.arguments, `${where}.arguments`),
  };
};

const parseBinding: EntryParser<ImportPlan["bindings"][number]> = (b, where, s) => {
  const destinationType = str(b, "destination_type", where);
  if (destinationType !== "queue" && destinationType !== "exchange") {
    throw badRequest(`${where}: destination_type must be queue or exchange`);
  }
  const source = str(b, "source", where);
  if (source === "") {
    s.skip(`binding from the default exchange to '${str(b, "destination", where)}'`);
    return null;
  }
  return {
    vhost: s.vhostOf(b, where),
    source,
    destination: str(b, "destination", where),
    destinationType,
    routingKey: str(b, "routing_key", where, ""),
    arguments: jsonToTable(b.arguments, `${where}.arguments`),
  };
};

const parseParameter: EntryParser<ImportPlan["parameters"][number]> = (param, where, s) => {
  if (param.value === undefined) throw badRequest(`definitions: ${where} has no 'value'`);
  const component = str(param, "component", where);
  if (!s.ctx.broker.parameters.hasComponent(component)) {
    // A file from a RabbitMQ with more plugins still imports; what Warren cannot run is named in the log.
    s.skip(`parameter '${str(param, "name", where)}' of component '${component}' (not supported by Warren)`);
    return null;
  }
  return { component, vhost: s.vhostOf(param, where), name: str(param, "name", where), value: param.value };
};

const parseGlobalParameter: EntryParser<ImportPlan["globalParameters"][number]> = (g, where) => {
  if (g.value === undefined) throw badRequest(`definitions: ${where} has no 'value'`);
  return { name: str(g, "name", where), value: g.value };
};

/** Every vhost and user an entry refers to must exist after the import; parameters pass their component. */
function checkReferences(ctx: AdminContext, p: ImportPlan): void {
  const vhostExists = (v: string) => p.vhosts.includes(v) || ctx.broker.vhost(v) !== undefined;
  const userExists = (u: string) => p.users.some((x) => x.name === u) || ctx.users.users.has(u);
  for (const perm of p.permissions) {
    if (!vhostExists(perm.vhost)) throw badRequest(`permissions: vhost '${perm.vhost}' does not exist`);
    if (!userExists(perm.user)) throw badRequest(`permissions: user '${perm.user}' does not exist`);
  }
  for (const o of [...p.policies, ...p.parameters, ...p.exchanges, ...p.queues, ...p.bindings]) {
    if (!vhostExists(o.vhost)) throw badRequest(`definitions: vhost '${o.vhost}' does not exist`);
  }
  p.parameters.forEach((param, i) => {
    try {
      ctx.broker.parameters.validate(param.component, param.vhost, param.name, param.value);
    } catch (e) {
      if (e instanceof ParameterValidationError) throw badRequest(`parameters[${i}]: ${e.message}`);
      throw e;
    }
  });
}

/**
 * Checks the whole file and turns it into what to apply. A single-vhost file
 * (`vhostScope`) carries no users, vhosts, permissions or global parameters.
 */
function plan(ctx: AdminContext, defs: JsonObject, vhostScope: string | null): ImportPlan {
  for (const key of Object.keys(defs)) {
    if (!KNOWN_KEYS.includes(key)) {
      throw badRequest(`definitions: unknown key '${key}' (expected RabbitMQ's definitions format)`);
    }
  }
  const skipped: string[] = [];
  const s: EntryScope = {
    ctx,
    vhostOf: (o, where) => vhostScope !== null ? vhostScope : str(o, "vhost", where),
    skip: (what) => skipped.push(what),
  };
  const cluster = vhostScope === null;
  // Entries are parsed in this order, so a file with several faults reports the first of them in this order.
  const p: ImportPlan = {
    users: cluster ? parseEntries(defs, "users", parseUser, s) : [],
    vhosts: cluster ? parseEntries(defs, "vhosts", parseVHost, s) : [],
    permissions: cluster ? parseEntries(defs, "permissions", parsePermission, s) : [],
    policies: parseEntries(defs, "policies", parsePolicyEntry, s),
    exchanges: parseEntries(defs, "exchanges", parseExchange, s),
    queues: parseEntries(defs, "queues", parseQueue, s),
    bindings: parseEntries(defs, "bindings", parseBinding, s),
    parameters: parseEntries(defs, "parameters", parseParameter, s),
    globalParameters: cluster ? parseEntries(defs, "global_parameters", parseGlobalParameter, s) : [],
    skipped,
  };
  const topicPermissions = list(defs, "topic_permissions").length;
  if (topicPermissions > 0) p.skipped.push(`${topicPermissions} topic permissions (not supported by Warren)`);
  checkReferences(ctx, p);
  return p;
}

/**
 * Applies a definitions file. `vhostScope` imports a single-vhost file into
 * that vhost. Who imports needs no permissions on the vhosts: definitions
 * are an administrator's tool.
 */
export function importDefinitions(ctx: AdminContext, defs: JsonObject, vhostScope: string | null): void {
  const p = plan(ctx, defs, vhostScope);
  for (const u of p.users) {
    const existing = ctx.users.users.get(u.name);
    // Re-importing an export keeps the same hash; skip the write when nothing changed.
    if (
      existing && existing.passwordHash === u.passwordHash && existing.tags.join(",") === u.tags.join(",")
    ) continue;
    ctx.users.putUser(u);
  }
  for (const v of p.vhosts) ctx.broker.addVHost(v);
  for (const perm of p.permissions) {
    ctx.users.setPermission(perm.vhost, perm.user, {
      configure: perm.configure,
      write: perm.write,
      read: perm.read,
    });
  }
  for (const pol of p.policies) {
    const v = existingVHost(ctx, pol.vhost);
    runBroker("direct", () => v.setPolicy(pol));
  }
  for (const q of p.queues) {
    const v = existingVHost(ctx, q.vhost);
    runBroker("direct", () =>
      v.declareQueue({
        name: q.name,
        passive: false,
        durable: q.durable,
        exclusive: false,
        autoDelete: q.autoDelete,
        arguments: q.arguments,
        owner: API_OWNER,
      }));
  }
  for (const x of p.exchanges) {
    const v = existingVHost(ctx, x.vhost);
    runBroker("direct", () => v.declareExchange({ ...x, passive: false }));
  }
  for (const b of p.bindings) {
    const v = existingVHost(ctx, b.vhost);
    runBroker("direct", () => {
      if (b.destinationType === "queue") {
        v.bindQueue(b.destination, b.source, b.routingKey, b.arguments, null);
      } else v.bindExchange(b.destination, b.source, b.routingKey, b.arguments);
    });
  }
  for (const g of p.globalParameters) ctx.broker.parameters.setGlobal(g.name, g.value);
  for (const param of p.parameters) {
    ctx.broker.parameters.set(param.component, param.vhost, param.name, param.value);
  }
  log.info("definitions imported", {
    users: p.users.length,
    vhosts: p.vhosts.length,
    permissions: p.permissions.length,
    policies: p.policies.length,
    parameters: p.parameters.length,
    queues: p.queues.length,
    exchanges: p.exchanges.length,
    bindings: p.bindings.length,
  });
  for (const s of p.skipped) log.warning("definitions import skipped", { what: s });
}
