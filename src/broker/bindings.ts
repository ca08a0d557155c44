// A vhost's binding graph: adding and removing bindings between exchanges
// and queues (exchange-to-exchange included), with their durable records,
// and the removal of an exchange together with every binding that touches
// it. The lookups and permission checks of bind and unbind stay in VHost.
import { accessRefused, AmqpError } from "../amqp/errors.ts";
import type { FieldTable } from "../amqp/field_table.ts";
import type { BindingRecord, Store } from "../store/store.ts";
import { Binding, type Exchange } from "./exchange/exchange.ts";
import { HEADERS_MATCH_MODES } from "./exchange/headers.ts";
import type { Queue } from "./queue.ts";

export class Bindings {
  readonly #vhost: string;
  readonly #exchanges: Map<string, Exchange>;
  readonly #queues: Map<string, Queue>;
  readonly #store: Store;

  constructor(vhost: string, exchanges: Map<string, Exchange>, queues: Map<string, Queue>, store: Store) {
    this.#vhost = vhost;
    this.#exchanges = exchanges;
    this.#queues = queues;
    this.#store = store;
  }

  add(b: Binding): void {
    if (b.source.type === "headers") validateHeadersBinding(b.arguments);
    if (!attach(b)) return;
    if (isDurableBinding(b)) this.#store.saveBinding(bindingRecord(b));
  }

  /** `autoDeleteSource`: whether an auto-delete source left with no bindings goes too. */
  remove(b: Binding, autoDeleteSource: boolean): void {
    if (!b.source.removeBinding(b)) return;
    const dst = b.destination;
    if (dst.kind === "queue") dst.bindings.delete(b);
    else dst.incoming.delete(b);
    if (isDurableBinding(b)) this.#store.deleteBinding(bindingRecord(b));
    const src = b.source;
    if (
      autoDeleteSource && src.autoDelete && src.bindings.size === 0 && this.#exchanges.get(src.name) === src
    ) {
      this.removeExchange(src);
    }
  }

  /** Deletes an exchange with its bindings both ways. */
  removeExchange(x: Exchange): void {
    this.#exchanges.delete(x.name);
    for (const b of [...x.bindings.values()]) this.remove(b, false);
    for (const b of [...x.incoming]) this.remove(b, true);
    if (x.durable) this.#store.deleteExchange(this.#vhost, x.name);
  }

  /** Recovery: rebuilds a stored binding without writing it back. */
  restore(r: BindingRecord): void {
    const src = this.#exchanges.get(r.source);
    const dst = r.destinationType === "queue"
      ? this.#queues.get(r.destination)
      : this.#exchanges.get(r.destination);
    // The default exchange (the only one named "") takes no explicit bindings.
    if (!src || !dst || src.name === "") return;
    attach(new Binding(src, dst, r.routingKey, r.arguments));
  }
}

/** Links a binding into its source and destination; false when the source already has it. */
function attach(b: Binding): boolean {
  if (!b.source.addBinding(b)) return false;
  const dst = b.destination;
  if (dst.kind === "queue") dst.bindings.add(b);
  else dst.incoming.add(b);
  return true;
}

function validateHeadersBinding(args: FieldTable): void {
  const m = args["x-match"];
  if (m === undefined) return;
  if (typeof m !== "string" || !HEADERS_MATCH_MODES.includes(m)) {
    throw new AmqpError(
      406,
      `Invalid x-match field value ${
        JSON.stringify(String(m))
      }; expected all, any, all-with-x, or any-with-x`,
    );
  }
}

function isDurableBinding(b: Binding): boolean {
  const dst = b.destination;
  const dstDurable = dst.kind === "queue" ? dst.durable && dst.exclusiveOwner === null : dst.durable;
  return b.source.durable && dstDurable;
}

function bindingRecord(b: Binding) {
  return {
    vhost: b.source.vhost,
    source: b.source.name,
    destination: b.destination.name,
    destinationType: b.destination.kind,
    routingKey: b.routingKey,
    arguments: b.arguments,
  };
}

/** 403 for the default exchange, which takes no explicit bindings. */
export function refuseDefaultExchange(name: string): void {
  if (name === "") throw accessRefused("operation not permitted on the default exchange");
}
