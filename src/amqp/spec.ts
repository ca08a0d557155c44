// The AMQP 0-9-1 method table: every class, method and field Warren speaks,
// declared once. The codec in method_codec.ts is derived from this table;
// nothing else in the code base knows a method's wire layout.

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

export interface MethodSpec {
  /** "basic.publish" */
  readonly name: string;
  readonly classId: number;
  readonly methodId: number;
  /** [camelCaseName, type] in wire order */
  readonly fields: readonly (readonly [string, FieldType])[];
  /** followed by a content header and body frames */
  readonly hasContent: boolean;
}

type FieldList = readonly (readonly [string, FieldType])[];
type MethodRow = readonly [id: number, name: string, fields: FieldList, hasContent?: boolean];

const CLOSE_FIELDS: FieldList = [
  ["replyCode", "short"],
  ["replyText", "shortstr"],
  ["classId", "short"],
  ["methodId", "short"],
];
const EXCHANGE_BIND_FIELDS: FieldList = [
  ["reserved1", "short"],
  ["destination", "shortstr"],
  ["source", "shortstr"],
  ["routingKey", "shortstr"],
  ["noWait", "bit"],
  ["arguments", "table"],
];

const TABLE: readonly (readonly [classId: number, className: string, methods: readonly MethodRow[]])[] = [
  [10, "connection", [
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
  [20, "channel", [
    [10, "open", [["reserved1", "shortstr"]]],
    [11, "open-ok", [["reserved1", "longstr"]]],
    [20, "flow", [["active", "bit"]]],
    [21, "flow-ok", [["active", "bit"]]],
    [40, "close", CLOSE_FIELDS],
    [41, "close-ok", []],
  ]],
  [40, "exchange", [
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
  [50, "queue", [
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
  [60, "basic", [
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
  [85, "confirm", [
    [10, "select", [["noWait", "bit"]]],
    [11, "select-ok", []],
  ]],
  [90, "tx", [
    [10, "select", []],
    [11, "select-ok", []],
    [20, "commit", []],
    [21, "commit-ok", []],
    [30, "rollback", []],
    [31, "rollback-ok", []],
  ]],
];

/** All methods, keyed by name ("basic.publish"). */
export const METHODS: ReadonlyMap<string, MethodSpec> = buildByName();

function buildByName(): Map<string, MethodSpec> {
  const out = new Map<string, MethodSpec>();
  for (const [classId, className, methods] of TABLE) {
    for (const [methodId, methodName, fields, hasContent] of methods) {
      const name = `${className}.${methodName}`;
      out.set(name, { name, classId, methodId, fields, hasContent: hasContent ?? false });
    }
  }
  return out;
}

/** (classId << 16 | methodId) -> spec, for decoding. */
export function methodKey(classId: number, methodId: number): number {
  return (classId << 16) | methodId;
}

export const BASIC_CLASS_ID = 60;

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
