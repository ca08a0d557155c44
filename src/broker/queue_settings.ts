// A queue's optional behaviours, read from its x-arguments (and from a
// matching policy, where declare-time arguments win as in RabbitMQ), with
// RabbitMQ's validation rules and 406 texts. A queue without any of them
// pays nothing: every field is "off" by default.
import { AmqpError, REPLY_PRECONDITION_FAILED } from "../amqp/errors.ts";
import type { FieldTable, FieldValue } from "../amqp/field_table.ts";

export type Overflow = "drop-head" | "reject-publish" | "reject-publish-dlx";

export interface QueueSettings {
  messageTtlMs: number | null;
  expiresMs: number | null;
  maxLength: number | null;
  maxLengthBytes: number | null;
  overflow: Overflow;
  deadLetterExchange: string | null;
  deadLetterRoutingKey: string | null;
  maxPriority: number | null;
  singleActiveConsumer: boolean;
}

export const NO_SETTINGS: QueueSettings = Object.freeze({
  messageTtlMs: null,
  expiresMs: null,
  maxLength: null,
  maxLengthBytes: null,
  overflow: "drop-head",
  deadLetterExchange: null,
  deadLetterRoutingKey: null,
  maxPriority: null,
  singleActiveConsumer: false,
});

/** Policy definition keys and the queue argument each stands for. */
export const POLICY_QUEUE_KEYS: Record<string, string> = {
  "message-ttl": "x-message-ttl",
  "expires": "x-expires",
  "max-length": "x-max-length",
  "max-length-bytes": "x-max-length-bytes",
  "overflow": "x-overflow",
  "dead-letter-exchange": "x-dead-letter-exchange",
  "dead-letter-routing-key": "x-dead-letter-routing-key",
  "max-priority": "x-max-priority",
};

const LOWER_WINS = new Set(["x-message-ttl", "x-expires", "x-max-length", "x-max-length-bytes"]);

/** The largest timer delay JavaScript honours; longer TTLs are clamped by the sweeper, not refused. */
const MAX_TTL_MS = 0xffff_ffff_ffff;
const MAX_PRIORITY = 255;

function typeName(v: FieldValue): string {
  if (typeof v === "string") return "longstr";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "long" : "double";
  if (typeof v === "bigint") return "long";
  if (Array.isArray(v)) return "array";
  if (v instanceof Uint8Array) return "binary";
  if (v === null) return "void";
  return "table";
}

function invalid(arg: string, queue: string, vhost: string, reason: string): AmqpError {
  return new AmqpError(
    REPLY_PRECONDITION_FAILED,
    `invalid arg '${arg}' for queue '${queue}' in vhost '${vhost}': ${reason}`,
  );
}

/**
 * Effective settings from declare-time arguments over policy arguments.
 * Throws 406 for a declare-time argument of the wrong type or out of range.
 */
export function queueSettings(
  args: FieldTable,
  where: { queue: string; vhost: string },
  policyArgs: FieldTable = {},
): QueueSettings {
  const pick = (name: string): FieldValue | undefined => {
    const a = args[name];
    const p = policyArgs[name];
    // For the length and time limits RabbitMQ applies whichever is lower; otherwise the argument wins.
    if (LOWER_WINS.has(name) && typeof a === "number" && typeof p === "number") return Math.min(a, p);
    return a ?? p;
  };
  const bad = (arg: string, reason: string) => invalid(arg, where.queue, where.vhost, reason);
  const integer = (name: string, min: number, max = MAX_TTL_MS): number | null => {
    const v = pick(name);
    if (v === undefined) return null;
    const n = typeof v === "bigint" ? Number(v) : v;
    if (typeof n !== "number" || !Number.isInteger(n)) throw bad(name, `{unacceptable_type,${typeName(v)}}`);
    if (n < min) throw bad(name, min === 1 ? `{value_zero_or_less,${n}}` : `{value_negative,${n}}`);
    if (n > max) throw bad(name, `{value_too_large,${n},${max}}`);
    return n;
  };
  const text = (name: string): string | null => {
    const v = pick(name);
    if (v === undefined) return null;
    if (typeof v !== "string") throw bad(name, `{unacceptable_type,${typeName(v)}}`);
    return v;
  };
  const overflow = text("x-overflow") ?? "drop-head";
  if (overflow !== "drop-head" && overflow !== "reject-publish" && overflow !== "reject-publish-dlx") {
    throw bad("x-overflow", `{unacceptable_value,${JSON.stringify(overflow)}}`);
  }
  const sac = pick("x-single-active-consumer");
  if (sac !== undefined && typeof sac !== "boolean") {
    throw bad("x-single-active-consumer", `{unacceptable_type,${typeName(sac)}}`);
  }
  const settings: QueueSettings = {
    messageTtlMs: integer("x-message-ttl", 0),
    expiresMs: integer("x-expires", 1),
    maxLength: integer("x-max-length", 0),
    maxLengthBytes: integer("x-max-length-bytes", 0),
    overflow,
    deadLetterExchange: text("x-dead-letter-exchange"),
    deadLetterRoutingKey: text("x-dead-letter-routing-key"),
    maxPriority: integer("x-max-priority", 0, MAX_PRIORITY),
    singleActiveConsumer: sac === true,
  };
  if (settings.deadLetterRoutingKey !== null && settings.deadLetterExchange === null) {
    throw new AmqpError(
      REPLY_PRECONDITION_FAILED,
      `invalid arg 'x-dead-letter-routing-key' for queue '${where.queue}' in vhost '${where.vhost}': ` +
        "Key x-dead-letter-routing-key should be specified together with x-dead-letter-exchange",
    );
  }
  const type = pick("x-queue-type");
  if (type !== undefined && type !== "classic") {
    throw bad(
      "x-queue-type",
      `{unacceptable_value,${JSON.stringify(String(type))}}: only classic queues are supported`,
    );
  }
  return settings;
}

/** Settings a policy definition would give, ignoring values of the wrong shape (policies are validated when set). */
export function policyQueueArgs(definition: Record<string, unknown>): FieldTable {
  const out: FieldTable = {};
  for (const [key, arg] of Object.entries(POLICY_QUEUE_KEYS)) {
    const v = definition[key];
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[arg] = v;
  }
  return out;
}
