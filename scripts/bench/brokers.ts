// The brokers under test: Warren started from this checkout, RabbitMQ from
// the Debian package (on its own node name, ports, data and log dirs, as
// the `rabbitmq` user), or any broker already running at a URL. Each knows
// its process id, so the harness can read its CPU time and memory.
import { AmqpConnection, withTimeout } from "./amqp_client.ts";
import { findDescendant, processAlive } from "./procstat.ts";

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

/** Asks the OS for a free TCP port (closed again at once; a race is possible but unlikely). */
export function freePort(): number {
  const l = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
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

/** Copies a child's output to a log file so its pipe never fills. */
async function pump(stream: ReadableStream<Uint8Array>, file: Deno.FsFile): Promise<void> {
  try {
    for await (const chunk of stream) await file.write(chunk);
  } catch { /* the file or stream closed */ }
}

async function waitExit(child: Deno.ChildProcess, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const exited = await Promise.race([
    child.status.then(() => true),
    new Promise<boolean>((r) => timer = setTimeout(() => r(false), ms)),
  ]);
  clearTimeout(timer);
  return exited;
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
}

const RABBIT_BIN = "/usr/lib/rabbitmq/bin";
const RABBIT_HOME = "/var/lib/rabbitmq";

export class RabbitBroker implements Broker {
  readonly name = "rabbitmq";
  readonly managed = true;
  readonly url: string;
  #opts: RabbitOptions;
  #child: Deno.ChildProcess | null = null;
  #beamPid: number | null = null;
  #log: Deno.FsFile | null = null;

  constructor(opts: RabbitOptions) {
    this.#opts = opts;
    this.url = `amqp://guest:guest@127.0.0.1:${opts.port}/`;
  }

  pid(): number | null {
    return this.#beamPid;
  }

  #env(): Record<string, string> {
    const b = this.#opts.baseDir;
    return {
      HOME: RABBIT_HOME,
      PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
      LANG: "C.UTF-8",
      RABBITMQ_NODENAME: this.#opts.nodeName,
      RABBITMQ_NODE_PORT: String(this.#opts.port),
      RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
      RABBITMQ_DIST_PORT: String(this.#opts.distPort),
      RABBITMQ_MNESIA_BASE: `${b}/mnesia`,
      RABBITMQ_LOG_BASE: `${b}/log`,
      RABBITMQ_ENABLED_PLUGINS_FILE: `${b}/enabled_plugins`,
      RABBITMQ_CONFIG_FILE: `${b}/rabbitmq.conf`,
      RABBITMQ_ADVANCED_CONFIG_FILE: `${b}/advanced.config`,
      RABBITMQ_CONF_ENV_FILE: `${b}/rabbitmq-env.conf`,
      RABBITMQ_PID_FILE: `${b}/rabbit.pid`,
    };
  }

  /**
   * argv that runs a RabbitMQ script as the rabbitmq user with this node's environment.
   * runuser's PAM session drops the open-files soft limit to 1024, too few for 1,000
   * connections; it is raised back to the hard limit, the one Warren runs with.
   */
  #asRabbit(script: string, args: string[]): string[] {
    const env = Object.entries(this.#env()).map(([k, v]) => `${k}=${v}`);
    const cmd = [
      "sh",
      "-c",
      'ulimit -n "$(ulimit -Hn)" && exec "$@"',
      "sh",
      "env",
      "-i",
      ...env,
      `${RABBIT_BIN}/${script}`,
      ...args,
    ];
    return Deno.uid() === 0 ? ["runuser", "-u", "rabbitmq", "--", ...cmd] : cmd;
  }

  async #prepareDirs(): Promise<void> {
    const b = this.#opts.baseDir;
    await Deno.mkdir(`${b}/mnesia`, { recursive: true });
    await Deno.mkdir(`${b}/log`, { recursive: true });
    await Deno.writeTextFile(`${b}/enabled_plugins`, "[].\n");
    await Deno.writeTextFile(`${b}/rabbitmq.conf`, "");
    await Deno.writeTextFile(`${b}/rabbitmq-env.conf`, "");
    if (Deno.uid() === 0) {
      const chown = await new Deno.Command("chown", { args: ["-R", "rabbitmq:rabbitmq", b] }).output();
      if (!chown.success) throw new Error(`chown ${b} failed: ${new TextDecoder().decode(chown.stderr)}`);
      // every parent must be traversable by the rabbitmq user
      let dir = b;
      while (dir !== "/" && dir !== "") {
        dir = dir.replace(/\/[^/]+\/?$/, "") || "/";
        const st = await Deno.stat(dir);
        if (((st.mode ?? 0) & 0o001) === 0) await Deno.chmod(dir, (st.mode ?? 0o700) | 0o711);
      }
    }
  }

  async start(): Promise<number> {
    refuseIfStopping(this.name);
    await this.#prepareDirs();
    this.#log = await Deno.open(`${this.#opts.baseDir}/console.log`, { create: true, append: true });
    const argv = this.#asRabbit("rabbitmq-server", []);
    const t0 = performance.now();
    const child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      cwd: this.#opts.baseDir,
    }).spawn();
    this.#child = child;
    liveBrokers.add(this);
    pump(child.stdout, this.#log);
    pump(child.stderr, this.#log);
    const exited = child.status.then(async (s) => {
      await new Promise((r) => setTimeout(r, 100));
      const logFile = `${this.#opts.baseDir}/console.log`;
      const tail = (await Deno.readTextFile(logFile).catch(() => "")).trim().split("\n").slice(-10).join(
        "\n",
      );
      throw new Error(`rabbitmq-server exited during start-up (code ${s.code}); ${logFile} ends:\n${tail}`);
    });
    exited.catch(() => {});
    await Promise.race([waitForAmqp(this.url, 180_000, 5), exited]);
    const startupMs = performance.now() - t0;
    this.#beamPid = findDescendant(child.pid, "beam.smp");
    if (this.#beamPid === null) throw new Error("rabbitmq is up but its beam.smp process was not found");
    return startupMs;
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = null;
    const beam = this.#beamPid;
    const argv = this.#asRabbit("rabbitmqctl", ["-n", this.#opts.nodeName, "stop"]);
    try {
      const ctl = new Deno.Command(argv[0], { args: argv.slice(1), stdout: "null", stderr: "null" }).spawn();
      if (!await waitExit(ctl, 60_000)) ctl.kill("SIGKILL");
    } catch { /* fall through to signals */ }
    if (!await waitExit(child, 30_000)) {
      if (beam !== null && processAlive(beam)) {
        try {
          Deno.kill(beam, "SIGTERM");
        } catch { /* gone */ }
      }
      if (!await waitExit(child, 15_000)) {
        if (beam !== null && processAlive(beam)) {
          try {
            Deno.kill(beam, "SIGKILL");
          } catch { /* gone */ }
        }
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
        await child.status;
      }
    }
    this.#beamPid = null;
    liveBrokers.delete(this);
    await new Promise((r) => setTimeout(r, 50));
    try {
      this.#log?.close();
    } catch { /* closed */ }
    this.#log = null;
  }

  /** Last-resort synchronous kill (interrupt handler). */
  killNow(): void {
    const beam = this.#beamPid;
    if (beam !== null && processAlive(beam)) {
      try {
        Deno.kill(beam, "SIGKILL");
      } catch { /* gone */ }
    }
    try {
      this.#child?.kill("SIGKILL");
    } catch { /* gone */ }
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
