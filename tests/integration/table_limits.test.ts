// How big a field table may be (issue 14): the arguments of a declare, bind
// or consume hold at most MAX_ARGUMENT_FIELDS fields, a message's headers at
// most MAX_HEADER_FIELDS, counted at every depth; one more closes the channel
// with 406 PRECONDITION_FAILED (the HTTP API answers 400). The limits
// themselves are accepted.
//
// Warren differs from RabbitMQ here on purpose: RabbitMQ 3.10 has no table
// limit (over AMQP a table is bounded only by frame_max, 10,000 argument keys
// are accepted; over the HTTP API 100,000 were), and it answers every one of
// these with an -ok. Warren keeps argument tables in memory, in the store and
// in every /api/queues answer, and decodes headers on the event loop, so it
// bounds both. Run against RabbitMQ, each test checks that RabbitMQ accepts
// what Warren refuses, and was run green that way:
//   WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5682/ \
//   WARREN_TEST_MANAGEMENT_URL=http://127.0.0.1:15682 deno test -A tests/integration/table_limits.test.ts
import assert from "node:assert/strict";
import type { FieldTable } from "../../src/amqp/field_table.ts";
import { MAX_ARGUMENT_FIELDS } from "../../src/broker/argument_limits.ts";
import { MAX_HEADER_FIELDS } from "../../src/server/limits.ts";
import { type AnyArgs, contentFrames, methodFrame, RawAmqpClient } from "../helpers/raw_amqp.ts";
import { EXTERNAL_MANAGEMENT, type ManagedBroker, withBroker } from "../helpers/management_api.ts";

const RABBITMQ = EXTERNAL_MANAGEMENT !== null && Deno.env.get("WARREN_TEST_AMQP_URL") !== undefined;

/** `fields` one-field entries, under keys no RabbitMQ argument has. */
function table(fields: number): FieldTable {
  const t: FieldTable = {};
  for (let i = 0; i < fields; i++) t[`k${i}`] = i;
  return t;
}

function unique(what: string): string {
  return `table-limits.${what}.${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

async function openClient(b: ManagedBroker): Promise<RawAmqpClient> {
  const c = await RawAmqpClient.connect(Number(new URL(b.amqpUrl).port));
  await c.handshake();
  await c.openChannel(1);
  return c;
}

/** Sends `name` on channel 1; returns its -ok's arguments, or the channel.close it got instead. */
async function call(c: RawAmqpClient, name: string, args: AnyArgs): Promise<{ ok: boolean; args: AnyArgs }> {
  await c.send(methodFrame(1, name, args));
  const m = await c.readMethod();
  if (m.name === "channel.close") {
    await c.sendMethod(1, "channel.close-ok");
    await c.openChannel(1);
    return { ok: false, args: m.args };
  }
  assert.equal(m.name, `${name}-ok`);
  return { ok: true, args: m.args };
}

/**
 * The queue's depth once it is `expected`, or what it is after a second: a
 * RabbitMQ queue counts a message a moment after the publish's channel has
 * passed it on, so one passive declare may not see it yet.
 */
async function messageCountReaches(c: RawAmqpClient, queue: string, expected: number): Promise<number> {
  const deadline = Date.now() + 1_000;
  while (true) {
    const r = await call(c, "queue.declare", { queue, passive: true });
    assert.ok(r.ok, `queue.declare passive failed: ${r.args.replyText}`);
    if (r.args.messageCount === expected || Date.now() > deadline) return r.args.messageCount;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Warren: refused with 406 and `text`; RabbitMQ: accepted. */
function assertRefusedOverLimit(reply: { ok: boolean; args: AnyArgs }, text: string): void {
  if (RABBITMQ) return assert.ok(reply.ok, "RabbitMQ accepts any table that fits in a frame");
  assert.equal(reply.ok, false, "one field over the limit is refused");
  assert.equal(reply.args.replyCode, 406);
  assert.equal(reply.args.replyText, `PRECONDITION_FAILED - ${text}`);
}

Deno.test("queue.declare, exchange.declare, bindings and basic.consume take arguments of up to the limit and no more", async () => {
  await withBroker(async (b) => {
    const c = await openClient(b);
    const q = unique("q");
    const x = unique("x");
    try {
      const atLimit = table(MAX_ARGUMENT_FIELDS);
      const overLimit = table(MAX_ARGUMENT_FIELDS + 1);
      const over = `have ${MAX_ARGUMENT_FIELDS + 1} fields, more than the limit of ${MAX_ARGUMENT_FIELDS}`;

      assert.ok((await call(c, "queue.declare", { queue: q, arguments: atLimit })).ok);
      const q2 = unique("q2");
      assertRefusedOverLimit(
        await call(c, "queue.declare", { queue: q2, arguments: overLimit }),
        `arguments of queue '${q2}' in vhost '/' ${over}`,
      );
      if (RABBITMQ) await call(c, "queue.delete", { queue: q2 });

      assert.ok((await call(c, "exchange.declare", { exchange: x, type: "headers", arguments: atLimit })).ok);
      const x2 = unique("x2");
      assertRefusedOverLimit(
        await call(c, "exchange.declare", { exchange: x2, type: "headers", arguments: overLimit }),
        `arguments of exchange '${x2}' in vhost '/' ${over}`,
      );
      if (RABBITMQ) await call(c, "exchange.delete", { exchange: x2 });

      assert.ok((await call(c, "queue.bind", { queue: q, exchange: x, arguments: atLimit })).ok);
      assertRefusedOverLimit(
        await call(c, "queue.bind", { queue: q, exchange: x, routingKey: "over", arguments: overLimit }),
        `arguments of a binding of queue '${q}' in vhost '/' ${over}`,
      );
      assertRefusedOverLimit(
        await call(c, "exchange.bind", { destination: x, source: "amq.headers", arguments: overLimit }),
        `arguments of a binding of exchange '${x}' in vhost '/' ${over}`,
      );

      assert.ok((await call(c, "basic.consume", { queue: q, consumerTag: "at", arguments: atLimit })).ok);
      assertRefusedOverLimit(
        await call(c, "basic.consume", { queue: q, consumerTag: "over", arguments: overLimit }),
        `arguments of a consumer of queue '${q}' in vhost '/' ${over}`,
      );
    } finally {
      await call(c, "queue.delete", { queue: q }).catch(() => {});
      await call(c, "exchange.delete", { exchange: x }).catch(() => {});
      await c.close();
    }
  });
});

Deno.test("fields inside nested tables and arrays count toward the arguments limit", async () => {
  await withBroker(async (b) => {
    const c = await openClient(b);
    const q = unique("nested");
    try {
      // one entry holding an array that holds the rest: 1 + MAX_ARGUMENT_FIELDS fields
      const nested = { list: Array.from({ length: MAX_ARGUMENT_FIELDS }, (_, i) => i) };
      assertRefusedOverLimit(
        await call(c, "queue.declare", { queue: q, arguments: nested }),
        `arguments of queue '${q}' in vhost '/' have ${
          MAX_ARGUMENT_FIELDS + 1
        } fields, more than the limit of ${MAX_ARGUMENT_FIELDS}`,
      );
    } finally {
      await call(c, "queue.delete", { queue: q }).catch(() => {});
      await c.close();
    }
  });
});

Deno.test("a message's headers may hold up to the limit of fields; one more closes the channel with 406", async () => {
  await withBroker(async (b) => {
    const c = await openClient(b);
    const q = unique("headers");
    try {
      assert.ok((await call(c, "queue.declare", { queue: q })).ok);
      const publish = (fields: number) =>
        c.send(
          new Uint8Array([
            ...methodFrame(1, "basic.publish", { exchange: "", routingKey: q }),
            ...contentFrames(1, new TextEncoder().encode(`${fields}`), {
              properties: { headers: table(fields) },
            }),
          ]),
        );
      await publish(MAX_HEADER_FIELDS);
      assert.equal(await messageCountReaches(c, q, 1), 1, "the message at the limit was queued");

      await publish(MAX_HEADER_FIELDS + 1);
      if (RABBITMQ) {
        assert.equal(await messageCountReaches(c, q, 2), 2, "RabbitMQ queues it");
      } else {
        // Warren refuses it while the publish is handled: the next method on the channel meets the close.
        const after = await call(c, "queue.declare", { queue: q, passive: true });
        assertRefusedOverLimit(
          after,
          `message headers have ${MAX_HEADER_FIELDS + 1} fields, more than the limit of ${MAX_HEADER_FIELDS}`,
        );
        const count = await call(c, "queue.declare", { queue: q, passive: true });
        assert.equal(count.args.messageCount, 1, "the refused message was not queued");
      }
    } finally {
      await call(c, "queue.delete", { queue: q }).catch(() => {});
      await c.close();
    }
  });
});

Deno.test("the HTTP API refuses a queue whose arguments hold more than the limit of fields with 400", async () => {
  await withBroker(async (b) => {
    const q = unique("http");
    const path = `/api/queues/%2F/${encodeURIComponent(q)}`;
    try {
      const r = await b.api("PUT", path, {
        body: { durable: false, arguments: table(MAX_ARGUMENT_FIELDS + 1) },
      });
      if (RABBITMQ) return assert.equal(r.status, 201, "RabbitMQ accepts it");
      assert.equal(r.status, 400);
      assert.match(
        JSON.stringify(r.body),
        new RegExp(`have ${MAX_ARGUMENT_FIELDS + 1} fields, more than the limit of ${MAX_ARGUMENT_FIELDS}`),
      );
      assert.equal((await b.api("GET", path)).status, 404, "no queue was made");
    } finally {
      await b.api("DELETE", path);
    }
  });
});
