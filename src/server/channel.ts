// One AMQP channel: turns methods into broker calls, assembles published
// content, delivers to its consumers, tracks delivery tags, prefetch,
// publisher confirms and transactions. Errors thrown here are AmqpErrors;
// the connection turns them into channel.close or connection.close.
import {
  AmqpError,
  ConnectionError,
  notFound,
  preconditionFailed,
  REPLY_NO_ROUTE,
  REPLY_NOT_ALLOWED,
  REPLY_NOT_IMPLEMENTED,
  REPLY_PRECONDITION_FAILED,
} from "../amqp/errors.ts";
import { writeContent } from "../amqp/frames.ts";
import { type MethodArgs, methodSpec, writeMethodFrame } from "../amqp/method_codec.ts";
import { decodeProperties, type PropertySummary, scanProperties } from "../amqp/properties.ts";
import { BASIC_CLASS_ID, type MethodSpec } from "../amqp/spec.ts";
import type { Exchange } from "../broker/exchange/exchange.ts";
import { Message, type QueueEntry } from "../broker/message.ts";
import { generatedConsumerTag } from "../broker/names.ts";
import type { Queue } from "../broker/queue.ts";
import type { AccessKind, ResourceKind } from "../auth/users.ts";
import { ChannelConsumer } from "./channel_consumer.ts";
import type { Connection } from "./connection.ts";
import { ConfirmTracker } from "./confirm_tracker.ts";
import { type AssembledContent, ContentAssembler } from "./content_assembler.ts";
import { Transaction } from "./transaction.ts";

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
  basicReturn: methodSpec("basic.return"),
  basicDeliver: methodSpec("basic.deliver"),
  basicGetOk: methodSpec("basic.get-ok"),
  basicGetEmpty: methodSpec("basic.get-empty"),
  basicAck: methodSpec("basic.ack"),
  basicNack: methodSpec("basic.nack"),
  basicRecoverOk: methodSpec("basic.recover-ok"),
  confirmSelectOk: methodSpec("confirm.select-ok"),
  txSelectOk: methodSpec("tx.select-ok"),
  txCommitOk: methodSpec("tx.commit-ok"),
  txRollbackOk: methodSpec("tx.rollback-ok"),
};

/** A delivery awaiting ack: where it came from and who got it. */
export interface Unacked {
  tag: number;
  queue: Queue;
  entry: QueueEntry;
  /** null for basic.get */
  consumer: ChannelConsumer | null;
}

export class Channel {
  state: "open" | "closing" | "closed" = "open";
  readonly consumers = new Map<string, ChannelConsumer>();
  /** delivery tag -> delivery, in tag order */
  unacked = new Map<number, Unacked>();
  #deliveryTag = 0;
  #flowActive = true;
  #prefetchCount = 0;
  #globalPrefetch = 0;
  #lastQueue = "";
  #confirms: ConfirmTracker | null = null;
  #tx: Transaction | null = null;
  readonly #content: ContentAssembler;
  readonly #summary: PropertySummary = {
    deliveryMode: 0,
    hasHeaders: false,
    hasPriority: false,
    hasExpiration: false,
    hasUserId: false,
  };
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
    this.#content = new ContentAssembler(connection.limits.maxMessageSizeBytes);
  }

  opened(): void {
    this.#send(M.channelOpenOk);
  }

  #send(spec: MethodSpec, args?: MethodArgs): void {
    writeMethodFrame(this.connection.out, this.id, spec, args);
    this.connection.scheduleFlush();
  }

  // ---- frames ---------------------------------------------------------

  handleMethod(spec: MethodSpec, args: MethodArgs): void {
    if (this.state === "closing") {
      // After a channel.close of ours only the peer's close-ok (or close) means anything.
      if (spec.name === "channel.close-ok") this.#finishClose();
      else if (spec.name === "channel.close") this.#send(M.channelCloseOk);
      return;
    }
    this.#content.checkNoContentPending();
    switch (spec.name) {
      case "basic.publish":
        return this.#publish(args);
      case "basic.ack":
        return this.#ack(args.deliveryTag, args.multiple);
      case "basic.nack":
        return this.#reject(args.deliveryTag, args.multiple, args.requeue);
      case "basic.reject":
        return this.#reject(args.deliveryTag, false, args.requeue);
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
        return this.#exchangeDeclare(args);
      case "exchange.delete":
        this.#authorize("configure", "exchange", args.exchange);
        this.connection.vhost.deleteExchange(args.exchange, args.ifUnused);
        return this.#reply(args, M.exchangeDeleteOk);
      case "exchange.bind":
        this.#authorize("write", "exchange", args.destination);
        this.#authorize("read", "exchange", args.source);
        this.connection.vhost.bindExchange(args.destination, args.source, args.routingKey, args.arguments);
        return this.#reply(args, M.exchangeBindOk);
      case "exchange.unbind":
        this.#authorize("write", "exchange", args.destination);
        this.#authorize("read", "exchange", args.source);
        this.connection.vhost.unbindExchange(args.destination, args.source, args.routingKey, args.arguments);
        return this.#reply(args, M.exchangeUnbindOk);
      case "queue.declare":
        return this.#queueDeclare(args);
      case "queue.bind":
        this.#authorize("write", "queue", this.#queueName(args.queue));
        this.#authorize("read", "exchange", args.exchange);
        this.connection.vhost.bindQueue(
          this.#queueName(args.queue),
          args.exchange,
          args.routingKey,
          args.arguments,
          this.connection,
        );
        return this.#reply(args, M.queueBindOk);
      case "queue.unbind":
        this.#authorize("write", "queue", this.#queueName(args.queue));
        this.#authorize("read", "exchange", args.exchange);
        this.connection.vhost.unbindQueue(
          this.#queueName(args.queue),
          args.exchange,
          args.routingKey,
          args.arguments,
          this.connection,
        );
        return this.#send(M.queueUnbindOk);
      case "queue.purge": {
        this.#authorize("read", "queue", this.#queueName(args.queue));
        const n = this.connection.vhost.purgeQueue(this.#queueName(args.queue), this.connection);
        return this.#reply(args, M.queuePurgeOk, { messageCount: n });
      }
      case "queue.delete": {
        this.#authorize("configure", "queue", this.#queueName(args.queue));
        const n = this.connection.vhost.deleteQueue(this.#queueName(args.queue), {
          ifUnused: args.ifUnused,
          ifEmpty: args.ifEmpty,
          owner: this.connection,
        });
        return this.#reply(args, M.queueDeleteOk, { messageCount: n });
      }
      case "confirm.select":
        return this.#confirmSelect(args.noWait);
      case "tx.select":
        return this.#txSelect();
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
        this.state = "closed";
        this.connection.channelClosed(this);
        return;
      case "channel.close-ok":
        return;
      case "channel.open":
        throw new ConnectionError(504, "second 'channel.open' seen");
      default:
        throw new ConnectionError(
          REPLY_NOT_IMPLEMENTED,
          `method ${spec.name} is not supported on a channel`,
          spec.classId,
          spec.methodId,
        );
    }
  }

  handleHeader(bytes: Uint8Array, start: number, end: number): void {
    if (this.state === "closing") return;
    const done = this.#content.header(bytes, start, end);
    if (done) this.#publishComplete(done);
  }

  handleBody(bytes: Uint8Array, start: number, end: number): void {
    if (this.state === "closing") return;
    const done = this.#content.bodyFrame(bytes, start, end);
    if (done) this.#publishComplete(done);
  }

  /** 403 unless the connection's user may do `kind` on the resource (RabbitMQ's mapping of methods to permissions). */
  #authorize(kind: AccessKind, resource: ResourceKind, name: string): void {
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

  #reply(args: MethodArgs, spec: MethodSpec, replyArgs?: MethodArgs): void {
    if (!args.noWait) this.#send(spec, replyArgs);
  }

  /** The empty queue name means the channel's last declared queue, as in RabbitMQ. */
  #queueName(name: string): string {
    if (name !== "") return name;
    if (this.#lastQueue === "") throw notFound("no previously declared queue");
    return this.#lastQueue;
  }

  // ---- exchanges and queues ------------------------------------------

  #exchangeDeclare(args: MethodArgs): void {
    if (!args.passive) this.#authorize("configure", "exchange", args.exchange);
    this.connection.vhost.declareExchange({
      name: args.exchange,
      type: args.type,
      passive: args.passive,
      durable: args.durable,
      autoDelete: args.autoDelete,
      internal: args.internal,
      arguments: args.arguments,
    });
    this.#reply(args, M.exchangeDeclareOk);
  }

  #queueDeclare(args: MethodArgs): void {
    const name = args.passive ? this.#queueName(args.queue) : args.queue;
    if (!args.passive && name !== "") this.#authorize("configure", "queue", name);
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

  // ---- publishing -----------------------------------------------------

  #publish(args: MethodArgs): void {
    if (args.immediate) {
      throw new ConnectionError(REPLY_NOT_IMPLEMENTED, "immediate=true", BASIC_CLASS_ID, 40);
    }
    this.#content.start(args.exchange, args.routingKey, args.mandatory);
    this.connection.notePublish();
  }

  #publishComplete(c: AssembledContent): void {
    this.#authorize("write", "exchange", c.exchange);
    const vhost = this.connection.vhost;
    const x = vhost.exchanges.get(c.exchange);
    if (x === undefined) {
      throw new AmqpError(404, `no exchange '${c.exchange}' in vhost '${vhost.name}'`, BASIC_CLASS_ID, 40);
    }
    if (x.internal) {
      throw new AmqpError(
        403,
        `cannot publish to internal exchange '${c.exchange}' in vhost '${vhost.name}'`,
        BASIC_CLASS_ID,
        40,
      );
    }
    const summary = scanProperties(c.rawProperties, this.#summary);
    if (summary.hasUserId) {
      const userId = decodeProperties(c.rawProperties).userId;
      if (userId !== this.connection.user.name) {
        throw new AmqpError(
          REPLY_PRECONDITION_FAILED,
          `user_id property set to '${userId}' but authenticated user was '${this.connection.user.name}'`,
          BASIC_CLASS_ID,
          40,
        );
      }
    }
    const message = new Message(
      c.exchange,
      c.routingKey,
      c.rawProperties,
      c.body,
      summary.deliveryMode === 2,
    );
    if (this.#tx) this.#tx.publishes.push({ exchange: x, message, mandatory: c.mandatory });
    else this.#route(x, message, c.mandatory);
  }

  #route(x: Exchange, message: Message, mandatory: boolean): void {
    const seq = this.#confirms ? this.#confirms.next() : 0;
    const queues = this.connection.vhost.publish(x, message);
    if (queues.length === 0) {
      if (mandatory) this.#sendReturn(message);
      if (seq) this.#confirmed(seq);
      return;
    }
    let durable = false;
    for (let i = 0; i < queues.length; i++) if (queues[i].durable) durable = true;
    if (seq) {
      if (message.persistent && durable) {
        this.connection.vhost.store.whenDurable(() => this.#confirmed(seq));
      } else this.#confirmed(seq);
    }
  }

  #confirmed(seq: number): void {
    this.#confirms!.settle(seq, true);
    this.connection.markConfirmsPending(this);
  }

  /** Writes the settled publisher confirms; called just before the connection flushes. */
  flushConfirms(): void {
    if (!this.#confirms || this.state !== "open") return;
    this.#confirms.drain((deliveryTag, multiple, ack) => {
      writeMethodFrame(this.connection.out, this.id, ack ? M.basicAck : M.basicNack, {
        deliveryTag,
        multiple,
      });
    });
  }

  #sendReturn(message: Message): void {
    writeMethodFrame(this.connection.out, this.id, M.basicReturn, {
      replyCode: REPLY_NO_ROUTE,
      replyText: "NO_ROUTE",
      exchange: message.exchange,
      routingKey: message.routingKey,
    });
    writeContent(
      this.connection.out,
      this.id,
      BASIC_CLASS_ID,
      message.rawProperties,
      message.body,
      this.connection.frameMax,
    );
    this.connection.scheduleFlush();
  }

  // ---- consuming ------------------------------------------------------

  #consume(args: MethodArgs): void {
    const queueName = this.#queueName(args.queue);
    this.#authorize("read", "queue", queueName);
    const queue = this.connection.vhost.getQueue(queueName, this.connection);
    const tag: string = args.consumerTag === "" ? generatedConsumerTag() : args.consumerTag;
    if (this.consumers.has(tag)) {
      throw new ConnectionError(
        REPLY_NOT_ALLOWED,
        `attempt to reuse consumer tag '${tag}'`,
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
    // consume-ok must reach the client before the first delivery.
    if (!args.noWait) this.#send(M.basicConsumeOk, { consumerTag: tag });
    queue.addConsumer(consumer);
    this.consumers.set(tag, consumer);
  }

  #cancel(tag: string, noWait: boolean): void {
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
    return this.#globalPrefetch === 0 || this.unacked.size < this.#globalPrefetch;
  }

  deliver(consumer: ChannelConsumer, queue: Queue, entry: QueueEntry): void {
    const tag = ++this.#deliveryTag;
    if (!consumer.noAck) {
      this.unacked.set(tag, { tag, queue, entry, consumer });
      consumer.unacked++;
    }
    const m = entry.message;
    const a = this.#deliverArgs;
    a.consumerTag = consumer.tag;
    a.deliveryTag = tag;
    a.redelivered = entry.redelivered;
    a.exchange = m.exchange;
    a.routingKey = m.routingKey;
    const out = this.connection.out;
    writeMethodFrame(out, this.id, M.basicDeliver, a);
    writeContent(out, this.id, BASIC_CLASS_ID, m.rawProperties, m.body, this.connection.frameMax);
    this.connection.scheduleFlush();
  }

  #get(queueName: string, noAck: boolean): void {
    const name = this.#queueName(queueName);
    this.#authorize("read", "queue", name);
    const queue = this.connection.vhost.getQueue(name, this.connection);
    const entry = queue.get(noAck);
    if (!entry) {
      this.#send(M.basicGetEmpty);
      return;
    }
    const tag = ++this.#deliveryTag;
    if (!noAck) this.unacked.set(tag, { tag, queue, entry, consumer: null });
    const m = entry.message;
    const out = this.connection.out;
    writeMethodFrame(out, this.id, M.basicGetOk, {
      deliveryTag: tag,
      redelivered: entry.redelivered,
      exchange: m.exchange,
      routingKey: m.routingKey,
      messageCount: queue.messageCount,
    });
    writeContent(out, this.id, BASIC_CLASS_ID, m.rawProperties, m.body, this.connection.frameMax);
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

  /** Removes and returns the deliveries a (multiple) tag names; 406 when it names none. */
  takeUnacked(deliveryTag: number, multiple: boolean): Unacked[] {
    if (multiple) {
      const out: Unacked[] = [];
      for (const [tag, u] of this.unacked) {
        if (deliveryTag !== 0 && tag > deliveryTag) break;
        out.push(u);
        this.unacked.delete(tag);
      }
      if (out.length === 0 && deliveryTag !== 0) throw this.#unknownTag(deliveryTag);
      return out;
    }
    const u = this.unacked.get(deliveryTag);
    if (!u) throw this.#unknownTag(deliveryTag);
    this.unacked.delete(deliveryTag);
    return [u];
  }

  #unknownTag(tag: number): AmqpError {
    return preconditionFailed(`unknown delivery tag ${tag}`);
  }

  #ack(deliveryTag: number, multiple: boolean): void {
    const taken = this.takeUnacked(deliveryTag, multiple);
    if (this.#tx) {
      this.#tx.settlements.push({ taken, ack: true, requeue: false });
      return;
    }
    this.settle(taken, true, false);
  }

  #reject(deliveryTag: number, multiple: boolean, requeue: boolean): void {
    const taken = this.takeUnacked(deliveryTag, multiple);
    if (this.#tx) {
      this.#tx.settlements.push({ taken, ack: false, requeue });
      return;
    }
    this.settle(taken, false, requeue);
  }

  /** Applies acks or rejects to their queues and lets freed prefetch pull more. */
  settle(taken: Unacked[], ack: boolean, requeue: boolean): void {
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
    const byQueue = new Map<Queue, QueueEntry[]>();
    for (const u of taken) {
      if (u.consumer) u.consumer.unacked--;
      if (ack) u.queue.ack(u.entry);
      else if (requeue) {
        const list = byQueue.get(u.queue);
        if (list) list.push(u.entry);
        else byQueue.set(u.queue, [u.entry]);
      } else u.queue.discard(u.entry);
    }
    for (const [q, entries] of byQueue) q.requeue(entries);
    this.resumeDeliveries();
  }

  #recover(requeue: boolean, sendOk: boolean): void {
    if (!requeue) {
      throw new ConnectionError(REPLY_NOT_IMPLEMENTED, "requeue=false", BASIC_CLASS_ID, sendOk ? 110 : 100);
    }
    const all = [...this.unacked.values()];
    this.unacked.clear();
    this.settle(all, false, true);
    if (sendOk) this.#send(M.basicRecoverOk);
  }

  // ---- confirms and transactions -------------------------------------

  #confirmSelect(noWait: boolean): void {
    if (this.#tx) throw preconditionFailed("cannot switch from tx to confirm mode");
    this.#confirms ??= new ConfirmTracker();
    if (!noWait) this.#send(M.confirmSelectOk);
  }

  #txSelect(): void {
    if (this.#confirms) throw preconditionFailed("cannot switch from confirm to tx mode");
    this.#tx ??= new Transaction();
    this.#send(M.txSelectOk);
  }

  #txCommit(): void {
    const tx = this.#tx;
    if (!tx) throw preconditionFailed("channel is not transactional");
    const { publishes, settlements } = tx.take();
    for (const p of publishes) this.#route(p.exchange, p.message, p.mandatory);
    for (const s of settlements) this.settle(s.taken, s.ack, s.requeue);
    this.#send(M.txCommitOk);
  }

  #txRollback(): void {
    const tx = this.#tx;
    if (!tx) throw preconditionFailed("channel is not transactional");
    const { settlements } = tx.take();
    if (settlements.length > 0) {
      // Acks inside a rolled-back transaction never happened: the deliveries are unacked again.
      const restored = new Map(this.unacked);
      for (const s of settlements) {
        for (const u of s.taken) restored.set(u.tag, u);
      }
      this.unacked = new Map([...restored].sort((a, b) => a[0] - b[0]));
    }
    this.#send(M.txRollbackOk);
  }

  // ---- closing --------------------------------------------------------

  /** Closes the channel for a channel-level error (soft reply code). */
  closeWithError(err: AmqpError): void {
    if (this.state !== "open") return;
    this.#teardown();
    this.state = "closing";
    this.#content.reset();
    this.#send(M.channelClose, {
      replyCode: err.replyCode,
      replyText: err.replyText,
      classId: err.classId,
      methodId: err.methodId,
    });
  }

  #finishClose(): void {
    this.state = "closed";
    this.connection.channelClosed(this);
  }

  /** Gives back everything the channel holds: consumers go, unacked messages are requeued. */
  teardown(): void {
    if (this.state === "closed") return;
    this.#teardown();
    this.state = "closed";
  }

  #teardown(): void {
    for (const c of this.consumers.values()) c.queue.removeConsumer(c);
    this.consumers.clear();
    const all = [...this.unacked.values()];
    this.unacked.clear();
    for (const u of all) if (u.consumer) u.consumer.unacked--;
    const byQueue = new Map<Queue, QueueEntry[]>();
    for (const u of all) {
      const list = byQueue.get(u.queue);
      if (list) list.push(u.entry);
      else byQueue.set(u.queue, [u.entry]);
    }
    this.#tx = null;
    this.#confirms = null;
    for (const [q, entries] of byQueue) q.requeue(entries);
  }
}
