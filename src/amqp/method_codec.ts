// Method frames encoded and decoded from the one table in spec.ts: a loop
// over the method's field list, no code per method. The types in spec.ts
// describe what that loop produces; they cost nothing at run time.
import { ConnectionError, REPLY_COMMAND_INVALID, REPLY_FRAME_ERROR } from "./errors.ts";
import { readTable, writeTable } from "./field_table.ts";
import type { FieldTable } from "./field_table.ts";
import {
  type FieldType,
  FRAME_END,
  FRAME_METHOD,
  type MethodArgs,
  type MethodArgsOut,
  methodKey,
  type MethodName,
  METHODS,
  type MethodSpec,
} from "./spec.ts";
import type { WireReader, WireWriter } from "./wire.ts";

const BY_KEY = new Map<number, MethodSpec>();
for (const spec of METHODS.values()) BY_KEY.set(methodKey(spec.classId, spec.methodId), spec);

export function methodSpec<N extends MethodName>(name: N): MethodSpec<N>;
export function methodSpec(name: string): MethodSpec;
export function methodSpec(name: string): MethodSpec {
  const spec = METHODS.get(name as MethodName);
  if (!spec) throw new Error(`no such method in the spec table: ${name}`);
  return spec;
}

export function specByIds(classId: number, methodId: number): MethodSpec | undefined {
  return BY_KEY.get(methodKey(classId, methodId));
}

/** A decoded method of one kind. */
export interface DecodedOf<N extends MethodName> {
  spec: MethodSpec<N>;
  args: MethodArgs<N>;
}

/** A decoded method frame: `args` has exactly the fields of `spec`. */
export type DecodedMethod = { [N in MethodName]: DecodedOf<N> }[MethodName];

/** Narrows a decoded method to the kind of `spec` (each spec is one object, so this is one comparison). */
export function isMethod<N extends MethodName>(
  d: DecodedMethod,
  spec: MethodSpec<N>,
): d is DecodedMethod & DecodedOf<N> {
  return d.spec === spec;
}

/** Arguments of some method, as the decoder hands them to a dispatch table. */
type AnyArgs = MethodArgs<MethodName>;

/** One handler per method, each seeing its own method's arguments. */
export type MethodHandlers<C> = { [N in MethodName]?: (target: C, args: MethodArgs<N>) => void };

/** A dispatch table indexed by MethodSpec.index: one array load per method frame. */
export type MethodDispatch<C> = readonly (((target: C, args: AnyArgs) => void) | undefined)[];

export function dispatchTable<C>(handlers: MethodHandlers<C>): MethodDispatch<C> {
  const table: (((target: C, args: AnyArgs) => void) | undefined)[] = new Array(METHODS.size).fill(undefined);
  for (const [name, handler] of Object.entries(handlers)) {
    // Each handler is stored under its own method: the decoder gives it that method's arguments.
    table[methodSpec(name).index] = handler as (target: C, args: AnyArgs) => void;
  }
  return table;
}

/** Reads class id, method id and arguments from a method frame payload. */
export function decodeMethod(r: WireReader): DecodedMethod {
  const classId = r.short();
  const methodId = r.short();
  const spec = BY_KEY.get(methodKey(classId, methodId));
  if (!spec) {
    throw new ConnectionError(
      REPLY_COMMAND_INVALID,
      `unknown method class ${classId} method ${methodId}`,
      classId,
      methodId,
    );
  }
  return { spec, args: decodeArgs(r, spec.fields) } as DecodedMethod;
}

function decodeArgs(r: WireReader, fields: MethodSpec["fields"]): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  let bits = 0;
  let bitIndex = 8;
  for (let i = 0; i < fields.length; i++) {
    const [name, type] = fields[i];
    if (type === "bit") {
      if (bitIndex === 8) {
        bits = r.octet();
        bitIndex = 0;
      }
      args[name] = (bits & (1 << bitIndex)) !== 0;
      bitIndex++;
      continue;
    }
    bitIndex = 8;
    args[name] = readField(r, type);
  }
  if (r.pos !== r.end) {
    throw new ConnectionError(REPLY_FRAME_ERROR, "method frame has trailing bytes");
  }
  return args;
}

function readField(r: WireReader, type: FieldType): unknown {
  switch (type) {
    case "octet":
      return r.octet();
    case "short":
      return r.short();
    case "long":
      return r.long();
    case "longlong":
    case "timestamp":
      return r.longlong();
    case "shortstr":
      return r.shortstr();
    case "longstr":
      return r.longstrBytes();
    case "table":
      return readTable(r);
    default:
      throw new Error(`unhandled field type ${type}`);
  }
}

const NO_ARGS: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Appends one complete method frame. Missing arguments take the type's zero
 * value, so callers name only what matters.
 */
export function writeMethodFrame<N extends MethodName>(
  w: WireWriter,
  channel: number,
  spec: MethodSpec<N>,
  args?: MethodArgsOut<N>,
): void {
  const framePos = w.pos;
  try {
    writeFrame(w, channel, spec, (args ?? NO_ARGS) as Record<string, unknown>);
  } catch (e) {
    // Never leave half a frame in the buffer: the peer would read garbage.
    w.pos = framePos;
    throw e;
  }
}

function writeFrame(w: WireWriter, channel: number, spec: MethodSpec, args: Record<string, unknown>): void {
  w.octet(FRAME_METHOD);
  w.short(channel);
  const sizePos = w.pos;
  w.long(0);
  w.short(spec.classId);
  w.short(spec.methodId);
  const fields = spec.fields;
  let bits = 0;
  let bitIndex = -1;
  for (let i = 0; i < fields.length; i++) {
    const [name, type] = fields[i];
    const value = args[name];
    if (type === "bit") {
      if (bitIndex === -1 || bitIndex === 8) {
        if (bitIndex === 8) w.octet(bits);
        bits = 0;
        bitIndex = 0;
      }
      if (value) bits |= 1 << bitIndex;
      bitIndex++;
      continue;
    }
    if (bitIndex !== -1) {
      w.octet(bits);
      bitIndex = -1;
    }
    writeField(w, type, value);
  }
  if (bitIndex !== -1) w.octet(bits);
  w.view.setUint32(sizePos, w.pos - sizePos - 4);
  w.octet(FRAME_END);
}

function writeField(w: WireWriter, type: FieldType, value: unknown): void {
  switch (type) {
    case "octet":
      w.octet((value as number) ?? 0);
      return;
    case "short":
      w.short((value as number) ?? 0);
      return;
    case "long":
      w.long((value as number) ?? 0);
      return;
    case "longlong":
    case "timestamp":
      w.longlong((value as number) ?? 0);
      return;
    case "shortstr":
      w.shortstr((value as string) ?? "");
      return;
    case "longstr":
      w.longstr((value as string | Uint8Array) ?? "");
      return;
    case "table":
      writeTable(w, value as FieldTable | undefined);
      return;
    default:
      throw new Error(`unhandled field type ${type}`);
  }
}
