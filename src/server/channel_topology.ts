// A channel's exchange.* and queue.* methods: the declarations, bindings,
// purges and deletions, each after RabbitMQ's permission checks in RabbitMQ's
// order, and the channel's last declared queue, which "" stands for. The
// channel writes the -ok replies; these return what the replies carry.
import { notFound } from "../amqp/errors.ts";
import type { MethodArgs, MethodArgsOut } from "../amqp/spec.ts";
import { refuseDefaultExchange } from "../broker/bindings.ts";
import type { ChannelHost } from "./channel_host.ts";
import { checkReplyAddressExists, isReplyAddress } from "./direct_reply.ts";

export class ChannelTopology {
  #lastQueue = "";

  constructor(readonly host: ChannelHost) {}

  /** The empty queue name means the channel's last declared queue, as in RabbitMQ. */
  queueName(name: string): string {
    if (name !== "") return name;
    if (this.#lastQueue === "") throw notFound("no previously declared queue");
    return this.#lastQueue;
  }

  exchangeDeclare(a: MethodArgs<"exchange.declare">): void {
    if (!a.passive) this.host.authorize("configure", "exchange", a.exchange);
    this.host.vhost.declareExchange({
      name: a.exchange,
      type: a.type,
      passive: a.passive,
      durable: a.durable,
      autoDelete: a.autoDelete,
      internal: a.internal,
      arguments: a.arguments,
    });
  }

  exchangeDelete(a: MethodArgs<"exchange.delete">): void {
    this.host.authorize("configure", "exchange", a.exchange);
    this.host.vhost.deleteExchange(a.exchange, a.ifUnused);
  }

  exchangeBind(a: MethodArgs<"exchange.bind" | "exchange.unbind">, bind: boolean): void {
    this.host.authorize("write", "exchange", a.destination);
    refuseDefaultExchange(a.destination);
    refuseDefaultExchange(a.source);
    this.host.authorize("read", "exchange", a.source);
    const vhost = this.host.vhost;
    if (bind) vhost.bindExchange(a.destination, a.source, a.routingKey, a.arguments);
    else vhost.unbindExchange(a.destination, a.source, a.routingKey, a.arguments);
  }

  queueDeclare(args: MethodArgs<"queue.declare">): MethodArgsOut<"queue.declare-ok"> {
    // RabbitMQ does not read "" as the last declared queue here: a passive declare of "" is a 404.
    const name = args.queue;
    if (args.passive && isReplyAddress(name)) {
      checkReplyAddressExists(this.host.vhost, name);
      return { queue: name, messageCount: 0, consumerCount: 1 };
    }
    if (!args.passive && name !== "") this.host.authorize("configure", "queue", name);
    const r = this.host.vhost.declareQueue({
      name,
      passive: args.passive,
      durable: args.durable,
      exclusive: args.exclusive,
      autoDelete: args.autoDelete,
      arguments: args.arguments,
      owner: this.host,
    });
    if (r.queue.exclusiveOwner === this.host) this.host.ownExclusiveQueue(r.queue);
    this.#lastQueue = r.queue.name;
    return { queue: r.queue.name, messageCount: r.messageCount, consumerCount: r.consumerCount };
  }

  queueBind(a: MethodArgs<"queue.bind">): void {
    const queue = this.#bindingQueue(a);
    this.host.vhost.bindQueue(queue, a.exchange, a.routingKey, a.arguments, this.host);
  }

  queueUnbind(a: MethodArgs<"queue.unbind">): void {
    const queue = this.#bindingQueue(a);
    this.host.vhost.unbindQueue(queue, a.exchange, a.routingKey, a.arguments, this.host);
  }

  /** RabbitMQ's order for queue.bind and unbind: write on the queue, the default exchange, read on the source. */
  #bindingQueue(a: MethodArgs<"queue.bind" | "queue.unbind">): string {
    const queue = this.queueName(a.queue);
    this.host.authorize("write", "queue", queue);
    refuseDefaultExchange(a.exchange);
    this.host.authorize("read", "exchange", a.exchange);
    return queue;
  }

  /** The number of messages purged. */
  queuePurge(a: MethodArgs<"queue.purge">): number {
    const queue = this.queueName(a.queue);
    this.host.authorize("read", "queue", queue);
    return this.host.vhost.purgeQueue(queue, this.host);
  }

  /** The number of messages the deleted queue held. */
  queueDelete(a: MethodArgs<"queue.delete">): number {
    const queue = this.queueName(a.queue);
    this.host.authorize("configure", "queue", queue);
    return this.host.vhost.deleteQueue(queue, { ifUnused: a.ifUnused, ifEmpty: a.ifEmpty, owner: this.host });
  }
}
