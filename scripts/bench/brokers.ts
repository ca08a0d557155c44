// The brokers under test: Warren started from this checkout, RabbitMQ from
// the Debian package (on its own node name, ports, data and log dirs, as
// the `rabbitmq` user), or any broker already running at a URL. Each knows
// its process id, so the harness can read its CPU time and memory.
import { AmqpConnection, withTimeout } from "./amqp_client.ts";
import { freePort, pump, RabbitNode, waitExit } from "../rabbitmq_node.ts";

export { freePort };

export interface Broker {
  readonly name: string;
  readonly url: string;
  /** The broker's OS process (beam.smp for RabbitMQ), when known. */
  pid(): number | null;
  /** Starts the broker and resolves once it accepts AMQP; returns the start-up time in ms. */
  start(): Promise<number>;
  /** Stops it gracefully (falling back to SIGKILL). */
  stop(): Promise<void>;
  /** Whether start/stop work (false for an external URL). */
  readonly managed: boolean;
  /** Last resort when the harness exits abruptly: SIGKILL, synchronously. */
  killNow(): void;
}

/** Resolves once an AMQP handshake succeeds at url, polling every `everyMs`. */
async function waitForAmqp(url: string, timeoutMs: number, everyMs = 20): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown = null;
  while (performance.now() < deadline) {
    try {
      const c = await withTimeout(AmqpConnection.open(url, { name: "bench-probe" }), 5000, "probe");
      await c.close();
      return;
    } catch (e) {
      lastError = e;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
  throw new Error(`broker at ${url} not ready after ${timeoutMs} ms: ${lastError}`);
}

/** Brokers started by this run, stopped on exit or interrupt. */
export const liveBrokers = new Set<Broker>();

/** Set once the run is being torn down: no broker may be started after that. */
export const lifecycle = { stopping: false };

function refuseIfStopping(name: string): void {
  if (lifecycle.stopping) throw new Error(`not starting ${name}: the benchmark is shutting down`);
}

export interface WarrenOptions {
  mainTs: string;
  dataDir: string;
  port: number;
  logFile: string;
  extraArgs: string[];
}

export class WarrenBroker implements Broker {
  readonly name = "warren";
  readonly managed = true;
  readonly url: string;
  #opts: WarrenOptions;
  #child: Deno.ChildProcess | null = null;
  #log: Deno.FsFile | null = null;

  constructor(opts: WarrenOptions) {
    this.#opts = opts;
    this.url = `amqp://guest:guest@127.0.0.1:${opts.port}/`;
  }

  pid(): number | null {
    return this.#child?.pid ?? null;
  }

  async start(): Promise<number> {
    refuseIfStopping(this.name);
    const o = this.#opts;
    await Deno.mkdir(o.dataDir, { recursive: true });
    this.#log = await Deno.open(o.logFile, { create: true, append: true });
    const t0 = performance.now();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", o.mainTs, "--port", String(o.port), "--data-dir", o.dataDir, ...o.extraArgs],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    liveBrokers.add(this);
    pump(child.stdout, this.#log);
    pump(child.stderr, this.#log);
    const exited = child.status.then(async (s) => {
      await new Promise((r) => setTimeout(r, 100));
      const tail = (await Deno.readTextFile(o.logFile).catch(() => "")).trim().split("\n").slice(-5).join(
        "\n",
      );
      throw new Error(`warren exited during start-up (code ${s.code}); ${o.logFile} ends:\n${tail}`);
    });
    exited.catch(() => {});
    await Promise.race([waitForAmqp(this.url, 60_000, 5), exited]);
    return performance.now() - t0;
  }

  killNow(): void {
    try {
      this.#child?.kill("SIGKILL");
    } catch { /* gone */ }
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = null;
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    if (!await waitExit(child, 15_000)) {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
      await child.status;
    }
    liveBrokers.delete(this);
    await new Promise((r) => setTimeout(r, 50));
    try {
      this.#log?.close();
    } catch { /* closed */ }
    this.#log = null;
  }
}

export interface RabbitOptions {
  baseDir: string;
  nodeName: string;
  port: number;
  distPort: number;
  plugins?: string[];
}

/** RabbitMQ as a benchmark broker: a private node (scripts/rabbitmq_node.ts) without plugins. */
export class RabbitBroker implements Broker {
  readonly name = "rabbitmq";
  readonly managed = true;
  readonly url: string;
  #node: RabbitNode;
  #running = false;

  constructor(opts: RabbitOptions) {
    this.#node = new RabbitNode(opts);
    this.url = this.#node.url;
  }

  pid(): number | null {
    return this.#node.beamPid;
  }

  /** rabbitmqctl against this node; throws when it fails. */
  ctl(args: string[]): Promise<string> {
    return this.#node.ctlOrThrow(args);
  }

  async start(): Promise<number> {
    refuseIfStopping(this.name);
    liveBrokers.add(this);
    this.#running = true;
    return await this.#node.start();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    await this.#node.stop();
    liveBrokers.delete(this);
  }

  /** Last-resort synchronous kill (interrupt handler). */
  killNow(): void {
    this.#node.killNow();
  }
}

/**
 * Starts a broker, retrying a few times: Warren runs from a checkout that others may
 * be editing, so a start can fail on a half-saved file and succeed a moment later.
 */
export async function startWithRetry(
  b: Broker,
  log: (line: string) => void,
  attempts = 4,
): Promise<number> {
  for (let i = 1;; i++) {
    try {
      return await b.start();
    } catch (e) {
      await b.stop().catch(() => {});
      if (i >= attempts || lifecycle.stopping) throw e;
      log(
        `  ${b.name} did not start (attempt ${i}/${attempts}): ${String(e).split("\n")[0]}; retrying in 10 s`,
      );
      await new Promise((r) => setTimeout(r, 10_000));
    }
  }
}

/** A broker someone else runs; its pid may be given for CPU and memory readings. */
export class ExternalBroker implements Broker {
  readonly name: string;
  readonly managed = false;
  readonly url: string;
  #pid: number | null;

  constructor(url: string, pid: number | null, name = "url") {
    this.url = url;
    this.#pid = pid;
    this.name = name;
  }

  pid(): number | null {
    return this.#pid;
  }

  start(): Promise<number> {
    return Promise.resolve(NaN);
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  killNow(): void {}
}
