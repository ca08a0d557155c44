// Queue types (x-queue-type) and the declare-time rules that come with each:
// which arguments a type understands (their values are checked), which it
// refuses outright, whether it may be server-named, and whether it must be
// durable. RabbitMQ's order and 406 texts. A type is one entry here plus its
// Queue subclass.
import { AmqpError, preconditionFailed, REPLY_PRECONDITION_FAILED } from "../amqp/errors.ts";
import { type FieldTable, wireTypeName } from "../amqp/field_table.ts";
import { Queue, type QueueOptions, type QueueStorage } from "./queue.ts";
import { validateQueueArguments } from "./queue_settings.ts";
import { QuorumQueue } from "./quorum_queue.ts";
import { StreamQueue } from "./stream_queue.ts";

export interface QueueType {
  readonly name: string;
  /** RabbitMQ's module for the type, as its error texts name it. */
  readonly module: string;
  readonly serverNamed: boolean;
  /** Non-durable, exclusive and auto-delete declares are refused. */
  readonly durableOnly: boolean;
  /** Arguments the type understands; their values are checked. */
  readonly known: ReadonlySet<string>;
  /** Arguments the type refuses whatever their value. */
  readonly unsupported: ReadonlySet<string>;
  create(vhost: string, name: string, options: QueueOptions, storage?: QueueStorage): Queue;
}

const COMMON = [
  "x-expires",
  "x-message-ttl",
  "x-dead-letter-exchange",
  "x-dead-letter-routing-key",
  "x-max-length",
  "x-max-length-bytes",
  "x-overflow",
  "x-single-active-consumer",
  "x-queue-type",
];
const STREAM_ONLY = ["x-max-age", "x-stream-max-segment-size-bytes", "x-initial-cluster-size"];

const CLASSIC: QueueType = {
  name: "classic",
  module: "rabbit_classic_queue",
  serverNamed: true,
  durableOnly: false,
  known: new Set([...COMMON, "x-max-priority", "x-queue-mode", "x-queue-version"]),
  unsupported: new Set([
    "x-delivery-limit",
    "x-dead-letter-strategy",
    "x-max-in-memory-length",
    "x-max-in-memory-bytes",
    "x-quorum-initial-group-size",
    "x-queue-leader-locator",
    ...STREAM_ONLY,
  ]),
  create: (vhost, name, options, storage) => new Queue(vhost, name, options, storage),
};

const QUORUM: QueueType = {
  name: "quorum",
  module: "rabbit_quorum_queue",
  serverNamed: false,
  durableOnly: true,
  known: new Set([
    ...COMMON,
    "x-delivery-limit",
    "x-dead-letter-strategy",
    "x-max-in-memory-length",
    "x-max-in-memory-bytes",
    "x-quorum-initial-group-size",
    "x-queue-leader-locator",
  ]),
  unsupported: new Set(["x-max-priority", "x-queue-mode", "x-queue-version", ...STREAM_ONLY]),
  create: (vhost, name, options, storage) => new QuorumQueue(vhost, name, options, storage),
};

const STREAM: QueueType = {
  name: "stream",
  module: "rabbit_stream_queue",
  serverNamed: false,
  durableOnly: true,
  known: new Set([
    "x-queue-type",
    "x-max-length-bytes",
    "x-queue-leader-locator",
    ...STREAM_ONLY,
  ]),
  // RabbitMQ 3.10 refuses each of these on a stream; any other x-argument is accepted and ignored.
  unsupported: new Set([
    ...COMMON.filter((a) => a !== "x-queue-type" && a !== "x-max-length-bytes"),
    "x-max-priority",
    "x-queue-mode",
    "x-queue-version",
    "x-delivery-limit",
    "x-dead-letter-strategy",
    "x-max-in-memory-length",
    "x-max-in-memory-bytes",
    "x-quorum-initial-group-size",
  ]),
  create: (vhost, name, options, storage) => new StreamQueue(vhost, name, options, storage),
};

const TYPES = new Map<string, QueueType>([
  [CLASSIC.name, CLASSIC],
  [QUORUM.name, QUORUM],
  [STREAM.name, STREAM],
]);

/** The type a queue's arguments name (classic when they name none); 406 for a type RabbitMQ would not know. */
export function queueTypeOf(args: FieldTable, where: { queue: string; vhost: string }): QueueType {
  const v = args["x-queue-type"];
  if (v === undefined) return CLASSIC;
  const invalid = (reason: string) =>
    new AmqpError(
      REPLY_PRECONDITION_FAILED,
      `invalid arg 'x-queue-type' for queue '${where.queue}' in vhost '${where.vhost}': ${reason}`,
    );
  if (typeof v !== "string") {
    throw invalid(`{unacceptable_type,${wireTypeName(args, "x-queue-type") ?? "long"}}`);
  }
  const type = TYPES.get(v);
  if (type === undefined) throw invalid(`"unsupported queue type '${v}'"`);
  return type;
}

/** A server-named declare (empty name) of a type that cannot have one: 406 before a name is made up. */
export function checkServerNamed(type: QueueType): void {
  if (!type.serverNamed) {
    throw preconditionFailed(`Cannot declare a server-named queue for type ${type.module}`);
  }
}

/**
 * The checks of a new queue's declaration, in RabbitMQ's order: argument
 * values the type understands, then arguments it refuses (the first in the
 * table), then the properties a durable-only type cannot have.
 */
export function checkDeclaration(
  type: QueueType,
  d: { name: string; durable: boolean; exclusive: boolean; autoDelete: boolean; arguments: FieldTable },
  vhost: string,
): void {
  const what = `queue '${d.name}' in vhost '${vhost}'`;
  validateQueueArguments(d.arguments, { queue: d.name, vhost }, type.known);
  for (const arg of Object.keys(d.arguments)) {
    if (type.unsupported.has(arg)) {
      throw preconditionFailed(`invalid arg '${arg}' for ${what} of queue type ${type.module}`);
    }
  }
  if (!type.durableOnly) return;
  const property = d.autoDelete
    ? "auto-delete"
    : d.exclusive
    ? "exclusive-owner"
    : !d.durable
    ? "non-durable"
    : null;
  if (property !== null) throw preconditionFailed(`invalid property '${property}' for ${what}`);
}
