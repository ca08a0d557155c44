// Runs one sequence of operations on RabbitMQ and Warren in lockstep and stops
// at the first step whose transcripts differ (see runner.ts for what a step
// records). Operations come from a source that may look at what RabbitMQ has
// answered so far (the random generator picks delivery tags it has seen), so
// RabbitMQ runs each step first and Warren gets the very same operation.
import { classify, type KnownDifference } from "./known_differences.ts";
import { describeOp, type Op, SequenceRunner, type View } from "./runner.ts";

export interface SequenceNames {
  queues: string[];
  exchanges: string[];
}

/** Queue and exchange names for one sequence: unique per run and sequence, so sequences never meet. */
export function sequenceNames(prefix: string): SequenceNames {
  return {
    queues: [0, 1, 2, 3].map((i) => `${prefix}-q${i}`),
    exchanges: [0, 1, 2].map((i) => `${prefix}-x${i}`),
  };
}

/** Next operation given RabbitMQ's state so far, or null when the sequence ends. */
export type OpSource = (view: View, step: number) => Op | null;

export interface Divergence {
  step: number;
  op: Op;
  rabbit: string[];
  warren: string[];
  /** the known difference it matches, if any */
  known: KnownDifference | null;
}

export interface SequenceResult {
  steps: number;
  divergence: Divergence | null;
  /** the divergence did not reproduce when the sequence ran again */
  flaky?: boolean;
  /** every step as run, with RabbitMQ's lines (equal to Warren's up to the divergence) */
  transcript: { op: Op; lines: string[] }[];
}

/** How often a differing sequence is run again, as recorded, to tell RabbitMQ's own timing from a real difference. */
const CONFIRM_RUNS = 2;

/**
 * Runs a sequence; a difference counts only if RabbitMQ answers the same again when
 * the operations up to it are replayed (Warren's answers do not depend on timing).
 * One that does not reproduce is returned with `flaky` set.
 */
export async function runSequence(
  source: OpSource,
  urls: { rabbit: string; warren: string },
  names: SequenceNames,
): Promise<SequenceResult> {
  const first = await runOnce(source, urls, names);
  const d = first.divergence;
  if (d === null || d.known !== null) return first;
  const ops = first.transcript.map((t) => t.op);
  for (let i = 0; i < CONFIRM_RUNS; i++) {
    const again = await runOnce((_v, step) => ops[step] ?? null, urls, names);
    const d2 = again.divergence;
    const same = d2 !== null && d2.step === d.step && d2.rabbit.join("\n") === d.rabbit.join("\n") &&
      d2.warren.join("\n") === d.warren.join("\n");
    if (!same) return { ...first, flaky: true };
  }
  return first;
}

async function runOnce(
  source: OpSource,
  urls: { rabbit: string; warren: string },
  names: SequenceNames,
): Promise<SequenceResult> {
  const rabbit = new SequenceRunner(urls.rabbit, names);
  const warren = new SequenceRunner(urls.warren, names);
  const transcript: SequenceResult["transcript"] = [];
  try {
    for (let i = 0;; i++) {
      const op = source(rabbit.view, i);
      if (op === null) return { steps: i, divergence: null, transcript };
      let r: string[];
      try {
        r = await rabbit.step(op);
      } catch (e) {
        throw new Error(`RabbitMQ did not answer step ${i} (${describeOp(op)}): ${(e as Error).message}`);
      }
      let w: string[];
      try {
        w = await warren.step(op);
      } catch (e) {
        w = [`error: ${(e as Error).message}`];
      }
      transcript.push({ op, lines: r });
      if (r.length !== w.length || r.some((line, j) => line !== w[j])) {
        const known = classify({
          op,
          rabbit: r,
          warren: w,
          history: transcript.slice(0, -1).map((t) => t.op),
        });
        return { steps: i + 1, divergence: { step: i, op, rabbit: r, warren: w, known }, transcript };
      }
    }
  } finally {
    await Promise.all([rabbit.finish().catch(() => {}), warren.finish().catch(() => {})]);
  }
}

/** The report for a divergence: the steps before it, then both sides' lines for the step that differs. */
export function describeDivergence(result: SequenceResult, header: string, context = 12): string {
  const d = result.divergence!;
  const out = [header];
  const from = Math.max(0, result.transcript.length - 1 - context);
  if (from > 0) out.push(`  … ${from} earlier steps`);
  for (const [i, { op, lines }] of result.transcript.entries()) {
    if (i < from || i === d.step) continue;
    out.push(`  #${i} ${describeOp(op)}`, ...lines.map((l) => `      ${l}`));
  }
  out.push(`  #${d.step} ${describeOp(d.op)}   <-- first difference (! marks lines the other side lacks)`);
  for (
    const [who, mine, theirs] of [["rabbitmq", d.rabbit, d.warren], ["warren", d.warren, d.rabbit]] as const
  ) {
    out.push(`    ${who}:`);
    for (const l of mine) out.push(`    ${theirs.includes(l) ? " " : "!"} ${l}`);
  }
  return out.join("\n");
}
