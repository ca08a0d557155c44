// What connection.start announces: product, version and the capabilities
// RabbitMQ announces, which clients check before using an extension.
import type { FieldTable } from "../amqp/field_table.ts";
import { VERSION } from "../version.ts";

export function serverProperties(clusterName: string): FieldTable {
  return {
    product: "Warren",
    version: VERSION,
    platform: `Deno ${Deno.version.deno}`,
    copyright: "Warren contributors",
    information: "A RabbitMQ-compatible AMQP 0-9-1 broker",
    cluster_name: clusterName,
    capabilities: {
      publisher_confirms: true,
      exchange_exchange_bindings: true,
      "basic.nack": true,
      consumer_cancel_notify: true,
      "connection.blocked": true,
      authentication_failure_close: true,
      per_consumer_qos: true,
      consumer_priorities: true,
      direct_reply_to: true,
    },
  };
}
