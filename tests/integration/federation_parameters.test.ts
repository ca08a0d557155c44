// Federation upstreams, upstream sets and federation policies over the
// management API: RabbitMQ's validation texts (in its order), and
// /api/federation-links in RabbitMQ's shape for an exchange link, a queue
// link and a link whose upstream cannot be reached. Links here federate the
// broker from itself (vhost "/"), from other names, so nothing loops.
//
// Every case also runs against RabbitMQ 3.10.8 (rabbitmq_federation_management): the
// run's shared node, or a private one when this file runs alone (tests/helpers/rabbitmq.ts).
// RabbitMQ's link status also has local_connection (an Erlang pid); Warren's
// has messages_forwarded instead.
import assert from "node:assert/strict";
import amqp from "../helpers/amqplib.ts";
import {
  callApi,
  EXTERNAL_MANAGEMENT,
  type ManagedBroker,
  until,
  withBroker,
} from "../helpers/management_api.ts";
import { rabbitMqUnavailable, startTestRabbit } from "../helpers/rabbitmq.ts";

const FEDERATION_PLUGINS = ["rabbitmq_management", "rabbitmq_federation", "rabbitmq_federation_management"];

const SUFFIX = crypto.randomUUID().slice(0, 8);
const name = (s: string) => `fedp-${s}-${SUFFIX}`;

function expectedReason(reasons: string[], n: string): string {
  return `Validation failed\n\n${reasons.map((x) => `${x.replaceAll("NAME", n)}\n`).join("")}`
    .replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

async function upstreamValuesAreRefused({ api }: ManagedBroker): Promise<void> {
  const cases: [unknown, string[]][] = [
    [{}, ['Key "uri" not found in NAME']],
    [{ uri: 5 }, ["uri should be list, actually was 5"]],
    [{ uri: "foo" }, ['"foo" not a valid URI: {{unable_to_parse_uri,no_scheme},"foo"}']],
    [{ uri: ["amqp://", "bar"] }, ['"bar" not a valid URI: {{unable_to_parse_uri,no_scheme},"bar"}']],
    [
      {
        uri: "amqp://",
        "prefetch-count": "x",
        "reconnect-delay": "y",
        "max-hops": "z",
        expires: "e",
        "message-ttl": "m",
        "trust-user-id": 1,
        "ack-mode": "bad",
        exchange: 3,
        queue: 4,
        "consumer-tag": 5,
        "resource-cleanup-mode": "bogus",
        "ha-policy": 1,
        "bind-nowait": "y",
      },
      [
        'bind-nowait should be boolean, actually was <<"y">>',
        "ha-policy should be binary, actually was 1",
        'resource-cleanup-mode should be one of [<<"default">>,<<"never">>], actually was <<"bogus">>',
        'ack-mode should be one of [<<"no-ack">>,<<"on-publish">>,<<"on-confirm">>], actually was <<"bad">>',
        "trust-user-id should be boolean, actually was 1",
        'message-ttl should be a number, actually was <<"m">>',
        'expires should be a number, actually was <<"e">>',
        'max-hops should be a number, actually was <<"z">>',
        'reconnect-delay should be a number, actually was <<"y">>',
        'prefetch-count should be a number, actually was <<"x">>',
        "consumer-tag should be binary, actually was 5",
        "queue should be binary, actually was 4",
        "exchange should be binary, actually was 3",
      ],
    ],
    [{ uri: "amqp://", zzz: 1 }, ['Unrecognised terms [{<<"zzz">>,1}] in NAME']],
  ];
  const n = name("bad");
  for (const [value, reasons] of cases) {
    const r = await api("PUT", `/api/parameters/federation-upstream/%2F/${n}`, { body: { value } });
    assert.deepEqual([r.status, r.body], [400, {
      error: "bad_request",
      reason: expectedReason(reasons, n),
    }]);
  }
  assert.equal((await api("GET", `/api/parameters/federation-upstream/%2F/${n}`)).status, 404);
}

async function upstreamSetEntriesAreChecked({ api }: ManagedBroker): Promise<void> {
  const cases: [unknown, string[]][] = [
    [[{}], ['Key "upstream" not found in NAME']],
    [[{ upstream: 5 }], ["upstream should be binary, actually was 5"]],
    [[{ upstream: "a", "max-hops": "x" }], ['max-hops should be a number, actually was <<"x">>']],
  ];
  const n = name("badset");
  for (const [value, reasons] of cases) {
    const r = await api("PUT", `/api/parameters/federation-upstream-set/%2F/${n}`, { body: { value } });
    assert.deepEqual([r.status, r.body], [400, {
      error: "bad_request",
      reason: expectedReason(reasons, n),
    }]);
  }
  const ok = await api("PUT", `/api/parameters/federation-upstream-set/%2F/${n}`, {
    body: { value: [{ upstream: "a" }, { upstream: "b", "max-hops": 2 }] },
  });
  assert.equal(ok.status, 201);
  assert.equal((await api("DELETE", `/api/parameters/federation-upstream-set/%2F/${n}`)).status, 204);
}

async function policyKeysAreValidated({ api }: ManagedBroker): Promise<void> {
  const cases: [Record<string, unknown>, string][] = [
    [{ "federation-upstream-set": 5 }, "5 is not a valid federation upstream set name"],
    [{ "federation-upstream": 5 }, "5 is not a valid federation upstream name"],
    [
      { "federation-upstream": "a", "federation-upstream-set": "b" },
      "cannot specify federation-upstream, federation-upstream-set or federation-upstream-pattern together",
    ],
  ];
  const n = name("pol");
  for (const [definition, reason] of cases) {
    const r = await api("PUT", `/api/policies/%2F/${n}`, { body: { pattern: "^fedp-", definition } });
    // RabbitMQ ends the reason with a newline; Warren's policy texts do not (the same for every policy key).
    assert.deepEqual([r.status, r.body.error, r.body.reason.trimEnd()], [
      400,
      "bad_request",
      `Validation failed\n\n${reason}`,
    ]);
  }
  // An upstream that does not exist (yet) is accepted, as in RabbitMQ.
  const ok = await api("PUT", `/api/policies/%2F/${n}`, {
    body: { pattern: "^fedp-none-", definition: { "federation-upstream": "nowhere" } },
  });
  assert.equal(ok.status, 201);
  assert.equal((await api("DELETE", `/api/policies/%2F/${n}`)).status, 204);
}

type Link = Record<string, unknown>;

async function linksFor(b: ManagedBroker, key: "exchange" | "queue", value: string): Promise<Link[]> {
  const r = await b.api("GET", "/api/federation-links/%2F");
  assert.equal(r.status, 200);
  return (r.body as Link[]).filter((l) => l[key] === value);
}

async function linksInRabbitMqShape(b: ManagedBroker): Promise<void> {
  const conn = await amqp.connect(b.amqpUrl);
  conn.on("error", () => {});
  const ch = await conn.createChannel();
  const x = name("x");
  const source = name("src");
  const q = name("q");
  const dead = name("dead");
  const up = name("up");
  const upDead = name("updead");
  const pol = name("links");
  const polDead = name("linksdead");
  const port = new URL(b.amqpUrl).port;
  try {
    await ch.assertExchange(x, "fanout", { durable: false });
    await ch.assertExchange(source, "fanout", { durable: false });
    await ch.assertQueue(q, { durable: false });
    await ch.assertQueue(dead, { durable: false });
    const put = (c: string, n: string, value: unknown) =>
      b.api("PUT", `/api/parameters/${c}/%2F/${n}`, { body: { value } });
    assert.equal(
      (await put("federation-upstream", up, {
        uri: `amqp://guest:guest@127.0.0.1:${port}/%2f`,
        exchange: source,
        queue: `${q}-elsewhere`,
        expires: 60_000,
      })).status,
      201,
    );
    // A closed port: the link keeps failing and says why.
    const closed = Deno.listen({ port: 0, hostname: "127.0.0.1" });
    const closedPort = (closed.addr as Deno.NetAddr).port;
    closed.close();
    assert.equal(
      (await put("federation-upstream", upDead, {
        uri: `amqp://guest:guest@127.0.0.1:${closedPort}/%2f`,
        "reconnect-delay": 1,
      })).status,
      201,
    );
    const policy = (n: string, pattern: string, upstream: string) =>
      b.api("PUT", `/api/policies/%2F/${n}`, {
        body: { pattern, "apply-to": "all", definition: { "federation-upstream": upstream } },
      });
    assert.equal((await policy(pol, `^(${x}|${q})$`, up)).status, 201);
    assert.equal((await policy(polDead, `^${dead}$`, upDead)).status, 201);

    const [xl] = await until(() => linksFor(b, "exchange", x), (l) => l[0]?.status === "running", "x link");
    assert.equal(xl.type, "exchange");
    assert.equal(xl.vhost, "/");
    assert.equal(xl.upstream, up);
    assert.equal(xl.upstream_exchange, source);
    assert.equal(xl.uri, `amqp://127.0.0.1:${port}/%2f`);
    assert.match(String(xl.id), /^[0-9a-f]{8}$/);
    assert.match(String(xl.timestamp), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.equal(typeof xl.node, "string");

    const [ql] = await until(() => linksFor(b, "queue", q), (l) => l[0]?.status === "running", "q link");
    assert.equal(ql.type, "queue");
    assert.equal(ql.upstream_queue, `${q}-elsewhere`);
    assert.equal(ql.consumer_tag, `federation-link-${up}`);

    const [dl] = await until(
      () => linksFor(b, "queue", dead),
      (l) => l[0]?.status === "error",
      "dead link",
    );
    assert.equal(dl.upstream, upDead);
    assert.equal(typeof dl.error, "string");
    assert.equal(dl.uri, `amqp://127.0.0.1:${closedPort}/%2f`);
  } finally {
    await b.api("DELETE", `/api/policies/%2F/${pol}`);
    await b.api("DELETE", `/api/policies/%2F/${polDead}`);
    await b.api("DELETE", `/api/parameters/federation-upstream/%2F/${up}`);
    await b.api("DELETE", `/api/parameters/federation-upstream/%2F/${upDead}`);
    for (const e of [x, source]) await ch.deleteExchange(e).catch(() => {});
    for (const n of [q, dead, `${q}-elsewhere`]) await ch.deleteQueue(n).catch(() => {});
    const left = await amqp.connect(b.amqpUrl);
    const lc = await left.createChannel();
    // The exchange link's upstream queue (x-expires would drop it later).
    const r = await b.api("GET", "/api/queues/%2F");
    for (const qq of r.body as { name: string }[]) {
      if (qq.name.startsWith(`federation: ${source} ->`)) await lc.deleteQueue(qq.name).catch(() => {});
    }
    await left.close();
    await conn.close().catch(() => {});
  }
}

async function setEntriesGetLinks(b: ManagedBroker): Promise<void> {
  const conn = await amqp.connect(b.amqpUrl);
  conn.on("error", () => {});
  const ch = await conn.createChannel();
  const q = name("setq");
  const up = name("setup");
  const set = name("set");
  const pol = name("setpol");
  const port = new URL(b.amqpUrl).port;
  try {
    await ch.assertQueue(q, { durable: false });
    const put = (c: string, n: string, value: unknown) =>
      b.api("PUT", `/api/parameters/${c}/%2F/${n}`, { body: { value } });
    assert.equal(
      (await put("federation-upstream", up, { uri: `amqp://guest:guest@127.0.0.1:${port}/%2f` })).status,
      201,
    );
    assert.equal(
      (await put("federation-upstream-set", set, [{ upstream: up, queue: `${q}-src` }, {
        upstream: "missing",
      }]))
        .status,
      201,
    );
    const policy = await b.api("PUT", `/api/policies/%2F/${pol}`, {
      body: { pattern: `^${q}$`, "apply-to": "queues", definition: { "federation-upstream-set": set } },
    });
    assert.equal(policy.status, 201);
    const links = await until(
      () => linksFor(b, "queue", q),
      (l) => l[0]?.status === "running",
      "the set's link",
    );
    assert.deepEqual(links.map((l) => [l.upstream, l.upstream_queue]), [[up, `${q}-src`]]);
  } finally {
    await b.api("DELETE", `/api/policies/%2F/${pol}`);
    await b.api("DELETE", `/api/parameters/federation-upstream-set/%2F/${set}`);
    await b.api("DELETE", `/api/parameters/federation-upstream/%2F/${up}`);
    for (const n of [q, `${q}-src`]) await ch.deleteQueue(n).catch(() => {});
    await conn.close().catch(() => {});
  }
}

const CASES: [string, (b: ManagedBroker) => Promise<void>][] = [
  ["federation-upstream values are refused with RabbitMQ's texts, in its order", upstreamValuesAreRefused],
  [
    "federation-upstream-set entries are checked like upstreams, with upstream mandatory",
    upstreamSetEntriesAreChecked,
  ],
  ["federation policy keys are validated as RabbitMQ validates them", policyKeysAreValidated],
  [
    "/api/federation-links shows exchange and queue links, running or failing, in RabbitMQ's shape",
    linksInRabbitMqShape,
  ],
  ["a policy naming an upstream set runs a link per entry, with the entry's overrides", setEntriesGetLinks],
];

for (const [title, fn] of CASES) {
  Deno.test({ name: title, sanitizeOps: false, sanitizeResources: false, fn: () => withBroker(fn) });
}

Deno.test({
  name: "the same, against RabbitMQ 3.10 (rabbitmq_federation_management)",
  ignore: rabbitMqUnavailable() || EXTERNAL_MANAGEMENT !== null,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const rabbit = await startTestRabbit({ plugins: FEDERATION_PLUGINS });
    // Credentials go in the Authorization header, not the URL.
    const base = rabbit.managementUrl.replace(/\/\/[^@/]*@/, "//");
    const b: ManagedBroker = {
      managementUrl: base,
      amqpUrl: rabbit.url,
      node: null,
      api: (m, p, o) => callApi(base, m, p, o),
      close: () => rabbit.close(),
    };
    try {
      for (const [title, fn] of CASES) await t.step(title, () => fn(b));
    } finally {
      await rabbit.close();
    }
  },
});
