// The node's effective configuration. Four sources, each overriding the
// one after it: command-line flags, environment variables (RABBITMQ_* as
// RabbitMQ reads them, plus WARREN_*), rabbitmq.conf (RabbitMQ's sysctl
// format, see conf_keys.ts), and RabbitMQ's defaults. Which setting has
// which key, variable, flag and default is settings.ts. Every mistake is a
// ConfigError naming the flag, the variable, or the file, line and key.
import { parseArgs } from "node:util";
import type { LogLevel } from "../log.ts";
import type { SyncLevel } from "../store/sync_level.ts";
import { ConfigError } from "./config_error.ts";
import { parseConfText } from "./conf_file.ts";
import { applyConfEntries } from "./conf_keys.ts";
import { CONFIG_SEARCH_PATHS, type Input, SETTINGS } from "./settings.ts";
import { BadValue, unreadableReason } from "./values.ts";

export { ConfigError };

export interface TlsConfig {
  port: number;
  hostname: string;
  certFile: string;
  keyFile: string;
  caCertFile: string | null;
  /** verify_peer: ask for and check a client certificate */
  verifyPeer: boolean;
  failIfNoPeerCert: boolean;
}

/** A listeners.tcp.<name> beyond the main one. */
export interface ExtraListener {
  name: string;
  hostname: string;
  port: number;
  /** `file:line: listeners.tcp.<name>`, for the busy-port message */
  origin: string;
}

/** A key RabbitMQ knows that has no effect in Warren, logged once at start-up. */
export interface IgnoredKey {
  key: string;
  /** `file:line` */
  where: string;
  reason?: string;
}

export interface Config {
  amqpPort: number;
  amqpHostname: string;
  /** More AMQP listeners (listeners.tcp.<name> besides the main one). */
  extraAmqpListeners: ExtraListener[];
  /** tcp_listen_options.nodelay / keepalive, applied to every accepted AMQP socket. */
  tcpNoDelay: boolean;
  tcpKeepAlive: boolean;
  /** amqps listener; null when listeners.ssl.default is not set */
  tls: TlsConfig | null;
  managementPort: number;
  managementHostname: string;
  /** rabbitmq_prometheus's listener (prometheus.tcp.port / prometheus.tcp.ip). */
  prometheusPort: number;
  prometheusHostname: string;
  /** prometheus.return_per_object_metrics: /metrics gives a sample per object instead of sums. */
  prometheusPerObject: boolean;
  /** cluster_name: shown by the management API and announced to clients. */
  clusterName: string;
  dataDir: string;
  configFile: string | null;
  logLevel: LogLevel;
  /** log.file.level: the file's own threshold. */
  logFileLevel: LogLevel;
  /** log.file: lines are appended here too; null for none. */
  logFile: string | null;
  /** log.console: false keeps log lines off stdout. */
  logConsole: boolean;
  /** Keep nothing on disk (tests, throwaway dev brokers). */
  inMemory: boolean;
  /** full: fsync before every confirm; normal: survive a process crash, not power loss. */
  sync: SyncLevel;
  defaultUser: string;
  defaultPass: string;
  defaultVHost: string;
  defaultUserTags: string[];
  /** default_permissions.*: the default user's permissions on the default vhost at first start. */
  defaultPermissions: { configure: string; write: string; read: string };
  /** Users that may log in only from loopback; empty for loopback_users = none. */
  loopbackUsers: string[];
  heartbeatS: number;
  /** A delivery unacked for longer closes its channel (RabbitMQ's consumer_timeout). */
  consumerTimeoutMs: number;
  frameMaxBytes: number;
  channelMax: number;
  maxMessageSizeBytes: number;
  /** Memory alarm: an absolute byte limit, or a fraction of total memory. */
  memoryHighWatermark: { absoluteBytes: number } | { relative: number };
  /** Disk alarm when free space under the data dir drops below this. */
  diskFreeLimitBytes: number;
  /** Definitions file imported at start (load_definitions). */
  loadDefinitions: string | null;
  /** management.load_definitions: imported after loadDefinitions. */
  managementLoadDefinitions: string | null;
  /** RabbitMQ keys the config file set that mean nothing here. */
  ignoredKeys: IgnoredKey[];
  /**
   * Where a field that names a listener, path or file was set, when not by
   * default: `--port`, `RABBITMQ_NODE_PORT`, `/etc/warren/rabbitmq.conf:3:
   * listeners.tcp.default`. Start-up errors (a busy port) use it to point
   * at the setting to change.
   */
  origins: Partial<Record<keyof Config, string>>;
}

/** RabbitMQ's defaults (Warren's own for its warren.* settings), from the settings' descriptors. */
export const DEFAULT_CONFIG: Config = Object.assign(
  { ignoredKeys: [], origins: {} },
  ...SETTINGS.map((s) => s.defaults ?? {}),
);

export interface LoadConfigOptions {
  /** Overrides CONFIG_SEARCH_PATHS (tests point it at a temp dir). */
  searchPaths?: readonly string[];
}

const FLAGS = SETTINGS.flatMap((s) => s.flags ?? []);
const ENV = SETTINGS.flatMap((s) => s.env ?? []);

/**
 * What each `serve` flag does, for `warren --help`: its descriptor's help,
 * and for a flag that sets a field, the default and the environment
 * variable that sets the same field.
 */
export const FLAG_HELP: Record<string, { value?: string; text: string }> = Object.fromEntries(
  FLAGS.map((f) => {
    let text = f.help;
    if (f.field !== undefined && !f.switch) {
      const env = ENV.find((e) => e.field === f.field);
      text += ` (default ${String(DEFAULT_CONFIG[f.field])}${env ? `; ${env.name}` : ""})`;
    }
    return [f.name, { ...(f.value ? { value: f.value } : {}), text }];
  }),
);

/** Sets the field an environment variable or flag decides, naming it when the value is bad. */
function applyInput(cfg: Config, input: Input, value: string, source: string): void {
  if (input.field === undefined || input.parse === undefined) return;
  try {
    (cfg as unknown as Record<string, unknown>)[input.field] = input.parse(value);
  } catch (e) {
    if (e instanceof BadValue) throw new ConfigError(`${source}: ${e.message}`);
    throw e;
  }
  cfg.origins[input.field] = source;
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * The config file to read: the one --config or RABBITMQ_CONFIG_FILE names
 * (which must exist; like RabbitMQ, `RABBITMQ_CONFIG_FILE=/etc/x/rabbitmq`
 * finds `/etc/x/rabbitmq.conf`), else the first search path that exists.
 */
function locateConfigFile(
  flag: string | undefined,
  env: string | undefined,
  searchPaths: readonly string[],
): { path: string; source: string } | null {
  const named = flag !== undefined
    ? { path: flag, source: "--config" }
    : env
    ? { path: env, source: "RABBITMQ_CONFIG_FILE" }
    : null;
  if (named) {
    if (!isFile(named.path) && !named.path.endsWith(".conf") && isFile(`${named.path}.conf`)) {
      return { path: `${named.path}.conf`, source: named.source };
    }
    return named;
  }
  for (const path of searchPaths) {
    if (isFile(path)) return { path, source: "config file" };
  }
  return null;
}

/** Reads one rabbitmq.conf into cfg; env and flags are applied after it, so they win. */
function applyConfigFile(cfg: Config, file: { path: string; source: string }): void {
  const reason = unreadableReason(file.path);
  if (reason) throw new ConfigError(`${file.source}: ${reason}`);
  const text = Deno.readTextFileSync(file.path);
  applyConfEntries(cfg, parseConfText(text, file.path), file.path);
  cfg.configFile = file.path;
}

function applyEnv(cfg: Config, env: Record<string, string | undefined>): void {
  for (const input of ENV) {
    const value = env[input.name];
    // An empty variable counts as unset, as in a shell's `${VAR:-default}`.
    if (value !== undefined && value !== "") applyInput(cfg, input, value, input.name);
  }
}

function applyFlags(cfg: Config, values: Record<string, unknown>): void {
  for (const flag of FLAGS) {
    const value = values[flag.name];
    if (flag.switch) {
      if (value === true && flag.field !== undefined) {
        (cfg as unknown as Record<string, unknown>)[flag.field] = true;
      }
    } else if (typeof value === "string") {
      applyInput(cfg, flag, value, `--${flag.name}`);
    }
  }
}

/**
 * The effective configuration for `serve` from its arguments and the
 * environment. Throws ConfigError for an unknown or bad setting (and
 * node:util's ERR_PARSE_ARGS TypeError for an unknown flag).
 */
export function loadConfig(
  argv: string[],
  env: Record<string, string | undefined>,
  options: LoadConfigOptions = {},
): Config {
  const flags = Object.fromEntries(
    FLAGS.map((f) => [f.name, { type: f.switch ? "boolean" as const : "string" as const }]),
  );
  const { values } = parseArgs({ args: argv, options: flags, strict: true, allowPositionals: false });
  const cfg = structuredClone(DEFAULT_CONFIG);
  const file = locateConfigFile(
    typeof values.config === "string" ? values.config : undefined,
    env.RABBITMQ_CONFIG_FILE,
    options.searchPaths ?? CONFIG_SEARCH_PATHS,
  );
  if (file) applyConfigFile(cfg, file);
  applyEnv(cfg, env);
  applyFlags(cfg, values);
  return cfg;
}

/**
 * The effective configuration as rabbitmq.conf keys and values, for the
 * start-up log line and `ctl environment`. Secrets (default_pass) are masked.
 */
export function describeConfig(config: Config): Record<string, string> {
  return Object.assign({}, ...SETTINGS.map((s) => s.describe?.(config) ?? {}));
}

/** The listeners whose port a setting chooses, by the Config field holding it. */
type PortField = "amqpPort" | "tls" | "managementPort" | "prometheusPort";

/** How a field can be set, for the busy-port message: `--port, RABBITMQ_NODE_PORT or listeners.tcp.default`. */
function settingNames(field: PortField): string {
  const names: string[] = [];
  for (const s of SETTINGS) {
    if (!s.defaults || !Object.hasOwn(s.defaults, field)) continue;
    names.push(...(s.flags ?? []).filter((f) => f.field === field).map((f) => `--${f.name}`));
    names.push(...(s.env ?? []).filter((e) => e.field === field).map((e) => e.name));
    if (s.key !== null) names.push(s.key);
  }
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}

/**
 * The one-line start-up error for a listener whose port is taken, naming
 * the setting that chose the port: `rabbitmq.conf:3: listeners.tcp.default:
 * port 5672 is already in use`, or for a default port, the settings that
 * can change it.
 */
export function busyPortError(config: Config, listener: PortField): ConfigError {
  const port = listener === "tls" ? config.tls?.port : config[listener];
  const origin = config.origins[listener];
  if (origin) return new ConfigError(`${origin}: port ${port} is already in use`);
  return new ConfigError(
    `port ${port} is already in use (the default; choose another with ${settingNames(listener)})`,
  );
}
