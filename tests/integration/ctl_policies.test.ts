// `warren ctl` policy verbs (set_policy, clear_policy, list_policies) and
// list_queues' policy columns, run in-process against an in-process node,
// with an amqplib client watching the policy change a queue's behaviour.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "../helpers/amqplib.ts";
import { ctlTest, ok } from "../helpers/ctl_node.ts";

const WAIT_MS = 3_000;

/** A confirm channel on its own connection, with helpers to fill and count queues. */
async function client(url: string) {
  const conn = await amqp.connect(url);
  conn.on("error", () => {});
  const ch = await conn.createConfirmChannel();
  return {
    conn,
    ch,
    async publish(queue: string, count: number): Promise<void> {
      for (let i = 1; i <= count; i++) ch.sendToQueue(queue, Buffer.from(`m${i}`));
      await ch.waitForConfirms();
    },
    async count(queue: string): Promise<number> {
      return (await ch.checkQueue(queue)).messageCount;
    },
  };
}

ctlTest(
  "set_policy, list_policies and clear_policy print rabbitmqctl's banners and table, and act at once",
  async ({ ctl, node }) => {
    const c = await client(node.url);
    try {
      await c.ch.assertQueue("ctl.jobs", { durable: false });
      await c.publish("ctl.jobs", 5);

      const set = ok(
        await ctl(
          "set_policy",
          "--priority",
          "3",
          "--apply-to",
          "queues",
          "cap",
          "^ctl\\.",
          '{"max-length":2}',
        ),
      );
      assert.deepEqual(set.out, [
        'Setting policy "cap" for pattern "^ctl\\." to "{"max-length":2}" with priority "3" for vhost "/" ...',
      ]);
      assert.equal(await c.count("ctl.jobs"), 2, "the policy trimmed the queue as soon as it was set");

      assert.deepEqual(ok(await ctl("list_policies")).out, [
        'Listing policies for vhost "/" ...',
        "vhost\tname\tpattern\tapply-to\tdefinition\tpriority",
        '/\tcap\t^ctl\\.\tqueues\t{"max-length":2}\t3',
      ]);
      const json = JSON.parse(ok(await ctl("list_policies", "--formatter", "json")).out.join("\n"));
      assert.deepEqual(json, [{
        vhost: "/",
        name: "cap",
        pattern: "^ctl\\.",
        "apply-to": "queues",
        definition: '{"max-length":2}',
        priority: 3,
      }]);

      const cleared = ok(await ctl("clear_policy", "cap"));
      assert.deepEqual(cleared.out, ['Clearing policy "cap" on vhost "/" ...']);
      await c.publish("ctl.jobs", 3);
      assert.equal(await c.count("ctl.jobs"), 5, "no cap once the policy is cleared");
      const again = await ctl("clear_policy", "cap");
      assert.deepEqual([again.code, again.err], [69, ["Error: Parameter does not exist"]]);
      // rabbitmqctl 3.10.8 prints no header row when there is nothing to list.
      assert.deepEqual(ok(await ctl("-q", "list_policies")).out, []);
    } finally {
      await c.conn.close();
    }
  },
);

ctlTest("a message-ttl policy set with ctl -p expires messages in that vhost only", async ({ ctl, node }) => {
  ok(await ctl("add_vhost", "jobs"));
  ok(await ctl("set_permissions", "-p", "jobs", "guest", ".*", ".*", ".*"));
  ok(await ctl("set_policy", "-p", "jobs", "--apply-to", "queues", "ttl", ".*", '{"message-ttl":100}'));
  assert.equal(ok(await ctl("-q", "--no-table-headers", "list_policies")).out.length, 0, "none in /");
  assert.deepEqual(ok(await ctl("-q", "--no-table-headers", "list_policies", "-p", "jobs")).out, [
    'jobs\tttl\t.*\tqueues\t{"message-ttl":100}\t0',
  ]);

  const inJobs = await client(`amqp://guest:guest@127.0.0.1:${node.port}/jobs`);
  const inRoot = await client(node.url);
  try {
    await inJobs.ch.assertQueue("work", { durable: false });
    await inRoot.ch.assertQueue("work", { durable: false });
    await inJobs.publish("work", 3);
    await inRoot.publish("work", 3);
    const deadline = Date.now() + WAIT_MS;
    while (await inJobs.count("work") !== 0) {
      assert.ok(Date.now() < deadline, "messages in jobs/work did not expire");
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(await inRoot.count("work"), 3, "the same queue name in / has no TTL");
  } finally {
    await inJobs.conn.close();
    await inRoot.conn.close();
  }
});

ctlTest(
  "list_queues prints each queue's policy, arguments and effective policy definition",
  async ({ ctl, node }) => {
    const c = await client(node.url);
    try {
      await c.ch.assertQueue("lq.capped", { durable: false, arguments: { "x-max-length": 4 } });
      await c.ch.assertQueue("lq.plain", { durable: false });
    } finally {
      await c.conn.close();
    }
    // Given in any order, the definition's keys are listed in order, as RabbitMQ keeps them.
    ok(await ctl("set_policy", "cap", "^lq\\.capped$", '{"message-ttl":60000,"max-length":2}'));

    assert.deepEqual(ok(await ctl("list_queues", "name", "policy", "arguments")).out, [
      "Timeout: 60.0 seconds ...",
      "Listing queues for vhost / ...",
      "name\tpolicy\targuments",
      'lq.capped\tcap\t[{"x-max-length",4}]',
      "lq.plain\t\t[]",
    ]);
    assert.deepEqual(
      ok(await ctl("-q", "--no-table-headers", "list_queues", "name", "effective_policy_definition")).out,
      ['lq.capped\t[{"max-length",2},{"message-ttl",60000}]', "lq.plain\t[]"],
    );
    const json = JSON.parse(
      ok(await ctl("list_queues", "--formatter", "json", "name", "policy", "arguments")).out.join("\n"),
    );
    assert.deepEqual(json, [
      { name: "lq.capped", policy: "cap", arguments: { "x-max-length": 4 } },
      { name: "lq.plain", policy: null, arguments: {} },
    ]);
  },
);

ctlTest(
  "set_policy refuses bad input with rabbitmqctl's exit codes and sets nothing",
  async ({ ctl, node }) => {
    const badJson = await ctl("set_policy", "p", ".*", "{max-length:1}");
    assert.equal(badJson.code, 69);
    assert.match(badJson.err[0], /^Error: JSON decoding error\. Reason: /);

    const unknownKey = await ctl("set_policy", "p", ".*", '{"max-lenght":1}');
    assert.equal(unknownKey.code, 69);
    assert.match(unknownKey.err.join("\n"), /Validation failed[\s\S]*max-lenght/);

    const badPattern = await ctl("set_policy", "p", "(", '{"max-length":1}');
    assert.equal(badPattern.code, 69);
    assert.match(badPattern.err.join("\n"), /pattern should be regular expression but is invalid/);

    const badApplyTo = await ctl("set_policy", "--apply-to", "widgets", "p", ".*", '{"max-length":1}');
    assert.equal(badApplyTo.code, 69);

    const noVhost = await ctl("set_policy", "-p", "nowhere", "p", ".*", '{"max-length":1}');
    assert.deepEqual([noVhost.code, noVhost.err], [65, ["Error: Virtual host 'nowhere' does not exist"]]);
    assert.equal((await ctl("clear_policy", "-p", "nowhere", "p")).code, 65);
    assert.equal((await ctl("list_policies", "-p", "nowhere")).code, 65);

    assert.equal((await ctl("set_policy", "--priority", "high", "p", ".*", '{"max-length":1}')).code, 64);
    assert.equal((await ctl("set_policy", "p", ".*")).code, 64);

    assert.equal(node.server.broker.vhost("/")!.policies.size, 0);
  },
);
