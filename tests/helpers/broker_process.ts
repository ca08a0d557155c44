// Runs Warren as a child process (the real entry point, on port 0) for
// tests that restart it, kill it, or look at its output. The ports are read
// from the "listener up" log lines; the management API is on port 0 too
// unless the test passes its own --management-port.
const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const STARTUP_TIMEOUT_MS = 20_000;

export interface BrokerProcess {
  port: number;
  /** The management HTTP API's port. */
  managementPort: number;
  /** The amqps port, once its "listener up" line was printed (null without TLS). */
  readonly tlsPort: number | null;
  url: string;
  /** Every line the broker printed so far (stdout and stderr). */
  output: string[];
  /** The broker's process id (the wrapping shell, if any, exec'd into it). */
  pid: number;
  kill(signal?: Deno.Signal): void;
  /** Resolves with the exit status once the process has ended. */
  exited: Promise<Deno.CommandStatus>;
}

export interface SpawnOptions {
  args?: string[];
  env?: Record<string, string>;
  /** Run this file instead of main.ts (the bundle, say). */
  entry?: string;
  cwd?: string;
  /** Start the broker under `ulimit -n` with this many file descriptors. */
  fdLimit?: number;
  /**
   * Start the broker with writes past this file offset failing with EFBIG (a
   * soft RLIMIT_FSIZE, SIGXFSZ ignored), as a full disk fails them; lift it
   * with `prlimit --pid <pid> --fsize=unlimited`.
   */
  fileSizeLimitBytes?: number;
}

export async function spawnBroker(options: SpawnOptions = {}): Promise<BrokerProcess> {
  const argv = [
    Deno.execPath(),
    "run",
    "-A",
    options.entry ?? MAIN,
    "--port",
    "0",
    "--hostname",
    "127.0.0.1",
    "--management-port",
    "0",
    "--prometheus-port",
    "0",
    ...(options.args ?? []),
  ];
  // Limits apply to the broker only: sh sets them, then exec's the broker in its place.
  const setup: string[] = [];
  if (options.fdLimit !== undefined) setup.push(`ulimit -n ${options.fdLimit}`);
  if (options.fileSizeLimitBytes !== undefined) {
    setup.push("trap '' XFSZ");
    argv.unshift("prlimit", `--fsize=${options.fileSizeLimitBytes}:unlimited`, "--");
  }
  const [program, ...args] = setup.length === 0
    ? argv
    : ["sh", "-c", `${setup.join(" && ")} && exec "$@"`, "sh", ...argv];
  const child = new Deno.Command(program, {
    args,
    env: options.env,
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output: string[] = [];
  let tlsPort: number | null = null;
  let resolvePort: (port: number) => void;
  const portFound = new Promise<number>((r) => (resolvePort = r));
  let resolveHttpPort: (port: number) => void;
  const httpPortFound = new Promise<number>((r) => (resolveHttpPort = r));
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const lines = stream.pipeThrough(new TextDecoderStream()).pipeThrough(lineSplitter());
    for await (const line of lines) {
      output.push(line);
      const m = line.match(/listener up protocol=amqp .*port=(\d+)/);
      if (m) resolvePort(Number(m[1]));
      const h = line.match(/listener up protocol=http .*port=(\d+)/);
      if (h) resolveHttpPort(Number(h[1]));
      const t = line.match(/listener up protocol=amqps .*port=(\d+)/);
      if (t) tlsPort = Number(t[1]);
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const exited = pumps.then(() => child.status);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const [port, managementPort] = await Promise.race([
    Promise.all([portFound, httpPortFound]),
    exited.then((s) => {
      throw new Error(`broker exited with ${s.code} before listening:\n${output.join("\n")}`);
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`broker did not start:\n${output.join("\n")}`)),
        STARTUP_TIMEOUT_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  return {
    port,
    managementPort,
    pid: child.pid,
    get tlsPort() {
      return tlsPort;
    },
    url: `amqp://guest:guest@127.0.0.1:${port}/`,
    output,
    kill(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
    },
    exited,
  };
}

function lineSplitter(): TransformStream<string, string> {
  let buf = "";
  return new TransformStream({
    transform(chunk, controller) {
      buf += chunk;
      const parts = buf.split("\n");
      buf = parts.pop()!;
      for (const p of parts) controller.enqueue(p);
    },
    flush(controller) {
      if (buf) controller.enqueue(buf);
    },
  });
}
