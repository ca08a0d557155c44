// Operator policies over the management API, watched through amqplib: the
// lower of the operator policy's and the user policy's (or argument's) limit
// is the one a queue keeps, /api/queues names both policies and shows the
// merged definition, only RabbitMQ's operator keys are accepted, and
// definitions carry them as operator_policy parameters. Also run green
// against RabbitMQ 3.10.8 (WARREN_TEST_MANAGEMENT_URL=http://127.0.0.1:15682
// WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5682/), whose texts these are.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "../helpers/amqplib.ts";
import { ownVHost, until, withBroker } from "../helpers/management_api.ts";

const TEST_TIMEOUT_MS = 30_000;

Deno.test({
  name: "an operator policy lowers a queue's max-length below the user policy's and the argument's",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withBroker(async (b) => {
      const vhost = "opol-cap";
      const drop = await ownVHost(b, vhost);
      const conn = await amqp.connect(b.amqpUrl.replace(/\/[^/]*$/, "/") + vhost);
      try {
        const user = {
          pattern: "^opol-",
          definition: { "max-length": 5, "message-ttl": 1000, expires: 100000 },
        };
        assert.equal((await b.api("PUT", `/api/policies/${vhost}/opol-user`, { body: user })).status, 201);
        const op = {
          pattern: "^opol-",
          definition: { "max-length": 2, "message-ttl": 60000 },
          priority: 1,
          "apply-to": "queues",
        };
        assert.equal(
          (await b.api("PUT", `/api/operator-policies/${vhost}/opol-op`, { body: op })).status,
          201,
        );
        assert.deepEqual((await b.api("GET", `/api/operator-policies/${vhost}/opol-op`)).body, {
          vhost,
          name: "opol-op",
          pattern: "^opol-",
          "apply-to": "queues",
          definition: { "max-length": 2, "message-ttl": 60000 },
          priority: 1,
        });

        const ch = await conn.createConfirmChannel();
        await ch.assertQueue("opol-q", { durable: false, arguments: { "x-max-length": 10 } });
        for (let i = 0; i < 5; i++) ch.sendToQueue("opol-q", Buffer.from(`m${i}`));
        await ch.waitForConfirms();
        assert.equal((await ch.checkQueue("opol-q")).messageCount, 2);

        const shown = await until(
          () => b.api("GET", `/api/queues/${vhost}/opol-q`),
          (r) => r.body?.operator_policy === "opol-op",
          "the queue naming its operator policy",
        );
        assert.equal(shown.body.policy, "opol-user");
        assert.deepEqual(shown.body.effective_policy_definition, {
          expires: 100000,
          "max-length": 2,
          "message-ttl": 1000,
        });

        // Without the operator policy the user policy's 5 is the limit again.
        assert.equal((await b.api("DELETE", `/api/operator-policies/${vhost}/opol-op`)).status, 204);
        for (let i = 0; i < 5; i++) ch.sendToQueue("opol-q", Buffer.from(`n${i}`));
        await ch.waitForConfirms();
        assert.equal((await ch.checkQueue("opol-q")).messageCount, 5);
        await ch.close();
      } finally {
        await conn.close();
        await drop();
      }
    }, TEST_TIMEOUT_MS),
});

Deno.test({
  name: "operator policies take only the queue limits, and are exported as operator_policy parameters",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withBroker(async (b) => {
      const vhost = "opol-defs";
      const drop = await ownVHost(b, vhost);
      try {
        const put = (definition: unknown) =>
          b.api("PUT", `/api/operator-policies/${vhost}/opol-x`, { body: { pattern: "^x", definition } });
        const refused = await put({ "max-length": 1, "dead-letter-exchange": "dlx" });
        assert.equal(refused.status, 400);
        assert.equal(
          refused.body.reason,
          'Validation failed\n\n[{<<"dead-letter-exchange">>,<<"dlx">>}] are not recognised policy settings\n',
        );
        const notNumber = await put({ "message-ttl": "a" });
        assert.equal(notNumber.status, 400);
        assert.equal(notNumber.body.reason, 'Validation failed\n\n<<"a">> is not a valid message TTL\n');

        const limits = {
          expires: 1000,
          "message-ttl": 1,
          "max-length": 1,
          "max-length-bytes": 1,
          "max-in-memory-length": 1,
          "max-in-memory-bytes": 1,
          "delivery-limit": 1,
        };
        assert.equal((await put(limits)).status, 201);
        assert.equal((await put({ "max-length": 3 })).status, 204);
        const listed = (await b.api("GET", `/api/operator-policies/${vhost}`)).body;
        assert.deepEqual(listed.map((p: { name: string }) => p.name), ["opol-x"]);

        const defs = (await b.api("GET", "/api/definitions")).body;
        assert.deepEqual(defs.parameters.filter((p: { vhost: string }) => p.vhost === vhost), [{
          vhost,
          component: "operator_policy",
          name: "opol-x",
          value: { pattern: "^x", definition: { "max-length": 3 }, priority: 0, "apply-to": "all" },
        }]);
        assert.equal(defs.policies.filter((p: { vhost: string }) => p.vhost === vhost).length, 0);

        assert.equal((await b.api("DELETE", `/api/operator-policies/${vhost}/opol-x`)).status, 204);
        assert.equal((await b.api("DELETE", `/api/operator-policies/${vhost}/opol-x`)).status, 404);
        assert.equal((await b.api("GET", `/api/operator-policies/${vhost}/opol-x`)).status, 404);
      } finally {
        await drop();
      }
    }, TEST_TIMEOUT_MS),
});
