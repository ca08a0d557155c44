// A data disk that fills up: commits fail, persistent publishes are nacked,
// the node keeps serving, and once space is back commits succeed again and
// nothing that was confirmed is lost or duplicated across a crash. The full
// disk is a file-size limit on the broker process (RLIMIT_FSIZE, lifted with
// prlimit), which makes SQLite's writes fail as ENOSPC does, without a mount
// or a knob in Warren. Not run against RabbitMQ: it needs a limit on the
// broker's own process (RabbitMQ raises its disk alarm before the disk is
// full instead).
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp, { type ConfirmChannel } from "../helpers/amqplib.ts";
import { spawnBroker } from "../helpers/broker_process.ts";
import { assertBrokerServes } from "../helpers/serving_probe.ts";

/** Small enough to fill in a few hundred messages, big enough for the schema and the first batches. */
const FILE_LIMIT_BYTES = 1024 * 1024;
const MESSAGE_BYTES = 1024;
const BATCH = 50;
/** Bounds both loops: the disk is full long before, and frees up at once after. */
const MAX_BATCHES = 200;
const QUEUE = "disk-full";
/** Longer than the store's quiet period before it calls an outage over. */
const RECOVERY_WAIT_MS = 20_000;

interface Tally {
  acked: Set<number>;
  nacked: Set<number>;
  next: number;
}

/** Publishes one batch of persistent messages, each carrying its number, and waits for every answer. */
async function publishBatch(ch: ConfirmChannel, tally: Tally): Promise<void> {
  for (let i = 0; i < BATCH; i++) {
    const id = tally.next++;
    const body = Buffer.alloc(MESSAGE_BYTES, 0x2e);
    body.write(`${id};`);
    ch.sendToQueue(QUEUE, body, { persistent: true }, (err) => (err ? tally.nacked : tally.acked).add(id));
  }
  await ch.waitForConfirms().catch(() => {/* nacks are tallied */});
}

function waitForLine(output: string[], pattern: RegExp, what: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  return new Promise((resolve, reject) => {
    const look = () => {
      const line = output.find((l) => pattern.test(l));
      if (line) return resolve(line);
      if (Date.now() > deadline) return reject(new Error(`no ${what} line:\n${output.join("\n")}`));
      setTimeout(look, 50);
    };
    look();
  });
}

Deno.test({
  name: "a full data disk nacks persistent publishes, and once space is back nothing confirmed is lost",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "warren-disk-full-" });
    const tally: Tally = { acked: new Set(), nacked: new Set(), next: 0 };
    try {
      const full = await spawnBroker({ args: ["--data-dir", dir], fileSizeLimitBytes: FILE_LIMIT_BYTES });
      try {
        const conn = await amqp.connect(full.url);
        conn.on("error", () => {});
        const ch = await conn.createConfirmChannel();
        await ch.assertQueue(QUEUE, { durable: true });
        for (let b = 0; b < MAX_BATCHES && tally.nacked.size === 0; b++) await publishBatch(ch, tally);
        assert.ok(tally.acked.size > 0, "some batches fit before the disk filled up");
        assert.ok(tally.nacked.size > 0, "publishes were nacked once the disk was full");
        // Still full: more nacks, but one error line for the whole outage, and other clients are served.
        await publishBatch(ch, tally);
        await waitForLine(full.output, /error store store commit failed/, "commit failure");
        assert.equal(
          full.output.filter((l) => /store commit failed/.test(l)).length,
          1,
          full.output.join("\n"),
        );
        await assertBrokerServes(full.url);

        const lifted = await new Deno.Command("prlimit", {
          args: ["--pid", String(full.pid), "--fsize=unlimited"],
        }).output();
        assert.ok(lifted.success, new TextDecoder().decode(lifted.stderr));
        const ackedBefore = tally.acked.size;
        for (let b = 0; b < MAX_BATCHES && tally.acked.size === ackedBefore; b++) {
          await publishBatch(ch, tally);
        }
        assert.ok(tally.acked.size > ackedBefore, "publishes are confirmed again once there is space");
        // The outage is declared over by a commit made some seconds after the last failure.
        const recoveryDeadline = Date.now() + RECOVERY_WAIT_MS;
        while (!full.output.some((l) => /info store store commits succeed again/.test(l))) {
          assert.ok(Date.now() < recoveryDeadline, `no recovery line:\n${full.output.join("\n")}`);
          await publishBatch(ch, tally);
          await new Promise((r) => setTimeout(r, 250));
        }
        assert.equal(
          full.output.filter((l) => /store commit failed/.test(l)).length,
          1,
          full.output.join("\n"),
        );
      } finally {
        full.kill("SIGKILL");
        await full.exited;
      }

      // After a crash, every confirmed message is back exactly once.
      const after = await spawnBroker({ args: ["--data-dir", dir] });
      try {
        const conn = await amqp.connect(after.url);
        const ch = await conn.createChannel();
        const seen = new Map<number, number>();
        while (true) {
          const m = await ch.get(QUEUE, { noAck: true });
          if (m === false) break;
          const id = Number(m.content.toString("latin1", 0, 16).split(";")[0]);
          seen.set(id, (seen.get(id) ?? 0) + 1);
        }
        await conn.close();
        const lost = [...tally.acked].filter((id) => !seen.has(id));
        assert.deepEqual(lost, [], "confirmed messages lost");
        const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
        assert.deepEqual(twice, [], "messages recovered twice");
      } finally {
        after.kill("SIGTERM");
        await after.exited;
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
