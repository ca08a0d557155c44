// Direct reply-to: an RPC client consumes the pseudo-queue
// amq.rabbitmq.reply-to (no-ack only) and publishes requests with that
// reply_to; Warren rewrites it to amq.rabbitmq.reply-to.<token>, and a
// reply published to the default exchange with that routing key goes
// straight to the requesting channel, with no queue in between.
import { preconditionFailed } from "../amqp/errors.ts";
import { writeContent } from "../amqp/frames.ts";
import { methodSpec, writeMethodFrame } from "../amqp/method_codec.ts";
import { decodeProperties, encodeProperties } from "../amqp/properties.ts";
import { BASIC_CLASS_ID } from "../amqp/spec.ts";
import type { Message } from "../broker/message.ts";
import { REPLY_TO_PREFIX, REPLY_TO_QUEUE, type ReplyTarget } from "../broker/vhost.ts";
import type { Channel } from "./channel.ts";

const BASIC_DELIVER = methodSpec("basic.deliver");
/** The reply-to property's flag bit (bit 9 of the flags: the high byte's 0x02). */
const REPLY_TO_FLAG_HIGH_BYTE = 0x02;

export class DirectReplyConsumer implements ReplyTarget {
  readonly token = crypto.randomUUID().replaceAll("-", "");

  constructor(readonly channel: Channel, readonly tag: string) {}

  get address(): string {
    return REPLY_TO_PREFIX + this.token;
  }

  deliverReply(m: Message): void {
    const ch = this.channel;
    if (ch.state !== "open") return;
    const out = ch.connection.out;
    writeMethodFrame(out, ch.id, BASIC_DELIVER, {
      consumerTag: this.tag,
      deliveryTag: ch.deliveries.nextUntracked(),
      redelivered: false,
      exchange: m.exchange,
      routingKey: m.routingKey,
    });
    writeContent(out, ch.id, BASIC_CLASS_ID, m.rawProperties, m.body, ch.connection.frameMax);
    ch.connection.scheduleFlush();
  }
}

export function isDirectReplyQueue(name: string): boolean {
  return name === REPLY_TO_QUEUE;
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
