// A virtual host: its exchanges, queues and bindings, and the operations on
// them with RabbitMQ's rules and error texts. Synchronous calls that return
// or throw an AmqpError; nothing here knows about sockets. VHost owns the
// maps; the binding graph (bindings.ts), dead-letter dispatch
// (dead_letter_dispatch.ts), policy application (policy_application.ts) and
// max-connections bookkeeping (connection_admission.ts) work on them for it.
import {
  accessRefused,
  ConnectionError,
  notFound,
  preconditionFailed,
  REPLY_COMMAND_INVALID,
  resourceLocked,
} from "../amqp/errors.ts";
import type { FieldTable } from "../amqp/field_table.ts";
import type { BindingRecord, ExchangeRecord, RecoveredQueue, Store } from "../store/store.ts";
import { DefaultExchange } from "./exchange/default.ts";
import { Binding, type Exchange } from "./exchange/exchange.ts";
import { createExchange, isExchangeType } from "./exchange/types.ts";
import { Message } from "./message.ts";
import { encodeProperties } from "../amqp/properties.ts";
import { DelayedExchange } from "./exchange/delayed.ts";
import { DelayedSchedule, type DueMessage } from "./delayed_schedule.ts";
import { checkExchangeEquivalent, checkQueueEquivalent } from "./equivalence.ts";
import { Router } from "./router.ts";

const NO_QUEUES: Queue[] = [];
import { generatedQueueName } from "./names.ts";
import type { Queue, QueueHost } from "./queue.ts";
import { checkDeclaration, checkServerNamed, type QueueType, queueTypeOf } from "./queue_types.ts";
import { Bindings, refuseDefaultExchange } from "./bindings.ts";
import { ConnectionAdmission, type OpenConnection } from "./connection_admission.ts";
import { DeadLetterDispatch } from "./dead_letter_dispatch.ts";
import { type Policy, PolicySet } from "./policies.ts";
import { PolicyApplication } from "./policy_application.ts";
import { NO_LIMITS, type VHostLimits } from "./vhost_limits.ts";
import { NodeCounters } from "./node_counters.ts";
import { checkArgumentFields } from "./argument_limits.ts";

export interface ExchangeDeclare {
  name: string;
  type: string;
  passive: boolean;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: FieldTable;
}

export interface QueueDeclare {
  name: string;
  passive: boolean;
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  arguments: FieldTable;
  /** The declaring connection. */
  owner: object;
}

export interface PublishResult {
  /** The queues the message reached (reused by the next publish). */
  queues: Queue[];
  /** Some queue refused it (x-overflow reject-publish): the publisher gets a nack. */
  rejected: boolean;
  /** Held by a delayed-message exchange: stored, routed later. */
  delayed: boolean;
}

export interface QueueDeclareResult {
  queue: Queue;
  messageCount: number;
  consumerCount: number;
}

const PREDECLARED: readonly [string, string][] = [
  ["amq.direct", "direct"],
  ["amq.fanout", "fanout"],
  ["amq.topic", "topic"],
  ["amq.headers", "headers"],
  ["amq.match", "headers"],
];

export class VHost {
  readonly exchanges = new Map<string, Exchange>();
  readonly policies = new PolicySet();
  /** Kept as runtime parameters (component operator_policy), which store them. */
  readonly operatorPolicies = new PolicySet("operator");
  /** Set from the vhost-limits runtime parameter. */
  limits: VHostLimits = NO_LIMITS;
  readonly #admission = new ConnectionAdmission();
  readonly delayed: DelayedSchedule;
  readonly queues = new Map<string, Queue>();
  readonly defaultExchange: DefaultExchange;
  /** Messages published into this vhost (each counted once however many queues it reaches), for the admin API. */
  publishedCount = 0;
  readonly #router = new Router(this.exchanges);
  readonly #bindings: Bindings;
  readonly #deadLetters: DeadLetterDispatch;
  readonly #policy = new PolicyApplication(this.policies, this.operatorPolicies);

  constructor(readonly name: string, readonly store: Store, readonly counters = new NodeCounters()) {
    this.delayed = new DelayedSchedule(name, store, (due) => this.#releaseDelayed(due));
    this.defaultExchange = new DefaultExchange(name, this.queues);
    this.#bindings = new Bindings(name, this.exchanges, this.queues, store);
    this.#deadLetters = new DeadLetterDispatch(this.exchanges, this.#router, counters);
    this.exchanges.set("", this.defaultExchange);
    for (const [xname, type] of PREDECLARED) {
      this.exchanges.set(
        xname,
        createExchange(type, name, xname, {
          durable: true,
          autoDelete: false,
          internal: false,
          arguments: {},
        }),
      );
    }
  }

  // ---- exchanges ------------------------------------------------------

  getExchange(name: string): Exchange {
    const x = this.exchanges.get(name);
    if (!x) throw notFound(`no exchange '${name}' in vhost '${this.name}'`);
    return x;
  }

  declareExchange(d: ExchangeDeclare): Exchange {
    // RabbitMQ checks the type of a non-passive declare before anything else
    if (!d.passive && !isExchangeType(d.type)) {
      throw new ConnectionError(REPLY_COMMAND_INVALID, `unknown exchange type '${d.type}'`);
    }
    if (d.name === "") throw accessRefused("operation not permitted on the default exchange");
    if (d.passive) return this.getExchange(d.name);
    checkArgumentFields(d.arguments, `exchange '${d.name}' in vhost '${this.name}'`);
    // As in RabbitMQ, an unknown type is refused before any existing exchange is looked at
    // (RabbitMQ's federation falls back from x-federation-upstream on this 503 every time it links).
    if (!isExchangeType(d.type)) {
      throw new ConnectionError(REPLY_COMMAND_INVALID, `unknown exchange type '${d.type}'`);
    }
    const existing = this.exchanges.get(d.name);
    // An existing exchange (amq.* included) is compared first; only creating under amq. is refused.
    if (existing) {
      checkExchangeEquivalent(existing, d);
      return existing;
    }
    if (d.name.startsWith("amq.")) {
      throw accessRefused(`exchange name '${d.name}' contains reserved prefix 'amq.*'`);
    }
    const x = createExchange(d.type, this.name, d.name, d);
    x.alternateExchange = this.#policy.alternateExchangeOf(x);
    this.exchanges.set(d.name, x);
    if (x.durable) this.store.saveExchange(exchangeRecord(x));
    return x;
  }

  deleteExchange(name: string, ifUnused: boolean): void {
    if (name === "") throw accessRefused("operation not permitted on the default exchange");
    const x = this.exchanges.get(name);
    if (!x) return;
    if (name.startsWith("amq.")) {
      throw accessRefused(`deletion of system exchange '${name}' in vhost '${this.name}' not allowed`);
    }
    if (ifUnused && x.bindings.size > 0) {
      throw preconditionFailed(`exchange '${name}' in vhost '${this.name}' in use`);
    }
    this.#bindings.removeExchange(x);
  }

  // ---- queues ---------------------------------------------------------

  /** A queue the caller may use: 404 when missing, 405 when another connection owns it. */
  getQueue(name: string, owner: object | null): Queue {
    const q = this.queues.get(name);
    if (!q) throw notFound(`no queue '${name}' in vhost '${this.name}'`);
    if (owner !== null) this.#checkExclusive(q, owner);
    return q;
  }

  /** 405 unless `owner` owns the exclusive queue; a null owner is always refused (exclusivity differs). */
  #checkExclusive(q: Queue, owner: object | null): void {
    if (owner === null || (q.exclusiveOwner !== null && q.exclusiveOwner !== owner)) {
      throw resourceLocked(
        `cannot obtain exclusive access to locked queue '${q.name}' in vhost '${this.name}'. ` +
          "It could be originally declared on another connection or the exclusive property " +
          "value does not match that of the original declaration.",
      );
    }
  }

  declareQueue(d: QueueDeclare): QueueDeclareResult {
    if (d.passive) {
      const q = this.getQueue(d.name, d.owner);
      q.passivelyDeclared();
      return { queue: q, messageCount: q.messageCount, consumerCount: q.consumerCount };
    }
    checkArgumentFields(d.arguments, `queue '${d.name}' in vhost '${this.name}'`);
    let name = d.name;
    if (name === "") {
      checkServerNamed(queueTypeOf(d.arguments, { queue: name, vhost: this.name }));
      name = generatedQueueName();
    } else if (name.startsWith("amq.")) {
      throw accessRefused(`queue name '${name}' contains reserved prefix 'amq.*'`);
    }
    // As in RabbitMQ, an exclusive queue is never durable, whatever the declare says.
    const durable = d.durable && !d.exclusive;
    const existing = this.queues.get(name);
    if (existing) {
      this.#checkExclusive(existing, d.owner);
      if ((existing.exclusiveOwner !== null) !== d.exclusive) this.#checkExclusive(existing, null);
      checkQueueEquivalent(existing, { ...d, durable });
      existing.touch();
      this.counters.queuesDeclared++;
      return { queue: existing, messageCount: existing.messageCount, consumerCount: existing.consumerCount };
    }
    const type = queueTypeOf(d.arguments, { queue: name, vhost: this.name });
    checkDeclaration(type, { ...d, name }, this.name);
    this.#checkQueueLimit(name);
    const options = {
      durable,
      exclusiveOwner: d.exclusive ? d.owner : null,
      autoDelete: d.autoDelete,
      arguments: d.arguments,
      settings: this.#policy.settingsFor(name, d.arguments),
    };
    const storeId = durable
      ? this.store.saveQueue({
        vhost: this.name,
        name,
        durable: true,
        autoDelete: d.autoDelete,
        arguments: d.arguments,
      })
      : 0;
    const q = this.#addQueue(type.create(this.name, name, options, { store: this.store, storeId }));
    this.counters.queuesDeclared++;
    this.counters.queuesCreated++;
    return { queue: q, messageCount: 0, consumerCount: 0 };
  }

  /** max-queues: a new queue beyond it is refused (one redeclared is not new). */
  #checkQueueLimit(name: string): void {
    const max = this.limits.maxQueues;
    if (max >= 0 && this.queues.size >= max) {
      throw preconditionFailed(
        `cannot declare queue '${name}': queue limit in vhost '${this.name}' (${max}) is reached`,
      );
    }
  }

  // ---- connections ----------------------------------------------------

  /**
   * Counts a connection opening in this vhost, or refuses it at
   * connection.open when max-connections is reached, in RabbitMQ's words.
   */
  admitConnection(connection: OpenConnection, user: string): void {
    this.#admission.admit(connection, user, this.name, this.limits.maxConnections);
  }

  #addQueue(q: Queue): Queue {
    q.host = this.#queueHost;
    q.deliveryCounters = this.counters.deliveriesOf(q.type);
    this.queues.set(q.name, q);
    return q;
  }

  /** The user and operator policies in effect for a queue, merged as RabbitMQ merges them. */
  effectivePolicyDefinition(queue: string): Record<string, unknown> {
    return this.#policy.effectiveDefinition(queue);
  }

  setPolicy(policy: Policy): void {
    this.policies.set(policy);
    this.store.savePolicy(policy);
    this.applyPolicies();
  }

  clearPolicy(name: string): boolean {
    if (!this.policies.delete(name)) return false;
    this.store.deletePolicy(this.name, name);
    this.applyPolicies();
    return true;
  }

  setOperatorPolicy(policy: Policy): void {
    this.operatorPolicies.set(policy);
    this.applyPolicies();
  }

  clearOperatorPolicy(name: string): void {
    if (this.operatorPolicies.delete(name)) this.applyPolicies();
  }

  /** Re-applies policies to every queue (a policy was set or cleared). */
  applyPolicies(): void {
    this.#policy.applyTo(this.queues.values(), this.exchanges.values());
  }

  readonly #queueHost: QueueHost = {
    deadLetter: (queue, entries, reason, settled) =>
      this.#deadLetters.dispatch(queue, entries, reason, settled),
    remove: (queue) => this.#removeQueue(queue),
  };

  /** Deletes a queue; returns the number of ready messages it held. */
  deleteQueue(name: string, opts: { ifUnused: boolean; ifEmpty: boolean; owner: object | null }): number {
    const q = this.queues.get(name);
    if (!q) return 0;
    if (opts.owner !== null) this.#checkExclusive(q, opts.owner);
    if (opts.ifUnused && q.consumerCount > 0) {
      throw preconditionFailed(`queue '${name}' in vhost '${this.name}' in use`);
    }
    if (opts.ifEmpty && q.messageCount > 0) {
      throw preconditionFailed(`queue '${name}' in vhost '${this.name}' not empty`);
    }
    const count = q.messageCount;
    this.#removeQueue(q);
    return count;
  }

  #removeQueue(q: Queue): void {
    if (q.deleted) return;
    q.deleted = true;
    this.counters.queuesDeleted++;
    this.queues.delete(q.name);
    for (const b of [...q.bindings]) this.#bindings.remove(b, true);
    q.purge();
    for (const c of [...q.consumers]) {
      q.removeConsumer(c);
      c.cancelledByBroker(q);
    }
    q.close();
    if (q.storeId !== 0) this.store.deleteQueue(q.storeId);
  }

  purgeQueue(name: string, owner: object | null): number {
    const q = this.getQueue(name, owner);
    q.checkPurge();
    return q.purge();
  }

  /** Removes the exclusive queues of a closing connection. */
  deleteExclusiveQueues(queues: Iterable<Queue>): void {
    for (const q of [...queues]) this.#removeQueue(q);
  }

  // ---- bindings -------------------------------------------------------

  bindQueue(
    queueName: string,
    exchangeName: string,
    routingKey: string,
    args: FieldTable,
    owner: object | null,
  ): void {
    checkArgumentFields(args, `a binding of queue '${queueName}' in vhost '${this.name}'`);
    // RabbitMQ looks up the source before the destination
    const x = this.#bindableExchange(exchangeName);
    const q = this.getQueue(queueName, owner);
    this.#bindings.add(new Binding(x, q, routingKey, args));
  }

  unbindQueue(
    queueName: string,
    exchangeName: string,
    routingKey: string,
    args: FieldTable,
    owner: object | null,
  ): void {
    refuseDefaultExchange(exchangeName);
    // Unbinding is idempotent in RabbitMQ: a missing queue, exchange or
    // binding is not an error, and only an existing binding is locked by
    // its queue's exclusive owner.
    const q = this.queues.get(queueName);
    const x = this.exchanges.get(exchangeName);
    const b = q && x?.findBinding(q, routingKey, args);
    if (!q || !b) return;
    if (owner !== null) this.#checkExclusive(q, owner);
    this.#bindings.remove(b, true);
  }

  bindExchange(destination: string, source: string, routingKey: string, args: FieldTable): void {
    // As RabbitMQ: the default exchange is refused on either side first, then the source is looked up.
    if (destination === "" || source === "") {
      throw accessRefused("operation not permitted on the default exchange");
    }
    checkArgumentFields(args, `a binding of exchange '${destination}' in vhost '${this.name}'`);
    const src = this.getExchange(source);
    const dst = this.getExchange(destination);
    this.#bindings.add(new Binding(src, dst, routingKey, args));
  }

  /** Idempotent like unbindQueue: missing exchanges or binding are not errors. */
  unbindExchange(destination: string, source: string, routingKey: string, args: FieldTable): void {
    refuseDefaultExchange(destination);
    refuseDefaultExchange(source);
    const dst = this.exchanges.get(destination);
    const b = dst && this.exchanges.get(source)?.findBinding(dst, routingKey, args);
    if (b) this.#bindings.remove(b, true);
  }

  #bindableExchange(name: string): Exchange {
    refuseDefaultExchange(name);
    return this.getExchange(name);
  }

  /** Deletes every queue and exchange (the vhost itself is going away). */
  clear(): void {
    this.delayed.close();
    for (const q of [...this.queues.values()]) this.#removeQueue(q);
    for (const x of [...this.exchanges.values()]) {
      if (x !== this.defaultExchange && x.durable) this.store.deleteExchange(this.name, x.name);
    }
    this.exchanges.clear();
  }

  // ---- recovery: rebuilding from the store without writing back ------

  restoreExchange(r: ExchangeRecord): void {
    if (!isExchangeType(r.type) || this.exchanges.has(r.name)) return;
    const x = createExchange(r.type, this.name, r.name, r);
    x.alternateExchange = this.#policy.alternateExchangeOf(x);
    this.exchanges.set(r.name, x);
  }

  restoreQueue(r: RecoveredQueue): void {
    let type: QueueType;
    try {
      type = queueTypeOf(r.arguments, { queue: r.name, vhost: this.name });
    } catch {
      type = queueTypeOf({}, { queue: r.name, vhost: this.name }); // a type this version does not know: run it classic
    }
    const options = {
      durable: true,
      exclusiveOwner: null,
      autoDelete: r.autoDelete,
      arguments: r.arguments,
      settings: this.#policy.settingsFor(r.name, r.arguments),
    };
    this.#addQueue(
      type.create(this.name, r.name, options, {
        store: this.store,
        storeId: r.id,
        pagedCount: r.messageCount,
        nextSeq: r.maxSeq + 1,
        deliveredSeq: r.deliveredSeq,
        nextExpiresAt: r.nextExpiresAt,
      }),
    );
  }

  restoreBinding(r: BindingRecord): void {
    this.#bindings.restore(r);
  }

  // ---- routing --------------------------------------------------------

  /**
   * Routes and enqueues; returns the queues reached (the array is reused by
   * the next call).
   */
  publish(exchange: Exchange, message: Message, extraRoutingKeys?: readonly string[]): PublishResult {
    this.publishedCount++;
    const result = this.#publishResult;
    if (exchange instanceof DelayedExchange) {
      const delayMs = DelayedExchange.delayOf(message);
      if (delayMs > 0) {
        this.delayed.hold(exchange.name, Date.now() + delayMs, withNegatedDelay(message, delayMs));
        result.queues = NO_QUEUES;
        result.rejected = false;
        result.delayed = true;
        return result;
      }
    }
    const queues = this.route(exchange, message.routingKey, message, extraRoutingKeys);
    let rejected = false;
    for (let i = 0; i < queues.length; i++) if (!queues[i].enqueue(message)) rejected = true;
    result.queues = queues;
    result.rejected = rejected;
    result.delayed = false;
    return result;
  }

  /** Reused by every publish; consume before publishing again. */
  readonly #publishResult: PublishResult = { queues: [], rejected: false, delayed: false };

  /** A delayed message is due: route it now by the exchange's delayed type. */
  #releaseDelayed(due: DueMessage): void {
    const r = this.store.takeDelayed(due.id);
    const x = this.exchanges.get(due.exchange);
    if (!r || !(x instanceof DelayedExchange)) return;
    const message = new Message(r.exchange, r.routingKey, r.rawProperties, r.body, r.persistent);
    const queues = this.route(x, message.routingKey, message);
    for (const q of [...queues]) q.enqueue(message);
  }

  /** Stops the vhost's timers (node shutdown). */
  close(): void {
    this.delayed.close();
    for (const q of this.queues.values()) q.close();
  }

  /**
   * The queues `message` reaches from `exchange`, each once (see Router).
   * The returned array is reused by the next call.
   */
  route(
    exchange: Exchange,
    routingKey: string,
    message: Message,
    extraRoutingKeys?: readonly string[],
  ): Queue[] {
    return this.#router.route(exchange, routingKey, message, extraRoutingKeys);
  }
}

/** The delayed-message plugin hands messages out with x-delay negated; the stored copy is already so. */
function withNegatedDelay(message: Message, delayMs: number): Message {
  const props = message.properties;
  const raw = encodeProperties({ ...props, headers: { ...props.headers, "x-delay": -delayMs } });
  return new Message(message.exchange, message.routingKey, raw, message.body, message.persistent);
}

function exchangeRecord(x: Exchange) {
  return {
    vhost: x.vhost,
    name: x.name,
    type: x.type,
    durable: x.durable,
    autoDelete: x.autoDelete,
    internal: x.internal,
    arguments: x.arguments,
  };
}
