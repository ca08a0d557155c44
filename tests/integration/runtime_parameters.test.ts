// Runtime and global parameters over the management API: RabbitMQ's paths,
// shapes, status codes, access rules and validation texts (component not
// found, the shovel component's checks in its order), definitions carrying
// both kinds, and — Warren only — parameters surviving a restart.
//
// Also run green against RabbitMQ 3.10.8 (with rabbitmq_shovel):
//   WARREN_TEST_MANAGEMENT_URL=http://127.0.0.1:15682 WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5682/ \
//   deno test -A tests/integration/runtime_parameters.test.ts
// Names carry a random suffix and everything created is removed.
import assert from "node:assert/strict";
import { startServer } from "../../src/server/server.ts";
import { startAdminServer } from "../../src/admin/admin_server.ts";
import { SqliteStore } from "../../src/store/sqlite_store.ts";
import { callApi, withBroker } from "../helpers/management_api.ts";

const SUFFIX = crypto.randomUUID().slice(0, 8);
const name = (s: string) => `rp-${s}-${SUFFIX}`;

/** A shovel that moves nothing: from a private routing key of amq.direct to amq.topic. */
function idleShovel(key: string): Record<string, unknown> {
  return {
    "src-uri": "amqp://",
    "src-exchange": "amq.direct",
    "src-exchange-key": key,
    "dest-uri": "amqp://",
    "dest-exchange": "amq.topic",
  };
}

Deno.test("a parameter of an unknown component is refused with RabbitMQ's 400; missing ones are 404", async () => {
  await withBroker(async ({ api }) => {
    const put = await api("PUT", `/api/parameters/nosuch/%2F/${name("x")}`, { body: { value: {} } });
    assert.equal(put.status, 400);
    assert.deepEqual(put.body, {
      error: "bad_request",
      reason: "Validation failed\n\ncomponent nosuch not found\n",
    });
    assert.equal((await api("GET", `/api/parameters/shovel/%2F/${name("none")}`)).status, 404);
    assert.equal((await api("DELETE", `/api/parameters/shovel/%2F/${name("none")}`)).status, 404);
    assert.equal((await api("GET", `/api/parameters/shovel/${name("novhost")}`)).status, 404);
    const noVhost = await api("PUT", `/api/parameters/shovel/${name("novhost")}/x`, { body: { value: {} } });
    assert.deepEqual([noVhost.status, noVhost.body], [404, {
      error: "not_found",
      reason: "vhost_not_found",
    }]);
    const noValue = await api("PUT", `/api/parameters/shovel/%2F/${name("x")}`, { body: { other: 1 } });
    assert.deepEqual([noValue.status, noValue.body.reason], [400, "[{key_missing,value}]"]);
    assert.deepEqual((await api("GET", "/api/parameters/nosuch")).body, []);
  });
});

Deno.test("shovel values are checked with RabbitMQ's texts, in its order, HTML-escaped", async () => {
  const cases: [Record<string, unknown>, string[]][] = [
    [{}, [
      "Must specify 'src-exchange' or 'src-queue'",
      'Key "dest-uri" not found in NAME',
      'Key "src-uri" not found in NAME',
    ]],
    [{ "src-uri": "amqp://", "dest-uri": "amqp://" }, ["Must specify 'src-exchange' or 'src-queue'"]],
    [
      { "src-uri": "amqp://", "dest-uri": "amqp://", "src-queue": "a", "src-exchange": "b" },
      ["Cannot specify 'src-exchange' and 'src-queue'"],
    ],
    [
      {
        "src-uri": "amqp://",
        "dest-uri": "amqp://",
        "src-queue": "a",
        "dest-queue": "b",
        "dest-exchange": "c",
      },
      ["Cannot specify 'dest-exchange' and 'dest-queue'"],
    ],
    [
      { "src-uri": "foo://", "dest-uri": "amqp://", "src-queue": "a" },
      ['"foo://" not a valid URI: {{unexpected_uri_scheme,"foo"},"foo://"}'],
    ],
    [
      { "src-uri": "amqp://h/a/b", "dest-uri": "amqp://", "src-queue": "a" },
      ['"amqp://h/a/b" not a valid URI: {{invalid_vhost,"a/b"},"amqp://h/a/b"}'],
    ],
    [{ "src-uri": ["amqp://", 3], "dest-uri": "amqp://", "src-queue": "a" }, [
      "src-uri should be list, actually was 3",
    ]],
    [{ "src-uri": "amqp:///nosuchvhost-rp", "dest-uri": "amqp://", "src-queue": "a" }, [
      'user "guest" may not connect to vhost "nosuchvhost-rp"',
    ]],
    [
      {
        "src-uri": "amqp://",
        "dest-uri": "amqp://",
        "src-queue": "a",
        "ack-mode": "x",
        "src-prefetch-count": "a",
        "reconnect-delay": -1,
        "src-delete-after": "foo",
      },
      [
        'src-delete-after should be a number greater than or equal to 0, "never" or "queue-length", actually was <<"foo">>',
        'src-prefetch-count should be a number, actually was <<"a">>',
        'ack-mode should be one of [<<"no-ack">>,<<"on-publish">>,<<"on-confirm">>], actually was <<"x">>',
      ],
    ],
    [
      { "src-uri": "amqp://", "dest-uri": "amqp://", "src-queue": "a", "bogus": 1 },
      ['Unrecognised terms [{<<"bogus">>,1}] in NAME'],
    ],
    [
      { "src-uri": "amqp://", "dest-uri": "amqp://", "src-queue": "a", "dest-add-forward-headers": "x" },
      ['dest-add-forward-headers should be boolean, actually was <<"x">>'],
    ],
    [
      { "src-uri": "amqp://", "dest-uri": "amqp://", "src-queue": "a", "dest-exchange-key": 3 },
      ["dest-exchange-key should be binary, actually was 3"],
    ],
    [
      { "src-uri": "amqp://", "dest-uri": "amqp://", "src-queue": "a", "dest-publish-properties": 3 },
      ["dest-publish-properties not a list 3"],
    ],
    [
      { "src-uri": "amqp://", "dest-uri": "amqp://", "src-queue": "a", "dest-queue-args": [1] },
      ["Unrecognised terms [1] in dest-queue-args"],
    ],
    [
      {
        "src-uri": "amqp://",
        "dest-uri": "amqp://",
        "src-queue": "a",
        "src-delete-after": 3,
        "ack-mode": "no-ack",
      },
      ["Cannot specify 'no-ack' and numerical 'delete-after'"],
    ],
  ];
  await withBroker(async ({ api }) => {
    const n = name("bad");
    for (const [value, reasons] of cases) {
      const r = await api("PUT", `/api/parameters/shovel/%2F/${n}`, { body: { value } });
      const expected = `Validation failed\n\n${reasons.map((x) => `${x.replaceAll("NAME", n)}\n`).join("")}`
        .replaceAll("<", "&lt;").replaceAll(">", "&gt;");
      assert.deepEqual(
        [r.status, r.body],
        [400, { error: "bad_request", reason: expected }],
        JSON.stringify(value),
      );
    }
    assert.equal((await api("GET", `/api/parameters/shovel/%2F/${n}`)).status, 404);
  });
});

Deno.test("a shovel parameter is created (201), updated (204), listed, read and cleared in RabbitMQ's shape", async () => {
  await withBroker(async ({ api }) => {
    const n = name("ok");
    const path = `/api/parameters/shovel/%2F/${n}`;
    try {
      assert.equal((await api("PUT", path, { body: { value: idleShovel(n) } })).status, 201);
      const updated = { ...idleShovel(n), "src-prefetch-count": 10 };
      assert.equal((await api("PUT", path, { body: { value: updated } })).status, 204);
      const one = await api("GET", path);
      assert.deepEqual(one.body, { value: updated, vhost: "/", component: "shovel", name: n });
      assert.deepEqual(Object.keys(one.body), ["value", "vhost", "component", "name"]);
      for (const list of ["/api/parameters", "/api/parameters/shovel", "/api/parameters/shovel/%2F"]) {
        const mine = (await api("GET", list)).body.filter((p: { name: string }) => p.name === n);
        assert.deepEqual(mine, [one.body], list);
      }
      assert.deepEqual(
        (await api("GET", "/api/parameters/federation-upstream")).body.filter((p: { name: string }) =>
          p.name === n
        ),
        [],
      );
      assert.equal((await api("DELETE", path)).status, 204);
      assert.equal((await api("GET", path)).status, 404);
    } finally {
      await api("DELETE", path);
    }
  });
});

Deno.test("global parameters are set (201/204), read, listed and cleared", async () => {
  await withBroker(async ({ api }) => {
    const n = name("global");
    const path = `/api/global-parameters/${n}`;
    try {
      assert.equal((await api("PUT", path, { body: { value: { a: 1 } } })).status, 201);
      assert.equal((await api("PUT", path, { body: { value: "b" } })).status, 204);
      assert.deepEqual((await api("GET", path)).body, { value: "b", name: n });
      const listed = (await api("GET", "/api/global-parameters")).body.filter((g: { name: string }) =>
        g.name === n
      );
      assert.deepEqual(listed, [{ name: n, value: "b" }]);
      const noValue = await api("PUT", path, { body: { x: 1 } });
      assert.deepEqual([noValue.status, noValue.body.reason], [400, "[{key_missing,value}]"]);
      assert.equal((await api("DELETE", path)).status, 204);
      assert.equal((await api("DELETE", path)).status, 404);
      assert.equal((await api("GET", path)).status, 404);
    } finally {
      await api("DELETE", path);
    }
  });
});

Deno.test("parameters and global parameters are for policymakers and administrators", async () => {
  await withBroker(async ({ api }) => {
    const user = name("mon");
    const pm = name("pm");
    try {
      await api("PUT", `/api/users/${user}`, { body: { password: "p", tags: "monitoring" } });
      await api("PUT", `/api/users/${pm}`, { body: { password: "p", tags: "policymaker" } });
      for (const u of [user, pm]) {
        await api("PUT", `/api/permissions/%2F/${u}`, { body: { configure: ".*", write: ".*", read: ".*" } });
      }
      const refused = { error: "not_authorised", reason: "User not authorised to access object" };
      for (
        const [method, path] of [
          ["GET", "/api/parameters"],
          ["GET", "/api/parameters/shovel/%2F"],
          ["PUT", `/api/parameters/shovel/%2F/${name("x")}`],
          ["GET", "/api/global-parameters"],
        ]
      ) {
        const r = await api(method, path, {
          auth: [user, "p"],
          body: method === "PUT" ? { value: {} } : undefined,
        });
        assert.deepEqual([r.status, r.body], [401, refused], `${method} ${path}`);
      }
      assert.equal((await api("GET", "/api/parameters/shovel/%2F", { auth: [pm, "p"] })).status, 200);
      assert.equal((await api("GET", "/api/global-parameters", { auth: [pm, "p"] })).status, 200);
    } finally {
      await api("DELETE", `/api/users/${user}`);
      await api("DELETE", `/api/users/${pm}`);
    }
  });
});

Deno.test("definitions export and import parameters and global parameters in RabbitMQ's shapes", async () => {
  await withBroker(async ({ api }) => {
    const n = name("def");
    const g = name("defglobal");
    const param = { value: idleShovel(n), vhost: "/", component: "shovel", name: n };
    try {
      assert.equal(
        (await api("PUT", `/api/parameters/shovel/%2F/${n}`, { body: { value: param.value } })).status,
        201,
      );
      assert.equal(
        (await api("PUT", `/api/global-parameters/${g}`, { body: { value: [1, "x"] } })).status,
        201,
      );
      const all = (await api("GET", "/api/definitions")).body;
      assert.deepEqual(all.parameters.filter((p: { name: string }) => p.name === n), [param]);
      assert.deepEqual(all.global_parameters.filter((x: { name: string }) => x.name === g), [{
        name: g,
        value: [1, "x"],
      }]);
      // A single-vhost export keeps "vhost" on its parameters, as RabbitMQ 3.10 does.
      const one = (await api("GET", "/api/definitions/%2F")).body;
      assert.deepEqual(one.parameters.filter((p: { name: string }) => p.name === n), [param]);

      await api("DELETE", `/api/parameters/shovel/%2F/${n}`);
      await api("DELETE", `/api/global-parameters/${g}`);
      const imported = await api("POST", "/api/definitions", {
        body: { parameters: [param], global_parameters: [{ name: g, value: [1, "x"] }] },
      });
      assert.ok(imported.status === 204 || imported.status === 201, `import: ${imported.status}`);
      assert.deepEqual((await api("GET", `/api/parameters/shovel/%2F/${n}`)).body, param);
      assert.deepEqual((await api("GET", `/api/global-parameters/${g}`)).body, { value: [1, "x"], name: g });
    } finally {
      await api("DELETE", `/api/parameters/shovel/%2F/${n}`);
      await api("DELETE", `/api/global-parameters/${g}`);
    }
  });
});

Deno.test({
  name: "parameters and global parameters survive a restart of the node (Warren's SQLite store)",
  ignore: Boolean(Deno.env.get("WARREN_TEST_MANAGEMENT_URL")),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "warren-params-" });
    const start = async () => {
      const server = await startServer({
        port: 0,
        hostname: "127.0.0.1",
        logLevel: "error",
        store: new SqliteStore(`${dir}/warren.db`, { sync: "normal" }),
      });
      const admin = await startAdminServer({ node: server, port: 0, hostname: "127.0.0.1" });
      return { server, admin, url: `http://127.0.0.1:${admin.port}` };
    };
    try {
      const a = await start();
      await callApi(a.url, "PUT", "/api/parameters/shovel/%2F/kept", { body: { value: idleShovel("kept") } });
      await callApi(a.url, "PUT", "/api/global-parameters/cluster_tag", { body: { value: "edge-1" } });
      await a.admin.close();
      await a.server.close();
      const b = await start();
      try {
        assert.deepEqual(
          (await callApi(b.url, "GET", "/api/parameters/shovel/%2F/kept")).body.value,
          idleShovel("kept"),
        );
        assert.deepEqual(
          (await callApi(b.url, "GET", "/api/global-parameters/cluster_tag")).body.value,
          "edge-1",
        );
        const shovels = (await callApi(b.url, "GET", "/api/shovels")).body;
        assert.deepEqual(
          shovels.map((s: { name: string }) => s.name),
          ["kept"],
          "the shovel restarts with the node",
        );
      } finally {
        await b.admin.close();
        await b.server.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
