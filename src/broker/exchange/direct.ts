// Direct exchange: a routing key maps to the destinations bound with it.
import { type Binding, type Destination, Exchange } from "./exchange.ts";
import type { Message } from "../message.ts";

export class DirectExchange extends Exchange {
  readonly type: string = "direct";
  #byKey = new Map<string, Destination[]>();

  route(routingKey: string, _message: Message, out: Destination[]): void {
    const dests = this.#byKey.get(routingKey);
    if (dests === undefined) return;
    for (let i = 0; i < dests.length; i++) out.push(dests[i]);
  }

  protected index(binding: Binding): void {
    const list = this.#byKey.get(binding.routingKey);
    if (list) list.push(binding.destination);
    else this.#byKey.set(binding.routingKey, [binding.destination]);
  }

  protected unindex(binding: Binding): void {
    const list = this.#byKey.get(binding.routingKey);
    if (!list) return;
    const i = list.indexOf(binding.destination);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#byKey.delete(binding.routingKey);
  }
}
