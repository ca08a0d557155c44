// RabbitMQ's paging on list endpoints: page, page_size, name, use_regex,
// sort, sort_reverse, the paged reply's shape and the 400 texts for bad
// values. Also run green against RabbitMQ 3.10.8's management API with
// WARREN_TEST_MANAGEMENT_URL=http://127.0.0.1:15682 (guest/guest); the
// queues are made through the API with a unique prefix and deleted after.
import assert from "node:assert/strict";
import { startTestNode } from "../helpers/broker.ts";

const AUTH = `Basic ${btoa("guest:guest")}`;
const PREFIX = `lp-${crypto.randomUUID().slice(0, 8)}`;
const NAMES = [`${PREFIX}-a1`, `${PREFIX}-a2`, `${PREFIX}-b3`];

async function get(base: string, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: AUTH } });
  return { status: res.status, body: await res.json() };
}

async function withQueues(fn: (base: string) => Promise<void>): Promise<void> {
  const external = Deno.env.get("WARREN_TEST_MANAGEMENT_URL");
  const node = external ? undefined : await startTestNode();
  const base = external ?? node!.managementUrl;
  const headers = { authorization: AUTH, "content-type": "application/json" };
  try {
    for (const q of NAMES) {
      const res = await fetch(`${base}/api/queues/%2F/${q}`, { method: "PUT", headers, body: "{}" });
      await res.body?.cancel();
      assert.ok(res.ok, `declaring ${q}: ${res.status}`);
    }
    await fn(base);
  } finally {
    for (const q of NAMES) {
      await (await fetch(`${base}/api/queues/%2F/${q}`, { method: "DELETE", headers })).body?.cancel();
    }
    await node?.close();
  }
}

Deno.test("a page of a filtered, reverse-sorted queue list has RabbitMQ's shape", async () => {
  await withQueues(async (base) => {
    const r = await get(
      base,
      `/api/queues?page=1&page_size=2&name=${PREFIX}-&use_regex=false&sort=name&sort_reverse=true&columns=name`,
    );
    assert.equal(r.status, 200);
    const body = r.body as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), [
      "filtered_count",
      "item_count",
      "items",
      "page",
      "page_count",
      "page_size",
      "total_count",
    ]);
    assert.deepEqual(body.items, [{ name: `${PREFIX}-b3` }, { name: `${PREFIX}-a2` }]);
    assert.equal(body.filtered_count, 3);
    assert.equal(body.item_count, 2);
    assert.equal(body.page_count, 2);
    assert.equal(body.page_size, 2);
    assert.ok((body.total_count as number) >= 3);
  });
});

Deno.test("the name filter ignores case, and use_regex makes it a case-insensitive regex", async () => {
  await withQueues(async (base) => {
    const plain = await get(base, `/api/queues/%2F?page=1&name=${PREFIX.toUpperCase()}-A&columns=name`);
    assert.deepEqual((plain.body as { items: unknown }).items, [
      { name: `${PREFIX}-a1` },
      { name: `${PREFIX}-a2` },
    ]);
    const regex = await get(
      base,
      `/api/queues?page=1&name=%5E${PREFIX}-[ab][13]$&use_regex=true&columns=name`,
    );
    assert.deepEqual((regex.body as { items: unknown }).items, [
      { name: `${PREFIX}-a1` },
      { name: `${PREFIX}-b3` },
    ]);
    const none = await get(base, `/api/queues?page=1&name=${PREFIX}-zzz&columns=name`);
    assert.equal(none.status, 200);
    assert.deepEqual(
      [(none.body as { items: unknown }).items, (none.body as { page_count: number }).page_count],
      [[], 0],
    );
  });
});

Deno.test("the page just past the end is empty, the next one is out of range", async () => {
  await withQueues(async (base) => {
    const justPast = await get(base, `/api/queues?page=2&page_size=3&name=${PREFIX}-&columns=name`);
    assert.equal(justPast.status, 200);
    assert.deepEqual((justPast.body as { items: unknown }).items, []);
    const beyond = await get(base, `/api/queues?page=3&page_size=3&name=${PREFIX}-`);
    assert.deepEqual([beyond.status, beyond.body], [400, {
      error: "page_out_of_range",
      reason: "Page out of range, page: 3 page size: 3, len: 3",
    }]);
  });
});

Deno.test("bad paging values get RabbitMQ's 400 texts", async () => {
  await withQueues(async (base) => {
    const invalid = (page: string, size: string) => ({
      error: "invalid_pagination_parameters",
      reason: `Invalid pagination parameters: page number ${page}, page size ${size}`,
    });
    const bad = { error: "bad_request", reason: "Pagination parameters are invalid" };
    const cases: [string, unknown][] = [
      ["page=1&page_size=501", invalid("1", "501")],
      ["page=1&page_size=0", invalid("1", "0")],
      ["page=0", invalid("0", "undefined")],
      ["page=-1&page_size=2", invalid("-1", "2")],
      ["page=abc", bad],
      ["page=1.5", bad],
      ["page_size=abc", bad],
      [`page=1&name=${PREFIX}-%5B&use_regex=true`, bad],
    ];
    for (const [query, expected] of cases) {
      const r = await get(base, `/api/queues?${query}`);
      assert.deepEqual([r.status, r.body], [400, expected], query);
    }
    const largest = await get(base, `/api/queues?page=1&page_size=500&name=${PREFIX}-&columns=name`);
    assert.equal((largest.body as { item_count: number }).item_count, 3);
  });
});

Deno.test("without page the list is the plain array, whatever page_size says", async () => {
  await withQueues(async (base) => {
    const r = await get(base, `/api/queues?page_size=1&columns=name`);
    assert.ok(Array.isArray(r.body));
    const names = (r.body as { name: string }[]).map((q) => q.name);
    for (const q of NAMES) assert.ok(names.includes(q));
  });
});

Deno.test("lengths_age / msg_rates_age add RabbitMQ's samples, avg and avg_rate to *_details", async () => {
  await withQueues(async (base) => {
    const q = "lengths_age=60&lengths_incr=5&msg_rates_age=60&msg_rates_incr=5";
    // (A queue RabbitMQ has just declared has no statistics until its next collection, so only long-lived objects.)
    for (const path of [`/api/overview?${q}`, `/api/vhosts/%2F?${q}`]) {
      const r = await get(base, path);
      assert.equal(r.status, 200, path);
      const body = r.body as Record<string, Record<string, unknown>>;
      const lengths = (path.startsWith("/api/overview") ? body.queue_totals : body)
        .messages_details as Record<string, unknown>;
      assert.deepEqual(Object.keys(lengths).sort(), ["avg", "avg_rate", "rate", "samples"], path);
      const samples = lengths.samples as { sample: number; timestamp: number }[];
      assert.ok(samples.length >= 1 && samples.length <= 13, `${path}: ${samples.length} samples`);
      for (const s of samples) assert.equal(s.timestamp % 5000, 0);
      for (let i = 1; i < samples.length; i++) {
        assert.equal(samples[i - 1].timestamp - samples[i].timestamp, 5000);
      }
    }
    const plain = await get(base, `/api/vhosts/%2F`);
    const details = (plain.body as Record<string, Record<string, unknown>>).messages_details;
    assert.equal(details.samples, undefined);
  });
});
