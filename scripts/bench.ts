// `deno task bench`: Warren's benchmark. Runs the scenarios of
// scripts/bench/scenarios.ts against Warren (started from this checkout),
// RabbitMQ (started from the Debian package on private ports) or any AMQP
// URL; `--compare` runs Warren and RabbitMQ alternately for several rounds
// and prints medians and Warren/RabbitMQ ratios as a table and as JSON.
//
//   deno task bench                         # Warren, all scenarios but 8, one round
//   deno task bench --compare               # Warren vs RabbitMQ, 3 rounds
//   deno task bench --compare --full        # ... plus 8 (1M-message restart) and 11 (1 GiB stream; slow)
//   deno task bench --url amqp://host:5672 --scenarios 1,4
//   deno task bench --target rabbitmq --scenarios 3 --duration 3
import { parseArgs } from "node:util";
import {
  type Broker,
  ExternalBroker,
  freePort,
  lifecycle,
  liveBrokers,
  RabbitBroker,
  startWithRetry,
  WarrenBroker,
} from "./bench/brokers.ts";
import { processAlive } from "./bench/procstat.ts";
import { killAllRoles, type RoleMode } from "./bench/role_host.ts";
import type { BenchClient } from "./bench/roles.ts";
import { type BenchOptions, type RunResult, type Scenario, SCENARIOS } from "./bench/scenarios.ts";
import { formatResources, formatSummary, resourceRows, summarize } from "./bench/report.ts";

const USAGE = `usage: deno task bench [options]
  --compare              Warren and RabbitMQ alternately (default rounds 3)
  --target T             warren (default) | rabbitmq, when not comparing
  --url URL              benchmark a running broker instead (amqp://user:pass@host:port/vhost)
  --broker-pid PID       with --url: the broker's pid, for its CPU and memory
  --scenarios LIST       comma list of ids or groups: 1,2,...,17 or 1-16B,4-10k,14-flood,stream-replay,...
                         (default all but 8, backlog-10M and stream-fanout-rss)
  --full                 add scenarios 8 (fill 1M persistent messages, restart), backlog-10M and stream-fanout-rss
  --backlog-messages N   messages queued in scenario backlog-10M (default 10000000)
  --duration S           seconds per throughput/latency run (default 5)
  --rounds N             rounds per broker (default 3 with --compare, else 1)
  --json PATH            write the JSON report to PATH (default: printed after the tables)
  --mode M               load generator roles as 'worker' threads (default) or 'process'es
  --consumer-roles N     consumer workers/processes per scenario (default 1)
  --client C             the load generator's client: harness (default; Warren's codec) or amqplib
                         (npm:amqplib@0.10.4); set-up and scenarios 7-9 always use the harness
  --queues N             queues, each with a consumer, in scenario 12 (default 5000)
  --churn-loops N        concurrent open-publish-close loops in scenario 13 (default 10)
  --warmup S             untimed seconds of 1-16B per broker before round 1 (default 2; 0 = none)
  --max-backlog N        cap on published-but-unconsumed messages (default 100000; 0 = none)
  --max-messages N       cap on messages per run (default 10000000)
  --connections N        idle connections in scenario 7 (default 1000)
  --restart-messages N   messages in scenario 8 (default 1000000)
  --stream-records N     records filled and replayed in stream-replay (default 1000000)
  --stream-mib N         MiB of 1 KiB records in stream-fanout-rss (default 1024)
  --warren-args "ARGS"   extra flags for Warren (e.g. "--sync normal")
  --keep                 keep the temporary data and log directories
`;

function parseOptions() {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      compare: { type: "boolean", default: false },
      target: { type: "string", default: "warren" },
      url: { type: "string" },
      "broker-pid": { type: "string" },
      scenarios: { type: "string" },
      full: { type: "boolean", default: false },
      duration: { type: "string", default: "5" },
      rounds: { type: "string" },
      json: { type: "string" },
      mode: { type: "string", default: "worker" },
      "consumer-roles": { type: "string", default: "1" },
      client: { type: "string", default: "harness" },
      queues: { type: "string", default: "5000" },
      "churn-loops": { type: "string", default: "10" },
      "max-backlog": { type: "string", default: "100000" },
      warmup: { type: "string", default: "2" },
      "max-messages": { type: "string", default: "10000000" },
      connections: { type: "string", default: "1000" },
      "restart-messages": { type: "string", default: "1000000" },
      "backlog-messages": { type: "string", default: "10000000" },
      "stream-records": { type: "string", default: "1000000" },
      "stream-mib": { type: "string", default: "1024" },
      "warren-args": { type: "string", default: "" },
      keep: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  return values;
}

function positiveNumber(v: string, flag: string, allowZero = false): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
    throw new Error(`${flag}: '${v}' is not a ${allowZero ? "non-negative" : "positive"} number`);
  }
  return n;
}

function selectScenarios(list: string | undefined, full: boolean): Scenario[] {
  if (!list) return SCENARIOS.filter((s) => !s.onlyWhenFull || full);
  const picked = new Set<Scenario>();
  for (const item of list.split(",").map((x) => x.trim()).filter(Boolean)) {
    const matches = SCENARIOS.filter((s) => s.id === item || String(s.group) === item);
    if (matches.length === 0) {
      throw new Error(
        `--scenarios: unknown scenario '${item}' (known: ${SCENARIOS.map((s) => s.id).join(", ")})`,
      );
    }
    for (const s of matches) picked.add(s);
  }
  if (full) { for (const s of SCENARIOS) if (s.onlyWhenFull) picked.add(s); }
  return SCENARIOS.filter((s) => picked.has(s));
}

function machineInfo() {
  const cpuinfo = Deno.readTextFileSync("/proc/cpuinfo");
  const meminfo = Deno.readTextFileSync("/proc/meminfo");
  const cpuModel = cpuinfo.match(/^model name\s*:\s*(.*)$/m)?.[1] ?? "unknown";
  const memKiB = Number(meminfo.match(/^MemTotal:\s+(\d+)/m)?.[1] ?? NaN);
  return {
    nproc: navigator.hardwareConcurrency,
    cpuModel,
    memTotalGiB: Math.round((memKiB / 1024 / 1024) * 10) / 10,
    kernel: Deno.osRelease(),
    deno: Deno.version.deno,
    loadavg: Deno.loadavg(),
  };
}

function log(line: string): void {
  console.error(line);
}

let stoppingAll: Promise<void> | null = null;

/** Stops every broker and role this run started; every caller waits for the same stop. */
function stopAll(): Promise<void> {
  lifecycle.stopping = true;
  stoppingAll ??= (async () => {
    killAllRoles();
    await Promise.all([...liveBrokers].map((b) => b.stop().catch(() => {})));
  })();
  return stoppingAll;
}

async function main(): Promise<number> {
  let values;
  try {
    values = parseOptions();
  } catch (e) {
    console.error(`bench: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const scenarios = selectScenarios(values.scenarios, values.full);
  const mode = values.mode as RoleMode;
  if (mode !== "worker" && mode !== "process") throw new Error(`--mode: '${mode}' is not worker or process`);
  const client = values.client as BenchClient;
  if (client !== "harness" && client !== "amqplib") {
    throw new Error(`--client: '${client}' is not harness or amqplib`);
  }
  const rounds = values.rounds !== undefined
    ? positiveNumber(values.rounds, "--rounds")
    : values.compare
    ? 3
    : 1;
  const opts: BenchOptions = {
    durationMs: positiveNumber(values.duration, "--duration") * 1000,
    mode,
    maxMessages: positiveNumber(values["max-messages"], "--max-messages"),
    maxBacklog: positiveNumber(values["max-backlog"], "--max-backlog", true),
    idleConnections: positiveNumber(values.connections, "--connections"),
    restartMessages: positiveNumber(values["restart-messages"], "--restart-messages"),
    backlogMessages: positiveNumber(values["backlog-messages"], "--backlog-messages"),
    streamRecords: positiveNumber(values["stream-records"], "--stream-records"),
    streamFanoutMiB: positiveNumber(values["stream-mib"], "--stream-mib"),
    consumerRoles: positiveNumber(values["consumer-roles"], "--consumer-roles"),
    client,
    manyQueues: positiveNumber(values.queues, "--queues"),
    churnLoops: positiveNumber(values["churn-loops"], "--churn-loops"),
    log,
  };

  const warmupMs = positiveNumber(values.warmup, "--warmup", true) * 1000;
  const tmp = await Deno.makeTempDir({ prefix: "warren-bench-" });
  await Deno.chmod(tmp, 0o755);
  const brokers = chooseBrokers(values, tmp);
  const usable = scenarios.filter((s) => {
    if (s.needsManaged && brokers.some((b) => !b.managed)) {
      log(`skipping ${s.id}: it restarts the broker, which --url cannot`);
      return false;
    }
    return true;
  });

  stopOnSignal(tmp, values.keep);

  const command = ["deno", "task", "bench", ...Deno.args].join(" ");
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  log(`bench: ${command}`);
  log(
    `machine: ${machine.nproc} cpus, ${machine.cpuModel}, ${machine.memTotalGiB} GiB, load ${machine.loadavg}`,
  );
  const runs: RunResult[] = [];
  const startupMs: Record<string, number[]> = {};
  try {
    await startAndWarmUp(brokers, opts, warmupMs, startupMs);
    for (let round = 1; round <= rounds && !lifecycle.stopping; round++) {
      for (const s of usable) {
        const order = round % 2 === 1 ? brokers : [...brokers].reverse();
        for (const b of order) {
          if (lifecycle.stopping) break;
          log(`round ${round}/${rounds} ${s.id} (${s.title}) on ${b.name}`);
          runs.push(await runScenario(s, b, round, opts, startupMs));
        }
      }
    }
  } finally {
    await stopAll();
    if (!values.keep) await Deno.remove(tmp, { recursive: true }).catch(() => {});
    else log(`kept ${tmp}`);
  }

  const names = brokers.map((b) => b.name);
  const summary = summarize(usable, runs, names);
  const resources = resourceRows(usable, runs, names);
  printTables({ startedAt, command, machine, rounds, opts, summary, resources, runs, names });
  const report = {
    startedAt,
    finishedAt: new Date().toISOString(),
    command,
    machine,
    options: { ...opts, log: undefined, rounds, scenarios: usable.map((s) => s.id) },
    brokers: brokers.map((b) => ({ name: b.name, url: b.url, startupMs: startupMs[b.name] ?? [] })),
    summary,
    resources,
    runs,
  };
  await writeJson(report, values.json);
  return runs.some((r) => r.details.error !== undefined) ? 1 : 0;
}

/** Ctrl-C or SIGTERM stops every broker and load generator this run started, then exits 130. */
function stopOnSignal(tmp: string, keep: boolean): void {
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) Deno.exit(130);
    interrupted = true;
    log("interrupted: stopping brokers and load generators");
    stopAll()
      .then(() => (keep ? undefined : Deno.remove(tmp, { recursive: true })))
      .catch(() => {})
      .finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  globalThis.addEventListener("unload", () => {
    for (const b of liveBrokers) b.killNow();
    killAllRoles();
  });
}

async function startAndWarmUp(
  brokers: Broker[],
  opts: BenchOptions,
  warmupMs: number,
  startupMs: Record<string, number[]>,
): Promise<void> {
  for (const b of brokers) {
    if (!b.managed) continue;
    log(`starting ${b.name} ...`);
    const ms = await startWithRetry(b, log);
    (startupMs[b.name] ??= []).push(ms);
    log(`${b.name} up at ${b.url} in ${Math.round(ms)} ms (pid ${b.pid()})`);
  }
  if (warmupMs === 0) return;
  // A fresh node (RabbitMQ's JIT, V8's) is slower in its first seconds: warm both up untimed.
  for (const b of brokers) {
    log(`warming up ${b.name} (${warmupMs / 1000} s of 1-16B, not counted)`);
    await SCENARIOS[0].run(b, { ...opts, durationMs: warmupMs }).catch((e) => log(`  warm-up failed: ${e}`));
  }
}

/** The JSON report, to a file or after the tables; numbers that are not finite become null. */
async function writeJson(report: unknown, path: string | undefined): Promise<void> {
  const json = JSON.stringify(
    report,
    (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
    2,
  );
  if (path) {
    await Deno.writeTextFile(path, json + "\n");
    console.log(`\nJSON report written to ${path}`);
  } else {
    console.log("\n--- JSON ---");
    console.log(json);
  }
}

type Values = ReturnType<typeof parseOptions>;

/** The brokers this run measures: Warren from this checkout, a private RabbitMQ, or a running one (--url). */
function chooseBrokers(values: Values, tmp: string): Broker[] {
  const repo = new URL("..", import.meta.url).pathname;
  const makeWarren = () =>
    new WarrenBroker({
      mainTs: `${repo}main.ts`,
      dataDir: `${tmp}/warren/data`,
      port: freePort(),
      logFile: `${tmp}/warren.log`,
      extraArgs: values["warren-args"].split(/\s+/).filter(Boolean),
    });
  const makeRabbit = () =>
    new RabbitBroker({
      baseDir: `${tmp}/rabbitmq`,
      nodeName: `warren-bench-${Deno.pid}@localhost`,
      port: freePort(),
      distPort: freePort(),
    });
  if (values.url) {
    const pid = values["broker-pid"] ? positiveNumber(values["broker-pid"], "--broker-pid") : null;
    return [new ExternalBroker(values.url, pid)];
  }
  if (values.compare) return [makeWarren(), makeRabbit()];
  if (values.target === "warren") return [makeWarren()];
  if (values.target === "rabbitmq") return [makeRabbit()];
  throw new Error(`--target: '${values.target}' is not warren or rabbitmq`);
}

/** One scenario on one broker; a failure is recorded (and a dead broker restarted), not thrown. */
async function runScenario(
  s: Scenario,
  b: Broker,
  round: number,
  opts: BenchOptions,
  startupMs: Record<string, number[]>,
): Promise<RunResult> {
  try {
    if (s.freshBroker && b.managed) {
      await b.stop();
      const ms = await startWithRetry(b, log);
      (startupMs[b.name] ??= []).push(ms);
    }
    const r = await s.run(b, opts);
    log(`  ${summaryLine(r)}`);
    return { scenario: s.id, broker: b.name, round, ...r };
  } catch (e) {
    log(`  FAILED: ${e instanceof Error ? e.stack ?? e.message : e}`);
    const pid = b.pid();
    if (b.managed && (pid === null || !processAlive(pid)) && !lifecycle.stopping) {
      log(`  ${b.name} is down: restarting it`);
      await b.stop();
      await startWithRetry(b, log).catch((e) => log(`  could not restart ${b.name}: ${e}`));
    }
    return {
      scenario: s.id,
      broker: b.name,
      round,
      metrics: {},
      lost: NaN,
      duplicates: NaN,
      generatorCores: NaN,
      brokerCores: NaN,
      brokerPeakRssMiB: NaN,
      details: { error: String(e) },
    };
  }
}

/** The human-readable report: medians, resources, and the runs left out. */
function printTables(r: {
  startedAt: string;
  command: string;
  machine: ReturnType<typeof machineInfo>;
  rounds: number;
  opts: BenchOptions;
  summary: ReturnType<typeof summarize>;
  resources: ReturnType<typeof resourceRows>;
  runs: RunResult[];
  names: string[];
}): void {
  const { machine } = r;
  console.log(`\nWarren benchmark — ${r.startedAt}`);
  console.log(`command: ${r.command}`);
  console.log(
    `machine: ${machine.nproc} cpus, ${machine.cpuModel}, ${machine.memTotalGiB} GiB RAM, ` +
      `Linux ${machine.kernel}, Deno ${machine.deno}`,
  );
  console.log(
    `rounds: ${r.rounds}, duration: ${r.opts.durationMs / 1000} s, generator: ${r.opts.mode}s, ` +
      `client: ${r.opts.client}\n`,
  );
  console.log(formatSummary(r.summary, r.names));
  console.log("");
  console.log(formatResources(r.resources));
  const failed = r.runs.filter((x) => x.details.error !== undefined);
  if (failed.length > 0) {
    console.log(`\nfailed runs (left out of the medians):`);
    for (const x of failed) {
      console.log(
        `  round ${x.round} ${x.scenario} on ${x.broker}: ${String(x.details.error).split("\n")[0]}`,
      );
    }
  }
}

function summaryLine(r: Omit<RunResult, "scenario" | "broker" | "round">): string {
  const m = Object.entries(r.metrics).filter(([, v]) => Number.isFinite(v)).map(([k, v]) =>
    `${k}=${v >= 100 ? Math.round(v) : v.toFixed(3)}`
  );
  return [
    ...m,
    `lost=${r.lost}`,
    `dup=${r.duplicates}`,
    `gen=${r.generatorCores.toFixed(2)}c`,
    `broker=${r.brokerCores.toFixed(2)}c`,
    `rss=${Math.round(r.brokerPeakRssMiB)}MiB`,
  ].join(" ");
}

if (import.meta.main) {
  let code = 1;
  try {
    code = await main();
  } catch (e) {
    console.error(`bench: ${e instanceof Error ? e.message : e}`);
    await stopAll();
  }
  Deno.exit(code);
}
