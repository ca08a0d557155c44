// AMQP field tables to JSON and back, the way the management API shows
// queue arguments, binding arguments, client properties and headers.
import { Decimal, type FieldTable, type FieldValue } from "../amqp/field_table.ts";
import { badRequest } from "./http.ts";

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** Nested JSON deeper than this in arguments or headers is refused. */
const MAX_JSON_DEPTH = 32;

export function tableToJson(table: FieldTable | undefined | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!table) return out;
  for (const [k, v] of Object.entries(table)) out[k] = valueToJson(v);
  return out;
}

function valueToJson(v: FieldValue): unknown {
  if (v === null || typeof v === "boolean" || typeof v === "string" || typeof v === "number") return v;
  if (typeof v === "bigint") {
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  }
  if (v instanceof Uint8Array) return utf8.decode(v);
  if (v instanceof Date) return Math.floor(v.getTime() / 1000);
  if (v instanceof Decimal) return v.value / 10 ** v.scale;
  if (Array.isArray(v)) return v.map(valueToJson);
  return tableToJson(v);
}

/** A JSON object from a request as a field table; `what` names the field in errors. */
export function jsonToTable(value: unknown, what: string, depth = 0): FieldTable {
  if (value === undefined || value === null || value === "") return {};
  if (Array.isArray(value) && value.length === 0) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw badRequest(`${what} must be a JSON object, got ${JSON.stringify(value)}`);
  }
  const out: FieldTable = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = jsonToValue(v, `${what}.${k}`, depth + 1);
  }
  return out;
}

function jsonToValue(v: unknown, what: string, depth: number): FieldValue {
  if (depth > MAX_JSON_DEPTH) throw badRequest(`${what} is nested too deeply`);
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw badRequest(`${what} must be a finite number`);
    return v;
  }
  if (Array.isArray(v)) return v.map((x, i) => jsonToValue(x, `${what}[${i}]`, depth + 1));
  if (typeof v === "object") return jsonToTable(v, what, depth);
  throw badRequest(`${what} has an unsupported value ${JSON.stringify(v)}`);
}
