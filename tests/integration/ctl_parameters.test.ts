// `warren ctl` verbs for runtime and global parameters and shovels, run
// in-process against an in-process node. Banners, columns, error texts and
// exit codes are rabbitmqctl 3.10.8's, as observed on a RabbitMQ node (Warren's ctl
// prints every error as one "Error: <text>" line where rabbitmqctl breaks after "Error:"):
//   Setting runtime parameter "x" for component "nosuch" to "{}" in vhost "/" ...
//   Error:\nValidation failed\n\ncomponent nosuch not found   (exit 69)
//   Clearing runtime parameter "nonexist" for component "shovel" on vhost "/" ...
//   Error:\nParameter does not exist                        (exit 69)
//   shovel_status: "Shovel status on node …", a table of the status keys, sorted.
import assert from "node:assert/strict";
import { ctlTest, ok } from "../helpers/ctl_node.ts";
import { until } from "../helpers/management_api.ts";

const IDLE = JSON.stringify({
  "src-uri": "amqp://",
  "src-exchange": "amq.direct",
  "src-exchange-key": "ctl-idle",
  "dest-uri": "amqp://",
  "dest-exchange": "amq.topic",
});

ctlTest(
  "set_parameter, list_parameters and clear_parameter print rabbitmqctl's banners and table",
  async ({ ctl }) => {
    const set = ok(await ctl("set_parameter", "shovel", "idle", IDLE));
    assert.deepEqual(set.out, [
      `Setting runtime parameter "idle" for component "shovel" to "${IDLE}" in vhost "/" ...`,
    ]);
    const list = ok(await ctl("list_parameters"));
    const stored = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(IDLE)).sort()));
    assert.deepEqual(list.out, [
      'Listing runtime parameters for vhost "/" ...',
      "component\tname\tvalue",
      `shovel\tidle\t${stored}`,
    ]);
    const clear = ok(await ctl("clear_parameter", "shovel", "idle"));
    assert.deepEqual(clear.out, [
      'Clearing runtime parameter "idle" for component "shovel" on vhost "/" ...',
    ]);
    assert.deepEqual(ok(await ctl("list_parameters", "-q")).out, []);
  },
);

ctlTest("set_parameter and clear_parameter fail with rabbitmqctl's texts and exit codes", async ({ ctl }) => {
  const unknown = await ctl("set_parameter", "nosuch", "x", "{}");
  assert.equal(unknown.code, 69);
  assert.equal(unknown.err.join("\n"), "Error: Validation failed\n\ncomponent nosuch not found\n");
  const invalid = await ctl("set_parameter", "shovel", "bad", '{"src-uri":"amqp://"}');
  assert.equal(invalid.code, 69);
  assert.equal(
    invalid.err.join("\n"),
    "Error: Validation failed\n\nMust specify 'src-exchange' or 'src-queue'\nKey \"dest-uri\" not found in bad\n",
  );
  const badUri = await ctl(
    "set_parameter",
    "shovel",
    "bad",
    '{"src-uri":"x://","src-queue":"q","dest-uri":"amqp://"}',
  );
  assert.match(badUri.err.join("\n"), /"x:\/\/" not a valid URI: \{\{unexpected_uri_scheme,"x"\},"x:\/\/"\}/);
  const missing = await ctl("clear_parameter", "shovel", "nonexist");
  assert.deepEqual([missing.code, missing.err.join("\n")], [69, "Error: Parameter does not exist"]);
  const noVhost = await ctl("set_parameter", "-p", "nowhere", "shovel", "x", IDLE);
  assert.deepEqual([noVhost.code, noVhost.err], [65, ["Error: Virtual host 'nowhere' does not exist"]]);
});

ctlTest("the global parameter verbs set, list and clear node-wide values", async ({ ctl }) => {
  const set = ok(await ctl("set_global_parameter", "edge_site", '"berlin"'));
  assert.deepEqual(set.out, ['Setting global runtime parameter "edge_site" to ""berlin"" ...']);
  const list = ok(await ctl("list_global_parameters"));
  assert.deepEqual(list.out, ["Listing global runtime parameters ...", "name\tvalue", 'edge_site\t"berlin"']);
  const clear = ok(await ctl("clear_global_parameter", "edge_site"));
  assert.deepEqual(clear.out, ['Clearing global runtime parameter "edge_site" ...']);
  const again = await ctl("clear_global_parameter", "edge_site");
  assert.deepEqual([again.code, again.err.join("\n")], [69, "Error: Parameter does not exist"]);
});

ctlTest(
  "shovel_status lists shovels; restart_shovel and delete_shovel act on them",
  async ({ ctl, node }) => {
    ok(await ctl("set_parameter", "shovel", "idle", IDLE));
    await until(
      async () => (await ctl("shovel_status", "--formatter", "json")).out.join("\n"),
      (text) => text.includes('"running"'),
      "the shovel running",
    );
    const status = ok(await ctl("shovel_status"));
    assert.equal(status.out[0], `Shovel status on node 127.0.0.1:${node.managementPort}`);
    assert.equal(
      status.out[1],
      [
        "destination",
        "destination_exchange",
        "destination_protocol",
        "last_changed",
        "name",
        "source",
        "source_exchange",
        "source_exchange_key",
        "source_protocol",
        "state",
        "termination_reason",
        "type",
        "vhost",
      ].join("\t"),
    );
    const row = status.out[2].split("\t");
    assert.deepEqual(
      [row[0], row[1], row[2], row[4], row[5], row[6], row[7], row[8], row[9], row[10], row[11], row[12]],
      [
        "amqp://",
        "amq.topic",
        "amqp091",
        "idle",
        "amqp://",
        "amq.direct",
        "ctl-idle",
        "amqp091",
        "running",
        "",
        "dynamic",
        "/",
      ],
    );
    ok(await ctl("restart_shovel", "idle"));
    ok(await ctl("delete_shovel", "idle"));
    assert.deepEqual(ok(await ctl("list_parameters", "-q")).out, []);
    const gone = await ctl("delete_shovel", "idle");
    assert.equal(gone.code, 65);
  },
);
