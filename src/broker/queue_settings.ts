// A queue's optional behaviours, read from its x-arguments (and from a
// matching policy, where declare-time arguments win as in RabbitMQ), with
// RabbitMQ's validation rules and 406 texts. A queue without any of them
// pays nothing: every field is "off" by default.
import { AmqpError, REPLY_PRECONDITION_FAILED } from "../amqp/errors.ts";
import { type FieldTable, type FieldValue, wireTypeName } from "../amqp/field_table.ts";

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
 * Effective settings from declare-time arguments and policy arguments.
 * Throws 406 for a declare-time argument of the wrong type or out of range,
 * in RabbitMQ's words.
 */
export function queueSettings(
  args: FieldTable,
  where: { queue: string; vhost: string },
  policyArgs: FieldTable = {},
): QueueSettings {
  validateArguments(args, where);
  const pick = (name: string): FieldValue | undefined => {
    const a = args[name];
    const p = policyArgs[name];
    // For the length and time limits RabbitMQ applies whichever is lower; otherwise the argument wins.
    if (LOWER_WINS.has(name) && typeof a === "number" && typeof p === "number") return Math.min(a, p);
    return a ?? p;
  };
  const num = (name: string): number | null => {
    const v = pick(name);
    return typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : null;
  };
  const str = (name: string): string | null => {
    const v = pick(name);
    return typeof v === "string" ? v : null;
  };
  const overflow = str("x-overflow");
  return {
    messageTtlMs: num("x-message-ttl"),
    expiresMs: num("x-expires"),
    maxLength: num("x-max-length"),
    maxLengthBytes: num("x-max-length-bytes"),
    overflow: overflow === "reject-publish" || overflow === "reject-publish-dlx" ? overflow : "drop-head",
    deadLetterExchange: str("x-dead-letter-exchange"),
    deadLetterRoutingKey: str("x-dead-letter-routing-key"),
    maxPriority: num("x-max-priority"),
    singleActiveConsumer: pick("x-single-active-consumer") === true,
  };
}

const INTEGER_ARGS: Record<string, { min: number; max?: number }> = {
  "x-message-ttl": { min: 0 },
  "x-expires": { min: 1 },
  "x-max-length": { min: 0 },
  "x-max-length-bytes": { min: 0 },
  "x-max-priority": { min: 0, max: MAX_PRIORITY },
};

/** RabbitMQ's checks of queue arguments, one rule per argument, with its error terms. */
function validateArguments(args: FieldTable, where: { queue: string; vhost: string }): void {
  const bad = (arg: string, reason: string) => invalid(arg, where.queue, where.vhost, reason);
  const type = (arg: string) => wireTypeName(args, arg) ?? typeName(args[arg]);
  const integer = (arg: string) => {
    const range = INTEGER_ARGS[arg];
    const v = args[arg];
    const n = typeof v === "bigint" ? Number(v) : v;
    if (typeof n !== "number" || !Number.isInteger(n)) throw bad(arg, `"expected integer, got ${type(arg)}"`);
    if (n < 0) throw bad(arg, `{value_negative,${n}}`);
    if (n < range.min) throw bad(arg, `{value_zero,${n}}`);
    if (range.max !== undefined && n > range.max) throw bad(arg, `{max_value_exceeded,${n}}`);
  };
  const overflow = (arg: string) => {
    const v = args[arg];
    if (typeof v !== "string") throw bad(arg, `{unacceptable_type,${type(arg)}}`);
    if (!["drop-head", "reject-publish", "reject-publish-dlx"].includes(v)) {
      throw bad(arg, "invalid_overflow");
    }
  };
  const deadLetterExchange = (arg: string) => {
    if (typeof args[arg] === "string") return;
    throw new AmqpError(
      REPLY_PRECONDITION_FAILED,
      `invalid type '${type(arg)}' for arg '${arg}' in queue '${where.queue}' in vhost '${where.vhost}'`,
    );
  };
  const deadLetterRoutingKey = (arg: string) => {
    if (typeof args[arg] !== "string") throw bad(arg, `{unacceptable_type,${type(arg)}}`);
    if (args["x-dead-letter-exchange"] === undefined) throw bad(arg, "routing_key_but_no_dlx_defined");
  };
  const boolean = (arg: string) => {
    if (typeof args[arg] !== "boolean") throw bad(arg, `{unacceptable_type,${type(arg)}}`);
  };
  // RabbitMQ checks them in this order and reports the first bad one (the type of the
  // dead-letter exchange before everything: its channel looks at it before declaring).
  const checks: [string, (arg: string) => void][] = [
    ["x-dead-letter-exchange", deadLetterExchange],
    ["x-expires", integer],
    ["x-message-ttl", integer],
    ["x-dead-letter-routing-key", deadLetterRoutingKey],
    ["x-max-length", integer],
    ["x-max-length-bytes", integer],
    ["x-max-priority", integer],
    ["x-overflow", overflow],
    ["x-single-active-consumer", boolean],
  ];
  for (const [arg, check] of checks) if (args[arg] !== undefined) check(arg);
  const queueType = args["x-queue-type"];
  if (queueType !== undefined && queueType !== "classic") {
    throw bad(
      "x-queue-type",
      `{unacceptable_value,${JSON.stringify(String(queueType))}}: only classic queues are supported`,
    );
  }
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
