// A queue's optional behaviours, read from its x-arguments (and from a
// matching policy, where declare-time arguments win as in RabbitMQ), with
// RabbitMQ's validation rules and 406 texts. A queue without any of them
// pays nothing: every field is "off" by default.
import { AmqpError, REPLY_PRECONDITION_FAILED } from "../amqp/errors.ts";
import { type FieldTable, type FieldValue, wireTypeName } from "../amqp/field_table.ts";
import { parseAgeMs } from "./stream_args.ts";

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
  /** Quorum queues: a message returned more than this many times is dropped or dead-lettered. */
  deliveryLimit: number | null;
  /** Quorum queues: at-least-once keeps a dead letter until some queue takes it. */
  deadLetterStrategy: "at-most-once" | "at-least-once";
  /** Streams: whole segments older than this go (x-max-age). */
  maxAgeMs: number | null;
  /** Streams: a segment is closed past this many bytes. */
  streamMaxSegmentSizeBytes: number | null;
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
  deliveryLimit: null,
  deadLetterStrategy: "at-most-once",
  maxAgeMs: null,
  streamMaxSegmentSizeBytes: null,
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
  "delivery-limit": "x-delivery-limit",
  "dead-letter-strategy": "x-dead-letter-strategy",
  "max-age": "x-max-age",
  "stream-max-segment-size-bytes": "x-stream-max-segment-size-bytes",
};

const LOWER_WINS = new Set([
  "x-message-ttl",
  "x-expires",
  "x-max-length",
  "x-max-length-bytes",
  "x-delivery-limit",
]);

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
 * Values of the wrong shape count as unset: declare-time arguments were
 * validated when declared (validateQueueArguments), policies when set.
 */
export function queueSettings(args: FieldTable, policyArgs: FieldTable = {}): QueueSettings {
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
  const maxAge = str("x-max-age");
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
    deliveryLimit: num("x-delivery-limit"),
    deadLetterStrategy: str("x-dead-letter-strategy") === "at-least-once" ? "at-least-once" : "at-most-once",
    maxAgeMs: maxAge === null ? null : parseAgeMs(maxAge),
    streamMaxSegmentSizeBytes: num("x-stream-max-segment-size-bytes"),
  };
}

type Where = { queue: string; vhost: string };
type ArgCheck = (args: FieldTable, arg: string, where: Where) => void;

function integerArg(min: number, max?: number): ArgCheck {
  return (args, arg, where) => {
    const v = args[arg];
    const n = typeof v === "bigint" ? Number(v) : v;
    const bad = (reason: string) => invalid(arg, where.queue, where.vhost, reason);
    if (typeof n !== "number" || !Number.isInteger(n)) {
      throw bad(`"expected integer, got ${argType(args, arg)}"`);
    }
    if (n < 0) throw bad(`{value_negative,${n}}`);
    if (n < min) throw bad(`{value_zero,${n}}`);
    if (max !== undefined && n > max) throw bad(`{max_value_exceeded,${n}}`);
  };
}

/** A string argument with a fixed set of values; `unknown` words the refusal of any other. */
function enumArg(values: readonly string[], unknown: (v: string) => string): ArgCheck {
  return (args, arg, where) => {
    const v = args[arg];
    const bad = (reason: string) => invalid(arg, where.queue, where.vhost, reason);
    if (typeof v !== "string") throw bad(`{unacceptable_type,${argType(args, arg)}}`);
    if (!values.includes(v)) throw bad(unknown(v));
  };
}

function argType(args: FieldTable, arg: string): string {
  return wireTypeName(args, arg) ?? typeName(args[arg]);
}

/**
 * RabbitMQ's checks of argument values, in the order RabbitMQ runs them
 * (which decides the error when several arguments are wrong; the type of the
 * dead-letter exchange comes first, as RabbitMQ's channel looks at it before
 * declaring), with its error terms. x-delivery-limit has none: RabbitMQ takes any value and acts
 * on integers only.
 */
const ARGUMENT_CHECKS: readonly [string, ArgCheck][] = [
  ["x-dead-letter-exchange", (args, arg, where) => {
    if (typeof args[arg] === "string") return;
    throw new AmqpError(
      REPLY_PRECONDITION_FAILED,
      `invalid type '${
        argType(args, arg)
      }' for arg '${arg}' in queue '${where.queue}' in vhost '${where.vhost}'`,
    );
  }],
  ["x-expires", integerArg(1)],
  ["x-message-ttl", integerArg(0)],
  ["x-dead-letter-routing-key", (args, arg, where) => {
    const bad = (reason: string) => invalid(arg, where.queue, where.vhost, reason);
    if (typeof args[arg] !== "string") throw bad(`{unacceptable_type,${argType(args, arg)}}`);
    if (args["x-dead-letter-exchange"] === undefined) throw bad("routing_key_but_no_dlx_defined");
  }],
  ["x-dead-letter-strategy", enumArg(["at-most-once", "at-least-once"], () => "invalid_dlx_strategy")],
  ["x-max-length", integerArg(0)],
  ["x-max-length-bytes", integerArg(0)],
  ["x-max-in-memory-length", integerArg(0)],
  ["x-max-in-memory-bytes", integerArg(0)],
  ["x-max-priority", integerArg(0, MAX_PRIORITY)],
  ["x-overflow", enumArg(["drop-head", "reject-publish", "reject-publish-dlx"], () => "invalid_overflow")],
  ["x-queue-mode", enumArg(["default", "lazy"], (v) => `"unsupported queue mode '${v}'"`)],
  ["x-queue-version", (args, arg, where) => {
    integerArg(0)(args, arg, where);
    const n = Number(args[arg]);
    if (n !== 1 && n !== 2) {
      throw invalid(arg, where.queue, where.vhost, `"unsupported queue version '${n}'"`);
    }
  }],
  ["x-single-active-consumer", (args, arg, where) => {
    if (typeof args[arg] === "boolean") return;
    throw invalid(arg, where.queue, where.vhost, `{unacceptable_type,${argType(args, arg)}}`);
  }],
  ["x-quorum-initial-group-size", integerArg(1)],
  ["x-max-age", (args, arg, where) => {
    const v = args[arg];
    if (typeof v !== "string") {
      throw invalid(arg, where.queue, where.vhost, `{unacceptable_type,${argType(args, arg)}}`);
    }
    if (parseAgeMs(v) === null) throw invalid(arg, where.queue, where.vhost, "invalid_max_age");
  }],
  ["x-stream-max-segment-size-bytes", integerArg(0)],
  ["x-initial-cluster-size", integerArg(1)],
  [
    "x-queue-leader-locator",
    enumArg(
      ["client-local", "balanced", "random", "least-leaders"],
      () => "invalid_queue_locator_arg",
    ),
  ],
];

/**
 * Checks the values of the arguments a queue type understands (`known`);
 * 406 in RabbitMQ's words for the first wrong one.
 */
export function validateQueueArguments(args: FieldTable, where: Where, known: ReadonlySet<string>): void {
  for (const [arg, check] of ARGUMENT_CHECKS) {
    if (args[arg] !== undefined && known.has(arg)) check(args, arg, where);
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
