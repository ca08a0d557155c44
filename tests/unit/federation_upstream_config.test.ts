// An upstream's settings as a federation link reads them: rabbit_federation's
// defaults, and an upstream-set entry's overrides laid over the upstream.
import assert from "node:assert/strict";
import { upstreamConfig } from "../../src/federation/upstream_config.ts";

Deno.test("an upstream without optional keys gets rabbit_federation's defaults", () => {
  assert.deepEqual(upstreamConfig("u", { uri: "amqp://h" }), {
    name: "u",
    uris: ["amqp://h"],
    exchange: null,
    queue: null,
    consumerTag: null,
    prefetchCount: 1000,
    reconnectDelayS: 5,
    maxHops: 1,
    expiresMs: null,
    messageTtlMs: null,
    trustUserId: false,
    ackMode: "on-confirm",
    keepUpstreamResources: false,
  });
});

Deno.test("an upstream-set entry overrides the upstream's values, the rest stay", () => {
  const c = upstreamConfig(
    "u",
    { uri: ["amqp://a", "amqp://b"], "max-hops": 2, expires: 1000, "ack-mode": "no-ack" },
    { "max-hops": 3, exchange: "elsewhere", "resource-cleanup-mode": "never" },
  );
  assert.deepEqual(
    [c.uris, c.maxHops, c.expiresMs, c.ackMode, c.exchange, c.keepUpstreamResources],
    [["amqp://a", "amqp://b"], 3, 1000, "no-ack", "elsewhere", true],
  );
});
