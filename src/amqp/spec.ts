// The AMQP 0-9-1 method table: every class, method and field Warren speaks,
// declared once. The codec in method_codec.ts is derived from this table,
// and so are the types: `MethodName` is the union of "class.method" names
// and `MethodArgs<"basic.consume">` the decoded arguments of one method.
// Nothing else in the code base knows a method's ids or wire layout.
import type { FieldTable } from "./field_table.ts";

export type FieldType =
  | "octet"
  | "short"
  | "long"
  | "longlong"
  | "shortstr"
  | "longstr"
  | "bit"
  | "table"
  | "timestamp";

type FieldList = readonly (readonly [name: string, type: FieldType])[];
type MethodRow = readonly [id: number, name: string, fields: FieldList, hasContent?: true];

/** Class ids, each named once. */
const CLASS = {
  connection: 10,
  channel: 20,
  exchange: 40,
  queue: 50,
  basic: 60,
  confirm: 85,
  tx: 90,
} as const;

export const BASIC_CLASS_ID = CLASS.basic;

const CLOSE_FIELDS = [
  ["replyCode", "short"],
  ["replyText", "shortstr"],
  ["classId", "short"],
  ["methodId", "short"],
] as const;
const EXCHANGE_BIND_FIELDS = [
  ["reserved1", "short"],
  ["destination", "shortstr"],
  ["source", "shortstr"],
  ["routingKey", "shortstr"],
  ["noWait", "bit"],
  ["arguments", "table"],
] as const;

const TABLE = [
  ["connection", [
    [10, "start", [
      ["versionMajor", "octet"],
      ["versionMinor", "octet"],
      ["serverProperties", "table"],
      ["mechanisms", "longstr"],
      ["locales", "longstr"],
    ]],
    [11, "start-ok", [
      ["clientProperties", "table"],
      ["mechanism", "shortstr"],
      ["response", "longstr"],
      ["locale", "shortstr"],
    ]],
    [20, "secure", [["challenge", "longstr"]]],
    [21, "secure-ok", [["response", "longstr"]]],
    [30, "tune", [["channelMax", "short"], ["frameMax", "long"], ["heartbeat", "short"]]],
    [31, "tune-ok", [["channelMax", "short"], ["frameMax", "long"], ["heartbeat", "short"]]],
    [40, "open", [["virtualHost", "shortstr"], ["reserved1", "shortstr"], ["reserved2", "bit"]]],
    [41, "open-ok", [["reserved1", "shortstr"]]],
    [50, "close", CLOSE_FIELDS],
    [51, "close-ok", []],
    [60, "blocked", [["reason", "shortstr"]]],
    [61, "unblocked", []],
    [70, "update-secret", [["newSecret", "longstr"], ["reason", "shortstr"]]],
    [71, "update-secret-ok", []],
  ]],
  ["channel", [
    [10, "open", [["reserved1", "shortstr"]]],
    [11, "open-ok", [["reserved1", "longstr"]]],
    [20, "flow", [["active", "bit"]]],
    [21, "flow-ok", [["active", "bit"]]],
    [40, "close", CLOSE_FIELDS],
    [41, "close-ok", []],
  ]],
  ["exchange", [
    [10, "declare", [
      ["reserved1", "short"],
      ["exchange", "shortstr"],
      ["type", "shortstr"],
      ["passive", "bit"],
      ["durable", "bit"],
      ["autoDelete", "bit"],
      ["internal", "bit"],
      ["noWait", "bit"],
      ["arguments", "table"],
    ]],
    [11, "declare-ok", []],
    [20, "delete", [
      ["reserved1", "short"],
      ["exchange", "shortstr"],
      ["ifUnused", "bit"],
      ["noWait", "bit"],
    ]],
    [21, "delete-ok", []],
    [30, "bind", EXCHANGE_BIND_FIELDS],
    [31, "bind-ok", []],
    [40, "unbind", EXCHANGE_BIND_FIELDS],
    [51, "unbind-ok", []],
  ]],
  ["queue", [
    [10, "declare", [
      ["reserved1", "short"],
      ["queue", "shortstr"],
      ["passive", "bit"],
      ["durable", "bit"],
      ["exclusive", "bit"],
      ["autoDelete", "bit"],
      ["noWait", "bit"],
      ["arguments", "table"],
    ]],
    [11, "declare-ok", [["queue", "shortstr"], ["messageCount", "long"], ["consumerCount", "long"]]],
    [20, "bind", [
      ["reserved1", "short"],
      ["queue", "shortstr"],
      ["exchange", "shortstr"],
      ["routingKey", "shortstr"],
      ["noWait", "bit"],
      ["arguments", "table"],
    ]],
    [21, "bind-ok", []],
    [30, "purge", [["reserved1", "short"], ["queue", "shortstr"], ["noWait", "bit"]]],
    [31, "purge-ok", [["messageCount", "long"]]],
    [40, "delete", [
      ["reserved1", "short"],
      ["queue", "shortstr"],
      ["ifUnused", "bit"],
      ["ifEmpty", "bit"],
      ["noWait", "bit"],
    ]],
    [41, "delete-ok", [["messageCount", "long"]]],
    [50, "unbind", [
      ["reserved1", "short"],
      ["queue", "shortstr"],
      ["exchange", "shortstr"],
      ["routingKey", "shortstr"],
      ["arguments", "table"],
    ]],
    [51, "unbind-ok", []],
  ]],
  ["basic", [
    [10, "qos", [["prefetchSize", "long"], ["prefetchCount", "short"], ["global", "bit"]]],
    [11, "qos-ok", []],
    [20, "consume", [
      ["reserved1", "short"],
      ["queue", "shortstr"],
      ["consumerTag", "shortstr"],
      ["noLocal", "bit"],
      ["noAck", "bit"],
      ["exclusive", "bit"],
      ["noWait", "bit"],
      ["arguments", "table"],
    ]],
    [21, "consume-ok", [["consumerTag", "shortstr"]]],
    [30, "cancel", [["consumerTag", "shortstr"], ["noWait", "bit"]]],
    [31, "cancel-ok", [["consumerTag", "shortstr"]]],
    [40, "publish", [
      ["reserved1", "short"],
      ["exchange", "shortstr"],
      ["routingKey", "shortstr"],
      ["mandatory", "bit"],
      ["immediate", "bit"],
    ], true],
    [50, "return", [
      ["replyCode", "short"],
      ["replyText", "shortstr"],
      ["exchange", "shortstr"],
      ["routingKey", "shortstr"],
    ], true],
    [60, "deliver", [
      ["consumerTag", "shortstr"],
      ["deliveryTag", "longlong"],
      ["redelivered", "bit"],
      ["exchange", "shortstr"],
      ["routingKey", "shortstr"],
    ], true],
    [70, "get", [["reserved1", "short"], ["queue", "shortstr"], ["noAck", "bit"]]],
    [71, "get-ok", [
      ["deliveryTag", "longlong"],
      ["redelivered", "bit"],
      ["exchange", "shortstr"],
      ["routingKey", "shortstr"],
      ["messageCount", "long"],
    ], true],
    [72, "get-empty", [["reserved1", "shortstr"]]],
    [80, "ack", [["deliveryTag", "longlong"], ["multiple", "bit"]]],
    [90, "reject", [["deliveryTag", "longlong"], ["requeue", "bit"]]],
    [100, "recover-async", [["requeue", "bit"]]],
    [110, "recover", [["requeue", "bit"]]],
    [111, "recover-ok", []],
    [120, "nack", [["deliveryTag", "longlong"], ["multiple", "bit"], ["requeue", "bit"]]],
  ]],
  ["confirm", [
    [10, "select", [["noWait", "bit"]]],
    [11, "select-ok", []],
  ]],
  ["tx", [
    [10, "select", []],
    [11, "select-ok", []],
    [20, "commit", []],
    [21, "commit-ok", []],
    [30, "rollback", []],
    [31, "rollback-ok", []],
  ]],
] as const satisfies readonly (readonly [className: keyof typeof CLASS, methods: readonly MethodRow[]])[];

// ---- types derived from the table -------------------------------------

type Table = typeof TABLE;
type RowsOf<C> = C extends readonly [infer CN extends string, infer Ms extends readonly MethodRow[]]
  ? Ms[number] extends infer R
    ? R extends readonly [number, infer MN extends string, infer F extends FieldList, ...unknown[]]
      ? { name: `${CN}.${MN}`; fields: F }
    : never
  : never
  : never;
type Row = RowsOf<Table[number]>;

/** "basic.publish", "queue.declare", ...: every method of the table. */
export type MethodName = Row["name"];

/** What the decoder returns for each wire type (longstr stays bytes: SASL responses may be binary). */
interface DecodedTypes {
  octet: number;
  short: number;
  long: number;
  /** Delivery tags and sizes stay far below 2^53. */
  longlong: number;
  timestamp: number;
  shortstr: string;
  longstr: Uint8Array;
  bit: boolean;
  table: FieldTable;
}

/** What the encoder accepts for each wire type. */
interface EncodedTypes extends Omit<DecodedTypes, "longstr"> {
  longstr: string | Uint8Array;
}

type ArgsOf<F extends FieldList, Types> = { [E in F[number] as E[0]]: Types[E[1] & keyof Types] };
type FieldsOf<N extends MethodName> = Extract<Row, { name: N }>["fields"];

/** The arguments of method N as decoded: `MethodArgs<"basic.ack">` is `{ deliveryTag: number; multiple: boolean }`. */
export type MethodArgs<N extends MethodName> = N extends MethodName ? ArgsOf<FieldsOf<N>, DecodedTypes>
  : never;

/** The arguments of method N to encode: any field left out is written as its type's zero value. */
export type MethodArgsOut<N extends MethodName> = N extends MethodName
  ? Partial<ArgsOf<FieldsOf<N>, EncodedTypes>>
  : never;

export interface MethodSpec<N extends MethodName = MethodName> {
  /** "basic.publish" */
  readonly name: N;
  readonly classId: number;
  readonly methodId: number;
  /** Position in the table, dense from 0: dispatch tables are arrays indexed by it. */
  readonly index: number;
  /** [camelCaseName, type] in wire order */
  readonly fields: FieldList;
  /** followed by a content header and body frames */
  readonly hasContent: boolean;
}

/** All methods, keyed by name ("basic.publish"), in table order. */
export const METHODS: ReadonlyMap<MethodName, MethodSpec> = buildByName();

function buildByName(): Map<MethodName, MethodSpec> {
  const out = new Map<MethodName, MethodSpec>();
  for (
    const [className, methods] of TABLE as readonly (readonly [keyof typeof CLASS, readonly MethodRow[]])[]
  ) {
    for (const [methodId, methodName, fields, hasContent] of methods) {
      const name = `${className}.${methodName}` as MethodName;
      out.set(name, {
        name,
        classId: CLASS[className],
        methodId,
        index: out.size,
        fields,
        hasContent: hasContent ?? false,
      });
    }
  }
  return out;
}

/** (classId << 16 | methodId): one number per method, for decoding. */
export function methodKey(classId: number, methodId: number): number {
  return (classId << 16) | methodId;
}

export const FRAME_METHOD = 1;
export const FRAME_HEADER = 2;
export const FRAME_BODY = 3;
export const FRAME_HEARTBEAT = 8;
export const FRAME_END = 0xce;
/** type(1) + channel(2) + size(4) */
export const FRAME_HEADER_BYTES = 7;
/** header + frame-end octet */
export const FRAME_OVERHEAD_BYTES = 8;
/** The spec's minimum frame_max: every peer must accept frames this large. */
export const FRAME_MIN_SIZE_BYTES = 4096;

export const PROTOCOL_HEADER = new Uint8Array([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);
