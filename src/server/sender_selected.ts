// Sender-selected distribution: a message's CC and BCC headers name more
// routing keys to route it with; BCC is taken out of the headers before any
// queue sees the message, so receivers cannot learn the blind copies.
import { AmqpError, REPLY_PRECONDITION_FAILED } from "../amqp/errors.ts";
import { type FieldValue, wireTypeName } from "../amqp/field_table.ts";
import { methodSpec } from "../amqp/method_codec.ts";
import { decodeProperties, encodeProperties } from "../amqp/properties.ts";

const PUBLISH = methodSpec("basic.publish");
const CC_KEY = [2, 0x43, 0x43]; // shortstr "CC"
const BCC_KEY = [3, 0x42, 0x43, 0x43]; // shortstr "BCC"

function contains(haystack: Uint8Array, needle: number[]): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** A cheap byte scan: false means the headers certainly hold neither key, so nothing is decoded. */
export function mayCarrySenderSelected(rawProperties: Uint8Array): boolean {
  return contains(rawProperties, CC_KEY) || contains(rawProperties, BCC_KEY);
}

function keysOf(v: FieldValue | undefined): string[] {
  return Array.isArray(v) ? v.filter((k): k is string => typeof k === "string") : [];
}

/** The extra routing keys and, when BCC was present, properties without it; null if there are none. */
export function senderSelected(
  rawProperties: Uint8Array,
): { rawProperties: Uint8Array; extraRoutingKeys: string[] } | null {
  const props = decodeProperties(rawProperties);
  const headers = props.headers;
  if (!headers || (headers.CC === undefined && headers.BCC === undefined)) return null;
  for (const key of ["CC", "BCC"]) {
    const v = headers[key];
    if (v !== undefined && !Array.isArray(v)) {
      throw new AmqpError(
        REPLY_PRECONDITION_FAILED,
        `invalid message: {unacceptable_type_in_header,"${key}",${wireTypeName(headers, key) ?? "longstr"}}`,
        PUBLISH.classId,
        PUBLISH.methodId,
      );
    }
  }
  const extraRoutingKeys = [...keysOf(headers.CC), ...keysOf(headers.BCC)];
  if (headers.BCC === undefined) return { rawProperties, extraRoutingKeys };
  const { BCC: _bcc, ...kept } = headers;
  return { rawProperties: encodeProperties({ ...props, headers: kept }), extraRoutingKeys };
}
