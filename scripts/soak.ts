// `deno task soak`: Warren under a mixed workload for a bounded time (see
// scripts/soak/workload.ts), started from this checkout as a child process
// with a fresh data directory, or any broker at a URL. Prints a progress line
// every 10 s and a summary; exits 1 when a check was violated.
//
//   deno task soak --minutes 60
//   deno task soak --seconds 60 --rate 800
//   deno task soak --url amqp://guest:guest@127.0.0.1:5682/ --minutes 5   # e.g. RabbitMQ (no RSS/fd checks)
import { parseArgs } from "node:util";
import { spawnBroker } from "../tests/helpers/broker_process.ts";
import { processAlive } from "./bench/procstat.ts";
import { formatSummary, runSoak, type SoakResult } from "./soak/run.ts";

const USAGE = `usage: deno task soak [options]
  --minutes N | --seconds N   how long to publish (default 1 minute)
  --rate N                    messages per second over all publishers (default 400)
  --url URL                   run against this broker instead of starting Warren
  --pid PID                   with --url: the broker's process id, for the RSS and fd checks
  --seed N                    random seed (default: from the clock; printed)
  --progress N                seconds between progress lines (default 10)`;

export interface SoakCommand {
  durationS: number;
  ratePerS: number;
  url: string | null;
  pid: number | null;
  seed: number;
  progressEveryS: number;
}

export function parseSoakArgs(argv: string[]): SoakCommand {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: "string" },
      seconds: { type: "string" },
      rate: { type: "string", default: "400" },
      url: { type: "string" },
      pid: { type: "string" },
      seed: { type: "string" },
      progress: { type: "string", default: "10" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const durationS = values.seconds !== undefined
    ? positive("--seconds", values.seconds)
    : positive("--minutes", values.minutes ?? "1") * 60;
  return {
    durationS,
    ratePerS: positive("--rate", values.rate),
    url: values.url ?? null,
    pid: values.pid === undefined ? null : positive("--pid", values.pid),
    seed: values.seed === undefined ? Date.now() % 1_000_000 : Number(values.seed),
    progressEveryS: positive("--progress", values.progress),
  };
}

function positive(flag: string, text: string): number {
  const n = Number(text);
  if (!(n > 0)) {
    console.error(`${flag} wants a positive number, got ${text}\n${USAGE}`);
    Deno.exit(2);
  }
  return n;
}

/** Runs the soak against Warren started from this checkout on a fresh data directory. */
export async function soakWarren(
  command: Omit<SoakCommand, "url" | "pid">,
  log: (line: string) => void,
): Promise<SoakResult> {
  const dataDir = await Deno.makeTempDir({ prefix: "warren-soak-" });
  const broker = await spawnBroker({ args: ["--data-dir", dataDir] });
  try {
    const result = await runSoak({ ...command, url: broker.url, pid: broker.pid, drainTimeoutS: 15, log });
    if (!processAlive(broker.pid)) {
      result.violations.push(`the broker exited during the run:\n${broker.output.slice(-20).join("\n")}`);
    }
    return result;
  } finally {
    broker.kill("SIGTERM");
    await broker.exited;
    await Deno.remove(dataDir, { recursive: true });
  }
}

if (import.meta.main) {
  const command = parseSoakArgs(Deno.args);
  const log = (line: string) => console.log(line);
  log(`soak: ${command.durationS} s at ${command.ratePerS} msg/s, seed ${command.seed}`);
  const result = command.url === null
    ? await soakWarren(command, log)
    : await runSoak({ ...command, url: command.url, drainTimeoutS: 15, log });
  log(formatSummary(result));
  Deno.exit(result.violations.length === 0 ? 0 : 1);
}
