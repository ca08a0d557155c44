// Runs seeded random sequences (generator.ts) on RabbitMQ and Warren and
// tallies what differs. Used by random.test.ts (a bounded run in CI) and as a
// command for longer runs:
//
//   deno task diff [--seeds 5000] [--first-seed 1] [--steps 40] [--seed 1234 [--context 100]]
//
// It starts an in-process Warren and a private RabbitMQ node (or uses
// WARREN_TEST_RABBITMQ_URL), prints every divergence outside the known list
// with its seed, and exits 1 if there was one.
import { parseArgs } from "node:util";
import { startTestBroker } from "../helpers/broker.ts";
import { startTestRabbit } from "../helpers/rabbitmq.ts";
import { describeDivergence, runSequence, sequenceNames } from "./compare.ts";
import { randomSequence } from "./generator.ts";

export interface RandomRunOptions {
  rabbitUrl: string;
  warrenUrl: string;
  firstSeed: number;
  seeds: number;
  steps: number;
  /** stop starting new sequences after this long (the run still reports what it did) */
  budgetMs?: number;
  /** steps shown before a divergence (default 12) */
  context?: number;
  log?: (line: string) => void;
}

export interface RandomRunStats {
  sequences: number;
  steps: number;
  /** reports of divergences outside the known lists */
  unexpected: string[];
  /** known difference id -> sequences it ended */
  known: Map<string, number>;
  /** differences that RabbitMQ did not reproduce on a second run (its own timing) */
  flaky: number;
  elapsedMs: number;
}

export async function runRandom(o: RandomRunOptions): Promise<RandomRunStats> {
  const runTag = crypto.randomUUID().slice(0, 6);
  const stats: RandomRunStats = {
    sequences: 0,
    steps: 0,
    unexpected: [],
    known: new Map(),
    flaky: 0,
    elapsedMs: 0,
  };
  const t0 = performance.now();
  for (let seed = o.firstSeed; seed < o.firstSeed + o.seeds; seed++) {
    if (o.budgetMs !== undefined && performance.now() - t0 > o.budgetMs) break;
    const names = sequenceNames(`diff-${runTag}-s${seed}`);
    const result = await runSequence(randomSequence(seed, names, o.steps), {
      rabbit: o.rabbitUrl,
      warren: o.warrenUrl,
    }, names).catch((e) => {
      throw new Error(`seed ${seed}: ${(e as Error).message}`);
    });
    stats.sequences++;
    stats.steps += result.steps;
    const d = result.divergence;
    if (d === null) continue;
    if (result.flaky) {
      stats.flaky++;
      o.log?.(describeDivergence(
        result,
        `seed ${seed}: a difference at step ${d.step} did not reproduce (RabbitMQ's timing); not counted`,
        2,
      ));
    } else if (d.known) {
      stats.known.set(d.known.id, (stats.known.get(d.known.id) ?? 0) + 1);
    } else {
      const report = describeDivergence(
        result,
        `seed ${seed} (deno task diff --seed ${seed} --steps ${o.steps}): first difference at step ${d.step}`,
        o.context,
      );
      stats.unexpected.push(report);
      o.log?.(report);
    }
  }
  stats.elapsedMs = performance.now() - t0;
  return stats;
}

export function summary(s: RandomRunStats): string {
  const known = [...s.known.entries()].map(([id, n]) => `${id}=${n}`).join(" ");
  return `${s.sequences} sequences, ${s.steps} steps in ${(s.elapsedMs / 1000).toFixed(1)} s: ` +
    `${s.unexpected.length} unexpected divergences, ${s.flaky} not reproducible; known differences ended ${
      [...s.known.values()].reduce((a, b) => a + b, 0)
    } sequences${known ? ` (${known})` : ""}`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seeds: { type: "string", default: "1000" },
      "first-seed": { type: "string", default: "1" },
      seed: { type: "string" },
      steps: { type: "string", default: "40" },
      context: { type: "string", default: "12" },
    },
  });
  const one = values.seed !== undefined;
  const rabbit = await startTestRabbit({ plugins: [] });
  const warren = await startTestBroker();
  try {
    const stats = await runRandom({
      rabbitUrl: rabbit.url,
      warrenUrl: warren.url,
      firstSeed: Number(one ? values.seed : values["first-seed"]),
      seeds: one ? 1 : Number(values.seeds),
      steps: Number(values.steps),
      context: Number(values.context),
      log: (line) => console.log(`${line}\n`),
    });
    console.log(summary(stats));
    Deno.exitCode = stats.unexpected.length > 0 ? 1 : 0;
  } finally {
    await warren.close();
    await rabbit.close();
  }
}
