// What the broker persists, as an interface: the in-memory store serves
// tests and --in-memory mode, the SQLite store keeps the durability
// contract. The broker calls these only for durable entities and for
// persistent messages in durable queues.
import type { FieldTable } from "../amqp/field_table.ts";

export interface ExchangeRecord {
  vhost: string;
  name: string;
  type: string;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: FieldTable;
}

export interface QueueRecord {
  vhost: string;
  name: string;
  durable: boolean;
  autoDelete: boolean;
  arguments: FieldTable;
}

export interface BindingRecord {
  vhost: string;
  source: string;
  destination: string;
  destinationType: "queue" | "exchange";
  routingKey: string;
  arguments: FieldTable;
}

export interface Store {
  saveExchange(record: ExchangeRecord): void;
  deleteExchange(vhost: string, name: string): void;
  saveQueue(record: QueueRecord): void;
  deleteQueue(vhost: string, name: string): void;
  saveBinding(record: BindingRecord): void;
  deleteBinding(record: BindingRecord): void;
  /**
   * Runs `callback` once everything handed to the store so far is on disk
   * (at once for a store that keeps nothing). Publisher confirms wait here.
   */
  whenDurable(callback: () => void): void;
  close(): void;
}
