// RabbitMQ's extensions to AMQP 0-9-1, driven with pika: each
// scenario is one script in ./pika/ext_*.py that takes HOST PORT TARGET,
// asserts the behaviour itself (texts, headers and orders as RabbitMQ 3.10.8
// produces them) and exits 0 on success (see ./pika/common.py and
// ./pika/ext_common.py).
//
// Against RabbitMQ (to check the tests themselves):
//   WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5682/ \
//     deno test -A tests/integration/extensions_pika.test.ts
// The consumer-timeout scenario needs that node to run with
// `consumer_timeout = 2000` (rabbitmq.conf) and a short channel tick
// (advanced.config: `[{rabbit, [{channel_tick_interval, 500}]}]`), since
// RabbitMQ only looks at the timeout on its channel tick (60 s by default).
import assert from "node:assert/strict";
import { startTestBroker } from "../helpers/broker.ts";
import { spawnBroker } from "../helpers/broker_process.ts";
import { runPython } from "../helpers/python.ts";

const PIKA_DIR = new URL("./pika/", import.meta.url);
// Scripts arm their own watchdog (25 s, 40 s for the timeout one); this is the outer bound.
const SCRIPT_TIMEOUT_MS = 50_000;
const EXTERNAL_URL = Deno.env.get("WARREN_TEST_AMQP_URL");

interface Scenario {
  name: string;
  script: string;
  /** Not run against RabbitMQ; the script says why. */
  warrenOnly?: boolean;
  /** Needs a broker with consumer_timeout = 2000. */
  consumerTimeout?: boolean;
}

const SCENARIOS: Scenario[] = [
  {
    name:
      "TTL: x-message-ttl and expiration (lower wins), expiry without a consumer, expiration 0, bad values",
    script: "ext_ttl.py",
  },
  {
    name: "x-expires deletes an unused queue; consumers and redeclares keep it",
    script: "ext_queue_expires.py",
  },
  {
    name: "dead-lettering on reject, nack, expiry and max-length with x-death and x-first-death-*",
    script: "ext_dead_letter.py",
  },
  { name: "x-death field types and order exactly as RabbitMQ writes them", script: "ext_x_death_format.py" },
  {
    name: "dead-letter cycles are dropped (self, two queues); rejections do not count as cycles",
    script: "ext_dlx_cycles.py",
  },
  {
    name: "retry with backoff: reject -> TTL retry queue -> work queue, x-death counts grow",
    script: "ext_retry_backoff.py",
  },
  {
    name: "length limits: drop-head, bytes, reject-publish nacks, reject-publish-dlx dead-letters",
    script: "ext_length_limits.py",
  },
  { name: "priority queue ordering and x-max-priority validation", script: "ext_priority_queue.py" },
  { name: "consumer priorities via the x-priority consume argument", script: "ext_consumer_priority.py" },
  {
    name: "single active consumer with fail-over on connection close and cancel",
    script: "ext_single_active_consumer.py",
  },
  {
    name: "alternate exchanges catch unroutable messages, chained; a missing one returns",
    script: "ext_alternate_exchange.py",
  },
  { name: "CC and BCC headers: extra routing keys, BCC stripped", script: "ext_cc_bcc.py" },
  {
    name: "internal exchange only via exchange-to-exchange bindings; direct publish is 403",
    script: "ext_internal_exchange.py",
  },
  {
    name: "direct reply-to: the seeds' RPC without a callback queue, and its misuse errors",
    script: "ext_direct_reply_to.py",
  },
  {
    name: "consumer timeout closes the channel with 406 and requeues the message",
    script: "ext_consumer_timeout.py",
    consumerTimeout: true,
  },
  { name: "invalid arguments get 406 with RabbitMQ's texts", script: "ext_argument_errors.py" },
  {
    // Warren only: RabbitMQ 3.10 needs the delayed-message plugin for this.
    name: "delayed messages: x-delayed-message exchange honours x-delay (direct and topic)",
    script: "ext_delayed.py",
    warrenOnly: true,
  },
];

/** A Warren child process with consumer_timeout = 2000 in its config file. */
async function startTimeoutBroker(): Promise<{ host: string; port: number; close(): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "warren-consumer-timeout-" });
  const conf = `${dir}/rabbitmq.conf`;
  await Deno.writeTextFile(conf, "consumer_timeout = 2000\n");
  try {
    const broker = await spawnBroker({ args: ["--config", conf, "--data-dir", `${dir}/data`] });
    return {
      host: "127.0.0.1",
      port: broker.port,
      async close() {
        broker.kill("SIGTERM");
        const timer = setTimeout(() => broker.kill("SIGKILL"), 10_000);
        await broker.exited;
        clearTimeout(timer);
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      },
    };
  } catch (e) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw e;
  }
}

for (const sc of SCENARIOS) {
  Deno.test({
    name: `pika: ${sc.name}`,
    ignore: Boolean(sc.warrenOnly && EXTERNAL_URL),
    async fn() {
      const broker = sc.consumerTimeout && !EXTERNAL_URL
        ? await startTimeoutBroker()
        : await startTestBroker();
      try {
        const path = decodeURIComponent(new URL(sc.script, PIKA_DIR).pathname);
        const result = await runPython(
          path,
          [broker.host, String(broker.port), EXTERNAL_URL ? "rabbitmq" : "warren"],
          { timeoutMs: SCRIPT_TIMEOUT_MS },
        );
        assert.equal(
          result.code,
          0,
          `${sc.script} exited with ${result.code}\n` +
            `--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`,
        );
      } finally {
        await broker.close();
      }
    },
  });
}
