// A private RabbitMQ node from Debian's rabbitmq-server package, for the
// benchmark (scripts/bench/brokers.ts) and for tests that compare Warren with
// RabbitMQ (tests/helpers/rabbitmq.ts). It lives in scripts/ because both the
// harness and the tests use it, and tests already import from scripts/.
//
// Everything the node touches is its own: a base dir (mnesia, logs, config,
// enabled plugins), its AMQP, distribution and management ports, and an epmd
// on a private port. RabbitMQ would otherwise start a daemonised epmd on 4369
// that outlives the node (and is shared with any other node on the machine);
// here epmd runs in the foreground as our child on a free port, the node
// registers with it, and stop() ends both, so nothing is left running.
import { findDescendant, processAlive } from "./bench/procstat.ts";

export const RABBIT_BIN = "/usr/lib/rabbitmq/bin";
const RABBIT_HOME = "/var/lib/rabbitmq";
const EPMD = "/usr/bin/epmd";
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;

/** Whether Debian's rabbitmq-server (and the epmd it needs) is installed. */
export function rabbitMqInstalled(): boolean {
  for (const path of [`${RABBIT_BIN}/rabbitmq-server`, EPMD]) {
    try {
      Deno.statSync(path);
    } catch {
      return false;
    }
  }
  return true;
}

/** Asks the OS for a free TCP port (closed again at once; a race is possible but unlikely). */
export function freePort(): number {
  const l = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

export interface RabbitNodeOptions {
  /** Created if missing; holds everything the node writes. */
  baseDir: string;
  /** Default: a unique `warren-<random>@localhost`. */
  nodeName?: string;
  /** AMQP port; default a free one. */
  port?: number;
  distPort?: number;
  epmdPort?: number;
  /**
   * Start an epmd on epmdPort with the node (default). Nodes of one cluster share one
   * epmd: the first starts it, the others pass false and must stop before it.
   */
  startEpmd?: boolean;
  /** Plugins to enable, e.g. ["rabbitmq_management"]. Default: none. */
  plugins?: string[];
  /** Management listener port when rabbitmq_management is enabled; default a free one. */
  managementPort?: number;
  /** Metrics listener port when rabbitmq_prometheus is enabled; default a free one. */
  prometheusPort?: number;
  /** Extra rabbitmq.conf lines. */
  config?: string[];
}

/** Copies a child's output to a log file so its pipe never fills. */
export async function pump(stream: ReadableStream<Uint8Array>, file: Deno.FsFile): Promise<void> {
  try {
    for await (const chunk of stream) await file.write(chunk);
  } catch { /* the file or stream closed */ }
}

/** Resolves true when the child exits within ms. */
export async function waitExit(child: Deno.ChildProcess, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const exited = await Promise.race([
    child.status.then(() => true),
    new Promise<boolean>((r) => timer = setTimeout(() => r(false), ms)),
  ]);
  clearTimeout(timer);
  return exited;
}

function killQuietly(pid: number | null | undefined, signal: Deno.Signal): void {
  if (pid === null || pid === undefined || !processAlive(pid)) return;
  try {
    Deno.kill(pid, signal);
  } catch { /* gone */ }
}

/** True once an AMQP server at port answers the protocol header with a method frame. */
async function amqpAnswers(port: number): Promise<boolean> {
  let conn: Deno.TcpConn | null = null;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode("AMQP\x00\x00\x09\x01"));
    const buf = new Uint8Array(8);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const n = await Promise.race([
      conn.read(buf),
      new Promise<null>((r) => timer = setTimeout(() => r(null), 5_000)),
    ]).finally(() => clearTimeout(timer));
    return n !== null && n >= 1 && buf[0] === 1;
  } catch {
    return false;
  } finally {
    try {
      conn?.close();
    } catch { /* closed */ }
  }
}

async function managementAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/overview`, {
      headers: { authorization: `Basic ${btoa("guest:guest")}` },
      signal: AbortSignal.timeout(5_000),
    });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

export class RabbitNode {
  readonly baseDir: string;
  readonly nodeName: string;
  readonly port: number;
  readonly distPort: number;
  readonly epmdPort: number;
  readonly plugins: readonly string[];
  /** 0 when the management plugin is not enabled. */
  readonly managementPort: number;
  /** amqp://guest:guest@127.0.0.1:PORT/ */
  readonly url: string;
  /** http://127.0.0.1:PORT ("" without the management plugin) */
  readonly managementUrl: string;
  /** 0 when the prometheus plugin is not enabled. */
  readonly prometheusPort: number;
  /** http://127.0.0.1:PORT ("" without the prometheus plugin) */
  readonly prometheusUrl: string;
  #config: string[];
  #startEpmd: boolean;
  #server: Deno.ChildProcess | null = null;
  #epmd: Deno.ChildProcess | null = null;
  #beamPid: number | null = null;
  #log: Deno.FsFile | null = null;

  constructor(opts: RabbitNodeOptions) {
    this.baseDir = opts.baseDir;
    this.nodeName = opts.nodeName ?? `warren-${crypto.randomUUID().slice(0, 8)}@localhost`;
    this.port = opts.port ?? freePort();
    this.distPort = opts.distPort ?? freePort();
    this.epmdPort = opts.epmdPort ?? freePort();
    this.plugins = opts.plugins ?? [];
    this.managementPort = this.plugins.includes("rabbitmq_management")
      ? opts.managementPort ?? freePort()
      : 0;
    this.url = `amqp://guest:guest@127.0.0.1:${this.port}/`;
    this.managementUrl = this.managementPort ? `http://127.0.0.1:${this.managementPort}` : "";
    this.prometheusPort = this.plugins.includes("rabbitmq_prometheus")
      ? opts.prometheusPort ?? freePort()
      : 0;
    this.prometheusUrl = this.prometheusPort ? `http://127.0.0.1:${this.prometheusPort}` : "";
    this.#config = opts.config ?? [];
    this.#startEpmd = opts.startEpmd ?? true;
  }

  /** The node's OS process (beam.smp), once started. */
  get beamPid(): number | null {
    return this.#beamPid;
  }

  /** The environment every RabbitMQ script of this node runs with. */
  env(): Record<string, string> {
    const b = this.baseDir;
    return {
      HOME: RABBIT_HOME,
      PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
      LANG: "C.UTF-8",
      ERL_EPMD_PORT: String(this.epmdPort),
      ERL_EPMD_ADDRESS: "127.0.0.1",
      RABBITMQ_NODENAME: this.nodeName,
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
      RABBITMQ_DIST_PORT: String(this.distPort),
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
  argv(script: string, args: string[]): string[] {
    const env = Object.entries(this.env()).map(([k, v]) => `${k}=${v}`);
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

  /** Runs a CLI script against this node and returns its output; throws when it fails. */
  async ctlOrThrow(args: string[], script = "rabbitmqctl"): Promise<string> {
    const out = await this.ctl(args, script);
    if (out.code !== 0) throw new Error(`${script} ${args.join(" ")} failed: ${out.stdout}${out.stderr}`);
    return out.stdout;
  }

  /** Runs rabbitmqctl (or another CLI script) against this node. */
  async ctl(
    args: string[],
    script = "rabbitmqctl",
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const argv = this.argv(script, ["-n", this.nodeName, ...args]);
    const out = await new Deno.Command(argv[0], { args: argv.slice(1), stdin: "null" }).output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  }

  async #prepareDirs(): Promise<void> {
    const b = this.baseDir;
    await Deno.mkdir(`${b}/mnesia`, { recursive: true });
    await Deno.mkdir(`${b}/log`, { recursive: true });
    await Deno.writeTextFile(`${b}/enabled_plugins`, `[${this.plugins.join(",")}].\n`);
    const conf = [...this.#config];
    if (this.managementPort) {
      conf.push(`management.tcp.port = ${this.managementPort}`, "management.tcp.ip = 127.0.0.1");
    }
    if (this.prometheusPort) {
      conf.push(`prometheus.tcp.port = ${this.prometheusPort}`, "prometheus.tcp.ip = 127.0.0.1");
    }
    await Deno.writeTextFile(`${b}/rabbitmq.conf`, conf.map((l) => `${l}\n`).join(""));
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

  #spawn(argv: string[]): Deno.ChildProcess {
    const child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      cwd: this.baseDir,
    }).spawn();
    pump(child.stdout, this.#log!);
    pump(child.stderr, this.#log!);
    return child;
  }

  /**
   * Starts epmd and the node; resolves once AMQP (and the management API, when
   * enabled) answer. Returns the start-up time in ms. On failure everything
   * started is stopped again.
   */
  async start(): Promise<number> {
    await this.#prepareDirs();
    this.#log = await Deno.open(`${this.baseDir}/console.log`, { create: true, append: true });
    const t0 = performance.now();
    try {
      if (this.#startEpmd) {
        this.#epmd = this.#spawn([EPMD, "-port", String(this.epmdPort), "-address", "127.0.0.1"]);
      }
      const server = this.#spawn(this.argv("rabbitmq-server", []));
      this.#server = server;
      let exitCode: number | null = null;
      server.status.then((s) => exitCode = s.code);
      const deadline = performance.now() + START_TIMEOUT_MS;
      while (
        !await amqpAnswers(this.port) || (this.managementUrl && !await managementAnswers(this.managementUrl))
      ) {
        if (exitCode !== null) throw new Error(`rabbitmq-server exited during start-up (code ${exitCode})`);
        if (performance.now() > deadline) throw new Error(`not ready after ${START_TIMEOUT_MS} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
      this.#beamPid = findDescendant(server.pid, "beam.smp");
      if (this.#beamPid === null) throw new Error("rabbitmq is up but its beam.smp process was not found");
    } catch (e) {
      await this.stop();
      const logFile = `${this.baseDir}/console.log`;
      const tail = (await Deno.readTextFile(logFile).catch(() => "")).trim().split("\n").slice(-10).join(
        "\n",
      );
      throw new Error(`${(e as Error).message}; ${logFile} ends:\n${tail}`);
    }
    return performance.now() - t0;
  }

  /**
   * Stops the node (SIGTERM to beam.smp: RabbitMQ shuts down gracefully on it, faster
   * than a rabbitmqctl stop, which boots a second Erlang VM), then its epmd. Falls back
   * to SIGKILL; safe to call twice. `fast` kills at once: for a throwaway node whose
   * data nobody reads again (graceful shutdown takes seconds).
   */
  async stop(options: { fast?: boolean } = {}): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server) {
      const signal = options.fast ? "SIGKILL" : "SIGTERM";
      const beam = this.#beamPid ?? findDescendant(server.pid, "beam.smp");
      killQuietly(beam, signal);
      if (beam === null) killQuietly(server.pid, signal);
      if (!await waitExit(server, STOP_TIMEOUT_MS)) {
        killQuietly(beam, "SIGKILL");
        killQuietly(server.pid, "SIGKILL");
        await server.status;
      }
    }
    this.#beamPid = null;
    const epmd = this.#epmd;
    this.#epmd = null;
    if (epmd) {
      killQuietly(epmd.pid, "SIGTERM");
      if (!await waitExit(epmd, 5_000)) {
        killQuietly(epmd.pid, "SIGKILL");
        await epmd.status;
      }
    }
    // let the pumps write their last bytes
    await new Promise((r) => setTimeout(r, 20));
    try {
      this.#log?.close();
    } catch { /* closed */ }
    this.#log = null;
  }

  /** Last resort when the process exits abruptly: SIGKILL everything, synchronously. */
  killNow(): void {
    killQuietly(this.#beamPid, "SIGKILL");
    killQuietly(this.#server?.pid, "SIGKILL");
    killQuietly(this.#epmd?.pid, "SIGKILL");
  }
}
