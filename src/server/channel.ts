// One AMQP channel: turns methods into broker calls and deliveries into
// frames, with prefetch, flow, transactions and RabbitMQ's permission
// checks. Publishing lives in channel_publisher.ts, exchange and queue
// methods in channel_topology.ts, delivery tags in deliveries.ts, direct
// reply-to in direct_reply.ts; the connection is seen
// only through ChannelHost. Errors thrown here are AmqpErrors; the
// connection turns them into channel.close or connection.close.
import {
  AmqpError,
  ConnectionError,
  preconditionFailed,
  REPLY_CHANNEL_ERROR,
  REPLY_COMMAND_INVALID,
  REPLY_NOT_ALLOWED,
  REPLY_NOT_IMPLEMENTED,
  REPLY_PRECONDITION_FAILED,
} from "../amqp/errors.ts";
import { writeContent } from "../amqp/frames.ts";
import { wireTypeName } from "../amqp/field_table.ts";
import { dispatchTable, methodSpec, writeMethodFrame } from "../amqp/method_codec.ts";
import { type MethodArgs, type MethodArgsOut, type MethodName, type MethodSpec } from "../amqp/spec.ts";
import type { QueueEntry } from "../broker/message.ts";
import { generatedConsumerTag } from "../broker/names.ts";
import type { Queue } from "../broker/queue.ts";
import { ChannelConsumer } from "./channel_consumer.ts";
import { ChannelPublisher, publishError } from "./channel_publisher.ts";
import { Deliveries, type Unacked } from "./deliveries.ts";
import { consumeDirectReplies, type DirectReplyConsumer, isDirectReplyQueue } from "./direct_reply.ts";
import { ChannelTopology } from "./channel_topology.ts";
import { type PendingPublish, Transaction } from "./transaction.ts";
import type { ChannelHost } from "./channel_host.ts";
import { logger } from "../log.ts";
import { checkArgumentFields } from "../broker/argument_limits.ts";

const log = logger("channel");

const M = {
  channelOpenOk: methodSpec("channel.open-ok"),
  channelFlowOk: methodSpec("channel.flow-ok"),
  channelClose: methodSpec("channel.close"),
  channelCloseOk: methodSpec("channel.close-ok"),
  exchangeDeclareOk: methodSpec("exchange.declare-ok"),
  exchangeDeleteOk: methodSpec("exchange.delete-ok"),
  exchangeBindOk: methodSpec("exchange.bind-ok"),
  exchangeUnbindOk: methodSpec("exchange.unbind-ok"),
  queueDeclareOk: methodSpec("queue.declare-ok"),
  queueBindOk: methodSpec("queue.bind-ok"),
  queueUnbindOk: methodSpec("queue.unbind-ok"),
  queuePurgeOk: methodSpec("queue.purge-ok"),
  queueDeleteOk: methodSpec("queue.delete-ok"),
  basicQosOk: methodSpec("basic.qos-ok"),
  basicConsumeOk: methodSpec("basic.consume-ok"),
  basicCancel: methodSpec("basic.cancel"),
  basicCancelOk: methodSpec("basic.cancel-ok"),
  basicDeliver: methodSpec("basic.deliver"),
  basicGetOk: methodSpec("basic.get-ok"),
  basicGetEmpty: methodSpec("basic.get-empty"),
  basicRecoverOk: methodSpec("basic.recover-ok"),
  confirmSelectOk: methodSpec("confirm.select-ok"),
  txSelectOk: methodSpec("tx.select-ok"),
  txCommitOk: methodSpec("tx.commit-ok"),
  txRollbackOk: methodSpec("tx.rollback-ok"),
};

export class Channel {
  state: "open" | "closing" | "closed" = "open";
  readonly consumers = new Map<string, ChannelConsumer>();
  /** Deliveries acknowledged on this channel, for the admin API's message_stats. */
  ackedCount = 0;
  readonly deliveries = new Deliveries();
  /** This channel's direct reply-to consumer, if it has one. */
  directReply: DirectReplyConsumer | null = null;
  readonly #publisher: ChannelPublisher;
  readonly #topology: ChannelTopology;
  #flowActive = true;
  #prefetchCount = 0;
  #globalPrefetch = 0;
  #tx: Transaction | null = null;
  /** Reused for every basic.deliver so a delivery allocates no argument object. */
  readonly #deliverArgs: MethodArgs<"basic.deliver"> = {
    consumerTag: "",
    deliveryTag: 0,
    redelivered: false,
    exchange: "",
    routingKey: "",
  };
  constructor(readonly host: ChannelHost, readonly id: number) {
    this.#publisher = new ChannelPublisher(this);
    this.#topology = new ChannelTopology(host);
  }

  /** basic.qos settings and modes, read by the admin API. */
  get prefetchCount(): number {
    return this.#prefetchCount;
  }

  get globalPrefetchCount(): number {
    return this.#globalPrefetch;
  }

  /** Messages published, confirms sent: the admin API's per-channel message_stats. */
  get publishedCount(): number {
    return this.#publisher.published;
  }

  get confirmedCount(): number {
    return this.#publisher.confirmedCount;
  }

  get confirmMode(): boolean {
    return this.#publisher.confirming;
  }

  /** The publishing side, whose counters the metrics read. */
  get publisher(): ChannelPublisher {
    return this.#publisher;
  }

  /** Transactional publishes and acks not yet committed. */
  get uncommitted(): { publishes: number; acks: number } {
    return { publishes: this.#tx?.publishes.length ?? 0, acks: this.#tx?.settlements.length ?? 0 };
  }

  get transactional(): boolean {
    return this.#tx !== null;
  }

  opened(): void {
    this.host.vhost.counters.channelsOpened++;
    this.#send(M.channelOpenOk);
  }

  #markClosed(): void {
    this.state = "closed";
    this.host.vhost.counters.channelsClosed++;
  }

  #send<N extends MethodName>(spec: MethodSpec<N>, args?: MethodArgsOut<N>): void {
    writeMethodFrame(this.host.out, this.id, spec, args);
    this.host.scheduleFlush();
  }

  /** Sends a method that carries a message (deliver, get-ok, return): the method frame, header and body. */
  sendWithContent<N extends MethodName>(
    spec: MethodSpec<N>,
    args: MethodArgsOut<N>,
    rawProperties: Uint8Array,
    body: Uint8Array,
  ): void {
    const out = this.host.out;
    writeMethodFrame(out, this.id, spec, args);
    writeContent(out, this.id, spec.classId, rawProperties, body, this.host.frameMax);
    this.host.scheduleFlush();
  }

  /** Sends a method's -ok reply unless the client asked for none (no-wait). */
  #reply<N extends MethodName>(noWait: boolean, spec: MethodSpec<N>, replyArgs?: MethodArgsOut<N>): void {
    if (!noWait) this.#send(spec, replyArgs);
  }

  // ---- frames ---------------------------------------------------------

  handleMethod(spec: MethodSpec, args: MethodArgs<MethodName>): void {
    if (this.state === "closing") {
      // After a channel.close of ours only the peer's close-ok (or close) means anything.
      if (spec === M.channelCloseOk) this.#finishClose();
      else if (spec === M.channelClose) this.#send(M.channelCloseOk);
      return;
    }
    this.#publisher.checkNoContentPending();
    const handler = Channel.#DISPATCH[spec.index];
    if (handler === undefined) {
      throw new ConnectionError(REPLY_COMMAND_INVALID, "unimplemented method", spec.classId, spec.methodId);
    }
    handler(this, args);
  }

  /** What each method a client may send on a channel does. */
  static readonly #DISPATCH = dispatchTable<Channel>({
    "basic.publish": (ch, a) => ch.#publisher.start(a),
    "basic.ack": (ch, a) => ch.#settleTags(a.deliveryTag, a.multiple, true, false),
    "basic.nack": (ch, a) => ch.#settleTags(a.deliveryTag, a.multiple, false, a.requeue),
    "basic.reject": (ch, a) => ch.#settleTags(a.deliveryTag, false, false, a.requeue),
    "basic.consume": (ch, a) => ch.#consume(a),
    "basic.cancel": (ch, a) => ch.#cancel(a.consumerTag, a.noWait),
    "basic.get": (ch, a) => ch.#get(a.queue, a.noAck),
    "basic.qos": (ch, a) => ch.#qos(a.prefetchSize, a.prefetchCount, a.global),
    "basic.recover": (ch, a) => ch.#recover(a.requeue, true),
    "basic.recover-async": (ch, a) => ch.#recover(a.requeue, false),
    "exchange.declare": (ch, a) => {
      ch.#topology.exchangeDeclare(a);
      ch.#reply(a.noWait, M.exchangeDeclareOk);
    },
    "exchange.delete": (ch, a) => {
      ch.#topology.exchangeDelete(a);
      ch.#reply(a.noWait, M.exchangeDeleteOk);
    },
    "exchange.bind": (ch, a) => {
      ch.#topology.exchangeBind(a, true);
      ch.#reply(a.noWait, M.exchangeBindOk);
    },
    "exchange.unbind": (ch, a) => {
      ch.#topology.exchangeBind(a, false);
      ch.#reply(a.noWait, M.exchangeUnbindOk);
    },
    "queue.declare": (ch, a) => ch.#reply(a.noWait, M.queueDeclareOk, ch.#topology.queueDeclare(a)),
    "queue.bind": (ch, a) => {
      ch.#topology.queueBind(a);
      ch.#reply(a.noWait, M.queueBindOk);
    },
    "queue.unbind": (ch, a) => {
      ch.#topology.queueUnbind(a);
      ch.#send(M.queueUnbindOk);
    },
    "queue.purge": (ch, a) =>
      ch.#reply(a.noWait, M.queuePurgeOk, { messageCount: ch.#topology.queuePurge(a) }),
    "queue.delete": (ch, a) =>
      ch.#reply(a.noWait, M.queueDeleteOk, { messageCount: ch.#topology.queueDelete(a) }),
    "confirm.select": (ch, a) => ch.#confirmSelect(a.noWait),
    "tx.select": (ch) => ch.#txSelect(),
    "tx.commit": (ch) => ch.#txCommit(),
    "tx.rollback": (ch) => ch.#txRollback(),
    "channel.flow": (ch, a) => ch.#flow(a.active),
    "channel.close": (ch) => ch.#peerClose(),
    "channel.close-ok": () => {},
    "channel.open": () => {
      throw new ConnectionError(REPLY_CHANNEL_ERROR, "second 'channel.open' seen");
    },
  });

  // ---- modes ------------------------------------------------------------

  #confirmSelect(noWait: boolean): void {
    if (this.#tx) throw preconditionFailed("cannot switch from tx to confirm mode");
    this.#publisher.selectConfirms();
    this.#reply(noWait, M.confirmSelectOk);
  }

  #txSelect(): void {
    if (this.#publisher.confirming) throw preconditionFailed("cannot switch from confirm to tx mode");
    this.#tx ??= new Transaction();
    this.#send(M.txSelectOk);
  }

  #flow(active: boolean): void {
    this.#flowActive = active;
    this.#send(M.channelFlowOk, { active });
    if (active) this.resumeDeliveries();
  }

  #peerClose(): void {
    this.#teardown();
    this.#send(M.channelCloseOk);
    this.#markClosed();
    this.host.channelClosed(this);
  }

  handleHeader(bytes: Uint8Array, start: number, end: number): void {
    if (this.state !== "open") return;
    const done = this.#publisher.header(bytes, start, end);
    if (done) this.#published(done);
  }

  handleBody(bytes: Uint8Array, start: number, end: number): void {
    if (this.state !== "open") return;
    const done = this.#publisher.body(bytes, start, end);
    if (done) this.#published(done);
  }

  #published(p: PendingPublish): void {
    const tx = this.#tx;
    if (tx === null) return this.#publisher.route(p);
    const max = this.host.limits.maxUncommittedMessages;
    if (tx.publishes.length >= max) {
      throw publishError(
        REPLY_PRECONDITION_FAILED,
        `transaction holds ${max} uncommitted messages, the most a channel may hold; commit or roll back`,
      );
    }
    tx.publishes.push(p);
  }

  /** Writes settled publisher confirms; the connection calls this just before it flushes. */
  flushConfirms(): void {
    if (this.state === "open") this.#publisher.flushConfirms();
  }

  // ---- consuming ------------------------------------------------------

  #consume(args: MethodArgs<"basic.consume">): void {
    this.#checkConsumerLimit(args.consumerTag);
    if (isDirectReplyQueue(args.queue)) return this.#consumeDirectReplies(args);
    const queueName = this.#topology.queueName(args.queue);
    this.host.authorize("read", "queue", queueName);
    // RabbitMQ's order: a reused tag, then the queue, then the consumer arguments
    const tag: string = args.consumerTag === "" ? generatedConsumerTag() : args.consumerTag;
    if (this.consumers.has(tag)) {
      throw new ConnectionError(REPLY_NOT_ALLOWED, `attempt to reuse consumer tag '${tag}'`);
    }
    const queue = this.host.vhost.getQueue(queueName, this.host);
    checkArgumentFields(
      args.arguments,
      `a consumer of queue '${queueName}' in vhost '${this.host.vhost.name}'`,
    );
    queue.checkConsume({ noAck: args.noAck, prefetchCount: this.#prefetchCount, arguments: args.arguments });
    const priority = args.arguments?.["x-priority"];
    if (priority !== undefined && !(typeof priority === "number" && Number.isInteger(priority))) {
      throw preconditionFailed(
        `invalid arg 'x-priority' for queue '${queueName}' in vhost '${this.host.vhost.name}': ` +
          `"expected integer, got ${wireTypeName(args.arguments, "x-priority") ?? "longstr"}"`,
      );
    }
    if (this.#globalPrefetch !== 0 && !queue.supportsGlobalQos) {
      throw new ConnectionError(
        REPLY_NOT_IMPLEMENTED,
        `queue '${queueName}' in vhost '${this.host.vhost.name}' does not support global qos`,
      );
    }
    const consumer = new ChannelConsumer(
      this,
      queue,
      tag,
      args.noAck,
      args.exclusive,
      args.arguments,
      this.#prefetchCount,
    );
    // A refusal must come instead of consume-ok, and consume-ok before the first delivery.
    queue.checkConsumable(args.exclusive);
    if (!args.noWait) this.#send(M.basicConsumeOk, { consumerTag: tag });
    queue.addConsumer(consumer);
    this.consumers.set(tag, consumer);
  }

  /** A new consumer past the channel's limit is refused, as RabbitMQ does with consumer_max_per_channel. */
  #checkConsumerLimit(tag: string): void {
    const max = this.host.limits.maxConsumersPerChannel;
    if (this.consumers.size >= max && !this.consumers.has(tag)) {
      throw new ConnectionError(REPLY_NOT_ALLOWED, `reached maximum (${max}) of consumers per channel`);
    }
  }

  #consumeDirectReplies(args: MethodArgs<"basic.consume">): void {
    this.directReply = consumeDirectReplies(this, this.directReply, args.consumerTag, args.noAck);
    if (!args.noWait) this.#send(M.basicConsumeOk, { consumerTag: this.directReply.tag });
  }

  #dropDirectReplies(): void {
    this.directReply?.close();
    this.directReply = null;
  }

  #cancel(tag: string, noWait: boolean): void {
    if (this.directReply?.tag === tag) this.#dropDirectReplies();
    const consumer = this.consumers.get(tag);
    if (consumer) {
      this.consumers.delete(tag);
      consumer.queue.removeConsumer(consumer);
    }
    if (!noWait) this.#send(M.basicCancelOk, { consumerTag: tag });
  }

  consumerCancelledByBroker(consumer: ChannelConsumer): void {
    if (this.consumers.get(consumer.tag) !== consumer) return;
    this.consumers.delete(consumer.tag);
    if (this.state === "open" && this.host.consumerCancelNotify) {
      this.#send(M.basicCancel, { consumerTag: consumer.tag, noWait: true });
    }
  }

  canDeliver(): boolean {
    return this.state === "open" && this.#flowActive && this.host.writable;
  }

  withinGlobalPrefetch(): boolean {
    return this.#globalPrefetch === 0 || this.deliveries.size < this.#globalPrefetch;
  }

  deliver(consumer: ChannelConsumer, queue: Queue, entry: QueueEntry): void {
    const m = entry.message;
    const a = this.#deliverArgs;
    a.consumerTag = consumer.tag;
    a.deliveryTag = this.deliveries.next(queue, entry, consumer, !consumer.noAck);
    a.redelivered = entry.redelivered;
    a.exchange = m.exchange;
    a.routingKey = m.routingKey;
    // A message never returned goes out as published; the queue's type decides what a returned one carries.
    const props = entry.deliveryCount === 0 ? m.rawProperties : queue.deliveryProperties(entry, false);
    this.sendWithContent(M.basicDeliver, a, props, m.body);
  }

  #get(queueName: string, noAck: boolean): void {
    const name = this.#topology.queueName(queueName);
    this.host.authorize("read", "queue", name);
    const queue = this.host.vhost.getQueue(name, this.host);
    const entry = queue.get(noAck);
    if (!entry) {
      this.#send(M.basicGetEmpty);
      return;
    }
    const m = entry.message;
    const args = {
      deliveryTag: this.deliveries.next(queue, entry, null, !noAck),
      redelivered: entry.redelivered,
      exchange: m.exchange,
      routingKey: m.routingKey,
      messageCount: queue.messageCount,
    };
    this.sendWithContent(M.basicGetOk, args, queue.deliveryProperties(entry, true), m.body);
  }

  #qos(prefetchSize: number, prefetchCount: number, global: boolean): void {
    if (prefetchSize !== 0) {
      throw new ConnectionError(REPLY_NOT_IMPLEMENTED, `prefetch_size!=0 (${prefetchSize})`);
    }
    if (global) this.#globalPrefetch = prefetchCount;
    else {
      // As in RabbitMQ 3.10, a per-consumer prefetch replaces a global one set before it.
      this.#prefetchCount = prefetchCount;
      this.#globalPrefetch = 0;
    }
    this.#send(M.basicQosOk);
    this.resumeDeliveries();
  }

  /** Offers deliveries again to the queues of this channel's consumers. */
  resumeDeliveries(): void {
    for (const c of this.consumers.values()) {
      if (c.canDeliver()) c.queue.dispatch();
    }
  }

  // ---- acknowledgements ----------------------------------------------

  #settleTags(deliveryTag: number, multiple: boolean, ack: boolean, requeue: boolean): void {
    const taken = this.deliveries.take(deliveryTag, multiple);
    if (this.#tx) this.#tx.settlements.push({ taken, ack, requeue });
    else this.#settle(taken, ack, requeue);
  }

  /** Applies acks or rejects to their queues and lets freed prefetch pull more. */
  #settle(taken: Unacked[], ack: boolean, requeue: boolean): void {
    if (ack) this.ackedCount += taken.length;
    if (taken.length === 1) {
      const u = taken[0];
      if (u.consumer) u.consumer.unacked--;
      if (ack) u.queue.ack(u.entry);
      else if (requeue) u.queue.requeue([u.entry]);
      else u.queue.discard(u.entry);
      if (u.consumer && u.consumer.canDeliver()) u.queue.dispatch();
      else if (this.#globalPrefetch !== 0) this.resumeDeliveries();
      return;
    }
    for (const u of taken) {
      if (u.consumer) u.consumer.unacked--;
      if (ack) u.queue.ack(u.entry);
      else if (!requeue) u.queue.discard(u.entry);
    }
    if (!ack && requeue) requeueByQueue(taken);
    this.resumeDeliveries();
  }

  #recover(requeue: boolean, sendOk: boolean): void {
    if (!requeue) {
      throw new ConnectionError(REPLY_NOT_IMPLEMENTED, "requeue=false");
    }
    this.#settle(this.deliveries.takeAll(), false, true);
    if (sendOk) this.#send(M.basicRecoverOk);
  }

  // ---- transactions ---------------------------------------------------

  #txCommit(): void {
    const tx = this.#tx;
    if (!tx) throw preconditionFailed("channel is not transactional");
    const { publishes, settlements } = tx.take();
    for (const p of publishes) this.#publisher.route(p);
    for (const s of settlements) this.#settle(s.taken, s.ack, s.requeue);
    this.#send(M.txCommitOk);
  }

  #txRollback(): void {
    const tx = this.#tx;
    if (!tx) throw preconditionFailed("channel is not transactional");
    // Acks inside a rolled-back transaction never happened: the deliveries are unacked again.
    this.deliveries.restore(tx.take().settlements.flatMap((s) => s.taken));
    this.#send(M.txRollbackOk);
  }

  // ---- closing --------------------------------------------------------

  /** consumer_timeout: a delivery unacked for too long closes the channel, as in RabbitMQ. */
  checkConsumerTimeout(now: number): void {
    const oldest = this.deliveries.oldestDeliveredAt;
    const timeoutMs = this.host.limits.consumerTimeoutMs;
    if (oldest === 0 || now - oldest <= timeoutMs || this.state !== "open") return;
    log.warning("consumer timeout: closing channel", {
      peer: this.host.peer,
      channel: this.id,
      timeout_ms: timeoutMs,
    });
    this.closeWithError(preconditionFailed(
      `delivery acknowledgement on channel ${this.id} timed out. Timeout value used: ${timeoutMs} ms. ` +
        "This timeout value can be configured, see consumers doc guide to learn more",
    ));
  }

  /** Closes the channel for a channel-level error (soft reply code). */
  closeWithError(err: AmqpError): void {
    if (this.state !== "open") return;
    this.#teardown();
    this.state = "closing";
    this.#send(M.channelClose, {
      replyCode: err.replyCode,
      replyText: err.replyText,
      classId: err.classId,
      methodId: err.methodId,
    });
  }

  #finishClose(): void {
    this.#markClosed();
    this.host.channelClosed(this);
  }

  /** Gives back everything the channel holds: consumers go, unacked messages are requeued. */
  teardown(): void {
    if (this.state === "closed") return;
    this.#teardown();
    this.#markClosed();
  }

  #teardown(): void {
    this.#dropDirectReplies();
    for (const c of this.consumers.values()) c.queue.removeConsumer(c);
    this.consumers.clear();
    const all = this.deliveries.takeAll();
    for (const u of all) if (u.consumer) u.consumer.unacked--;
    this.#tx = null;
    this.#publisher.reset();
    requeueByQueue(all, true);
  }
}

/**
 * Requeues deliveries, one call per queue so each keeps its original order.
 * `holderGone`: the channel is closing rather than rejecting them.
 */
function requeueByQueue(taken: Unacked[], holderGone = false): void {
  const byQueue = new Map<Queue, QueueEntry[]>();
  for (const u of taken) {
    const list = byQueue.get(u.queue);
    if (list) list.push(u.entry);
    else byQueue.set(u.queue, [u.entry]);
  }
  for (const [q, entries] of byQueue) q.requeue(entries, holderGone);
}
