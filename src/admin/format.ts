// The management API's JSON for each kind of object, in RabbitMQ's shapes
// and field names, built from the live model on every request.
import type { BasicProperties } from "../amqp/properties.ts";
import type { Exchange } from "../broker/exchange/exchange.ts";
import type { Binding } from "../broker/exchange/exchange.ts";
import type { Policy } from "../broker/policies.ts";
import type { Parameter } from "../broker/runtime_parameters.ts";
import type { Queue } from "../broker/queue.ts";
import { QuorumQueue } from "../broker/quorum_queue.ts";
import { StreamQueue } from "../broker/stream_queue.ts";
import { queueDepth } from "./queue_depth.ts";
import type { VHost } from "../broker/vhost.ts";
import type { Permission, User } from "../auth/users.ts";
import { type Connection, connectionOf } from "../server/connection.ts";
import type { Channel } from "../server/channel.ts";
import { ChannelConsumer } from "../server/channel_consumer.ts";
import type { AdminContext } from "./context.ts";
import { tableToJson } from "./json_table.ts";
import {
  CHANNEL_STATS,
  channelCounters,
  connectionCounters,
  exchangeCounters,
  messageStats,
  queueCounters,
  queueTotals,
  statsHistory,
  vhostCounters,
} from "./stats.ts";
import { fieldTableKey } from "../amqp/field_table.ts";

export const HASHING_ALGORITHM = "rabbit_password_hashing_sha256";
const DEFAULT_VHOST_DESCRIPTION = "Default virtual host";

export function userJson(u: User): Record<string, unknown> {
  return {
    name: u.name,
    password_hash: u.passwordHash,
    hashing_algorithm: HASHING_ALGORITHM,
    tags: [...u.tags],
    limits: {},
  };
}

export function permissionJson(p: { vhost: string; user: string } & Permission): Record<string, unknown> {
  return { user: p.user, vhost: p.vhost, configure: p.configure, write: p.write, read: p.read };
}

export function vhostDescription(name: string): string {
  return name === "/" ? DEFAULT_VHOST_DESCRIPTION : "";
}

/** `query` asks for samples (lengths_age, msg_rates_age, ...) on a single vhost's reply. */
export function vhostJson(ctx: AdminContext, v: VHost, query?: URLSearchParams): Record<string, unknown> {
  const c = vhostCounters(v);
  const r = ctx.rates.rates(v, c);
  const history = query && statsHistory(ctx.rates, [v], query);
  const description = vhostDescription(v.name);
  return {
    name: v.name,
    description,
    tags: [],
    default_queue_type: "classic",
    metadata: { description, tags: [], default_queue_type: "classic" },
    tracing: false,
    cluster_state: { [ctx.nodeName]: "running" },
    ...queueTotals(c, r, history),
    message_stats: messageStats(c, r, history),
  };
}

// ---- policies ----------------------------------------------------------

/** A policy definition with its keys in order, as RabbitMQ (which keeps it as an Erlang map) shows it. */
function definitionJson(definition: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(definition).sort()) out[key] = definition[key];
  return out;
}

/** A policy as RabbitMQ's /api/policies and definitions files show it. */
export function policyJson(p: Policy): Record<string, unknown> {
  return {
    vhost: p.vhost,
    name: p.name,
    pattern: p.pattern,
    "apply-to": p.applyTo,
    definition: definitionJson(p.definition),
    priority: p.priority,
  };
}

/** A runtime parameter as /api/parameters and definitions files show it (object values with sorted keys, as RabbitMQ's maps). */
export function parameterJson(p: Parameter): Record<string, unknown> {
  const v = p.value;
  const value = v !== null && typeof v === "object" && !Array.isArray(v)
    ? definitionJson(v as Record<string, unknown>)
    : v;
  return { value, vhost: p.vhost, component: p.component, name: p.name };
}

/**
 * The policy in effect for a queue or exchange: the one its vhost applies
 * (the same match the broker makes when it computes settings).
 */
function policyOf(
  ctx: AdminContext,
  o: { vhost: string; name: string },
  kind: "queue" | "exchange",
): Policy | undefined {
  const policies = ctx.broker.vhost(o.vhost)?.policies;
  if (!policies || policies.size === 0) return undefined;
  return policies.match(o.name, kind);
}

// ---- queues, exchanges, bindings ---------------------------------------

export function connectionName(ctx: AdminContext, c: Connection): string {
  const local = localAddress(ctx, c);
  return `${c.peer} -> ${local.hostname}:${local.port}`;
}

function localAddress(ctx: AdminContext, c: Connection): { hostname: string; port: number; ssl: boolean } {
  const addr = (c.socket as { localAddr?: Deno.Addr }).localAddr as Deno.NetAddr | undefined;
  const tlsPort = ctx.node.tlsPort ?? null;
  if (addr && typeof addr.port === "number") {
    return { hostname: addr.hostname, port: addr.port, ssl: tlsPort !== null && addr.port === tlsPort };
  }
  // Only TLS sockets (node:tls adapters) lack localAddr.
  return { hostname: ctx.node.hostname, port: tlsPort ?? ctx.node.port, ssl: tlsPort !== null };
}

function peerAddress(c: Connection): { host: string; port: number } {
  const addr = c.socket.remoteAddr as Deno.NetAddr;
  return { host: addr.hostname, port: addr.port };
}

/** `query` asks for samples (lengths_age, msg_rates_age, ...) on a single queue's reply. */
export function queueJson(
  ctx: AdminContext,
  q: Queue,
  detailed = false,
  query?: URLSearchParams,
): Record<string, unknown> {
  const c = queueCounters(q);
  const r = ctx.rates.rates(q, c);
  const history = query && statsHistory(ctx.rates, [q], query);
  const owner = q.exclusiveOwner as Connection | null;
  const exclusiveConsumer = q.consumers.find((x) => x.exclusive);
  const policy = policyOf(ctx, q, "queue");
  const vhost = ctx.broker.vhost(q.vhost);
  const operatorPolicy = vhost && vhost.operatorPolicies.size > 0
    ? vhost.operatorPolicies.match(q.name, "queue")
    : undefined;
  const out: Record<string, unknown> = {
    arguments: tableToJson(q.arguments),
    auto_delete: q.autoDelete,
    consumer_capacity: q.consumers.length > 0 ? 1 : 0,
    consumer_utilisation: q.consumers.length > 0 ? 1 : 0,
    consumers: queueDepth(q).consumers,
    durable: q.durable,
    effective_policy_definition: policy || operatorPolicy
      ? definitionJson(vhost!.effectivePolicyDefinition(q.name))
      : {},
    exclusive: owner !== null,
    exclusive_consumer_tag: exclusiveConsumer ? exclusiveConsumer.tag : null,
    head_message_timestamp: null,
    ...queueTotals(c, r, history),
    message_stats: messageStats(c, r, history),
    name: q.name,
    node: ctx.nodeName,
    operator_policy: operatorPolicy ? operatorPolicy.name : null,
    policy: policy ? policy.name : null,
    recoverable_slaves: null,
    single_active_consumer_tag: null,
    state: "running",
    type: q.type,
    vhost: q.vhost,
  };
  if (q instanceof QuorumQueue) quorumFields(ctx, q, out);
  if (q instanceof StreamQueue) streamFields(ctx, q, out);
  if (owner !== null && typeof (owner as Partial<Connection>).peer === "string") {
    const peer = peerAddress(owner);
    out.owner_pid_details = { name: connectionName(ctx, owner), peer_port: peer.port, peer_host: peer.host };
  }
  if (detailed) {
    out.consumer_details = q.consumers
      .filter((x): x is ChannelConsumer => x instanceof ChannelConsumer)
      .map((x) => consumerJson(ctx, x));
    out.incoming = [];
    out.deliveries = [];
  }
  return out;
}

/** publish_in always; publish_out once the exchange has routed something, as RabbitMQ shows them. */
function exchangeStats(c: readonly number[], r: readonly number[]): Record<string, unknown> {
  const out: Record<string, unknown> = { publish_in: c[0], publish_in_details: { rate: r[0] } };
  if (c[1] > 0) {
    out.publish_out = c[1];
    out.publish_out_details = { rate: r[1] };
  }
  return out;
}

/** A quorum queue's fields as RabbitMQ shows them: its one member and leader, and none of a classic queue's. */
function quorumFields(ctx: AdminContext, q: QuorumQueue, out: Record<string, unknown>): void {
  for (const k of ["exclusive_consumer_tag", "head_message_timestamp", "recoverable_slaves"]) delete out[k];
  out.single_active_consumer_ctag = out.single_active_consumer_tag;
  delete out.single_active_consumer_tag;
  out.leader = ctx.nodeName;
  out.members = [ctx.nodeName];
  out.online = [ctx.nodeName];
  out.open_files = { [ctx.nodeName]: 0 };
  // Held dead letters (at-least-once) count among the queue's messages, as in RabbitMQ.
  out.messages = (out.messages as number) + q.deadLetterCount;
  out.messages_dlx = q.deadLetterCount;
  out.message_bytes_dlx = q.deadLetterBytes;
}

/**
 * A stream's fields: RabbitMQ's (its member, its readers, none of a classic
 * queue's consumer fields) and Warren's own, prefixed stream_, where RabbitMQ
 * shows nothing of the log: its size, segments and offsets.
 */
function streamFields(ctx: AdminContext, q: StreamQueue, out: Record<string, unknown>): void {
  for (
    const k of [
      "consumer_capacity",
      "consumer_utilisation",
      "exclusive_consumer_tag",
      "head_message_timestamp",
      "recoverable_slaves",
      "single_active_consumer_tag",
    ]
  ) delete out[k];
  out.members = [ctx.nodeName];
  out.online = [ctx.nodeName];
  out.readers = { [ctx.nodeName]: q.consumers.length };
  const info = q.streamInfo();
  out.stream_bytes = info.bytes;
  out.stream_segments = info.segments;
  out.stream_first_offset = info.firstOffset;
  out.stream_last_offset = info.lastOffset;
}

export function exchangeJson(ctx: AdminContext, x: Exchange): Record<string, unknown> {
  const c = exchangeCounters(x);
  const r = ctx.rates.rates(x, c);
  const policy = policyOf(ctx, x, "exchange");
  const out: Record<string, unknown> = {
    arguments: tableToJson(x.arguments),
    auto_delete: x.autoDelete,
    durable: x.durable,
    internal: x.internal,
    message_stats: exchangeStats(c, r),
    name: x.name,
    type: x.type,
    user_who_performed_action: "rmq-internal",
    vhost: x.vhost,
  };
  // RabbitMQ names an exchange's policy only when one applies (queues always carry the field).
  if (policy) out.policy = policy.name;
  return out;
}

/** RabbitMQ's quote_plus with "~" escaped, as in binding properties keys. */
function quoteBindingPart(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*~]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/** A short, stable hash of binding arguments (FNV-1a over their canonical form), base64url. */
function argumentsHash(args: Binding["arguments"]): string {
  let h = 0x811c9dc5;
  const text = fieldTableKey(args);
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const bytes = [h >>> 24, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The "properties_key" that names one binding between a source and a destination. */
export function bindingPropertiesKey(routingKey: string, args: Binding["arguments"]): string {
  const hasArgs = Object.keys(args).length > 0;
  if (!hasArgs) return routingKey === "" ? "~" : quoteBindingPart(routingKey);
  return `${quoteBindingPart(routingKey)}~${quoteBindingPart(argumentsHash(args))}`;
}

export function bindingJson(b: Binding): Record<string, unknown> {
  return {
    source: b.source.name,
    vhost: b.source.vhost,
    destination: b.destination.name,
    destination_type: b.destination.kind,
    routing_key: b.routingKey,
    arguments: tableToJson(b.arguments),
    properties_key: bindingPropertiesKey(b.routingKey, b.arguments),
  };
}

/** The implicit binding of a queue to the default exchange, which RabbitMQ lists too. */
export function defaultBindingJson(q: Queue): Record<string, unknown> {
  return {
    source: "",
    vhost: q.vhost,
    destination: q.name,
    destination_type: "queue",
    routing_key: q.name,
    arguments: {},
    properties_key: bindingPropertiesKey(q.name, {}),
  };
}

/** Every binding in a vhost: the default exchange's implicit ones first, as RabbitMQ lists them. */
export function vhostBindings(v: VHost): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const q of v.queues.values()) out.push(defaultBindingJson(q));
  for (const x of v.exchanges.values()) {
    if (x === v.defaultExchange) continue;
    for (const b of x.bindings.values()) out.push(bindingJson(b));
  }
  return out;
}

// ---- connections, channels, consumers ----------------------------------

export function connectionState(c: Connection): string {
  if (!c.isOpen) return "closing";
  return c.readState;
}

export function connectionJson(ctx: AdminContext, c: Connection): Record<string, unknown> {
  const local = localAddress(ctx, c);
  const peer = peerAddress(c);
  const clientProperties = tableToJson(c.clientProperties as Record<string, never>);
  const providedName = clientProperties.connection_name;
  const octets = connectionCounters(c);
  const octetRates = ctx.rates.rates(c, octets);
  return {
    auth_mechanism: "PLAIN",
    channel_max: c.channelMax,
    channels: c.channels.size,
    client_properties: clientProperties,
    connected_at: c.connectedAt,
    frame_max: c.frameMax,
    host: local.hostname,
    name: connectionName(ctx, c),
    node: ctx.nodeName,
    peer_cert_issuer: null,
    peer_cert_subject: null,
    peer_cert_validity: null,
    peer_host: peer.host,
    peer_port: peer.port,
    port: local.port,
    protocol: "AMQP 0-9-1",
    recv_oct: octets[0],
    recv_oct_details: { rate: octetRates[0] },
    send_oct: octets[1],
    send_oct_details: { rate: octetRates[1] },
    ssl: local.ssl,
    ssl_cipher: null,
    ssl_hash: null,
    ssl_key_exchange: null,
    ssl_protocol: null,
    state: connectionState(c),
    timeout: c.heartbeatS,
    type: "network",
    user: c.user.name,
    user_provided_name: typeof providedName === "string" ? providedName : null,
    user_who_performed_action: c.user.name,
    vhost: c.vhost.name,
  };
}

export function channelName(ctx: AdminContext, ch: Channel): string {
  return `${connectionName(ctx, connectionOf(ch))} (${ch.id})`;
}

export function channelJson(ctx: AdminContext, ch: Channel): Record<string, unknown> {
  const c = connectionOf(ch);
  const peer = peerAddress(c);
  const counts = channelCounters(ch);
  const rates = ctx.rates.rates(ch, counts);
  const messageStats: Record<string, unknown> = {};
  CHANNEL_STATS.forEach((name, i) => {
    messageStats[name] = counts[i];
    messageStats[`${name}_details`] = { rate: rates[i] };
  });
  return {
    acks_uncommitted: 0,
    confirm: ch.confirmMode,
    connection_details: { name: connectionName(ctx, c), peer_host: peer.host, peer_port: peer.port },
    consumer_count: ch.consumers.size,
    global_prefetch_count: ch.globalPrefetchCount,
    message_stats: messageStats,
    messages_unacknowledged: ch.deliveries.size,
    messages_uncommitted: 0,
    messages_unconfirmed: 0,
    name: channelName(ctx, ch),
    node: ctx.nodeName,
    number: ch.id,
    pending_raft_commands: 0,
    prefetch_count: ch.prefetchCount,
    state: ch.state === "open" ? "running" : "closing",
    transactional: ch.transactional,
    user: c.user.name,
    user_who_performed_action: c.user.name,
    vhost: c.vhost.name,
  };
}

export function consumerJson(ctx: AdminContext, x: ChannelConsumer): Record<string, unknown> {
  const ch = x.channel;
  const peer = peerAddress(connectionOf(ch));
  const out: Record<string, unknown> = {
    arguments: tableToJson(x.arguments),
    ack_required: !x.noAck,
    active: true,
    activity_status: "up",
    channel_details: {
      connection_name: connectionName(ctx, connectionOf(ch)),
      name: channelName(ctx, ch),
      node: ctx.nodeName,
      number: ch.id,
      peer_host: peer.host,
      peer_port: peer.port,
      user: connectionOf(ch).user.name,
    },
    consumer_tag: x.tag,
    exclusive: x.exclusive,
    prefetch_count: x.prefetchCount,
    queue: { name: x.queue.name, vhost: x.queue.vhost },
  };
  // Warren's own: where a stream consumer has read to (RabbitMQ shows only its x-stream-offset argument).
  if (x.queue instanceof StreamQueue) {
    const at = x.queue.consumerOffsets().find((o) => o.consumer === x);
    out.stream_offset = at?.offset ?? -1;
    out.stream_next_offset = at?.nextOffset ?? null;
  }
  return out;
}

// ---- message properties --------------------------------------------------

const PROPERTY_NAMES: readonly [keyof BasicProperties, string][] = [
  ["contentType", "content_type"],
  ["contentEncoding", "content_encoding"],
  ["headers", "headers"],
  ["deliveryMode", "delivery_mode"],
  ["priority", "priority"],
  ["correlationId", "correlation_id"],
  ["replyTo", "reply_to"],
  ["expiration", "expiration"],
  ["messageId", "message_id"],
  ["timestamp", "timestamp"],
  ["type", "type"],
  ["userId", "user_id"],
  ["appId", "app_id"],
  ["clusterId", "cluster_id"],
];

/**
 * Message properties with RabbitMQ's snake_case names. Like RabbitMQ, a
 * message without properties shows them as an empty JSON array.
 */
export function propertiesJson(props: BasicProperties): Record<string, unknown> | never[] {
  const out: Record<string, unknown> = {};
  for (const [name, json] of PROPERTY_NAMES) {
    const v = props[name];
    if (v === undefined) continue;
    out[json] = name === "headers" ? tableToJson(v as BasicProperties["headers"]) : v;
  }
  return Object.keys(out).length === 0 ? [] : out;
}

/** The camelCase property name for a JSON one. */
export function propertyName(json: string): keyof BasicProperties | undefined {
  return PROPERTY_NAMES.find(([, j]) => j === json)?.[0];
}
