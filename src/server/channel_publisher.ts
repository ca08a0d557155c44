// The publishing side of a channel: assembles basic.publish content into a
// Message, checks it (write permission, exchange, internal, user_id), routes
// it, returns it when mandatory and unroutable, and settles publisher
// confirms — after the store's commit for persistent messages in durable
// queues, at once otherwise.
import {
  AmqpError,
  ConnectionError,
  REPLY_NO_ROUTE,
  REPLY_NOT_IMPLEMENTED,
  REPLY_PRECONDITION_FAILED,
} from "../amqp/errors.ts";
import { countTableFields } from "../amqp/field_table.ts";
import { methodSpec, writeMethodFrame } from "../amqp/method_codec.ts";
import { decodeProperties, type PropertySummary, scanProperties } from "../amqp/properties.ts";
import type { MethodArgs } from "../amqp/spec.ts";
import { present } from "../assert.ts";
import { Message } from "../broker/message.ts";
import type { Channel } from "./channel.ts";
import { ConfirmTracker } from "./confirm_tracker.ts";
import { type AssembledContent, ContentAssembler } from "./content_assembler.ts";
import type { PendingPublish } from "./transaction.ts";
import { mayCarrySenderSelected, senderSelected } from "./sender_selected.ts";
import { isReplyAddress, replyTarget, rewriteReplyTo } from "./direct_reply.ts";
import { MAX_HEADER_FIELDS } from "./limits.ts";

const BASIC_ACK = methodSpec("basic.ack");
const BASIC_NACK = methodSpec("basic.nack");
const BASIC_RETURN = methodSpec("basic.return");
const BASIC_PUBLISH = methodSpec("basic.publish");

/** Errors found once the content is in: no method frame is being handled, so they name basic.publish. */
export function publishError(code: number, text: string): AmqpError {
  return new AmqpError(code, text, BASIC_PUBLISH.classId, BASIC_PUBLISH.methodId);
}

/** RabbitMQ's check of the expiration property: a non-negative integer of milliseconds, as text. */
function checkExpiration(expiration: string): void {
  const m = /^(-?\d+)(.*)$/s.exec(expiration);
  const reason = m === null
    ? "no_integer"
    : m[2] !== ""
    ? `{leftover_string,${JSON.stringify(m[2])}}`
    : Number(m[1]) < 0
    ? `{value_negative,${Number(m[1])}}`
    : null;
  if (reason !== null) throw publishError(406, `invalid expiration '${expiration}': ${reason}`);
}

/** Decoding a headers table costs time on the event loop (headers exchange, dead-lettering, the admin view). */
function checkHeaderFields(rawProperties: Uint8Array, summary: PropertySummary): void {
  const fields = countTableFields(rawProperties, summary.headersStart, summary.headersEnd);
  if (fields > MAX_HEADER_FIELDS) {
    throw publishError(
      406,
      `message headers have ${fields} fields, more than the limit of ${MAX_HEADER_FIELDS}`,
    );
  }
}

export class ChannelPublisher {
  readonly #content: ContentAssembler;
  #confirms: ConfirmTracker | null = null;
  readonly #summary: PropertySummary = {
    deliveryMode: 0,
    hasHeaders: false,
    hasPriority: false,
    hasExpiration: false,
    hasUserId: false,
    headersStart: 0,
    headersEnd: 0,
  };

  /** This channel's publishes, confirms and unroutable messages, for the metrics (cold path reads). */
  published = 0;
  confirmed = 0;
  returned = 0;
  dropped = 0;

  constructor(readonly channel: Channel) {
    this.#content = new ContentAssembler(channel.host.limits.maxMessageSizeBytes);
  }

  /** Confirms sent so far. */
  get confirmedCount(): number {
    return this.#confirms?.sentCount ?? 0;
  }

  get confirming(): boolean {
    return this.#confirms !== null;
  }

  get unconfirmed(): number {
    return this.#confirms === null ? 0 : this.#confirms.outstanding;
  }

  selectConfirms(): void {
    this.#confirms ??= new ConfirmTracker();
  }

  /** A method frame arrived: content must not be half-way in. */
  checkNoContentPending(): void {
    this.#content.checkNoContentPending();
  }

  start(args: MethodArgs<"basic.publish">): void {
    if (args.immediate) throw new ConnectionError(REPLY_NOT_IMPLEMENTED, "immediate=true");
    this.#content.start(args.exchange, args.routingKey, args.mandatory);
    this.channel.host.notePublish();
  }

  /** The content header; returns the finished publish when the body is empty. */
  header(bytes: Uint8Array, start: number, end: number): PendingPublish | null {
    const done = this.#content.header(bytes, start, end);
    return done ? this.#complete(done) : null;
  }

  body(bytes: Uint8Array, start: number, end: number): PendingPublish | null {
    const done = this.#content.bodyFrame(bytes, start, end);
    return done ? this.#complete(done) : null;
  }

  #complete(c: AssembledContent): PendingPublish {
    const host = this.channel.host;
    host.authorize("write", "exchange", c.exchange);
    const vhost = host.vhost;
    const x = vhost.exchanges.get(c.exchange);
    if (x === undefined) throw publishError(404, `no exchange '${c.exchange}' in vhost '${vhost.name}'`);
    if (x.internal) {
      throw publishError(403, `cannot publish to internal exchange '${c.exchange}' in vhost '${vhost.name}'`);
    }
    const summary = scanProperties(c.rawProperties, this.#summary);
    // Every field takes at least a byte: only a table that long can hold too many. Warren's own
    // connections forward what another broker accepted, as they do user_id.
    if (summary.headersEnd - summary.headersStart > MAX_HEADER_FIELDS && !host.internal) {
      checkHeaderFields(c.rawProperties, summary);
    }
    // Warren's own connections forward other users' messages, as RabbitMQ's shovels (direct connections) do.
    if (summary.hasUserId && !host.internal) {
      const userId = decodeProperties(c.rawProperties).userId;
      if (userId !== host.user.name) {
        throw publishError(
          406,
          `user_id property set to '${userId}' but authenticated user was '${host.user.name}'`,
        );
      }
    }
    if (summary.hasExpiration) {
      const { expiration } = decodeProperties(c.rawProperties);
      checkExpiration(present(expiration, "the expiration flag is set, so the property decodes"));
    }
    let rawProperties = rewriteReplyTo(c.rawProperties, this.channel.directReply);
    let extraRoutingKeys: string[] | undefined;
    if (summary.hasHeaders && mayCarrySenderSelected(rawProperties)) {
      const selected = senderSelected(rawProperties);
      if (selected) ({ rawProperties, extraRoutingKeys } = selected);
    }
    const message = new Message(c.exchange, c.routingKey, rawProperties, c.body, summary.deliveryMode === 2);
    return { exchange: x, message, mandatory: c.mandatory, extraRoutingKeys };
  }

  /** Routes and enqueues; confirms once the message is as safe as promised. */
  route(p: PendingPublish): void {
    const { exchange: x, message, mandatory } = p;
    const seq = this.#confirms ? this.#nextConfirm(this.#confirms) : 0;
    const host = this.channel.host;
    const vhost = host.vhost;
    const counters = vhost.counters;
    this.published++;
    counters.received++;
    if (seq) counters.receivedConfirm++;
    if (x.name === "" && isReplyAddress(message.routingKey)) {
      const target = replyTarget(vhost, message.routingKey);
      if (target) {
        counters.routed++;
        target.deliverReply(message);
      } else this.#unroutable(message, mandatory);
      if (seq) this.#settle(seq, true);
      return;
    }
    const { queues, rejected, delayed } = vhost.publish(x, message, p.extraRoutingKeys);
    if (delayed) {
      counters.routed++;
      if (seq) host.whenDurable((ok) => this.#settle(seq, ok));
      return;
    }
    if (queues.length === 0) {
      this.#unroutable(message, mandatory);
      if (seq) this.#settle(seq, true);
      return;
    }
    counters.routed++;
    let durable = false;
    for (let i = 0; i < queues.length; i++) {
      const q = queues[i];
      if (q.backlogged) host.noteBacklog();
      if (q.durable && (message.persistent || q.storesEveryMessage)) durable = true;
    }
    if (!seq) return;
    if (rejected) {
      this.#settle(seq, false);
      return;
    }
    if (durable) {
      host.whenDurable((ok) => this.#settle(seq, ok));
    } else this.#settle(seq, true);
  }

  #nextConfirm(confirms: ConfirmTracker): number {
    const max = this.channel.host.limits.maxUnconfirmedMessages;
    if (confirms.outstanding >= max) {
      throw publishError(
        REPLY_PRECONDITION_FAILED,
        `${max} published messages are waiting for their confirms, the most a channel may have`,
      );
    }
    return confirms.next();
  }

  #unroutable(message: Message, mandatory: boolean): void {
    const counters = this.channel.host.vhost.counters;
    if (mandatory) {
      this.returned++;
      counters.unroutableReturned++;
      this.#sendReturn(message);
    } else {
      this.dropped++;
      counters.unroutableDropped++;
    }
  }

  #settle(seq: number, ok: boolean): void {
    if (this.#confirms === null) return;
    this.#confirms.settle(seq, ok);
    if (ok) {
      this.confirmed++;
      this.channel.host.vhost.counters.confirmed++;
    }
    this.channel.host.markConfirmsPending(this.channel);
  }

  /** Writes the settled confirms; called just before the connection flushes. */
  flushConfirms(): void {
    if (this.#confirms === null) return;
    const ch = this.channel;
    this.#confirms.drain((deliveryTag, multiple, ack) => {
      writeMethodFrame(ch.host.out, ch.id, ack ? BASIC_ACK : BASIC_NACK, { deliveryTag, multiple });
    });
  }

  #sendReturn(message: Message): void {
    const args = {
      replyCode: REPLY_NO_ROUTE,
      replyText: "NO_ROUTE",
      exchange: message.exchange,
      routingKey: message.routingKey,
    };
    this.channel.sendWithContent(BASIC_RETURN, args, message.rawProperties, message.body);
  }

  /** The channel is closing: drop half-assembled content and outstanding confirms. */
  reset(): void {
    this.#content.reset();
    this.#confirms = null;
  }
}
