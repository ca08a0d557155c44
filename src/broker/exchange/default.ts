// The default exchange (""): every queue is implicitly bound to it by its
// own name, so routing is a lookup in the vhost's queue map. It cannot be
// bound, unbound or deleted.
import { type Binding, type Destination, Exchange } from "./exchange.ts";
import type { Message } from "../message.ts";
import type { Queue } from "../queue.ts";

export class DefaultExchange extends Exchange {
  readonly type = "direct";

  constructor(vhost: string, readonly queues: ReadonlyMap<string, Queue>) {
    super(vhost, "", { durable: true, autoDelete: false, internal: false, arguments: {} });
  }

  route(routingKey: string, _message: Message, out: Destination[]): void {
    const q = this.queues.get(routingKey);
    if (q !== undefined) out.push(q);
  }

  protected index(_binding: Binding): void {}
  protected unindex(_binding: Binding): void {}
}
