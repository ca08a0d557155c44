// A dynamic shovel's parameter value (component "shovel", protocol
// amqp091): validated as rabbit_shovel_parameters validates it, with its
// texts and in its order (its proplist check collects results newest
// first, which is why "dest-uri" is reported before "src-uri"), and read
// into the settings a running shovel uses, with RabbitMQ 3.10's defaults.
import { type AmqpEndpoint, parseAmqpUri, UriError } from "../client/amqp_uri.ts";
import { erlangPairs, erlangTerm } from "./erlang_term.ts";

export type AckMode = "on-confirm" | "on-publish" | "no-ack";
export type DeleteAfter = "never" | "queue-length" | number;

export interface ShovelConfig {
  srcUris: string[];
  srcQueue: string | null;
  srcExchange: string | null;
  srcExchangeKey: string;
  srcQueueArgs: Record<string, unknown>;
  srcConsumerArgs: Record<string, unknown>;
  prefetchCount: number;
  deleteAfter: DeleteAfter;
  destUris: string[];
  destQueue: string | null;
  destExchange: string | null;
  /** null keeps each message's own routing key. */
  destExchangeKey: string | null;
  destQueueArgs: Record<string, unknown>;
  publishProperties: Record<string, unknown>;
  addForwardHeaders: boolean;
  addTimestampHeader: boolean;
  ackMode: AckMode;
  /** 0: a failed shovel stays terminated, as in RabbitMQ. */
  reconnectDelayS: number;
}

const DEFAULT_PREFETCH_COUNT = 1000;
const DEFAULT_RECONNECT_DELAY_S = 5;
/** With src-exchange and no key, the shovel's queue is bound with "#" (everything, on a topic exchange). */
const DEFAULT_SRC_EXCHANGE_KEY = "#";

const ACK_MODES = ["no-ack", "on-publish", "on-confirm"];

type Check = (key: string, value: unknown) => string | null;
type Needed = "mandatory" | "optional";

/** The value may name a vhost only the user who sets it can reach; null: no such check (definitions). */
export type VHostAccessCheck = ((vhost: string) => string | null) | null;

function binary(key: string, v: unknown): string | null {
  return typeof v === "string" ? null : `${key} should be binary, actually was ${erlangTerm(v)}`;
}

function number(key: string, v: unknown): string | null {
  return typeof v === "number" ? null : `${key} should be a number, actually was ${erlangTerm(v)}`;
}

function boolean(key: string, v: unknown): string | null {
  return typeof v === "boolean" ? null : `${key} should be boolean, actually was ${erlangTerm(v)}`;
}

function ackMode(key: string, v: unknown): string | null {
  if (typeof v === "string" && ACK_MODES.includes(v)) return null;
  return `${key} should be one of ${erlangTerm(ACK_MODES)}, actually was ${erlangTerm(v)}`;
}

function deleteAfter(key: string, v: unknown): string | null {
  if (v === "never" || v === "queue-length") return null;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return null;
  return `${key} should be a number greater than or equal to 0, "never" or "queue-length", actually was ${
    erlangTerm(v)
  }`;
}

/** RabbitMQ only accepts amqp091 and amqp10; Warren's shovels speak 0-9-1 only. */
function protocol(key: string, v: unknown): string | null {
  if (v === "amqp091") return null;
  return `${key} should be one of [<<"amqp091">>], actually was ${
    erlangTerm(v)
  } (Warren shovels speak AMQP 0-9-1 only)`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Queue and consumer arguments and publish properties are JSON objects. */
function table(key: string, v: unknown): string | null {
  if (isObject(v)) return null;
  if (Array.isArray(v)) return `Unrecognised terms ${erlangTerm(v)} in ${key}`;
  // RabbitMQ answers 500 here (its validator crashes); Warren says why.
  return `${key} should be a JSON object, actually was ${erlangTerm(v)}`;
}

function publishProperties(key: string, v: unknown): string | null {
  if (isObject(v)) return null;
  if (Array.isArray(v)) return `Unrecognised terms ${erlangTerm(v)} in ${key}`;
  return `${key} not a list ${erlangTerm(v)}`;
}

function uriCheck(access: VHostAccessCheck): Check {
  const one = (key: string, v: unknown): string | null => {
    if (typeof v !== "string") return `${key} should be list, actually was ${erlangTerm(v)}`;
    let endpoint: AmqpEndpoint;
    try {
      endpoint = parseAmqpUri(v);
    } catch (e) {
      if (e instanceof UriError) return e.message;
      throw e;
    }
    return endpoint.host === null && access ? access(endpoint.vhost) : null;
  };
  return (key, v) => {
    if (!Array.isArray(v)) return one(key, v);
    for (const item of v) {
      const r = one(key, item);
      if (r !== null) return r;
    }
    return null;
  };
}

function validators(access: VHostAccessCheck): [string, Check, Needed][] {
  const uri = uriCheck(access);
  return [
    ["reconnect-delay", number, "optional"],
    ["ack-mode", ackMode, "optional"],
    ["src-protocol", protocol, "optional"],
    ["dest-protocol", protocol, "optional"],
    ["src-uri", uri, "mandatory"],
    ["src-exchange", binary, "optional"],
    ["src-exchange-key", binary, "optional"],
    ["src-queue", binary, "optional"],
    ["src-queue-args", table, "optional"],
    ["src-consumer-args", table, "optional"],
    ["prefetch-count", number, "optional"],
    ["src-prefetch-count", number, "optional"],
    ["src-delete-after", deleteAfter, "optional"],
    ["delete-after", deleteAfter, "optional"],
    ["dest-uri", uri, "mandatory"],
    ["dest-exchange", binary, "optional"],
    ["dest-exchange-key", binary, "optional"],
    ["dest-queue", binary, "optional"],
    ["dest-queue-args", table, "optional"],
    ["add-forward-headers", boolean, "optional"],
    ["dest-add-forward-headers", boolean, "optional"],
    ["dest-add-timestamp-header", boolean, "optional"],
    ["publish-properties", publishProperties, "optional"],
    ["dest-publish-properties", publishProperties, "optional"],
  ];
}

function countOf(value: Record<string, unknown>, a: string, b: string): "zero" | "one" | "both" {
  const n = (a in value ? 1 : 0) + (b in value ? 1 : 0);
  return n === 0 ? "zero" : n === 1 ? "one" : "both";
}

/** The reasons RabbitMQ gives for refusing `value` as shovel `name`; empty when it is valid. */
export function validateShovel(name: string, value: unknown, access: VHostAccessCheck): string[] {
  if (!isObject(value)) {
    // RabbitMQ fails with a 500 on a value that is not an object.
    return [`Unrecognised terms ${erlangTerm(value)} in ${name}`];
  }
  const reasons: string[] = [];
  const src = countOf(value, "src-exchange", "src-queue");
  if (src === "zero") reasons.push("Must specify 'src-exchange' or 'src-queue'");
  if (src === "both") reasons.push("Cannot specify 'src-exchange' and 'src-queue'");
  if (countOf(value, "dest-exchange", "dest-queue") === "both") {
    reasons.push("Cannot specify 'dest-exchange' and 'dest-queue'");
  }
  const after = value["src-delete-after"] ?? value["delete-after"];
  if (typeof after === "number" && Number.isInteger(after) && value["ack-mode"] === "no-ack") {
    reasons.push("Cannot specify 'no-ack' and numerical 'delete-after'");
  }
  const rest = new Map(Object.entries(value));
  const results: string[] = [];
  for (const [key, check, needed] of validators(access)) {
    if (rest.has(key)) {
      const r = check(key, rest.get(key));
      rest.delete(key);
      if (r !== null) results.unshift(r);
    } else if (needed === "mandatory") results.unshift(`Key "${key}" not found in ${name}`);
  }
  if (rest.size > 0) results.unshift(`Unrecognised terms ${erlangPairs([...rest])} in ${name}`);
  return [...reasons, ...results];
}

function uris(v: unknown): string[] {
  return Array.isArray(v) ? v as string[] : [v as string];
}

/** The settings of a value validateShovel accepted. */
export function parseShovel(value: Record<string, unknown>): ShovelConfig {
  const str = (k: string) => (typeof value[k] === "string" ? value[k] as string : null);
  const obj = (k: string) => (isObject(value[k]) ? value[k] as Record<string, unknown> : {});
  return {
    srcUris: uris(value["src-uri"]),
    srcQueue: str("src-queue"),
    srcExchange: str("src-exchange"),
    srcExchangeKey: str("src-exchange-key") ?? DEFAULT_SRC_EXCHANGE_KEY,
    srcQueueArgs: obj("src-queue-args"),
    srcConsumerArgs: obj("src-consumer-args"),
    prefetchCount: Math.max(
      0,
      Math.floor(
        (value["src-prefetch-count"] ?? value["prefetch-count"] ?? DEFAULT_PREFETCH_COUNT) as number,
      ),
    ),
    deleteAfter: (value["src-delete-after"] ?? value["delete-after"] ?? "never") as DeleteAfter,
    destUris: uris(value["dest-uri"]),
    destQueue: str("dest-queue"),
    destExchange: str("dest-exchange"),
    destExchangeKey: str("dest-exchange-key"),
    destQueueArgs: obj("dest-queue-args"),
    publishProperties: isObject(value["dest-publish-properties"])
      ? obj("dest-publish-properties")
      : obj("publish-properties"),
    addForwardHeaders:
      (value["dest-add-forward-headers"] ?? value["add-forward-headers"] ?? false) as boolean,
    addTimestampHeader: (value["dest-add-timestamp-header"] ?? false) as boolean,
    ackMode: (value["ack-mode"] ?? "on-confirm") as AckMode,
    reconnectDelayS: Math.max(0, (value["reconnect-delay"] ?? DEFAULT_RECONNECT_DELAY_S) as number),
  };
}
