// The stream arguments that are words, not numbers: x-max-age (`7D`, `12h`,
// …) and the consumer argument x-stream-offset, read as RabbitMQ 3.10 reads
// them. Their 406 texts follow RabbitMQ's; where RabbitMQ crashes the
// channel's connection with 541 INTERNAL_ERROR (a value with no leading
// digits, a negative one, a boolean or table offset) Warren refuses with the
// same 406 its well-formed refusals use.
import { preconditionFailed } from "../amqp/errors.ts";
import { type FieldTable, wireTypeName } from "../amqp/field_table.ts";

const SECOND_MS = 1000;
const DAY_MS = 86_400 * SECOND_MS;
/** RabbitMQ's units: a month is 30 days and a year 365. */
const UNIT_MS: Record<string, number> = {
  Y: 365 * DAY_MS,
  M: 30 * DAY_MS,
  D: DAY_MS,
  h: 3600 * SECOND_MS,
  m: 60 * SECOND_MS,
  s: SECOND_MS,
};

/** `<n><unit>` with n > 0 and a unit of Y M D h m s, in ms; null when it is not one. */
export function parseAgeMs(value: string): number | null {
  const m = /^([0-9]+)([YMDhms])$/.exec(value);
  if (m === null) return null;
  const n = Number(m[1]);
  return n > 0 ? n * UNIT_MS[m[2]] : null;
}

/** Where a consumer starts reading: a named position, an offset, or a time (epoch ms). */
export type StreamOffsetSpec =
  | { kind: "first" }
  | { kind: "last" }
  | { kind: "next" }
  | { kind: "offset"; offset: number }
  | { kind: "timestamp"; atMs: number };

/**
 * The consumer's x-stream-offset (`next` when absent); 406
 * `invalid arg 'x-stream-offset' …` for a value RabbitMQ does not take.
 * `now` is the clock an interval counts back from.
 */
export function parseStreamOffset(
  args: FieldTable,
  where: { queue: string; vhost: string },
  now: number,
): StreamOffsetSpec {
  const v = args["x-stream-offset"];
  if (v === undefined) return { kind: "next" };
  // Void asks for server-side offset tracking (LavinMQ's way), from the start the first time.
  if (v === null) return { kind: "first" };
  if (v === "first" || v === "last" || v === "next") return { kind: v };
  if (v instanceof Date) return { kind: "timestamp", atMs: v.getTime() };
  if (typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v))) {
    // A negative offset reads from the start, as in RabbitMQ.
    return { kind: "offset", offset: Math.max(0, Number(v)) };
  }
  if (typeof v === "string") {
    const ageMs = parseAgeMs(v);
    if (ageMs !== null) return { kind: "timestamp", atMs: now - ageMs };
  }
  const type = wireTypeName(args, "x-stream-offset") ?? (typeof v === "string" ? "longstr" : "table");
  const shown = typeof v === "string" ? `<<"${v}">>` : typeof v === "boolean" ? String(v) : "...";
  throw preconditionFailed(
    `invalid arg 'x-stream-offset' for queue '${where.queue}' in vhost '${where.vhost}': ` +
      `{invalid_stream_offset_arg,{${type},${shown}}}`,
  );
}
