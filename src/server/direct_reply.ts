// Direct reply-to: an RPC client consumes the pseudo-queue
// amq.rabbitmq.reply-to (no-ack only) and publishes requests with that
// reply_to; Warren rewrites it to amq.rabbitmq.reply-to.<token>, and a
// reply published to the default exchange with that routing key goes
// straight to the requesting channel, with no queue in between. Everything
// about it lives here: the addresses, the consumer, the routing and the
// rewrite; the channel and the publisher only ask.
import { notFound, preconditionFailed } from "../amqp/errors.ts";
import { methodSpec } from "../amqp/method_codec.ts";
import { decodeProperties, encodeProperties } from "../amqp/properties.ts";
import type { Message } from "../broker/message.ts";
import { generatedConsumerTag } from "../broker/names.ts";
import type { VHost } from "../broker/vhost.ts";
import type { Channel } from "./channel.ts";

/** The pseudo-queue of direct reply-to, and the prefix of the addresses it hands out. */
const REPLY_TO_QUEUE = "amq.rabbitmq.reply-to";
const REPLY_TO_PREFIX = "amq.rabbitmq.reply-to.";

const BASIC_DELIVER = methodSpec("basic.deliver");
/** The reply-to property's flag bit (bit 9 of the flags: the high byte's 0x02). */
const REPLY_TO_FLAG_HIGH_BYTE = 0x02;

/** Live reply addresses of each vhost, by token: a reply reaches only a channel of its own vhost. */
const consumersByVHost = new WeakMap<VHost, Map<string, DirectReplyConsumer>>();

function consumersOf(vhost: VHost): Map<string, DirectReplyConsumer> {
  let consumers = consumersByVHost.get(vhost);
  if (consumers === undefined) consumersByVHost.set(vhost, consumers = new Map());
  return consumers;
}

/** A channel's consumer of amq.rabbitmq.reply-to: replies to its address are delivered to it. */
export class DirectReplyConsumer {
  readonly token = crypto.randomUUID().replaceAll("-", "");
  readonly #vhost: VHost;

  constructor(readonly channel: Channel, readonly tag: string) {
    this.#vhost = channel.host.vhost;
    consumersOf(this.#vhost).set(this.token, this);
  }

  get address(): string {
    return REPLY_TO_PREFIX + this.token;
  }

  deliverReply(m: Message): void {
    const ch = this.channel;
    if (ch.state !== "open") return;
    const args = {
      consumerTag: this.tag,
      deliveryTag: ch.deliveries.nextUntracked(),
      redelivered: false,
      exchange: m.exchange,
      routingKey: m.routingKey,
    };
    ch.sendWithContent(BASIC_DELIVER, args, m.rawProperties, m.body);
  }

  /** Cancelled, or its channel closed: the address stops existing. */
  close(): void {
    consumersOf(this.#vhost).delete(this.token);
  }
}

export function isDirectReplyQueue(name: string): boolean {
  return name === REPLY_TO_QUEUE;
}

/** basic.consume of amq.rabbitmq.reply-to: no-ack only, and one per channel (RabbitMQ's 406s). */
export function consumeDirectReplies(
  channel: Channel,
  current: DirectReplyConsumer | null,
  tag: string,
  noAck: boolean,
): DirectReplyConsumer {
  if (!noAck) throw preconditionFailed("reply consumer cannot acknowledge");
  if (current) throw preconditionFailed("reply consumer already set");
  return new DirectReplyConsumer(channel, tag === "" ? generatedConsumerTag() : tag);
}

export function isReplyAddress(name: string): boolean {
  return name.startsWith(REPLY_TO_PREFIX);
}

/** The consumer a reply address belongs to, if its channel still consumes. */
export function replyTarget(vhost: VHost, address: string): DirectReplyConsumer | undefined {
  return consumersByVHost.get(vhost)?.get(address.slice(REPLY_TO_PREFIX.length));
}

/** A passive queue.declare of a reply address: it "exists" while its consumer does, as in RabbitMQ. */
export function checkReplyAddressExists(vhost: VHost, address: string): void {
  if (!replyTarget(vhost, address)) throw notFound(`no queue '${address}' in vhost '${vhost.name}'`);
}

/**
 * A request that asks for direct replies gets its reply_to rewritten to the
 * channel's address; without a reply consumer on the channel that is 406.
 */
export function rewriteReplyTo(rawProperties: Uint8Array, consumer: DirectReplyConsumer | null): Uint8Array {
  if (rawProperties.length < 2 || (rawProperties[0] & REPLY_TO_FLAG_HIGH_BYTE) === 0) return rawProperties;
  const props = decodeProperties(rawProperties);
  if (props.replyTo !== REPLY_TO_QUEUE) return rawProperties;
  if (consumer === null) throw preconditionFailed("fast reply consumer does not exist");
  return encodeProperties({ ...props, replyTo: consumer.address });
}
