// Federation upstreams and upstream sets (runtime-parameter components
// "federation-upstream" and "federation-upstream-set"), validated as
// rabbit_federation_parameters validates them — its texts, and its order
// (results are collected newest first, so the last key checked is reported
// first) — and the settings one link runs with: the upstream's values,
// overridden by those its upstream set gives.
import { parseAmqpUri, UriError } from "../client/amqp_uri.ts";
import { erlangPairs, erlangTerm } from "../shovel/erlang_term.ts";

export const UPSTREAM_COMPONENT = "federation-upstream";
export const UPSTREAM_SET_COMPONENT = "federation-upstream-set";
/** The set every policy may name: all upstreams of the vhost. */
export const ALL_UPSTREAMS = "all";

export type FederationAckMode = "on-confirm" | "on-publish" | "no-ack";

export interface UpstreamConfig {
  /** The upstream's parameter name. */
  name: string;
  uris: string[];
  /** null: the downstream exchange's or queue's own name. */
  exchange: string | null;
  queue: string | null;
  consumerTag: string | null;
  prefetchCount: number;
  reconnectDelayS: number;
  maxHops: number;
  /** ms; null: the upstream queue does not expire / its messages do not. */
  expiresMs: number | null;
  messageTtlMs: number | null;
  trustUserId: boolean;
  ackMode: FederationAckMode;
  /** resource-cleanup-mode "never": what a link declared upstream stays when the link is removed. */
  keepUpstreamResources: boolean;
}

/** rabbit_federation's defaults. */
const DEFAULT_PREFETCH_COUNT = 1000;
const DEFAULT_RECONNECT_DELAY_S = 5;
const DEFAULT_MAX_HOPS = 1;

type Check = (key: string, value: unknown) => string | null;

function binary(key: string, v: unknown): string | null {
  return typeof v === "string" ? null : `${key} should be binary, actually was ${erlangTerm(v)}`;
}

function number(key: string, v: unknown): string | null {
  return typeof v === "number" ? null : `${key} should be a number, actually was ${erlangTerm(v)}`;
}

function boolean(key: string, v: unknown): string | null {
  return typeof v === "boolean" ? null : `${key} should be boolean, actually was ${erlangTerm(v)}`;
}

const ACK_MODES = ["no-ack", "on-publish", "on-confirm"];

function ackMode(key: string, v: unknown): string | null {
  if (typeof v === "string" && ACK_MODES.includes(v)) return null;
  return `${key} should be one of ${erlangTerm(ACK_MODES)}, actually was ${erlangTerm(v)}`;
}

function cleanupMode(key: string, v: unknown): string | null {
  if (v === "default" || v === "never") return null;
  return `${key} should be one of ${erlangTerm(["default", "never"])}, actually was ${erlangTerm(v)}`;
}

function uri(key: string, v: unknown): string | null {
  const one = (u: unknown): string | null => {
    if (typeof u !== "string") return `${key} should be list, actually was ${erlangTerm(u)}`;
    try {
      parseAmqpUri(u);
      return null;
    } catch (e) {
      if (e instanceof UriError) return e.message;
      throw e;
    }
  };
  if (!Array.isArray(v)) return one(v);
  for (const u of v) {
    const r = one(u);
    if (r !== null) return r;
  }
  return null;
}

/** The keys an upstream and an upstream-set entry share, in RabbitMQ's order. */
const SHARED: [string, Check][] = [
  ["exchange", binary],
  ["queue", binary],
  ["consumer-tag", binary],
  ["prefetch-count", number],
  ["reconnect-delay", number],
  ["max-hops", number],
  ["expires", number],
  ["message-ttl", number],
  ["trust-user-id", boolean],
  ["ack-mode", ackMode],
  ["resource-cleanup-mode", cleanupMode],
  // Accepted by RabbitMQ 3.10 and without effect there on a single node; Warren stores them too.
  ["ha-policy", binary],
  ["bind-nowait", boolean],
];

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function proplist(
  name: string,
  value: Record<string, unknown>,
  checks: [string, Check, boolean][],
): string[] {
  const rest = new Map(Object.entries(value));
  const results: string[] = [];
  for (const [key, check, mandatory] of checks) {
    if (rest.has(key)) {
      const r = check(key, rest.get(key));
      rest.delete(key);
      if (r !== null) results.unshift(r);
    } else if (mandatory) results.unshift(`Key "${key}" not found in ${name}`);
  }
  if (rest.size > 0) results.unshift(`Unrecognised terms ${erlangPairs([...rest])} in ${name}`);
  return results;
}

const UPSTREAM_CHECKS: [string, Check, boolean][] = [
  ["uri", uri, true],
  ...SHARED.map(([k, c]): [string, Check, boolean] => [k, c, false]),
];
const SET_ENTRY_CHECKS: [string, Check, boolean][] = [
  ["upstream", binary, true],
  ...SHARED.map(([k, c]): [string, Check, boolean] => [k, c, false]),
];

export function validateUpstream(name: string, value: unknown): string[] {
  // RabbitMQ crashes (500) on a value that is not an object; Warren says why.
  if (!isObject(value)) return [`Unrecognised terms ${erlangTerm(value)} in ${name}`];
  return proplist(name, value, UPSTREAM_CHECKS);
}

export function validateUpstreamSet(name: string, value: unknown): string[] {
  if (!Array.isArray(value)) return [`Unrecognised terms ${erlangTerm(value)} in ${name}`];
  for (const entry of value) {
    if (!isObject(entry)) return [`Unrecognised terms ${erlangTerm(entry)} in ${name}`];
    const reasons = proplist(name, entry, SET_ENTRY_CHECKS);
    if (reasons.length > 0) return reasons;
  }
  return [];
}

/** A link's settings: an upstream's value with an upstream-set entry's overrides laid over it. */
export function upstreamConfig(
  name: string,
  value: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
): UpstreamConfig {
  const v = { ...value, ...overrides };
  const str = (k: string) => (typeof v[k] === "string" ? v[k] as string : null);
  const num = (k: string, fallback: number) => (typeof v[k] === "number" ? v[k] as number : fallback);
  const ms = (k: string) => (typeof v[k] === "number" ? v[k] as number : null);
  return {
    name,
    uris: Array.isArray(v.uri) ? v.uri as string[] : [v.uri as string],
    exchange: str("exchange"),
    queue: str("queue"),
    consumerTag: str("consumer-tag"),
    prefetchCount: Math.max(0, Math.floor(num("prefetch-count", DEFAULT_PREFETCH_COUNT))),
    reconnectDelayS: Math.max(0, num("reconnect-delay", DEFAULT_RECONNECT_DELAY_S)),
    maxHops: Math.max(1, Math.floor(num("max-hops", DEFAULT_MAX_HOPS))),
    expiresMs: ms("expires"),
    messageTtlMs: ms("message-ttl"),
    trustUserId: v["trust-user-id"] === true,
    ackMode: (str("ack-mode") ?? "on-confirm") as FederationAckMode,
    keepUpstreamResources: v["resource-cleanup-mode"] === "never",
  };
}
