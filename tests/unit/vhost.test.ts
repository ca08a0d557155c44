// The vhost model called directly, no sockets: declare/redeclare rules and
// RabbitMQ's error texts, reserved names, exclusive queues, the default
// exchange, exchange-to-exchange routing, auto-delete, headers matching and
// routing that reaches each queue once.
import assert from "node:assert/strict";
import { AmqpError, ConnectionError } from "../../src/amqp/errors.ts";
import type { FieldTable } from "../../src/amqp/field_table.ts";
import { encodeProperties } from "../../src/amqp/properties.ts";
import { Message } from "../../src/broker/message.ts";
import { type ExchangeDeclare, type QueueDeclare, VHost } from "../../src/broker/vhost.ts";
import { MemoryStore } from "../../src/store/memory_store.ts";

const connA = { name: "connection A" };
const connB = { name: "connection B" };

function vhost(): VHost {
  return new VHost("/", new MemoryStore());
}

function xdecl(name: string, type = "direct", more: Partial<ExchangeDeclare> = {}): ExchangeDeclare {
  return {
    name,
    type,
    passive: false,
    durable: false,
    autoDelete: false,
    internal: false,
    arguments: {},
    ...more,
  };
}

function qdecl(name: string, more: Partial<QueueDeclare> = {}): QueueDeclare {
  return {
    name,
    passive: false,
    durable: false,
    exclusive: false,
    autoDelete: false,
    arguments: {},
    owner: connA,
    ...more,
  };
}

function message(routingKey: string, headers?: FieldTable): Message {
  const props = encodeProperties(headers ? { headers } : {});
  return new Message("x", routingKey, props, new Uint8Array(0), false);
}

/** Names of the queues a publish to `exchange` with `routingKey` reaches. */
function routed(v: VHost, exchange: string, routingKey: string, headers?: FieldTable): string[] {
  return v.route(v.getExchange(exchange), routingKey, message(routingKey, headers)).map((q) => q.name).sort();
}

/** Asserts fn throws an AmqpError with this code and wire text; returns it. */
function assertAmqpError(fn: () => unknown, replyCode: number, replyText: string | RegExp): AmqpError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof AmqpError, `expected an AmqpError ${replyCode}, got ${caught}`);
  assert.equal(caught.replyCode, replyCode, caught.replyText);
  if (typeof replyText === "string") assert.equal(caught.replyText, replyText);
  else assert.match(caught.replyText, replyText);
  return caught;
}

// ------------------------------------------------------------ exchanges

Deno.test("an exchange redeclared with the same properties is the same exchange", () => {
  const v = vhost();
  const x = v.declareExchange(xdecl("logs", "fanout", { durable: true }));
  assert.equal(v.declareExchange(xdecl("logs", "fanout", { durable: true })), x);
  assert.equal(v.declareExchange(xdecl("logs", "", { passive: true })), x, "passive ignores the type");
});

Deno.test("an exchange redeclared with another type, durable, auto_delete or internal fails with RabbitMQ's 406 text", () => {
  const v = vhost();
  v.declareExchange(xdecl("x"));
  const pre = "PRECONDITION_FAILED - inequivalent arg";
  assertAmqpError(
    () => v.declareExchange(xdecl("x", "fanout")),
    406,
    `${pre} 'type' for exchange 'x' in vhost '/': received 'fanout' but current is 'direct'`,
  );
  assertAmqpError(
    () => v.declareExchange(xdecl("x", "direct", { durable: true })),
    406,
    `${pre} 'durable' for exchange 'x' in vhost '/': received 'true' but current is 'false'`,
  );
  assertAmqpError(
    () => v.declareExchange(xdecl("x", "direct", { autoDelete: true })),
    406,
    `${pre} 'auto_delete' for exchange 'x' in vhost '/': received 'true' but current is 'false'`,
  );
  assertAmqpError(
    () => v.declareExchange(xdecl("x", "direct", { internal: true })),
    406,
    `${pre} 'internal' for exchange 'x' in vhost '/': received 'true' but current is 'false'`,
  );
});

Deno.test("a passive declare of a missing exchange is 404 with RabbitMQ's text", () => {
  const v = vhost();
  assertAmqpError(
    () => v.declareExchange(xdecl("nope", "direct", { passive: true })),
    404,
    "NOT_FOUND - no exchange 'nope' in vhost '/'",
  );
});

Deno.test("an unknown exchange type is a connection error 503 COMMAND_INVALID", () => {
  const e = assertAmqpError(
    () => vhost().declareExchange(xdecl("x", "x-no-such-type")),
    503,
    "COMMAND_INVALID - unknown exchange type 'x-no-such-type'",
  );
  assert.ok(e instanceof ConnectionError && e.isHard);
});

Deno.test("a new exchange or queue named amq.* is refused with 403 ACCESS_REFUSED", () => {
  const v = vhost();
  assertAmqpError(
    () => v.declareExchange(xdecl("amq.custom")),
    403,
    "ACCESS_REFUSED - exchange name 'amq.custom' contains reserved prefix 'amq.*'",
  );
  assertAmqpError(
    () => v.declareQueue(qdecl("amq.custom")),
    403,
    "ACCESS_REFUSED - queue name 'amq.custom' contains reserved prefix 'amq.*'",
  );
  assert.ok(v.declareExchange(xdecl("amq.topic", "", { passive: true })), "passive declare of amq.topic");
});

// RabbitMQ (rabbit_channel, exchange.declare) checks the amq. prefix only
// when the exchange does not exist yet; redeclaring a predeclared exchange
// with its own type and durable=true is answered with declare-ok (clients
// commonly declare amq.topic before binding to it). Warren refuses any
// non-passive declare of an amq.* name with 403.
Deno.test("redeclaring a predeclared amq.* exchange with equivalent properties succeeds", () => {
  const v = vhost();
  for (
    const [name, type] of [
      ["amq.direct", "direct"],
      ["amq.fanout", "fanout"],
      ["amq.topic", "topic"],
      ["amq.headers", "headers"],
      ["amq.match", "headers"],
    ]
  ) {
    const existing = v.getExchange(name);
    assert.equal(v.declareExchange(xdecl(name, type, { durable: true })), existing, name);
  }
});

Deno.test("redeclaring a predeclared amq.* exchange with another type is 406, not 403", () => {
  const v = vhost();
  assertAmqpError(
    () => v.declareExchange(xdecl("amq.topic", "direct", { durable: true })),
    406,
    "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'amq.topic' in vhost '/': " +
      "received 'direct' but current is 'topic'",
  );
});

// rabbit_channel:check_exchange_deletion: "deletion of system ~ts not allowed".
Deno.test("deleting an amq.* exchange is refused with RabbitMQ's 'deletion of system exchange' text", () => {
  const v = vhost();
  assertAmqpError(
    () => v.deleteExchange("amq.direct", false),
    403,
    "ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed",
  );
  assert.ok(v.exchanges.has("amq.direct"));
});

Deno.test("exchange delete if-unused refuses an exchange with bindings; deleting a missing one is fine", () => {
  const v = vhost();
  v.declareExchange(xdecl("x"));
  v.declareQueue(qdecl("q"));
  v.bindQueue("q", "x", "k", {}, connA);
  assertAmqpError(
    () => v.deleteExchange("x", true),
    406,
    "PRECONDITION_FAILED - exchange 'x' in vhost '/' in use",
  );
  v.deleteExchange("x", false);
  assert.equal(v.exchanges.has("x"), false);
  assert.equal(v.queues.get("q")!.bindings.size, 0, "the queue's side of the binding is gone too");
  v.deleteExchange("never-existed", false);
});

// ------------------------------------------------------------ default exchange

Deno.test("the default exchange cannot be declared, deleted or bound (403)", () => {
  const v = vhost();
  v.declareQueue(qdecl("q"));
  v.declareExchange(xdecl("x"));
  const text = "ACCESS_REFUSED - operation not permitted on the default exchange";
  assertAmqpError(() => v.declareExchange(xdecl("")), 403, text);
  assertAmqpError(() => v.declareExchange(xdecl("", "direct", { passive: true })), 403, text);
  assertAmqpError(() => v.deleteExchange("", false), 403, text);
  assertAmqpError(() => v.bindQueue("q", "", "q", {}, connA), 403, text);
  assertAmqpError(() => v.unbindQueue("q", "", "q", {}, connA), 403, text);
  assertAmqpError(() => v.bindExchange("x", "", "k", {}), 403, text);
  assertAmqpError(() => v.bindExchange("", "x", "k", {}), 403, text);
});

Deno.test("the default exchange routes to the queue named by the routing key, and nowhere else", () => {
  const v = vhost();
  v.declareQueue(qdecl("hello"));
  v.declareQueue(qdecl("other"));
  assert.deepEqual(routed(v, "", "hello"), ["hello"]);
  assert.deepEqual(routed(v, "", "nobody"), []);
  v.deleteQueue("hello", { ifUnused: false, ifEmpty: false, owner: connA });
  assert.deepEqual(routed(v, "", "hello"), []);
});

// ------------------------------------------------------------ queues

Deno.test("a queue redeclared with another durable or auto_delete fails with RabbitMQ's 406 text", () => {
  const v = vhost();
  v.declareQueue(qdecl("q"));
  assertAmqpError(
    () => v.declareQueue(qdecl("q", { durable: true })),
    406,
    "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'q' in vhost '/': received 'true' but current is 'false'",
  );
  assertAmqpError(
    () => v.declareQueue(qdecl("q", { autoDelete: true })),
    406,
    "PRECONDITION_FAILED - inequivalent arg 'auto_delete' for queue 'q' in vhost '/': " +
      "received 'true' but current is 'false'",
  );
});

Deno.test("a queue redeclared with a different x-argument value is 406; unknown x-arguments are not compared", () => {
  const v = vhost();
  v.declareQueue(qdecl("q", { arguments: { "x-message-ttl": 1000, "x-custom": "a" } }));
  assertAmqpError(
    () => v.declareQueue(qdecl("q", { arguments: { "x-message-ttl": 2000 } })),
    406,
    "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': " +
      "received '2000' but current is '1000'",
  );
  const again = v.declareQueue(qdecl("q", { arguments: { "x-message-ttl": 1000, "x-custom": "b" } }));
  assert.equal(again.queue, v.queues.get("q"));
});

// rabbit_misc:equivalence_fail formats a missing argument as `none` and a
// typed one as "the value '1000' of type 'signedint'" (no quotes around
// none): the text users search for as "received none but current is the
// value". Warren prints 'none' and '1000'.
Deno.test("an x-argument present on one side only is reported in RabbitMQ's words", () => {
  const v = vhost();
  v.declareQueue(qdecl("q", { arguments: { "x-message-ttl": 1000 } }));
  assertAmqpError(
    () => v.declareQueue(qdecl("q")),
    406,
    "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': " +
      "received none but current is the value '1000' of type 'signedint'",
  );
  v.declareQueue(qdecl("q2"));
  assertAmqpError(
    () => v.declareQueue(qdecl("q2", { arguments: { "x-max-length": 10 } })),
    406,
    "PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue 'q2' in vhost '/': " +
      "received the value '10' of type 'signedint' but current is none",
  );
  v.declareExchange(xdecl("x", "direct", { arguments: { "alternate-exchange": "ae" } }));
  assertAmqpError(
    () => v.declareExchange(xdecl("x", "direct")),
    406,
    "PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'x' in vhost '/': " +
      "received none but current is the value 'ae' of type 'longstr'",
  );
});

// rabbit_misc:assert_field_equivalence special-cases x-queue-type: absent
// and 'classic' are the same (rabbitmq-common#341).
Deno.test("x-queue-type 'classic' and no x-queue-type are equivalent on redeclare", () => {
  const v = vhost();
  v.declareQueue(qdecl("q1", { arguments: { "x-queue-type": "classic" } }));
  v.declareQueue(qdecl("q1"));
  v.declareQueue(qdecl("q2"));
  v.declareQueue(qdecl("q2", { arguments: { "x-queue-type": "classic" } }));
});

Deno.test("server-named queues get an amq.gen- name and cannot be redeclared by name", () => {
  const v = vhost();
  const { queue } = v.declareQueue(qdecl(""));
  assert.match(queue.name, /^amq\.gen-[A-Za-z0-9_-]{22}$/);
  assert.notEqual(v.declareQueue(qdecl("")).queue.name, queue.name);
  assertAmqpError(() => v.declareQueue(qdecl(queue.name)), 403, /reserved prefix 'amq\.\*'/);
  assert.equal(v.declareQueue(qdecl(queue.name, { passive: true })).queue, queue);
});

Deno.test("queue lookups of a missing queue are 404 with RabbitMQ's text", () => {
  const v = vhost();
  const text = "NOT_FOUND - no queue 'nope' in vhost '/'";
  assertAmqpError(() => v.getQueue("nope", connA), 404, text);
  assertAmqpError(() => v.declareQueue(qdecl("nope", { passive: true })), 404, text);
  assertAmqpError(() => v.purgeQueue("nope", connA), 404, text);
  v.declareExchange(xdecl("x"));
  assertAmqpError(() => v.bindQueue("nope", "x", "k", {}, connA), 404, text);
  v.declareQueue(qdecl("q"));
  assertAmqpError(
    () => v.bindQueue("q", "nox", "k", {}, connA),
    404,
    "NOT_FOUND - no exchange 'nox' in vhost '/'",
  );
  assert.equal(
    v.deleteQueue("nope", { ifUnused: false, ifEmpty: false, owner: connA }),
    0,
    "delete is idempotent",
  );
});

Deno.test("queue delete if-empty and if-unused refuse with RabbitMQ's 406 texts", () => {
  const v = vhost();
  const { queue } = v.declareQueue(qdecl("q"));
  queue.enqueue(message("q"));
  assertAmqpError(
    () => v.deleteQueue("q", { ifUnused: false, ifEmpty: true, owner: connA }),
    406,
    "PRECONDITION_FAILED - queue 'q' in vhost '/' not empty",
  );
  queue.addConsumer({
    tag: "c",
    noAck: false,
    exclusive: false,
    unacked: 0,
    arguments: {},
    owner: connA,
    canDeliver: () => false,
    deliver: () => {},
    cancelledByBroker: () => {},
  });
  assertAmqpError(
    () => v.deleteQueue("q", { ifUnused: true, ifEmpty: false, owner: connA }),
    406,
    "PRECONDITION_FAILED - queue 'q' in vhost '/' in use",
  );
  assert.equal(v.deleteQueue("q", { ifUnused: false, ifEmpty: false, owner: connA }), 1);
});

// ------------------------------------------------------------ exclusive queues

const LOCKED = "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'ex' in vhost '/'. " +
  "It could be originally declared on another connection or the exclusive property value does not match " +
  "that of the original declaration.";

Deno.test("an exclusive queue is locked (405) to every other connection, for every operation", () => {
  const v = vhost();
  v.declareQueue(qdecl("ex", { exclusive: true, owner: connA }));
  v.declareExchange(xdecl("x"));
  assertAmqpError(() => v.declareQueue(qdecl("ex", { exclusive: true, owner: connB })), 405, LOCKED);
  assertAmqpError(() => v.declareQueue(qdecl("ex", { passive: true, owner: connB })), 405, LOCKED);
  assertAmqpError(() => v.getQueue("ex", connB), 405, LOCKED);
  assertAmqpError(() => v.bindQueue("ex", "x", "k", {}, connB), 405, LOCKED);
  assertAmqpError(() => v.purgeQueue("ex", connB), 405, LOCKED);
  assertAmqpError(() => v.deleteQueue("ex", { ifUnused: false, ifEmpty: false, owner: connB }), 405, LOCKED);
  // The owner may do all of it.
  v.declareQueue(qdecl("ex", { exclusive: true, owner: connA }));
  v.declareQueue(qdecl("ex", { passive: true, owner: connA }));
  v.bindQueue("ex", "x", "k", {}, connA);
  assert.equal(v.purgeQueue("ex", connA), 0);
  v.deleteExclusiveQueues([v.getQueue("ex", connA)]);
  assert.equal(v.queues.has("ex"), false);
  assert.deepEqual(routed(v, "x", "k"), [], "its bindings went with it");
});

// rabbit_amqqueue:assert_equivalence calls check_exclusive_access(Q, Owner,
// strict), where Owner is the declaring connection when exclusive=true and
// `none` otherwise: the exclusive flag of a redeclare must match the queue's.
Deno.test("redeclaring a queue with a different exclusive flag is 405, even on the owning connection", () => {
  const v = vhost();
  v.declareQueue(qdecl("ex", { exclusive: false, owner: connA }));
  assertAmqpError(
    () => v.declareQueue(qdecl("ex", { exclusive: true, owner: connA })),
    405,
    LOCKED,
  );
  const v2 = vhost();
  v2.declareQueue(qdecl("ex", { exclusive: true, owner: connA }));
  assertAmqpError(
    () => v2.declareQueue(qdecl("ex", { exclusive: false, owner: connA })),
    405,
    LOCKED,
  );
});

// ------------------------------------------------------------ bindings and routing

Deno.test("a queue reached by several bindings or paths gets one copy of a message", () => {
  const v = vhost();
  v.declareQueue(qdecl("q"));
  v.declareQueue(qdecl("r"));
  v.declareExchange(xdecl("t", "topic"));
  v.bindQueue("q", "t", "a.*", {}, connA);
  v.bindQueue("q", "t", "*.b", {}, connA);
  v.bindQueue("q", "t", "#", {}, connA);
  v.bindQueue("r", "t", "a.b", {}, connA);
  assert.deepEqual(routed(v, "t", "a.b"), ["q", "r"]);
  // Same queue via a direct exchange bound with two argument sets.
  v.declareExchange(xdecl("d"));
  v.bindQueue("q", "d", "k", {}, connA);
  v.bindQueue("q", "d", "k", { tag: 1 }, connA);
  assert.deepEqual(routed(v, "d", "k"), ["q"]);
  // And through two exchange-to-exchange paths.
  v.declareExchange(xdecl("f", "fanout"));
  v.bindExchange("t", "f", "", {});
  v.bindExchange("d", "f", "", {});
  v.bindQueue("q", "f", "", {}, connA);
  assert.deepEqual(routed(v, "f", "k"), ["q"]);
});

Deno.test("binding twice is one binding: a single unbind removes it", () => {
  const v = vhost();
  v.declareQueue(qdecl("q"));
  v.declareExchange(xdecl("d"));
  v.bindQueue("q", "d", "k", { a: 1 }, connA);
  v.bindQueue("q", "d", "k", { a: 1 }, connA);
  assert.equal(v.getExchange("d").bindings.size, 1);
  v.unbindQueue("q", "d", "k", { a: 1 }, connA);
  assert.deepEqual(routed(v, "d", "k"), []);
  v.unbindQueue("q", "d", "k", { a: 1 }, connA); // unbinding a missing binding is fine
});

Deno.test("direct and fanout exchanges route by exact key and to every binding", () => {
  const v = vhost();
  for (const q of ["q1", "q2", "q3"]) v.declareQueue(qdecl(q));
  v.declareExchange(xdecl("d"));
  v.declareExchange(xdecl("f", "fanout"));
  v.bindQueue("q1", "d", "error", {}, connA);
  v.bindQueue("q2", "d", "error", {}, connA);
  v.bindQueue("q2", "d", "info", {}, connA);
  v.bindQueue("q1", "f", "ignored", {}, connA);
  v.bindQueue("q3", "f", "", {}, connA);
  assert.deepEqual(routed(v, "d", "error"), ["q1", "q2"]);
  assert.deepEqual(routed(v, "d", "info"), ["q2"]);
  assert.deepEqual(routed(v, "d", "Info"), []);
  assert.deepEqual(routed(v, "f", "anything"), ["q1", "q3"]);
  v.unbindQueue("q2", "d", "error", {}, connA);
  assert.deepEqual(routed(v, "d", "error"), ["q1"]);
});

Deno.test("exchange-to-exchange bindings route through chains and cycles, each queue once", () => {
  const v = vhost();
  v.declareQueue(qdecl("qa"));
  v.declareQueue(qdecl("qb"));
  v.declareExchange(xdecl("a", "fanout"));
  v.declareExchange(xdecl("b", "topic"));
  v.declareExchange(xdecl("c", "direct"));
  v.bindExchange("b", "a", "", {}); // a -> b
  v.bindExchange("c", "b", "k.#", {}); // b -> c for k.#
  v.bindExchange("a", "c", "k.x", {}); // c -> a: a cycle a -> b -> c -> a
  v.bindQueue("qa", "a", "", {}, connA);
  v.bindQueue("qb", "c", "k.x", {}, connA);
  assert.deepEqual(routed(v, "a", "k.x"), ["qa", "qb"]);
  assert.deepEqual(routed(v, "a", "k.y"), ["qa"]);
  assert.deepEqual(routed(v, "c", "k.x"), ["qa", "qb"], "entering the cycle elsewhere");
  assert.deepEqual(routed(v, "b", "z"), []);
  // A self-binding is a cycle of one.
  v.bindExchange("a", "a", "", {});
  assert.deepEqual(routed(v, "a", "z"), ["qa"]);
  v.unbindExchange("c", "b", "k.#", {});
  assert.deepEqual(routed(v, "a", "k.x"), ["qa"]);
});

Deno.test("an auto-delete exchange goes when its last binding goes, not before", () => {
  const v = vhost();
  v.declareQueue(qdecl("q1"));
  v.declareQueue(qdecl("q2"));
  v.declareExchange(xdecl("ad", "fanout", { autoDelete: true }));
  assert.ok(v.exchanges.has("ad"), "never bound: stays");
  v.bindQueue("q1", "ad", "", {}, connA);
  v.bindQueue("q2", "ad", "", {}, connA);
  v.unbindQueue("q1", "ad", "", {}, connA);
  assert.ok(v.exchanges.has("ad"), "one binding left");
  v.deleteQueue("q2", { ifUnused: false, ifEmpty: false, owner: connA });
  assert.equal(v.exchanges.has("ad"), false, "deleting the last bound queue deletes it");

  // Exchange-to-exchange: deleting the destination removes the binding, and the source goes.
  v.declareExchange(xdecl("src", "fanout", { autoDelete: true }));
  v.declareExchange(xdecl("dst", "fanout"));
  v.bindExchange("dst", "src", "", {});
  v.deleteExchange("dst", false);
  assert.equal(v.exchanges.has("src"), false);
});

// ------------------------------------------------------------ headers exchange

Deno.test("headers exchange: x-match all (the default), any, presence and the -with-x variants", () => {
  const v = vhost();
  const bind = (q: string, args: FieldTable) => {
    v.declareQueue(qdecl(q));
    v.bindQueue(q, "h", "", args, connA);
  };
  v.declareExchange(xdecl("h", "headers"));
  bind("all", { "x-match": "all", format: "pdf", type: "report" });
  bind("default", { format: "pdf", type: "report" });
  bind("any", { "x-match": "any", format: "pdf", type: "report" });
  bind("present", { "x-match": "all", format: null });
  bind("allx", { "x-match": "all-with-x", "x-tenant": "t1", format: "pdf" });
  bind("anyx", { "x-match": "any-with-x", "x-tenant": "t1" });
  bind("xignored", { "x-match": "all", "x-tenant": "t1" });
  bind("num", { "x-match": "all", n: 1 });

  assert.deepEqual(routed(v, "h", "", { format: "pdf", type: "report" }), [
    "all",
    "any",
    "default",
    "present",
    "xignored",
  ]);
  assert.deepEqual(routed(v, "h", "", { format: "pdf" }), ["any", "present", "xignored"]);
  assert.deepEqual(routed(v, "h", "", { format: "zip", type: "report" }), ["any", "present", "xignored"]);
  assert.deepEqual(routed(v, "h", "", { "x-tenant": "t1", format: "pdf" }), [
    "allx",
    "any",
    "anyx",
    "present",
    "xignored",
  ]);
  assert.deepEqual(routed(v, "h", "", { n: 1 }), ["num", "xignored"]);
  assert.deepEqual(routed(v, "h", "", { n: 2 }), ["xignored"]);
  assert.deepEqual(routed(v, "h", ""), ["xignored"], "no headers: only the binding with nothing to match");
});

Deno.test("headers exchange: an x-match of any with no headers to match matches nothing", () => {
  const v = vhost();
  v.declareExchange(xdecl("h", "headers"));
  v.declareQueue(qdecl("q"));
  v.bindQueue("q", "h", "", { "x-match": "any" }, connA);
  assert.deepEqual(routed(v, "h", "", { a: 1 }), []);
});

Deno.test("headers exchange: an invalid x-match value is refused with 406", () => {
  const v = vhost();
  v.declareExchange(xdecl("h", "headers"));
  v.declareQueue(qdecl("q"));
  assertAmqpError(
    () => v.bindQueue("q", "h", "", { "x-match": "some" }, connA),
    406,
    /^PRECONDITION_FAILED - Invalid x-match field value .*some.*; expected all, any, all-with-x, or any-with-x$/,
  );
  assert.equal(v.getExchange("h").bindings.size, 0);
});
