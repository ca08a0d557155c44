// `warren ctl` verbs for vhost limits (set_vhost_limits, clear_vhost_limits,
// list_vhost_limits) and operator policies (set_operator_policy,
// clear_operator_policy, list_operator_policies), run in-process against an
// in-process node. The banners and outputs are rabbitmqctl 3.10.8's, as it
// printed them against the dev RabbitMQ node; amqplib clients watch the
// limits take effect.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "../helpers/amqplib.ts";
import { ctlTest, ok } from "../helpers/ctl_node.ts";

ctlTest(
  "set_vhost_limits, list_vhost_limits and clear_vhost_limits print rabbitmqctl's output and act at once",
  async ({ ctl, node }) => {
    ok(await ctl("add_vhost", "ctl-lim"));
    ok(await ctl("set_permissions", "-p", "ctl-lim", "guest", ".*", ".*", ".*"));
    const set = ok(await ctl("set_vhost_limits", "-p", "ctl-lim", '{"max-connections": 1, "max-queues": 0}'));
    assert.deepEqual(set.out, [
      'Setting vhost limits to "{"max-connections": 1, "max-queues": 0}" for vhost "ctl-lim" ...',
    ]);
    assert.deepEqual(ok(await ctl("list_vhost_limits", "-p", "ctl-lim")).out, [
      'Listing limits for vhost "ctl-lim" ...',
      '{"max-connections":1,"max-queues":0}',
    ]);
    assert.deepEqual(ok(await ctl("list_vhost_limits", "--global")).out, [
      "Listing limits for all vhosts ...",
      "vhost\tlimits",
      'ctl-lim\t{"max-connections":1,"max-queues":0}',
    ]);

    const url = node.url.replace(/\/$/, "/ctl-lim");
    const conn = await amqp.connect(url);
    conn.on("error", () => {});
    try {
      await assert.rejects(amqp.connect(url), /ConnectionClose/);
      const ch = await conn.createChannel();
      ch.on("error", () => {});
      await assert.rejects(ch.assertQueue("ctl-lim-q"), /queue limit in vhost 'ctl-lim' \(0\) is reached/);
    } finally {
      await conn.close();
    }

    const bad = await ctl("set_vhost_limits", "-p", "ctl-lim", '{"max-queuez": 1}');
    assert.equal(bad.code, 69);
    assert.match(bad.err.join("\n"), /Unrecognised terms \[\{<<"max-queuez">>,1\}\] in limits/);

    assert.deepEqual(ok(await ctl("clear_vhost_limits", "-p", "ctl-lim")).out, [
      'Clearing vhost "ctl-lim" limits ...',
    ]);
    // rabbitmqctl prints an empty line for a vhost without limits.
    assert.deepEqual(ok(await ctl("list_vhost_limits", "-p", "ctl-lim")).out, [
      'Listing limits for vhost "ctl-lim" ...',
      "",
    ]);
    const again = await amqp.connect(url);
    await (await again.createChannel()).assertQueue("ctl-lim-q");
    await again.close();
  },
);

ctlTest(
  "set_operator_policy, list_operator_policies and clear_operator_policy print rabbitmqctl's output",
  async ({ ctl, node }) => {
    const set = ok(
      await ctl(
        "set_operator_policy",
        "--priority",
        "2",
        "--apply-to",
        "queues",
        "cap",
        "^ctl-op",
        '{"max-length":2}',
      ),
    );
    assert.deepEqual(set.out, [
      'Setting operator policy override "cap" for pattern "^ctl-op" to "{"max-length":2}" with priority "2" ' +
      'for vhost "/" ...',
    ]);
    assert.deepEqual(ok(await ctl("list_operator_policies")).out, [
      'Listing operator policy overrides for vhost "/" ...',
      "vhost\tname\tpattern\tapply-to\tdefinition\tpriority",
      '/\tcap\t^ctl-op\tqueues\t{"max-length":2}\t2',
    ]);

    const conn = await amqp.connect(node.url);
    try {
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue("ctl-op-q", { durable: false });
      for (let i = 0; i < 4; i++) ch.sendToQueue("ctl-op-q", Buffer.from(`m${i}`));
      await ch.waitForConfirms();
      assert.equal((await ch.checkQueue("ctl-op-q")).messageCount, 2);
      await ch.deleteQueue("ctl-op-q");
    } finally {
      await conn.close();
    }

    const bad = await ctl("set_operator_policy", "other", "^x", '{"delivery-limit":1, "foo":2}');
    assert.equal(bad.code, 69);
    assert.match(bad.err.join("\n"), /\[\{<<"foo">>,2\}\] are not recognised policy settings/);

    assert.deepEqual(ok(await ctl("clear_operator_policy", "cap")).out, [
      'Clearing operator policy "cap" on vhost "/" ...',
    ]);
    const missing = await ctl("clear_operator_policy", "cap");
    assert.deepEqual([missing.code, missing.err], [69, ["Error: Parameter does not exist"]]);
  },
);
