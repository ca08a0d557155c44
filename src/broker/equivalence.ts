// Redeclaring an exchange or queue must match what exists: RabbitMQ's rules
// for which properties and arguments are compared, and its 406 texts
// ("inequivalent arg 'durable' for queue 'q' in vhost '/': received 'true'
// but current is 'false'").
import { type AmqpError, preconditionFailed } from "../amqp/errors.ts";
import { type FieldTable, type FieldValue, fieldValuesEqual, wireTypeName } from "../amqp/field_table.ts";
import type { Exchange } from "./exchange/exchange.ts";
import type { Queue } from "./queue.ts";

/** Queue arguments RabbitMQ compares when a queue is declared again, in the order it compares them. */
const EQUIVALENCE_ARGS = [
  "x-expires",
  "x-message-ttl",
  "x-dead-letter-exchange",
  "x-dead-letter-routing-key",
  "x-dead-letter-strategy",
  "x-delivery-limit",
  "x-max-in-memory-bytes",
  "x-max-in-memory-length",
  "x-max-length",
  "x-max-length-bytes",
  "x-max-priority",
  "x-overflow",
  "x-queue-leader-locator",
  "x-queue-mode",
  "x-queue-type",
  "x-queue-version",
  "x-quorum-initial-group-size",
  "x-single-active-consumer",
];

function inequivalent(arg: string, what: string, received: unknown, current: unknown): AmqpError {
  return preconditionFailed(
    `inequivalent arg '${arg}' for ${what}: received '${received}' but current is '${current}'`,
  );
}

export function checkExchangeEquivalent(
  x: Exchange,
  d: { type: string; durable: boolean; autoDelete: boolean; internal: boolean; arguments: FieldTable },
): void {
  const what = `exchange '${x.name}' in vhost '${x.vhost}'`;
  if (x.type !== d.type) throw inequivalent("type", what, d.type, x.type);
  if (x.durable !== d.durable) throw inequivalent("durable", what, d.durable, x.durable);
  if (x.autoDelete !== d.autoDelete) throw inequivalent("auto_delete", what, d.autoDelete, x.autoDelete);
  if (x.internal !== d.internal) throw inequivalent("internal", what, d.internal, x.internal);
  const ae = "alternate-exchange";
  if (!fieldValuesEqual(x.arguments[ae], d.arguments[ae])) {
    throw inequivalentArgument(ae, what, d.arguments[ae], x.arguments[ae]);
  }
}

export function checkQueueEquivalent(
  q: Queue,
  d: { durable: boolean; autoDelete: boolean; arguments: FieldTable },
): void {
  const what = `queue '${q.name}' in vhost '${q.vhost}'`;
  if (q.durable !== d.durable) throw inequivalent("durable", what, d.durable, q.durable);
  if (q.autoDelete !== d.autoDelete) throw inequivalent("auto_delete", what, d.autoDelete, q.autoDelete);
  for (const arg of EQUIVALENCE_ARGS) {
    let current: FieldValue | undefined = q.arguments[arg];
    let received: FieldValue | undefined = d.arguments[arg];
    if (arg === "x-queue-type") {
      // A classic queue declared without the argument and with it are the same queue.
      if (current === undefined && received === "classic") received = undefined;
      if (received === undefined && current === "classic") current = undefined;
    }
    if (!fieldValuesEqual(current, received)) {
      const types = { received: wireTypeName(d.arguments, arg), current: wireTypeName(q.arguments, arg) };
      throw inequivalentArgument(arg, what, received, current, types);
    }
  }
}

/** RabbitMQ's description of an argument value that only one side has (`wireType` when known). */
function describeArgument(v: FieldValue | undefined, wireType?: string): string {
  if (v === undefined) return "none";
  let type = "longstr";
  if (wireType !== undefined) type = wireType;
  else if (typeof v === "boolean") type = "bool";
  else if (typeof v === "number") {
    type = !Number.isInteger(v) ? "double" : v >= -0x8000_0000 && v <= 0x7fff_ffff ? "signedint" : "long";
  } else if (typeof v === "bigint") type = "long";
  else if (Array.isArray(v)) type = "array";
  else if (v !== null && typeof v === "object" && !(v instanceof Uint8Array)) type = "table";
  return `the value '${typeof v === "object" ? JSON.stringify(v) : String(v)}' of type '${type}'`;
}

/** Both sides present: plain values, as RabbitMQ prints them; one side missing: typed ones. */
function inequivalentArgument(
  arg: string,
  what: string,
  received: FieldValue | undefined,
  current: FieldValue | undefined,
  wireTypes: { received?: string; current?: string } = {},
): AmqpError {
  const plain = (v: FieldValue | undefined) => `'${typeof v === "object" ? JSON.stringify(v) : String(v)}'`;
  const both = received !== undefined && current !== undefined;
  const r = both ? plain(received) : describeArgument(received, wireTypes.received);
  const c = both ? plain(current) : describeArgument(current, wireTypes.current);
  return preconditionFailed(`inequivalent arg '${arg}' for ${what}: received ${r} but current is ${c}`);
}
