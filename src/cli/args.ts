// ctl's command line, parsed the way rabbitmqctl takes it: options may come
// before or after the verb, `--opt value` or `--opt=value`, and `--` ends
// the options.
import { CtlError, EXIT } from "./node_client.ts";

export interface CtlOptions {
  node?: string;
  vhost?: string;
  quiet: boolean;
  silent: boolean;
  timeoutS?: number;
  formatter: "table" | "json";
  tableHeaders: boolean;
  dataDir?: string;
  managementPort?: string;
  config?: string;
  ifEmpty: boolean;
  ifUnused: boolean;
  force: boolean;
  description?: string;
  tags?: string;
  defaultQueueType?: string;
  format?: string;
  /** set_policy --priority. */
  priority?: number;
  /** set_policy --apply-to (queues, exchanges or all; the node checks it). */
  applyTo?: string;
  preHashedPassword: boolean;
  /** list_vhost_limits --global: every vhost's limits. */
  global: boolean;
  help: boolean;
}

export interface ParsedArgs {
  verb: string | undefined;
  positional: string[];
  options: CtlOptions;
}

type ValueOption =
  | "node"
  | "vhost"
  | "timeout"
  | "formatter"
  | "data-dir"
  | "management-port"
  | "config"
  | "description"
  | "tags"
  | "default-queue-type"
  | "format"
  | "priority"
  | "apply-to";
type FlagOption =
  | "quiet"
  | "silent"
  | "no-table-headers"
  | "if-empty"
  | "if-unused"
  | "force"
  | "pre-hashed-password"
  | "global"
  | "help"
  | "longnames"
  | "offline"
  | "online"
  | "local";

const VALUE_OPTIONS = new Set<string>([
  "node",
  "vhost",
  "timeout",
  "formatter",
  "data-dir",
  "management-port",
  "config",
  "description",
  "tags",
  "default-queue-type",
  "format",
  "priority",
  "apply-to",
]);
const FLAG_OPTIONS = new Set<string>([
  "quiet",
  "silent",
  "no-table-headers",
  "if-empty",
  "if-unused",
  "force",
  "pre-hashed-password",
  "global",
  "help",
  "longnames",
  "offline",
  "online",
  "local",
]);
const SHORT: Record<string, ValueOption | FlagOption> = {
  n: "node",
  p: "vhost",
  t: "timeout",
  q: "quiet",
  s: "silent",
  e: "if-empty",
  u: "if-unused",
  l: "longnames",
  h: "help",
};

function usage(message: string): CtlError {
  return new CtlError(EXIT.usage, message);
}

export function parseCtlArgs(argv: string[]): ParsedArgs {
  const options: CtlOptions = {
    quiet: false,
    silent: false,
    formatter: "table",
    tableHeaders: true,
    ifEmpty: false,
    ifUnused: false,
    force: false,
    preHashedPassword: false,
    global: false,
    help: false,
  };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith("--") && arg.length > 2) {
      const eq = arg.indexOf("=");
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else if (/^-[a-zA-Z]$/.test(arg)) {
      name = SHORT[arg[1]];
      if (!name) throw usage(`unknown option ${arg}`);
    } else {
      positional.push(arg);
      continue;
    }
    if (FLAG_OPTIONS.has(name)) {
      if (inline !== undefined) throw usage(`option --${name} takes no value`);
      applyFlag(options, name as FlagOption);
    } else if (VALUE_OPTIONS.has(name)) {
      let value = inline;
      if (value === undefined) {
        if (i + 1 >= argv.length) throw usage(`option ${arg} needs a value`);
        value = argv[++i];
      }
      applyValue(options, name as ValueOption, value);
    } else {
      throw usage(`unknown option ${arg}`);
    }
  }
  const [verb, ...rest] = positional;
  return { verb, positional: rest, options };
}

function applyFlag(o: CtlOptions, name: FlagOption): void {
  switch (name) {
    case "quiet":
      o.quiet = true;
      break;
    case "silent":
      o.silent = true;
      o.quiet = true;
      break;
    case "no-table-headers":
      o.tableHeaders = false;
      break;
    case "if-empty":
      o.ifEmpty = true;
      break;
    case "if-unused":
      o.ifUnused = true;
      break;
    case "force":
      o.force = true;
      break;
    case "pre-hashed-password":
      o.preHashedPassword = true;
      break;
    case "global":
      o.global = true;
      break;
    case "help":
      o.help = true;
      break;
    default:
      break; // accepted for rabbitmqctl compatibility; nothing to do on a single node
  }
}

function applyValue(o: CtlOptions, name: ValueOption, value: string): void {
  switch (name) {
    case "node":
      o.node = value;
      break;
    case "vhost":
      o.vhost = value;
      break;
    case "timeout": {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) {
        throw usage(`--timeout: '${value}' is not a positive number of seconds`);
      }
      o.timeoutS = n;
      break;
    }
    case "formatter":
      if (value !== "json" && value !== "table") {
        throw usage(`--formatter: '${value}' is not supported (use json or table)`);
      }
      o.formatter = value;
      break;
    case "data-dir":
      o.dataDir = value;
      break;
    case "management-port":
      o.managementPort = value;
      break;
    case "config":
      o.config = value;
      break;
    case "description":
      o.description = value;
      break;
    case "tags":
      o.tags = value;
      break;
    case "default-queue-type":
      o.defaultQueueType = value;
      break;
    case "format":
      o.format = value;
      break;
    case "priority":
      if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) {
        throw usage(`--priority: '${value}' is not an integer`);
      }
      o.priority = Number(value);
      break;
    case "apply-to":
      o.applyTo = value;
      break;
  }
}
