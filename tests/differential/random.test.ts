// Seeded random AMQP sequences (generator.ts) run on Warren (in-process) and
// on a real RabbitMQ 3.10.8 (tests/helpers/rabbitmq.ts); the test fails on
// any difference outside known_differences.ts and prints the seed, the steps
// before it, and both brokers' lines for the step that differs.
//
// The same seeds run every time, so a failure is reproducible:
//   deno task diff --seed N --context 100
// WARREN_DIFF_SEEDS (default 300) and WARREN_DIFF_FIRST_SEED (default 1) widen
// the window; `deno task diff --seeds 5000` is the long run.
import assert from "node:assert/strict";
import { startTestBroker } from "../helpers/broker.ts";
import { rabbitMqUnavailable, startTestRabbit } from "../helpers/rabbitmq.ts";
import { runRandom, summary } from "./random_run.ts";

const SEEDS = Number(Deno.env.get("WARREN_DIFF_SEEDS") ?? 300);
const FIRST_SEED = Number(Deno.env.get("WARREN_DIFF_FIRST_SEED") ?? 1);
const STEPS = 40;
/** New sequences stop starting after this; on a loaded machine fewer run, and the summary says how many. */
const BUDGET_MS = 90_000;

Deno.test({
  name: `differential: ${SEEDS} seeded random sequences answer as RabbitMQ 3.10 does`,
  ignore: rabbitMqUnavailable(),
  async fn() {
    const [rabbit, warren] = await Promise.all([startTestRabbit(), startTestBroker()]);
    try {
      const stats = await runRandom({
        rabbitUrl: rabbit.url,
        warrenUrl: warren.url,
        firstSeed: FIRST_SEED,
        seeds: SEEDS,
        steps: STEPS,
        budgetMs: BUDGET_MS,
      });
      console.log(summary(stats));
      assert.ok(stats.sequences > 0, "no sequence ran");
      assert.equal(
        stats.unexpected.length,
        0,
        `differences from RabbitMQ:\n\n${stats.unexpected.join("\n\n")}`,
      );
    } finally {
      await warren.close();
      await rabbit.close();
    }
  },
});
