// `warren ctl` verbs run in-process against an in-process node (the e2e
// seed workflow covers the real processes): rabbitmqctl's banners,
// tab-separated tables, --formatter json, exit codes and one-line errors.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "../helpers/amqplib.ts";
import { startTestNode, type TestNode } from "../helpers/broker.ts";
import { ensureCtlSecret } from "../../src/admin/ctl_secret.ts";
import { runCtl } from "../../src/cli/ctl.ts";

interface CtlRun {
  code: number;
  out: string[];
  err: string[];
}

interface Fixture {
  node: TestNode;
  dataDir: string;
  ctl(...args: string[]): Promise<CtlRun>;
  ctlWithStdin(stdin: string, ...args: string[]): Promise<CtlRun>;
}

function ctlTest(name: string, fn: (f: Fixture) => Promise<void>) {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const dataDir = await Deno.makeTempDir({ prefix: "warren-ctl-verbs-" });
      const node = await startTestNode({ ctlSecret: ensureCtlSecret(dataDir) });
      const invoke = async (stdin: string, args: string[]) => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await runCtl(
          ["--data-dir", dataDir, "-n", `127.0.0.1:${node.managementPort}`, ...args],
          {
            io: { out: (l) => out.push(...l.split("\n")), err: (l) => err.push(l) },
            env: {},
            readStdin: () => Promise.resolve(stdin),
          },
        );
        return { code, out, err };
      };
      try {
        await fn({
          node,
          dataDir,
          ctl: (...args) => invoke("", args),
          ctlWithStdin: (stdin, ...args) => invoke(stdin, args),
        });
      } finally {
        await node.close();
        await Deno.remove(dataDir, { recursive: true });
      }
    },
  });
}

function ok(r: CtlRun): CtlRun {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.err.join("\n")}`);
  return r;
}

ctlTest(
  "users: add_user, list_users, set_user_tags, change_password, delete_user",
  async ({ ctl, ctlWithStdin, node }) => {
    const added = ok(await ctl("add_user", "ann", "pw1"));
    assert.deepEqual(added.out, [
      'Adding user "ann" ...',
      "Done. Don't forget to grant the user permissions to some virtual hosts! See 'rabbitmqctl help set_permissions' to learn more.",
    ]);
    const dup = await ctl("add_user", "ann", "pw1");
    assert.deepEqual([dup.code, dup.err], [70, ['Error: User "ann" already exists']]);
    ok(await ctlWithStdin("from-stdin\n", "add_user", "ben"));
    assert.ok(node.server.users.authenticate("ben", "from-stdin"));

    const tagged = ok(await ctl("set_user_tags", "ann", "administrator", "management"));
    assert.equal(tagged.out[0], 'Setting tags for user "ann" to [administrator, management] ...');
    assert.ok(node.server.users.authenticate("ann", "pw1"), "tags keep the password");
    const users = ok(await ctl("list_users"));
    assert.deepEqual(users.out, [
      "Listing users ...",
      "user\ttags",
      "ann\t[administrator, management]",
      "ben\t[]",
      "guest\t[administrator]",
    ]);
    const json = ok(await ctl("list_users", "--formatter", "json"));
    assert.deepEqual(JSON.parse(json.out.join("\n"))[0], {
      user: "ann",
      tags: ["administrator", "management"],
    });
    const quiet = ok(await ctl("-q", "--no-table-headers", "list_users"));
    assert.deepEqual(quiet.out, ["ann\t[administrator, management]", "ben\t[]", "guest\t[administrator]"]);

    ok(await ctl("change_password", "ann", "pw2"));
    assert.ok(node.server.users.authenticate("ann", "pw2"));
    assert.deepEqual(node.server.users.users.get("ann")!.tags, ["administrator", "management"]);

    ok(await ctl("delete_user", "ben"));
    const gone = await ctl("delete_user", "ben");
    assert.deepEqual([gone.code, gone.err], [67, ['Error: User "ben" does not exist']]);
    const noPw = await ctl("change_password", "nobody", "x");
    assert.equal(noPw.code, 67);
  },
);

ctlTest(
  "vhosts and permissions: add_vhost, set/list/clear permissions, delete_vhost",
  async ({ ctl, node }) => {
    ok(await ctl("add_user", "dev", "pw"));
    ok(await ctl("add_vhost", "staging"));
    assert.deepEqual(ok(await ctl("list_vhosts")).out, ["Listing vhosts ...", "name", "/", "staging"]);
    // ctl is not a user: creating a vhost grants nobody permissions.
    assert.equal(node.server.users.permission("staging", "guest"), undefined);

    const set = ok(await ctl("set_permissions", "-p", "staging", "dev", "^dev-", ".*", ".*"));
    assert.deepEqual(set.out, ['Setting permissions for user "dev" in vhost "staging" ...']);
    assert.deepEqual(ok(await ctl("list_permissions", "--vhost", "staging")).out, [
      'Listing permissions for vhost "staging" ...',
      "user\tconfigure\twrite\tread",
      "dev\t^dev-\t.*\t.*",
    ]);
    assert.deepEqual(ok(await ctl("list_user_permissions", "dev")).out, [
      'Listing permissions for user "dev" ...',
      "vhost\tconfigure\twrite\tread",
      "staging\t^dev-\t.*\t.*",
    ]);
    const noVhost = await ctl("set_permissions", "-p", "nope", "dev", ".*", ".*", ".*");
    assert.deepEqual([noVhost.code, noVhost.err], [65, ["Error: Virtual host 'nope' does not exist"]]);
    const noUser = await ctl("set_permissions", "nobody", ".*", ".*", ".*");
    assert.equal(noUser.code, 67);
    const usage = await ctl("set_permissions", "dev", ".*");
    assert.equal(usage.code, 64);

    ok(await ctl("clear_permissions", "-p", "staging", "dev"));
    assert.equal(node.server.users.permission("staging", "dev"), undefined);
    ok(await ctl("clear_permissions", "-p", "staging", "dev")); // nothing left to clear is fine

    ok(await ctl("delete_vhost", "staging"));
    const again = await ctl("delete_vhost", "staging");
    assert.deepEqual([again.code, again.err], [65, ["Error: Virtual host 'staging' does not exist"]]);
  },
);

ctlTest(
  "queues, exchanges, bindings, connections and consumers are listed with rabbitmqctl's columns",
  async ({ ctl, node }) => {
    const conn = await amqp.connect(node.url);
    try {
      const ch = await conn.createConfirmChannel();
      await ch.assertExchange("events", "topic", { durable: true });
      await ch.assertQueue("jobs", { durable: true, arguments: { "x-max-length": 5 } });
      await ch.bindQueue("jobs", "events", "job.*");
      ch.publish("events", "job.new", Buffer.from("1"));
      ch.publish("events", "job.new", Buffer.from("2"));
      await ch.waitForConfirms();
      await ch.consume("jobs", () => {}, { consumerTag: "worker-1", noAck: false });

      const queues = ok(
        await ctl(
          "list_queues",
          "name",
          "messages_ready",
          "messages_unacknowledged",
          "consumers",
          "durable",
          "arguments",
        ),
      );
      assert.deepEqual(queues.out.slice(1), [
        "Listing queues for vhost / ...",
        "name\tmessages_ready\tmessages_unacknowledged\tconsumers\tdurable\targuments",
        'jobs\t0\t2\t1\ttrue\t[{"x-max-length",5}]',
      ]);
      const bad = await ctl("list_queues", "colour");
      assert.deepEqual([bad.code, bad.err], [64, ["Error: Info key(s) colour are not supported"]]);

      const exchanges = ok(await ctl("list_exchanges"));
      assert.equal(exchanges.out[0], "Listing exchanges for vhost / ...");
      assert.equal(exchanges.out[1], "name\ttype");
      assert.ok(exchanges.out.includes("events\ttopic"));
      assert.ok(exchanges.out.includes("\tdirect"), "the default exchange has an empty name");

      const bindings = ok(await ctl("list_bindings"));
      assert.deepEqual(bindings.out, [
        "Listing bindings for vhost /...",
        "source_name\tsource_kind\tdestination_name\tdestination_kind\trouting_key\targuments",
        "\texchange\tjobs\tqueue\tjobs\t[]",
        "events\texchange\tjobs\tqueue\tjob.*\t[]",
      ]);

      const conns = ok(await ctl("list_connections", "user", "peer_host", "state", "channels"));
      assert.deepEqual(conns.out, [
        "Listing connections ...",
        "user\tpeer_host\tstate\tchannels",
        "guest\t127.0.0.1\trunning\t1",
      ]);

      const consumers = ok(
        await ctl("list_consumers", "queue_name", "consumer_tag", "ack_required", "prefetch_count"),
      );
      assert.deepEqual(consumers.out, [
        "Listing consumers in vhost / ...",
        "queue_name\tconsumer_tag\tack_required\tprefetch_count",
        "jobs\tworker-1\ttrue\t0",
      ]);
    } finally {
      await conn.close();
    }
  },
);

ctlTest("purge_queue, delete_queue (with --if-empty) and close_connection", async ({ ctl, node }) => {
  const conn = await amqp.connect(node.url);
  const closed = new Promise<Error>((resolve) => conn.on("close", (e: Error) => resolve(e)));
  conn.on("error", () => {});
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue("tmp", { durable: false });
  ch.sendToQueue("tmp", Buffer.from("a"));
  ch.sendToQueue("tmp", Buffer.from("b"));
  await ch.waitForConfirms();

  const notEmpty = await ctl("delete_queue", "tmp", "--if-empty");
  assert.deepEqual([notEmpty.code, notEmpty.err], [64, ["Error: The queue is not empty"]]);
  assert.equal(notEmpty.out[0], "Deleting queue 'tmp' on vhost '/' if queue is empty ...");
  const purged = ok(await ctl("purge_queue", "tmp"));
  assert.deepEqual(purged.out, ["Purging queue 'tmp' in vhost '/' ..."]);
  assert.equal(node.server.broker.vhost("/")!.queues.get("tmp")!.messageCount, 0);
  ch.sendToQueue("tmp", Buffer.from("c"));
  await ch.waitForConfirms();
  const deleted = ok(await ctl("delete_queue", "tmp"));
  assert.deepEqual(deleted.out, [
    "Deleting queue 'tmp' on vhost '/' ...",
    "Queue was successfully deleted with 1 ready messages",
  ]);
  const missing = await ctl("delete_queue", "tmp");
  assert.deepEqual([missing.code, missing.err], [64, ["Error: No such queue was found"]]);
  assert.equal((await ctl("purge_queue", "tmp")).code, 69); // rabbitmqctl: 69 for a missing queue

  const name = ok(await ctl("-q", "--no-table-headers", "list_connections", "name")).out[0];
  const close = ok(await ctl("close_connection", name, "go away"));
  assert.equal(close.out[0], `Closing connection ${name}, reason: go away...`);
  assert.match(String((await closed)?.message), /320.*go away/);
});

ctlTest(
  "export_definitions and import_definitions round-trip through a file",
  async ({ ctl, dataDir, node }) => {
    ok(await ctl("add_vhost", "exported"));
    ok(await ctl("add_user", "exp", "pw"));
    ok(await ctl("set_permissions", "-p", "exported", "exp", ".*", ".*", ".*"));
    const file = `${dataDir}/defs.json`;
    const exported = ok(await ctl("export_definitions", file));
    assert.deepEqual(exported.out, [`Exporting definitions in JSON to a file at "${file}" ...`]);
    const defs = JSON.parse(await Deno.readTextFile(file));
    assert.ok(defs.vhosts.some((v: { name: string }) => v.name === "exported"));
    const stdout = ok(await ctl("export_definitions", "-"));
    assert.deepEqual(JSON.parse(stdout.out.join("\n")).users, defs.users);

    ok(await ctl("delete_vhost", "exported"));
    ok(await ctl("delete_user", "exp"));
    const imported = ok(await ctl("import_definitions", file));
    assert.equal(imported.out[0], `Importing definitions in JSON from a file at "${file}" ...`);
    assert.ok(node.server.broker.vhost("exported"));
    assert.ok(node.server.users.authenticate("exp", "pw"));
    assert.deepEqual(node.server.users.permission("exported", "exp"), {
      configure: ".*",
      write: ".*",
      read: ".*",
    });

    await Deno.writeTextFile(file, "{broken");
    const broken = await ctl("import_definitions", file);
    assert.equal(broken.code, 65);
    assert.match(broken.err[0], /^Error: Failed to deserialise input \(format: JSON\)/);
    const nofile = await ctl("import_definitions", `${dataDir}/none.json`);
    assert.equal(nofile.code, 65);
  },
);

ctlTest(
  "status reports the node, its listeners and totals; unknown verbs are usage errors",
  async ({ ctl, node }) => {
    const status = ok(await ctl("status"));
    assert.match(status.out[0], /^Status of node 127\.0\.0\.1:\d+ \.\.\.$/);
    assert.ok(status.out.includes("Runtime"));
    assert.ok(
      status.out.some((l) =>
        l === `Interface: 127.0.0.1, port: ${node.port}, protocol: amqp, purpose: AMQP 0-9-1`
      ),
    );
    assert.ok(status.out.includes("Queue count: 0"));
    const json = ok(await ctl("status", "--formatter", "json"));
    assert.equal(JSON.parse(json.out.join("\n")).running, true);
    const unknown = await ctl("frobnicate");
    assert.equal(unknown.code, 64);
    assert.equal(unknown.err.length, 1);
  },
);

Deno.test("ctl against a port with no node fails with exit 69 and one line", async () => {
  const listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const err: string[] = [];
  const code = await runCtl(["-n", `127.0.0.1:${port}`, "list_queues"], {
    io: { out: () => {}, err: (l) => err.push(l) },
    env: {},
  });
  assert.equal(code, 69);
  assert.equal(err.length, 1);
  assert.match(err[0], /^Error: unable to connect to node at 127\.0\.0\.1:\d+: connection refused/);
});

// Banners, texts and exit codes checked with rabbitmqctl 3.10.8 against the
// dev node: list_channels' default columns; authenticate_user's "Success" and
// its exit 65 "invalid credentials" for a wrong password or unknown user;
// ping's "Ping succeeded"; await_startup prints nothing; a missing vhost
// makes list_queues/exchanges/bindings/consumers print their banner and exit
// 0, and list_permissions exit 65 with "Virtual host 'x' does not exist".
ctlTest("list_channels lists the node's channels with rabbitmqctl's columns", async ({ ctl, node }) => {
  assert.deepEqual(ok(await ctl("list_channels")).out, ["Listing channels ..."]);
  const conn = await amqp.connect(node.url);
  try {
    const ch = await conn.createChannel();
    await ch.prefetch(7);
    const listed = ok(await ctl("list_channels"));
    assert.deepEqual(listed.out.slice(0, 2), [
      "Listing channels ...",
      "pid\tuser\tconsumer_count\tmessages_unacknowledged",
    ]);
    assert.match(listed.out[2], /^127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+ \(1\)\tguest\t0\t0$/);
    const picked = ok(await ctl("-q", "list_channels", "number", "vhost", "prefetch_count", "connection"));
    assert.match(picked.out[1], /^1\t\/\t7\t127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+$/);
    assert.equal((await ctl("list_channels", "colour")).code, 64);
  } finally {
    await conn.close();
  }
});

ctlTest("authenticate_user checks a password: Success, or exit 65 invalid credentials", async ({ ctl }) => {
  ok(await ctl("add_user", "plain-user", "s3cret")); // no tags: not a management user, still a user
  assert.deepEqual(ok(await ctl("authenticate_user", "plain-user", "s3cret")).out, [
    'Authenticating user "plain-user" ...',
    "Success",
  ]);
  const wrong = await ctl("authenticate_user", "plain-user", "nope");
  assert.deepEqual([wrong.code, wrong.err], [65, [
    "Error: failed to authenticate user \"plain-user\"\nuser 'plain-user' - invalid credentials",
  ]]);
  assert.equal((await ctl("authenticate_user", "nobody", "x")).code, 65);
});

ctlTest(
  "ping, await_startup, cluster_status and environment describe a running node",
  async ({ ctl, node }) => {
    const ping = ok(await ctl("ping"));
    assert.match(ping.out[0], /^Will ping 127\.0\.0\.1:\d+\. /);
    assert.equal(ping.out[1], "Ping succeeded");
    assert.deepEqual(ok(await ctl("await_startup", "--timeout", "5")).out, []);

    const status = ok(await ctl("cluster_status"));
    assert.match(status.out[0], /^Cluster status of node 127\.0\.0\.1:\d+ \.\.\.$/);
    const name = node.admin.context.nodeName;
    assert.deepEqual(status.out.slice(1, 12), [
      "Basics",
      "",
      "Cluster name: warren",
      "",
      "Disk Nodes",
      "",
      name,
      "",
      "Running Nodes",
      "",
      name,
    ]);
    assert.ok(status.out.includes(`Node: ${name}, interface: 127.0.0.1, port: ${node.port}, protocol: amqp`));
    const json = JSON.parse(ok(await ctl("cluster_status", "--formatter", "json")).out.join("\n"));
    assert.deepEqual([json.cluster_name, json.running_nodes], ["warren", [name]]);

    const env = ok(await ctl("environment"));
    assert.match(env.out[0], /^Application environment of node 127\.0\.0\.1:\d+ \.\.\.$/);
  },
);

ctlTest(
  "a missing vhost: object listings print only their banner (exit 0); permissions exit 65",
  async ({ ctl }) => {
    for (const verb of ["list_queues", "list_exchanges", "list_bindings", "list_consumers"]) {
      const r = ok(await ctl(verb, "-p", "no-such-vhost"));
      assert.ok(
        r.out.every((l) => l.includes("no-such-vhost") || l.startsWith("Timeout:")),
        `${verb}: ${r.out}`,
      );
    }
    assert.deepEqual(ok(await ctl("list_queues", "-p", "no-such-vhost", "--formatter", "json")).out, ["[]"]);
    const perms = await ctl("list_permissions", "-p", "no-such-vhost");
    assert.deepEqual([perms.code, perms.err], [65, ["Error: Virtual host 'no-such-vhost' does not exist"]]);
  },
);
