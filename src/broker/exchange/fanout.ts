// Fanout exchange: every bound destination gets every message.
import { type Binding, type Destination, Exchange } from "./exchange.ts";
import type { Message } from "../message.ts";

export class FanoutExchange extends Exchange {
  readonly type = "fanout";
  #dests: Destination[] = [];

  route(_routingKey: string, _message: Message, out: Destination[]): void {
    const dests = this.#dests;
    for (let i = 0; i < dests.length; i++) out.push(dests[i]);
  }

  protected index(binding: Binding): void {
    this.#dests.push(binding.destination);
  }

  protected unindex(binding: Binding): void {
    const i = this.#dests.indexOf(binding.destination);
    if (i >= 0) this.#dests.splice(i, 1);
  }
}
