// One client pushing as hard as it can must not starve the others (issue
// 14): while one connection pipelines basic.publish frames for a few seconds
// without ever waiting, another connection's round trips keep completing and
// idle clients that negotiated 1 s heartbeats are not dropped for "missed
// heartbeats" (nor is the flooding client, which negotiated them too). Before connections were read in slices, a flood held the
// event loop for as long as it lasted: no round trip completed and the idle
// clients were dropped. The broker runs as its own process, so that the
// measuring side (scripts/bench/fairness.ts, the flood in a worker thread)
// does not share its event loop. Timings are not asserted, only that round
// trips complete during the flood and that nobody is dropped.
//
// Also run green against RabbitMQ 3.10.8:
//   WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5682/ deno test -A tests/e2e/fairness.test.ts
import assert from "node:assert/strict";
import { type FairnessOptions, measureFairness } from "../../scripts/bench/fairness.ts";
import { spawnBroker } from "../helpers/broker_process.ts";

const FLOOD_MS = 3_000;
/** Each round trip is timed every 10 ms: a node that serves everyone fits dozens in the flood. */
const MIN_ROUND_TRIPS_DURING_FLOOD = 10;
const TEST_TIMEOUT_MS = 90_000;

async function duringFlood(options: Omit<FairnessOptions, "url">) {
  const external = Deno.env.get("WARREN_TEST_AMQP_URL");
  const broker = external ? null : await spawnBroker({ args: ["--in-memory"] });
  const timer = setTimeout(() => broker?.kill("SIGKILL"), TEST_TIMEOUT_MS);
  try {
    return await measureFairness({ url: external ?? broker!.url, ...options });
  } finally {
    clearTimeout(timer);
    broker?.kill();
    await broker?.exited;
  }
}

function assertServedEveryone(r: Awaited<ReturnType<typeof measureFairness>>): void {
  assert.equal(r.floodClosedByBroker, null, "the flooding connection, as busy as it is, is not dropped");
  assert.ok(r.floodMessages > 0, "the flood published");
  assert.equal(r.idleDropped, 0, `an idle client was dropped: ${r.idleDropReason}`);
  assert.ok(
    r.probesDuringFlood >= MIN_ROUND_TRIPS_DURING_FLOOD,
    `only ${r.probesDuringFlood} round trips completed during the flood (longest ${Math.round(r.maxMs)} ms)`,
  );
}

Deno.test("a publisher pipelining small messages does not starve other connections or their heartbeats", async () => {
  assertServedEveryone(
    await duringFlood({
      kind: "small",
      floodMs: FLOOD_MS,
      idleConnections: 3,
      heartbeatS: 1,
      probeIntervalMs: 10,
      floodInto: "nowhere",
    }),
  );
});

Deno.test("a publisher of messages with 4,096 headers through a headers exchange does not starve other connections", async () => {
  assertServedEveryone(
    await duringFlood({
      kind: "headers",
      floodMs: FLOOD_MS,
      idleConnections: 1,
      heartbeatS: 1,
      probeIntervalMs: 10,
      floodInto: "headers exchange",
    }),
  );
});
