// One AMQP channel: turns methods into broker calls and deliveries into
// frames, with prefetch, flow, transactions and RabbitMQ's permission
// checks. Publishing lives in channel_publisher.ts and delivery tags in
// deliveries.ts. Errors thrown here are AmqpErrors; the connection turns
// them into channel.close or connection.close.
import {
  AmqpError,
  ConnectionError,
  notFound,
  preconditionFailed,
  REPLY_CHANNEL_ERROR,
  REPLY_COMMAND_INVALID,
  REPLY_NOT_ALLOWED,
  REPLY_NOT_IMPLEMENTED,
} from "../amqp/errors.ts";
import { writeContent } from "../amqp/frames.ts";
import { wireTypeName } from "../amqp/field_table.ts";
import { type MethodArgs, methodSpec, writeMethodFrame } from "../amqp/method_codec.ts";
import { BASIC_CLASS_ID, type MethodSpec } from "../amqp/spec.ts";
import type { QueueEntry } from "../broker/message.ts";
import { generatedConsumerTag } from "../broker/names.ts";
import type { Queue } from "../broker/queue.ts";
import { refuseDefaultExchange, REPLY_TO_PREFIX } from "../broker/vhost.ts";
import type { AccessKind, ResourceKind } from "../auth/users.ts";
import { ChannelConsumer } from "./channel_consumer.ts";
import { ChannelPublisher } from "./channel_publisher.ts";
import type { Connection } from "./connection.ts";
import { Deliveries, type Unacked } from "./deliveries.ts";
import { DirectReplyConsumer, isDirectReplyQueue } from "./direct_reply.ts";
import { type PendingPublish, Transaction } from "./transaction.ts";
import { logger } from "../log.ts";

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
  #flowActive = true;
  #prefetchCount = 0;
  #globalPrefetch = 0;
  #lastQueue = "";
  #tx: Transaction | null = null;
  /** Reused for every basic.deliver so a delivery allocates no argument object. */
  readonly #deliverArgs: MethodArgs = {
    consumerTag: "",
    deliveryTag: 0,
    redelivered: false,
    exchange: "",
    routingKey: "",
  };
  /** Granted (kind, resource, name) checks, valid while the registry's version stays put. */
  #granted = new Set<string>();
  #grantedVersion = -1;

  constructor(readonly connection: Connection, readonly id: number) {
    this.#publisher = new ChannelPublisher(this);
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
    this.connection.vhost.counters.channelsOpened++;
    this.#send(M.channelOpenOk);
  }

  #markClosed(): void {
    this.state = "closed";
    this.connection.vhost.counters.channelsClosed++;
  }

  #send(spec: MethodSpec, args?: MethodArgs): void {
    writeMethodFrame(this.connection.out, this.id, spec, args);
    this.connection.scheduleFlush();
  }

  #reply(args: MethodArgs, spec: MethodSpec, replyArgs?: MethodArgs): void {
    if (!args.noWait) this.#send(spec, replyArgs);
  }

  // ---- frames ---------------------------------------------------------

  handleMethod(spec: MethodSpec, args: MethodArgs): void {
    if (this.state === "closing") {
      // After a channel.close of ours only the peer's close-ok (or close) means anything.
      if (spec.name === "channel.close-ok") this.#finishClose();
      else if (spec.name === "channel.close") this.#send(M.channelCloseOk);
      return;
    }
    this.#publisher.checkNoContentPending();
    const vhost = this.connection.vhost;
    switch (spec.name) {
      case "basic.publish":
        return this.#publisher.start(args);
      case "basic.ack":
        return this.#settleTags(args.deliveryTag, args.multiple, true, false);
      case "basic.nack":
        return this.#settleTags(args.deliveryTag, args.multiple, false, args.requeue);
      case "basic.reject":
        return this.#settleTags(args.deliveryTag, false, false, args.requeue);
      case "basic.consume":
        return this.#consume(args);
      case "basic.cancel":
        return this.#cancel(args.consumerTag, args.noWait);
      case "basic.get":
        return this.#get(args.queue, args.noAck);
      case "basic.qos":
        return this.#qos(args.prefetchSize, args.prefetchCount, args.global);
      case "basic.recover":
      case "basic.recover-async":
        return this.#recover(args.requeue, spec.name === "basic.recover");
      case "exchange.declare":
        if (!args.passive) this.authorize("configure", "exchange", args.exchange);
        vhost.declareExchange({
          name: args.exchange,
          type: args.type,
          passive: args.passive,
          durable: args.durable,
          autoDelete: args.autoDelete,
          internal: args.internal,
          arguments: args.arguments,
        });
        return this.#reply(args, M.exchangeDeclareOk);
      case "exchange.delete":
        this.authorize("configure", "exchange", args.exchange);
        vhost.deleteExchange(args.exchange, args.ifUnused);
        return this.#reply(args, M.exchangeDeleteOk);
      case "exchange.bind":
      case "exchange.unbind": {
        this.authorize("write", "exchange", args.destination);
        refuseDefaultExchange(args.destination);
        refuseDefaultExchange(args.source);
        this.authorize("read", "exchange", args.source);
        const bind = spec.name === "exchange.bind";
        if (bind) vhost.bindExchange(args.destination, args.source, args.routingKey, args.arguments);
        else vhost.unbindExchange(args.destination, args.source, args.routingKey, args.arguments);
        return this.#reply(args, bind ? M.exchangeBindOk : M.exchangeUnbindOk);
      }
      case "queue.declare":
        return this.#queueDeclare(args);
      case "queue.bind":
      case "queue.unbind": {
        const queue = this.#queueName(args.queue);
        this.authorize("write", "queue", queue);
        // RabbitMQ's order: write on the destination, the default exchange, read on the source.
        refuseDefaultExchange(args.exchange);
        this.authorize("read", "exchange", args.exchange);
        if (spec.name === "queue.bind") {
          vhost.bindQueue(queue, args.exchange, args.routingKey, args.arguments, this.connection);
          return this.#reply(args, M.queueBindOk);
        }
        vhost.unbindQueue(queue, args.exchange, args.routingKey, args.arguments, this.connection);
        return this.#send(M.queueUnbindOk);
      }
      case "queue.purge": {
        const queue = this.#queueName(args.queue);
        this.authorize("read", "queue", queue);
        return this.#reply(args, M.queuePurgeOk, { messageCount: vhost.purgeQueue(queue, this.connection) });
      }
      case "queue.delete": {
        const queue = this.#queueName(args.queue);
        this.authorize("configure", "queue", queue);
        const n = vhost.deleteQueue(queue, {
          ifUnused: args.ifUnused,
          ifEmpty: args.ifEmpty,
          owner: this.connection,
        });
        return this.#reply(args, M.queueDeleteOk, { messageCount: n });
      }
      case "confirm.select":
        if (this.#tx) throw preconditionFailed("cannot switch from tx to confirm mode");
        this.#publisher.selectConfirms();
        return this.#reply(args, M.confirmSelectOk);
      case "tx.select":
        if (this.#publisher.confirming) throw preconditionFailed("cannot switch from confirm to tx mode");
        this.#tx ??= new Transaction();
        return this.#send(M.txSelectOk);
      case "tx.commit":
        return this.#txCommit();
      case "tx.rollback":
        return this.#txRollback();
      case "channel.flow":
        this.#flowActive = args.active;
        this.#send(M.channelFlowOk, { active: args.active });
        if (this.#flowActive) this.resumeDeliveries();
        return;
      case "channel.close":
        this.#teardown();
        this.#send(M.channelCloseOk);
        this.#markClosed();
        this.connection.channelClosed(this);
        return;
      case "channel.close-ok":
        return;
      case "channel.open":
        throw new ConnectionError(REPLY_CHANNEL_ERROR, "second 'channel.open' seen");
      default:
        throw new ConnectionError(REPLY_COMMAND_INVALID, "unimplemented method", spec.classId, spec.methodId);
    }
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
    if (this.#tx) this.#tx.publishes.push(p);
    else this.#publisher.route(p);
  }

  /** Writes settled publisher confirms; the connection calls this just before it flushes. */
  flushConfirms(): void {
    if (this.state === "open") this.#publisher.flushConfirms();
  }

  /** 403 unless the connection's user may do `kind` on the resource (RabbitMQ's mapping of methods to permissions). */
  authorize(kind: AccessKind, resource: ResourceKind, name: string): void {
    if (this.connection.internal) return;
    const users = this.connection.ctx.users;
    if (users.version !== this.#grantedVersion) {
      this.#granted.clear();
      this.#grantedVersion = users.version;
    }
    const key = `${kind}\u0000${resource}\u0000${name}`;
    if (this.#granted.has(key)) return;
    users.checkAccess(this.connection.user.name, this.connection.vhost.name, kind, resource, name);
    this.#granted.add(key);
  }

  /** The empty queue name means the channel's last declared queue, as in RabbitMQ. */
  #queueName(name: string): string {
    if (name !== "") return name;
    if (this.#lastQueue === "") throw notFound("no previously declared queue");
    return this.#lastQueue;
  }

  #queueDeclare(args: MethodArgs): void {
    // RabbitMQ does not read "" as the last declared queue here: a passive declare of "" is a 404.
    const name = args.queue;
    if (args.passive && name.startsWith(REPLY_TO_PREFIX)) {
      // A live direct reply-to address "exists" for a passive declare, as in RabbitMQ.
      if (!this.connection.vhost.replyTargets.has(name.slice(REPLY_TO_PREFIX.length))) {
        throw notFound(`no queue '${name}' in vhost '${this.connection.vhost.name}'`);
      }
      return this.#reply(args, M.queueDeclareOk, { queue: name, messageCount: 0, consumerCount: 1 });
    }
    if (!args.passive && name !== "") this.authorize("configure", "queue", name);
    const r = this.connection.vhost.declareQueue({
      name,
      passive: args.passive,
      durable: args.durable,
      exclusive: args.exclusive,
      autoDelete: args.autoDelete,
      arguments: args.arguments,
      owner: this.connection,
    });
    if (r.queue.exclusiveOwner === this.connection) this.connection.exclusiveQueues.add(r.queue);
    this.#lastQueue = r.queue.name;
    this.#reply(args, M.queueDeclareOk, {
      queue: r.queue.name,
      messageCount: r.messageCount,
      consumerCount: r.consumerCount,
    });
  }

  // ---- consuming ------------------------------------------------------

  #consume(args: MethodArgs): void {
    if (isDirectReplyQueue(args.queue)) return this.#consumeDirectReplies(args);
    const queueName = this.#queueName(args.queue);
    this.authorize("read", "queue", queueName);
    // RabbitMQ's order: a reused tag, then the queue, then the consumer arguments
    const tag: string = args.consumerTag === "" ? generatedConsumerTag() : args.consumerTag;
    if (this.consumers.has(tag)) {
      throw new ConnectionError(
        REPLY_NOT_ALLOWED,
        `attempt to reuse consumer tag '${tag}'`,
        BASIC_CLASS_ID,
        20,
      );
    }
    const queue = this.connection.vhost.getQueue(queueName, this.connection);
    const priority = args.arguments?.["x-priority"];
    if (priority !== undefined && !(typeof priority === "number" && Number.isInteger(priority))) {
      throw preconditionFailed(
        `invalid arg 'x-priority' for queue '${queueName}' in vhost '${this.connection.vhost.name}': ` +
          `"expected integer, got ${wireTypeName(args.arguments, "x-priority") ?? "longstr"}"`,
      );
    }
    if (this.#globalPrefetch !== 0 && !queue.supportsGlobalQos) {
      throw new ConnectionError(
        REPLY_NOT_IMPLEMENTED,
        `queue '${queueName}' in vhost '${this.connection.vhost.name}' does not support global qos`,
        BASIC_CLASS_ID,
        20,
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

  #consumeDirectReplies(args: MethodArgs): void {
    if (!args.noAck) throw preconditionFailed("reply consumer cannot acknowledge");
    if (this.directReply) throw preconditionFailed("reply consumer already set");
    const tag: string = args.consumerTag === "" ? generatedConsumerTag() : args.consumerTag;
    this.directReply = new DirectReplyConsumer(this, tag);
    this.connection.vhost.replyTargets.set(this.directReply.token, this.directReply);
    if (!args.noWait) this.#send(M.basicConsumeOk, { consumerTag: tag });
  }

  #dropDirectReplies(): void {
    if (!this.directReply) return;
    this.connection.vhost.replyTargets.delete(this.directReply.token);
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
    if (this.state === "open" && this.connection.consumerCancelNotify) {
      this.#send(M.basicCancel, { consumerTag: consumer.tag, noWait: true });
    }
  }

  canDeliver(): boolean {
    return this.state === "open" && this.#flowActive && this.connection.writable;
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
    const out = this.connection.out;
    writeMethodFrame(out, this.id, M.basicDeliver, a);
    // A message never returned goes out as published; the queue's type decides what a returned one carries.
    const props = entry.deliveryCount === 0 ? m.rawProperties : queue.deliveryProperties(entry, false);
    writeContent(out, this.id, BASIC_CLASS_ID, props, m.body, this.connection.frameMax);
    this.connection.scheduleFlush();
  }

  #get(queueName: string, noAck: boolean): void {
    const name = this.#queueName(queueName);
    this.authorize("read", "queue", name);
    const queue = this.connection.vhost.getQueue(name, this.connection);
    const entry = queue.get(noAck);
    if (!entry) {
      this.#send(M.basicGetEmpty);
      return;
    }
    const m = entry.message;
    const out = this.connection.out;
    writeMethodFrame(out, this.id, M.basicGetOk, {
      deliveryTag: this.deliveries.next(queue, entry, null, !noAck),
      redelivered: entry.redelivered,
      exchange: m.exchange,
      routingKey: m.routingKey,
      messageCount: queue.messageCount,
    });
    const props = queue.deliveryProperties(entry, true);
    writeContent(out, this.id, BASIC_CLASS_ID, props, m.body, this.connection.frameMax);
    this.connection.scheduleFlush();
  }

  #qos(prefetchSize: number, prefetchCount: number, global: boolean): void {
    if (prefetchSize !== 0) {
      throw new ConnectionError(
        REPLY_NOT_IMPLEMENTED,
        `prefetch_size!=0 (${prefetchSize})`,
        BASIC_CLASS_ID,
        10,
      );
    }
    if (global) this.#globalPrefetch = prefetchCount;
    else this.#prefetchCount = prefetchCount;
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
      throw new ConnectionError(REPLY_NOT_IMPLEMENTED, "requeue=false", BASIC_CLASS_ID, sendOk ? 110 : 100);
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
    const timeoutMs = this.connection.limits.consumerTimeoutMs;
    if (oldest === 0 || now - oldest <= timeoutMs || this.state !== "open") return;
    log.warning("consumer timeout: closing channel", {
      peer: this.connection.peer,
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
    this.connection.channelClosed(this);
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
