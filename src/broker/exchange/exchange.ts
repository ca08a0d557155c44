// The exchange base: a named router holding the bindings it is the source
// of. Each type keeps its own index for routing; the base keeps the
// identity of bindings so that a repeated bind is a no-op and unbind finds
// the same binding again.
import { type FieldTable, fieldTableKey } from "../../amqp/field_table.ts";
import type { Message } from "../message.ts";
import type { Queue } from "../queue.ts";

export type Destination = Queue | Exchange;

export class Binding {
  readonly key: string;
  readonly arguments: FieldTable;

  constructor(
    readonly source: Exchange,
    readonly destination: Destination,
    readonly routingKey: string,
    args: FieldTable,
  ) {
    this.arguments = args;
    this.key = bindingKey(destination, routingKey, args);
  }
}

function bindingKey(destination: Destination, routingKey: string, args: FieldTable): string {
  return `${destination.kind}\u0000${destination.name}\u0000${routingKey}\u0000${fieldTableKey(args)}`;
}

export interface ExchangeOptions {
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: FieldTable;
}

export abstract class Exchange {
  readonly kind = "exchange" as const;
  abstract readonly type: string;
  /** Bindings with this exchange as the source, by binding key. */
  readonly bindings = new Map<string, Binding>();
  /** Bindings with this exchange as the destination (exchange-to-exchange). */
  readonly incoming = new Set<Binding>();
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  readonly arguments: FieldTable;
  /** Messages routed through this exchange, for the admin API's rates. */
  publishIn = 0;
  /** Queue deliveries this exchange routed (a message to three queues counts three), as RabbitMQ's publish_out. */
  publishOut = 0;
  /** Set per routing pass so exchange-to-exchange cycles are walked once. */
  routeMark = 0;
  /** Where messages this exchange cannot route go (argument over policy); null for nowhere. */
  alternateExchange: string | null = null;

  constructor(readonly vhost: string, readonly name: string, options: ExchangeOptions) {
    this.durable = options.durable;
    this.autoDelete = options.autoDelete;
    this.internal = options.internal;
    this.arguments = options.arguments;
  }

  /** Adds the binding; false when an identical one already exists. */
  addBinding(binding: Binding): boolean {
    if (this.bindings.has(binding.key)) return false;
    this.bindings.set(binding.key, binding);
    this.index(binding);
    return true;
  }

  removeBinding(binding: Binding): boolean {
    const existing = this.bindings.get(binding.key);
    if (!existing) return false;
    this.bindings.delete(binding.key);
    this.unindex(existing);
    return true;
  }

  findBinding(destination: Destination, routingKey: string, args: FieldTable): Binding | undefined {
    return this.bindings.get(bindingKey(destination, routingKey, args));
  }

  /** Appends the destinations `message` is routed to; duplicates are filtered by the caller. */
  abstract route(routingKey: string, message: Message, out: Destination[]): void;
  protected abstract index(binding: Binding): void;
  protected abstract unindex(binding: Binding): void;
}
