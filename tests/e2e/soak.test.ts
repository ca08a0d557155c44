// One minute of the soak (scripts/soak/workload.ts) against Warren as a child
// process: publishers with and without confirms, persistent and transient
// messages, consumers that ack, nack with and without requeue and die with
// unacked messages, connection churn, a TTL queue dead-lettering everything, a
// priority queue, temporary queues declared and deleted. Every confirmed
// message must reach its end exactly once (acked, or dead-lettered for the
// right reason), a repeated delivery must carry redelivered, latency stays
// under a generous bound, and the broker's RSS and fds must level off.
// `deno task soak --minutes 60` is the long form. Run green against RabbitMQ
// 3.10.8 as well, with `deno task soak --seconds 60 --url amqp://...` (no
// RSS/fd checks there).
import assert from "node:assert/strict";
import { soakWarren } from "../../scripts/soak.ts";
import { formatSummary } from "../../scripts/soak/run.ts";

const SOAK_S = Number(Deno.env.get("WARREN_SOAK_SECONDS") ?? 60);

Deno.test({
  name: "a minute of mixed load loses no confirmed message, duplicates none, and leaves RSS and fds level",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const seed = Number(Deno.env.get("WARREN_TEST_SEED") ?? Date.now() % 1_000_000);
    const lines: string[] = [];
    const result = await soakWarren(
      { durationS: SOAK_S, ratePerS: 400, seed, progressEveryS: 10 },
      (line) => lines.push(line),
    );
    const summary = formatSummary(result);
    console.log(`soak seed=${seed} (WARREN_TEST_SEED=${seed} replays the workload)\n${summary}`);
    assert.deepEqual(result.violations, [], summary);
    assert.ok(result.ledger.confirmed > 0 && result.ledger.consumed > 0, summary);
    assert.ok(result.ledger.deadLettered > 0 && result.ledger.redeliveries > 0, summary);
    assert.ok(result.latency.count > 0 && result.samples.length > 0, summary);
  },
});
