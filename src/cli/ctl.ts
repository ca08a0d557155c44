// `warren ctl <verb>` (and the program run as `rabbitmqctl`): rabbitmqctl's
// verbs against a running node, reached over its management port on this
// machine with the secret from its data dir, so no password is needed. The
// node is the one that owns the data dir (--data-dir, else the config's):
// its port comes from the node's record there, and a node that does not
// hold that dir's secret is refused.
import { loopbackFor, nodeRecordPath, readNodeRecord } from "../admin/node_record.ts";
import process from "node:process";
import { ConfigError, loadConfig } from "../config/config.ts";
import { ctlSecretPath, readCtlSecret } from "../admin/ctl_secret.ts";
import { type CtlOptions, parseCtlArgs } from "./args.ts";
import { CtlError, EXIT, NodeClient, type NodeTarget } from "./node_client.ts";
import { consoleIo, type Io, type Output, printJsonRows, printTable } from "./output.ts";
import type { Verb, VerbContext } from "./verb.ts";
import { ACCESS_VERBS } from "./verbs/access.ts";
import { NODE_VERBS } from "./verbs/node.ts";
import { OBJECT_VERBS } from "./verbs/objects.ts";
import { POLICY_VERBS } from "./verbs/policies.ts";
import { PARAMETER_VERBS } from "./verbs/parameters.ts";
import { VHOST_LIMIT_VERBS } from "./verbs/vhost_limits.ts";

/** rabbitmqctl's default operation timeout. */
const DEFAULT_TIMEOUT_S = 60;

const VERBS: Record<string, Verb> = {
  ...ACCESS_VERBS,
  ...OBJECT_VERBS,
  ...POLICY_VERBS,
  ...PARAMETER_VERBS,
  ...VHOST_LIMIT_VERBS,
  ...NODE_VERBS,
};

/** True when the program was started under the name rabbitmqctl (a symlink, copy or hard link). */
export function invokedAsRabbitmqctl(): boolean {
  const names = [process.argv0, Deno.execPath()];
  return names.some((n) => (n.split("/").pop() ?? "").replace(/\.(exe|ts|js)$/, "") === "rabbitmqctl");
}

/**
 * Where the node is: -n host[:port] (or rabbit@host) or --management-port
 * when given, else where the node owning the data dir recorded it listens,
 * else loopback and the configured management port.
 */
function resolveTarget(options: CtlOptions, env: Record<string, string | undefined>): NodeTarget {
  const argv: string[] = [];
  if (options.dataDir !== undefined) argv.push("--data-dir", options.dataDir);
  if (options.managementPort !== undefined) argv.push("--management-port", options.managementPort);
  if (options.config !== undefined) argv.push("--config", options.config);
  let config;
  try {
    config = loadConfig(argv, env);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof TypeError) throw new CtlError(EXIT.config, e.message);
    throw e;
  }
  let host = "127.0.0.1";
  let port = config.managementPort;
  let recordPath: string | null = null;
  const record = options.node === undefined && options.managementPort === undefined
    ? readNodeRecord(config.dataDir)
    : null;
  if (record !== null) {
    host = loopbackFor(record.management.hostname);
    port = record.management.port;
    recordPath = nodeRecordPath(config.dataDir);
  }
  if (options.node !== undefined) {
    const spec = options.node.includes("@")
      ? options.node.slice(options.node.indexOf("@") + 1)
      : options.node;
    const m = spec.match(/^\[([^\]]+)\](?::(\d+))?$/) ?? spec.match(/^([^:]+)(?::(\d+))?$/);
    if (!m) throw new CtlError(EXIT.usage, `-n: '${options.node}' is not host[:port]`);
    host = m[1];
    if (m[2] !== undefined) port = Number(m[2]);
  }
  if (port === 0) {
    throw new CtlError(
      EXIT.usage,
      "the management port is 0 (chosen by the node at start); give the real one with -n host:port or --management-port",
    );
  }
  return {
    host,
    port,
    secret: readCtlSecret(config.dataDir),
    secretPath: ctlSecretPath(config.dataDir),
    dataDir: config.dataDir,
    recordPath,
    timeoutMs: (options.timeoutS ?? DEFAULT_TIMEOUT_S) * 1000,
  };
}

function helpText(): string {
  const lines = [
    "Usage: warren ctl [-n <host:port>] [--data-dir <dir>] [-q] [--formatter json] <verb> [<args>]",
    "",
  ];
  for (const name of Object.keys(VERBS).sort()) lines.push(`  ${VERBS[name].usage}`);
  return lines.join("\n");
}

async function readAllStdin(): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of Deno.stdin.readable) chunks.push(chunk);
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const all = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  return new TextDecoder().decode(all);
}

function render(io: Io, output: Output, ctx: VerbContext): void {
  const json = ctx.options.formatter === "json";
  switch (output.kind) {
    case "none":
      if (json) io.out(JSON.stringify({ result: "ok", node: ctx.client.address }));
      return;
    case "message":
      if (json) io.out(JSON.stringify({ result: "ok", node: ctx.client.address, message: output.text }));
      else if (!ctx.options.silent) io.out(output.text);
      return;
    case "raw":
      io.out(output.text);
      return;
    case "json":
      io.out(JSON.stringify(output.value));
      return;
    case "table":
      if (json) printJsonRows(io, output.columns, output.rows);
      else {
        printTable(io, output.columns, output.rows, {
          headers: ctx.options.tableHeaders && !ctx.options.silent,
        });
      }
      return;
  }
}

export interface CtlRunOptions {
  io?: Io;
  env?: Record<string, string | undefined>;
  readStdin?: () => Promise<string>;
}

/** Runs one ctl command line; returns the exit code (rabbitmqctl's). */
export async function runCtl(argv: string[], run: CtlRunOptions = {}): Promise<number> {
  const io = run.io ?? consoleIo;
  let formatter: "table" | "json" = "table";
  try {
    const parsed = parseCtlArgs(argv);
    formatter = parsed.options.formatter;
    if (parsed.verb === undefined || parsed.verb === "help" || parsed.options.help) {
      const verb = parsed.verb === "help" ? parsed.positional[0] : parsed.verb;
      if (verb !== undefined && VERBS[verb]) io.out(`Usage: warren ctl ${VERBS[verb].usage}`);
      else io.out(helpText());
      return parsed.verb === undefined && !parsed.options.help ? EXIT.usage : EXIT.ok;
    }
    const verb = VERBS[parsed.verb];
    if (!verb) {
      throw new CtlError(EXIT.usage, `'${parsed.verb}' is not a recognised command (see warren ctl help)`);
    }
    if (parsed.positional.length < verb.minArgs) {
      throw new CtlError(EXIT.usage, `not enough arguments; usage: ${verb.usage}`);
    }
    if (parsed.positional.length > verb.maxArgs) {
      throw new CtlError(EXIT.usage, `too many arguments; usage: ${verb.usage}`);
    }
    const env = run.env ?? Deno.env.toObject();
    const client = new NodeClient(resolveTarget(parsed.options, env));
    const ctx: VerbContext = {
      client,
      args: parsed.positional,
      options: parsed.options,
      vhost: parsed.options.vhost ?? "/",
      readStdin: run.readStdin ?? readAllStdin,
      locate: () => new NodeClient(resolveTarget(parsed.options, env)),
      progress: (line) => {
        if (!parsed.options.quiet && !parsed.options.silent && formatter !== "json") io.out(line);
      },
    };
    if (verb.banner && !parsed.options.quiet && formatter !== "json") {
      const banner = verb.banner(ctx);
      if (banner !== "") io.out(banner);
    }
    render(io, await verb.run(ctx), ctx);
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof CtlError)) throw e;
    if (formatter === "json") io.err(JSON.stringify({ result: "error", message: e.message }));
    else io.err(`Error: ${e.message}`);
    return e.exitCode;
  }
}
