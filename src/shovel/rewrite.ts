// What a shovel changes in a message's properties on the way: the
// dest-publish-properties overrides, the x-shovelled forward header and the
// x-shovelled-timestamp header. Shovels that change nothing pass the raw
// property bytes through untouched; only these decode and re-encode them.
import type { FieldTable, FieldValue } from "../amqp/field_table.ts";
import { type BasicProperties, decodeProperties, encodeProperties } from "../amqp/properties.ts";
import { maskUri } from "../client/amqp_uri.ts";
import type { ShovelConfig } from "./shovel_config.ts";

/** dest-publish-properties keys (RabbitMQ's P_basic field names) to Warren's property names. */
const PROPERTY_KEYS: Record<string, keyof BasicProperties> = {
  content_type: "contentType",
  content_encoding: "contentEncoding",
  headers: "headers",
  delivery_mode: "deliveryMode",
  priority: "priority",
  correlation_id: "correlationId",
  reply_to: "replyTo",
  expiration: "expiration",
  message_id: "messageId",
  timestamp: "timestamp",
  type: "type",
  user_id: "userId",
  app_id: "appId",
  cluster_id: "clusterId",
};

export interface MessageRewriter {
  rewrite(raw: Uint8Array): Uint8Array;
}

interface ShovelIdentity {
  readonly vhost: string;
  readonly name: string;
  readonly srcUri: string | null;
  readonly destUri: string | null;
  readonly env: { readonly nodeName: string };
}

export function rewriterFor(shovel: ShovelIdentity, c: ShovelConfig): MessageRewriter | null {
  const overrides: BasicProperties = {};
  for (const [k, v] of Object.entries(c.publishProperties)) {
    const name = PROPERTY_KEYS[k];
    if (name !== undefined) (overrides as Record<string, unknown>)[name] = v;
  }
  const hasOverrides = Object.keys(overrides).length > 0;
  if (!hasOverrides && !c.addForwardHeaders && !c.addTimestampHeader) return null;
  const forward = c.addForwardHeaders ? forwardHeader(shovel, c) : null;
  return {
    rewrite(raw: Uint8Array): Uint8Array {
      const props = hasOverrides ? { ...decodeProperties(raw), ...overrides } : decodeProperties(raw);
      if (forward !== null || c.addTimestampHeader) {
        const headers: FieldTable = { ...(props.headers ?? {}) };
        if (forward !== null) {
          const previous = Array.isArray(headers["x-shovelled"])
            ? headers["x-shovelled"] as FieldValue[]
            : [];
          headers["x-shovelled"] = [forward, ...previous];
        }
        // A long ('l'), as RabbitMQ writes it.
        if (c.addTimestampHeader) headers["x-shovelled-timestamp"] = BigInt(Math.floor(Date.now() / 1000));
        props.headers = headers;
      }
      return encodeProperties(props);
    },
  };
}

/** The table RabbitMQ adds under x-shovelled: who moved the message, from where to where. */
function forwardHeader(s: ShovelIdentity, c: ShovelConfig): FieldTable {
  const t: FieldTable = {
    "shovelled-by": s.env.nodeName,
    "shovel-type": "dynamic",
    "shovel-name": s.name,
    "shovel-vhost": s.vhost,
    "src-uri": maskUri(s.srcUri ?? ""),
    "dest-uri": maskUri(s.destUri ?? ""),
  };
  if (c.srcQueue !== null) t["src-queue"] = c.srcQueue;
  if (c.srcExchange !== null) {
    t["src-exchange"] = c.srcExchange;
    t["src-exchange-key"] = c.srcExchangeKey;
  }
  if (c.destQueue !== null) t["dest-queue"] = c.destQueue;
  if (c.destExchange !== null) t["dest-exchange"] = c.destExchange;
  if (c.destExchangeKey !== null) t["dest-exchange-key"] = c.destExchangeKey;
  return t;
}
