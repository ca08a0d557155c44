// Policies through the management HTTP API — PUT/GET/DELETE
// /api/policies/{vhost}/{name} with pattern, apply-to, priority and
// definition — checked by what they do to matching queues and exchanges
// over AMQP (amqplib): applied live to existing queues, removed live by
// DELETE, the highest-priority matching policy alone applies, and declare-time
// arguments combine with policies as RabbitMQ 3.10.8 does. Plus the `ctl`
// verbs set_policy / list_policies / clear_policy with rabbitmqctl's texts.
//
// Against RabbitMQ (with the rabbitmq_management plugin):
//   WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5682/ \
//   WARREN_TEST_MANAGEMENT_URL=http://127.0.0.1:15682 \
//     deno test -A tests/integration/policies.test.ts
//
// RabbitMQ applies a policy to a queue asynchronously, and a message-ttl
// policy only to messages published after it reached the queue (messages
// already queued keep "no expiry" and, at the head, block the expiry of
// the ones behind them). So the tests wait for a policy's effect by probing
// behaviour (purge, publish, look) rather than by a fixed sleep.
import assert from "node:assert/strict";
import {
  body,
  channel,
  confirmChannel,
  drain,
  eventually,
  getEventually,
  queueExists,
  readyCount,
  Session,
  sleep,
  uniq,
  withTimeout,
} from "../helpers/amqp_session.ts";
import type { Channel, ConfirmChannel } from "../helpers/amqplib.ts";
import { startTestNode, type TestNode } from "../helpers/broker.ts";
import { ensureCtlSecret } from "../../src/admin/ctl_secret.ts";
import { runCtl } from "../../src/cli/ctl.ts";

const TEST_TIMEOUT_MS = 30_000;
const EXTERNAL_AMQP = Deno.env.get("WARREN_TEST_AMQP_URL");
const EXTERNAL_HTTP = Deno.env.get("WARREN_TEST_MANAGEMENT_URL");
const VHOST = "%2F";

interface Reply {
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
}

class Api {
  readonly policies = new Set<string>();
  constructor(readonly baseUrl: string) {}

  async call(method: string, path: string, json?: unknown): Promise<Reply> {
    const headers: Record<string, string> = { authorization: `Basic ${btoa("guest:guest")}` };
    if (json !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await res.text();
    let parsed: unknown = text;
    if (text !== "" && (res.headers.get("content-type") ?? "").includes("json")) parsed = JSON.parse(text);
    return { status: res.status, body: parsed };
  }

  /** PUT a policy in vhost "/"; remembered for cleanup. */
  async put(name: string, policy: Record<string, unknown>): Promise<Reply> {
    this.policies.add(name);
    return await this.call("PUT", `/api/policies/${VHOST}/${encodeURIComponent(name)}`, policy);
  }

  async del(name: string): Promise<Reply> {
    return await this.call("DELETE", `/api/policies/${VHOST}/${encodeURIComponent(name)}`);
  }

  async cleanup(): Promise<void> {
    for (const name of this.policies) await this.del(name).catch(() => {});
  }
}

interface Fixture {
  s: Session;
  api: Api;
  /** The in-process node (null against an external broker). */
  node: TestNode | null;
}

function policyTest(name: string, fn: (f: Fixture) => Promise<void>) {
  Deno.test({
    name: `policies: ${name}`,
    // against an external broker only with its management API
    ignore: Boolean(EXTERNAL_AMQP) && !EXTERNAL_HTTP,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const node = EXTERNAL_AMQP ? null : await startTestNode();
      const s = new Session(node ? node.url : EXTERNAL_AMQP!);
      const api = new Api(node ? node.managementUrl : EXTERNAL_HTTP!);
      try {
        await withTimeout(fn({ s, api, node }), TEST_TIMEOUT_MS, name);
      } finally {
        await api.cleanup();
        await s.close();
        await node?.close();
      }
    },
  });
}

/** Purges q, publishes one probe message and reports whether it expired within waitMs. */
async function probeExpires(ch: Channel, q: string, waitMs = 300): Promise<boolean> {
  await ch.purgeQueue(q);
  ch.sendToQueue(q, body("probe"));
  await sleep(waitMs);
  return (await readyCount(ch, q)) === 0;
}

function publishConfirmed(ch: ConfirmChannel, q: string, content: string): Promise<boolean> {
  return new Promise((resolve) => ch.sendToQueue(q, body(content), {}, (err: unknown) => resolve(!err)));
}

// ---------------------------------------------------------------- the API

policyTest(
  "PUT creates (201) and updates (204), GET shows RabbitMQ's shape, DELETE removes (204, then 404)",
  async ({ api }) => {
    const name = uniq("pol");
    const created = await api.put(name, {
      pattern: "^nothing-matches-this$",
      "apply-to": "queues",
      priority: 7,
      definition: { "message-ttl": 1000, "max-length": 5 },
    });
    assert.equal(created.status, 201);
    const updated = await api.put(name, {
      pattern: "^nothing-matches-this$",
      "apply-to": "queues",
      priority: 8,
      definition: { "message-ttl": 2000 },
    });
    assert.equal(updated.status, 204);
    const one = await api.call("GET", `/api/policies/${VHOST}/${name}`);
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, {
      vhost: "/",
      name,
      pattern: "^nothing-matches-this$",
      "apply-to": "queues",
      definition: { "message-ttl": 2000 },
      priority: 8,
    });
    for (const path of ["/api/policies", `/api/policies/${VHOST}`]) {
      const list = await api.call("GET", path);
      assert.equal(list.status, 200, path);
      assert.deepEqual(list.body.filter((p: { name: string }) => p.name === name), [one.body], path);
    }
    // apply-to and priority default to "all" and 0
    const defaults = uniq("pol-defaults");
    assert.equal((await api.put(defaults, { pattern: "^x$", definition: { "max-length": 1 } })).status, 201);
    const d = await api.call("GET", `/api/policies/${VHOST}/${defaults}`);
    assert.deepEqual([d.body["apply-to"], d.body.priority], ["all", 0]);
    // listed by ascending priority, as RabbitMQ sorts them
    const hi = uniq("pol-order-hi");
    const lo = uniq("pol-order-lo");
    await api.put(hi, { pattern: "^x$", priority: 9, definition: { "max-length": 1 } });
    await api.put(lo, { pattern: "^x$", priority: 2, definition: { "max-length": 1 } });
    const ordered = (await api.call("GET", `/api/policies/${VHOST}`)).body
      .map((p: { name: string }) => p.name)
      .filter((n: string) => n === hi || n === lo);
    assert.deepEqual(ordered, [lo, hi]);

    assert.equal((await api.del(name)).status, 204);
    assert.equal((await api.del(name)).status, 404);
    const gone = await api.call("GET", `/api/policies/${VHOST}/${name}`);
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.body, { error: "Object Not Found", reason: "Not Found" });
  },
);

policyTest(
  "invalid policies are 400 bad_request with RabbitMQ's reasons; an unknown vhost is 404",
  async ({ api }) => {
    const name = uniq("pol-bad");
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ pattern: "^x$", definition: { "message-ttl": "abc" } }, "is not a valid message TTL"],
      [{ pattern: "^x$", definition: { "max-length": -1 } }, "-1 is not a valid maximum length"],
      [{ pattern: "^x$", definition: { overflow: "nope" } }, "is not a valid overflow value"],
      [{ pattern: "^x$", definition: { "bogus-key": 1 } }, "are not recognised policy settings"],
      [{ pattern: "^x$", definition: {} }, "no policy provided"],
      [
        { pattern: "(", definition: { "max-length": 1 } },
        "pattern should be regular expression but is invalid",
      ],
      [
        { pattern: "^x$", "apply-to": "foo", definition: { "max-length": 1 } },
        "apply-to 'foo' unrecognised; should be 'queues', 'exchanges' or 'all'",
      ],
    ];
    for (const [policy, reason] of cases) {
      const r = await api.put(name, policy);
      assert.equal(r.status, 400, JSON.stringify(policy));
      assert.equal(r.body.error, "bad_request", JSON.stringify(policy));
      assert.ok(String(r.body.reason).includes(reason), `${JSON.stringify(policy)}: reason ${r.body.reason}`);
    }
    assert.equal((await api.call("GET", `/api/policies/${VHOST}/${name}`)).status, 404, "nothing stored");
    const noVhost = await api.call("PUT", `/api/policies/no-such-vhost/${name}`, {
      pattern: "^x$",
      definition: { "max-length": 1 },
    });
    assert.equal(noVhost.status, 404);
    assert.deepEqual(noVhost.body, { error: "not_found", reason: "vhost_not_found" });
  },
);

// ---------------------------------------------------------------- effects

policyTest(
  "a message-ttl policy applies live to an existing queue; deleting it stops the expiry",
  async ({ s, api }) => {
    const ch = await channel(await s.connect());
    const q = s.queue("pol-ttl");
    await ch.assertQueue(q);
    assert.equal(await probeExpires(ch, q), false, "no TTL before the policy");
    const name = uniq("pol-ttl");
    await api.put(name, { pattern: `^${q}$`, "apply-to": "queues", definition: { "message-ttl": 100 } });
    await eventually(() => probeExpires(ch, q), true, "messages expire under the policy", 5_000);
    assert.equal((await api.del(name)).status, 204);
    await eventually(() => probeExpires(ch, q, 400), false, "no expiry once the policy is gone", 5_000);
  },
);

policyTest(
  "a max-length policy trims an existing queue live; clearing it lifts the limit",
  async ({ s, api }) => {
    const ch = await channel(await s.connect());
    const q = s.queue("pol-maxlen");
    await ch.assertQueue(q);
    for (let i = 1; i <= 5; i++) ch.sendToQueue(q, body(`m${i}`));
    await eventually(() => readyCount(ch, q), 5, "five queued");
    const name = uniq("pol-maxlen");
    await api.put(name, { pattern: `^${q}$`, "apply-to": "queues", definition: { "max-length": 2 } });
    await eventually(() => readyCount(ch, q), 2, "trimmed to the policy's max-length", 5_000);
    for (let i = 6; i <= 8; i++) ch.sendToQueue(q, body(`m${i}`));
    await sleep(200);
    assert.equal(await readyCount(ch, q), 2, "new publishes are limited too");
    assert.deepEqual(await drain(ch, q), ["m7", "m8"], "drop-head");
    assert.equal((await api.del(name)).status, 204);
    await eventually(
      async () => {
        await ch.purgeQueue(q);
        for (let i = 0; i < 4; i++) ch.sendToQueue(q, body(`n${i}`));
        await sleep(150);
        return await readyCount(ch, q);
      },
      4,
      "no limit once the policy is cleared",
      5_000,
    );
  },
);

policyTest(
  "dead-letter-exchange and dead-letter-routing-key policies route rejected messages",
  async ({ s, api }) => {
    const ch = await channel(await s.connect());
    const dlx = s.exchange("pol-dlx");
    const dlq = s.queue("pol-dlq");
    const q = s.queue("pol-dl-src");
    await ch.assertExchange(dlx, "direct", { durable: false });
    await ch.assertQueue(dlq);
    await ch.bindQueue(dlq, dlx, "from-policy");
    await ch.assertQueue(q);
    await api.put(uniq("pol-dl"), {
      pattern: `^${q}$`,
      "apply-to": "queues",
      definition: { "dead-letter-exchange": dlx, "dead-letter-routing-key": "from-policy" },
    });
    // reject until one arrives in the dead-letter queue (the policy reaches the queue asynchronously)
    const deadline = Date.now() + 5_000;
    let dead = false;
    while (!dead && Date.now() < deadline) {
      ch.sendToQueue(q, body("reject me"));
      const m = await getEventually(ch, q, false);
      ch.reject(m, false);
      await sleep(100);
      dead = (await readyCount(ch, dlq)) > 0;
    }
    assert.ok(dead, "a rejected message reached the policy's dead-letter exchange");
    const d = await getEventually(ch, dlq);
    assert.equal(d.fields.routingKey, "from-policy");
    // deno-lint-ignore no-explicit-any
    const death = (d.properties.headers as Record<string, any>)["x-death"][0];
    assert.deepEqual([death.queue, death.reason], [q, "rejected"]);
  },
);

policyTest(
  "declare-time arguments and policies: the queue's string arguments win, numeric limits take the lower value",
  async ({ s, api }) => {
    // RabbitMQ 3.10 (rabbit_amqqueue_process:process_args_policy): for
    // message-ttl, expires, max-length and max-length-bytes it applies the
    // LOWER of the argument and the policy value; for dead-letter-exchange,
    // dead-letter-routing-key and overflow the argument wins. Warren is held
    // to the same rule.
    const ch = await channel(await s.connect());
    const prefix = uniq("pol-args");
    const argLower = `${prefix}-arg-lower`;
    const policyLower = `${prefix}-policy-lower`;
    const dlArg = `${prefix}-dl-arg`;
    for (const q of [argLower, policyLower, dlArg]) s.queues.add(q);
    const dlxArg = s.exchange("dlx-arg");
    const dlxPolicy = s.exchange("dlx-policy");
    const fromArg = s.queue("from-arg");
    const fromPolicy = s.queue("from-policy");
    for (const [x, q] of [[dlxArg, fromArg], [dlxPolicy, fromPolicy]]) {
      await ch.assertExchange(x, "fanout", { durable: false });
      await ch.assertQueue(q);
      await ch.bindQueue(q, x, "");
    }
    await ch.assertQueue(argLower, { maxLength: 2 });
    await ch.assertQueue(policyLower, { maxLength: 10 });
    await ch.assertQueue(dlArg, { deadLetterExchange: dlxArg });
    await api.put(uniq("pol-args"), {
      pattern: `^${prefix}-`,
      "apply-to": "queues",
      definition: { "max-length": 4, "dead-letter-exchange": dlxPolicy },
    });
    // policyLower: 10 (argument) vs 4 (policy) -> 4, once the policy arrives
    await eventually(
      async () => {
        await ch.purgeQueue(policyLower);
        for (let i = 0; i < 6; i++) ch.sendToQueue(policyLower, body(`${i}`));
        await sleep(150);
        return await readyCount(ch, policyLower);
      },
      4,
      "the policy's lower max-length applies",
      5_000,
    );
    // argLower: 2 (argument) vs 4 (policy) -> 2
    for (let i = 0; i < 6; i++) ch.sendToQueue(argLower, body(`${i}`));
    await sleep(200);
    assert.equal(await readyCount(ch, argLower), 2, "the argument's lower max-length applies");
    // dlArg: its own x-dead-letter-exchange beats the policy's
    ch.sendToQueue(dlArg, body("dead"));
    ch.reject(await getEventually(ch, dlArg, false), false);
    assert.equal((await getEventually(ch, fromArg)).content.toString(), "dead");
    await sleep(100);
    // (the policy's DLX does collect what policyLower drops)
    assert.ok(!(await drain(ch, fromPolicy)).includes("dead"), "not to the policy's DLX");
  },
);

policyTest(
  "of two matching policies the higher priority applies alone (definitions are not merged)",
  async ({ s, api }) => {
    const ch = await channel(await s.connect());
    const q = s.queue("pol-prio");
    await ch.assertQueue(q);
    const low = uniq("pol-low");
    const high = uniq("pol-high");
    await api.put(low, {
      pattern: `^${q}$`,
      priority: 1,
      definition: { "max-length": 1, "message-ttl": 1_000 },
    });
    await api.put(high, { pattern: `^${q.slice(0, -4)}`, priority: 5, definition: { "max-length": 3 } });
    const fill = async () => {
      await ch.purgeQueue(q);
      for (let i = 0; i < 5; i++) ch.sendToQueue(q, body(`${i}`));
      await sleep(150);
      return await readyCount(ch, q);
    };
    await eventually(fill, 3, "the high-priority policy's max-length", 5_000);
    await sleep(1_300);
    assert.equal(await readyCount(ch, q), 3, "the low-priority policy's message-ttl does not apply");
    assert.equal((await api.del(high)).status, 204);
    await eventually(fill, 1, "the remaining policy applies once the higher one is gone", 5_000);
    await eventually(() => probeExpires(ch, q, 1_300), true, "with its message-ttl", 5_000);
  },
);

policyTest(
  "apply-to: an exchanges policy sets alternate-exchange; it does not touch queues",
  async ({ s, api }) => {
    const ch = await channel(await s.connect());
    const prefix = uniq("pol-apply");
    const x = `${prefix}-x`;
    const q = `${prefix}-q`;
    s.exchanges.add(x);
    s.queues.add(q);
    const ae = s.exchange("pol-ae");
    const aeq = s.queue("pol-ae-q");
    await ch.assertExchange(ae, "fanout", { durable: false });
    await ch.assertQueue(aeq);
    await ch.bindQueue(aeq, ae, "");
    await ch.assertExchange(x, "direct", { durable: false });
    await ch.assertQueue(q);
    await api.put(uniq("pol-x"), {
      pattern: `^${prefix}-`,
      "apply-to": "exchanges",
      definition: { "alternate-exchange": ae, "max-length": 1 },
    });
    const deadline = Date.now() + 5_000;
    let caught = 0;
    while (caught === 0 && Date.now() < deadline) {
      ch.publish(x, "unroutable", body("to-ae"));
      await sleep(100);
      caught = await readyCount(ch, aeq);
    }
    assert.ok(caught > 0, "unroutable messages go to the policy's alternate exchange");
    for (let i = 0; i < 3; i++) ch.sendToQueue(q, body(`${i}`));
    await sleep(200);
    assert.equal(await readyCount(ch, q), 3, "an exchanges policy's max-length does not apply to queues");
  },
);

policyTest("an exchange's alternate-exchange argument wins over a policy's", async ({ s, api }) => {
  const ch = await channel(await s.connect());
  const prefix = uniq("pol-ae-arg");
  const withArg = `${prefix}-with-arg`;
  const without = `${prefix}-without`;
  s.exchanges.add(withArg);
  s.exchanges.add(without);
  const aeArg = s.exchange("ae-arg");
  const aePolicy = s.exchange("ae-policy");
  const qArg = s.queue("ae-arg-q");
  const qPolicy = s.queue("ae-policy-q");
  for (const [e, q] of [[aeArg, qArg], [aePolicy, qPolicy]]) {
    await ch.assertExchange(e, "fanout", { durable: false });
    await ch.assertQueue(q);
    await ch.bindQueue(q, e, "");
  }
  await ch.assertExchange(withArg, "direct", { durable: false, alternateExchange: aeArg });
  await ch.assertExchange(without, "direct", { durable: false });
  await api.put(uniq("pol-ae"), { pattern: `^${prefix}-`, definition: { "alternate-exchange": aePolicy } });
  // the policy is in force once the exchange without the argument uses it
  const deadline = Date.now() + 5_000;
  while ((await readyCount(ch, qPolicy)) === 0 && Date.now() < deadline) {
    ch.publish(without, "nowhere", body("probe"));
    await sleep(100);
  }
  assert.ok((await readyCount(ch, qPolicy)) > 0, "the policy's alternate exchange is in force");
  await ch.purgeQueue(qPolicy);
  for (let i = 0; i < 3; i++) ch.publish(withArg, "nowhere", body(`${i}`));
  await eventually(() => readyCount(ch, qArg), 3, "to the argument's alternate exchange");
  assert.equal(await readyCount(ch, qPolicy), 0, "not to the policy's");
});

policyTest("an expires policy deletes unused matching queues", async ({ s, api }) => {
  const conn = await s.connect();
  const ch = await channel(conn);
  const prefix = uniq("pol-expires");
  const q = `${prefix}-q`;
  s.queues.add(q);
  await ch.assertQueue(q);
  await api.put(uniq("pol-exp"), {
    pattern: `^${prefix}-`,
    "apply-to": "queues",
    definition: { expires: 300 },
  });
  // a passive declare restarts the expiry period, so look rarely
  const deadline = Date.now() + 6_000;
  let exists = true;
  while (exists && Date.now() < deadline) {
    await sleep(1_000);
    exists = await queueExists(conn, q);
  }
  assert.equal(exists, false, "deleted by the policy's expires");
});

policyTest("an overflow policy reject-publish nacks publishes beyond max-length", async ({ s, api }) => {
  const ch = await confirmChannel(await s.connect());
  const q = s.queue("pol-overflow");
  await ch.assertQueue(q);
  await api.put(uniq("pol-of"), {
    pattern: `^${q}$`,
    "apply-to": "queues",
    definition: { "max-length": 1, overflow: "reject-publish" },
  });
  await eventually(
    async () => {
      await ch.purgeQueue(q);
      const first = await publishConfirmed(ch, q, "a");
      const second = await publishConfirmed(ch, q, "b");
      return `${first},${second}`;
    },
    "true,false",
    "the second publish is nacked",
    5_000,
  );
  assert.deepEqual(await drain(ch, q), ["a"]);
});

policyTest(
  "GET /api/queues/{vhost}/{name} shows the queue's arguments, its policy and the effective definition",
  async ({ s, api }) => {
    const ch = await channel(await s.connect());
    const q = s.queue("pol-shown");
    await ch.assertQueue(q, { maxLength: 10 });
    const name = uniq("pol-shown");
    await api.put(name, {
      pattern: `^${q}$`,
      "apply-to": "queues",
      definition: { "message-ttl": 60_000, "max-length": 3 },
    });
    // RabbitMQ's management API refreshes queue details every 5 s
    const deadline = Date.now() + 12_000;
    // deno-lint-ignore no-explicit-any
    let info: any = null;
    while (Date.now() < deadline) {
      info = (await api.call("GET", `/api/queues/${VHOST}/${encodeURIComponent(q)}`)).body;
      if (info?.policy === name) break;
      await sleep(250);
    }
    assert.equal(info?.policy, name, `policy shown: ${JSON.stringify(info)}`);
    assert.deepEqual(info.arguments, { "x-max-length": 10 });
    assert.deepEqual(info.effective_policy_definition, { "max-length": 3, "message-ttl": 60_000 });
  },
);

// ---------------------------------------------------------------- ctl verbs

// Warren only: the same verbs against RabbitMQ are rabbitmqctl's, whose
// output these lines copy (captured from rabbitmqctl 3.10.8).
Deno.test({
  name:
    "policies: ctl set_policy / list_policies / clear_policy print rabbitmqctl's lines and change the node",
  ignore: Boolean(EXTERNAL_AMQP),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "warren-policies-ctl-" });
    const node = await startTestNode({ ctlSecret: ensureCtlSecret(dataDir) });
    const s = new Session(node.url);
    const ctl = async (...args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCtl(
        ["--data-dir", dataDir, "-n", `127.0.0.1:${node.managementPort}`, ...args],
        {
          io: { out: (l) => out.push(...l.split("\n")), err: (l) => err.push(l) },
          env: {},
          readStdin: () => Promise.resolve(""),
        },
      );
      return { code, out: out.filter((l) => l !== ""), err: err.join("\n") };
    };
    try {
      await withTimeout(
        (async () => {
          const set = await ctl(
            "set_policy",
            "ctlp",
            "^ctlp-",
            '{"max-length":5}',
            "--apply-to",
            "queues",
            "--priority",
            "3",
          );
          assert.equal(set.code, 0, set.err);
          assert.deepEqual(set.out, [
            'Setting policy "ctlp" for pattern "^ctlp-" to "{"max-length":5}" with priority "3" for vhost "/" ...',
          ]);
          const set2 = await ctl("set_policy", "pp", "^pp", '{"max-length":1,"dead-letter-exchange":"d"}');
          assert.equal(set2.code, 0, set2.err);
          const list = await ctl("list_policies");
          // rabbitmqctl lists by ascending priority, definition keys sorted
          assert.equal(list.code, 0, list.err);
          assert.deepEqual(list.out, [
            'Listing policies for vhost "/" ...',
            "vhost\tname\tpattern\tapply-to\tdefinition\tpriority",
            '/\tpp\t^pp\tall\t{"dead-letter-exchange":"d","max-length":1}\t0',
            '/\tctlp\t^ctlp-\tqueues\t{"max-length":5}\t3',
          ]);
          const json = await ctl("list_policies", "--formatter", "json");
          assert.deepEqual(JSON.parse(json.out.join("\n")), [
            {
              vhost: "/",
              name: "pp",
              pattern: "^pp",
              "apply-to": "all",
              definition: '{"dead-letter-exchange":"d","max-length":1}',
              priority: 0,
            },
            {
              vhost: "/",
              name: "ctlp",
              pattern: "^ctlp-",
              "apply-to": "queues",
              definition: '{"max-length":5}',
              priority: 3,
            },
          ]);

          // the policy is live: a matching queue is limited to 5
          const ch = await channel(await s.connect());
          const q = `ctlp-${crypto.randomUUID().slice(0, 8)}`;
          s.queues.add(q);
          await ch.assertQueue(q);
          for (let i = 0; i < 8; i++) ch.sendToQueue(q, body(`${i}`));
          await eventually(() => readyCount(ch, q), 5, "max-length from the ctl policy");

          // list_queues prints each queue's policy and arguments (rabbitmqctl's text form)
          const withArgs = `ctlp-args-${crypto.randomUUID().slice(0, 8)}`;
          s.queues.add(withArgs);
          await ch.assertQueue(withArgs, {
            arguments: { "x-max-length": 10, "x-dead-letter-exchange": "dlx" },
          });
          const lq = await ctl("list_queues", "name", "policy", "arguments", "-q");
          assert.equal(lq.code, 0, lq.err);
          assert.deepEqual(
            lq.out.filter((l) => l.startsWith("ctlp-")).sort(),
            [
              `${q}\tctlp\t[]`,
              `${withArgs}\tctlp\t[{"x-max-length",10},{"x-dead-letter-exchange","dlx"}]`,
            ].sort(),
          );
          await ch.deleteQueue(withArgs);

          const clear = await ctl("clear_policy", "ctlp");
          assert.equal(clear.code, 0, clear.err);
          assert.deepEqual(clear.out, ['Clearing policy "ctlp" on vhost "/" ...']);
          for (let i = 0; i < 3; i++) ch.sendToQueue(q, body(`${i}`));
          await eventually(() => readyCount(ch, q), 8, "limit gone after clear_policy");

          const missing = await ctl("clear_policy", "ctlp");
          assert.equal(missing.code, 69);
          assert.match(missing.err, /Parameter does not exist/);
          const badJson = await ctl("set_policy", "bad", "^x", "notjson");
          assert.equal(badJson.code, 69);
          assert.match(badJson.err, /JSON decoding error/);
          const badValue = await ctl("set_policy", "bad", "^x", '{"max-length":"a"}');
          assert.equal(badValue.code, 69);
          assert.match(badValue.err, /Validation failed/);
          assert.match(badValue.err, /is not a valid maximum length/);
          const badApply = await ctl("set_policy", "bad", "^x", '{"max-length":1}', "--apply-to", "foo");
          assert.equal(badApply.code, 69);
          assert.match(badApply.err, /apply-to 'foo' unrecognised; should be 'queues', 'exchanges' or 'all'/);
          const noVhost = await ctl("set_policy", "-p", "nov", "bad", "^x", '{"max-length":1}');
          assert.equal(noVhost.code, 65);
          assert.match(noVhost.err, /Virtual host '?nov'? does not exist/);
          const after = await ctl("list_policies", "-q");
          assert.deepEqual(after.out, [
            "vhost\tname\tpattern\tapply-to\tdefinition\tpriority",
            '/\tpp\t^pp\tall\t{"dead-letter-exchange":"d","max-length":1}\t0',
          ]);
        })(),
        TEST_TIMEOUT_MS,
        "ctl policies",
      );
    } finally {
      await s.close();
      await node.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
