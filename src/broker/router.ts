// Routing a message through a vhost's exchanges: from the exchange it was
// published to, through exchange-to-exchange bindings, for its routing key
// and any CC/BCC keys, falling back along alternate exchanges when nothing
// matched. Every queue is reached once. Marks on queues and exchanges
// replace per-publish sets, so routing allocates nothing.
import type { Destination, Exchange } from "./exchange/exchange.ts";
import type { Message } from "./message.ts";
import type { Queue } from "./queue.ts";

export class Router {
  #keyEpoch = 0;
  #publishEpoch = 0;
  readonly #scratch: Destination[] = [];
  readonly #routed: Queue[] = [];

  constructor(readonly exchanges: ReadonlyMap<string, Exchange>) {}

  /** The queues reached; the array is reused by the next call, so consume it first. */
  route(
    exchange: Exchange,
    routingKey: string,
    message: Message,
    extraRoutingKeys?: readonly string[],
  ): Queue[] {
    const routed = this.#routed;
    routed.length = 0;
    this.#publishEpoch++;
    this.#routeKey(exchange, routingKey, message);
    if (extraRoutingKeys !== undefined) {
      for (const key of extraRoutingKeys) this.#routeKey(exchange, key, message);
    }
    // Unroutable here: try the alternate exchange chain, each exchange once.
    let x: Exchange | undefined = exchange;
    const seen = new Set<Exchange>();
    while (routed.length === 0 && x?.alternateExchange != null && !seen.has(x)) {
      seen.add(x);
      x = this.exchanges.get(x.alternateExchange);
      if (x !== undefined) this.#routeKey(x, routingKey, message);
    }
    return routed;
  }

  #routeKey(exchange: Exchange, routingKey: string, message: Message): void {
    const epoch = ++this.#keyEpoch;
    const scratch = this.#scratch;
    scratch.length = 0;
    exchange.routeMark = epoch;
    exchange.publishIn++;
    exchange.route(routingKey, message, scratch);
    for (let i = 0; i < scratch.length; i++) {
      const d = scratch[i];
      if (d.kind === "queue") {
        // Queues are marked per publish (across all keys), exchanges per key.
        if (d.routeMark === this.#publishEpoch) continue;
        d.routeMark = this.#publishEpoch;
        exchange.publishOut++;
        this.#routed.push(d);
      } else if (d.routeMark !== epoch) {
        d.routeMark = epoch;
        d.publishIn++;
        d.route(routingKey, message, scratch);
      }
    }
  }
}
