// The node's effective configuration. Four sources, each overriding the
// one after it: command-line flags, environment variables (RABBITMQ_* as
// RabbitMQ reads them, plus WARREN_*), rabbitmq.conf (RabbitMQ's sysctl
// format, see conf_keys.ts), and RabbitMQ's defaults. Every mistake is a
// ConfigError naming the flag, the variable, or the file, line and key.
import { parseArgs } from "node:util";
import type { LogLevel } from "../log.ts";
import { SYNC_LEVELS, type SyncLevel } from "../store/sqlite_store.ts";
import { ConfigError } from "./config_error.ts";
import { parseConfText } from "./conf_file.ts";
import {
  applyConfEntries,
  LOG_LEVEL_HINT,
  parseLogLevel,
  parsePortNumber,
  parseSyncLevel,
  unreadableReason,
} from "./conf_keys.ts";

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

export const DEFAULT_CONFIG: Config = {
  amqpPort: 5672,
  amqpHostname: "0.0.0.0",
  extraAmqpListeners: [],
  tcpNoDelay: true,
  tcpKeepAlive: false,
  tls: null,
  managementPort: 15672,
  managementHostname: "0.0.0.0",
  prometheusPort: 15692,
  clusterName: "warren",
  prometheusHostname: "0.0.0.0",
  prometheusPerObject: false,
  dataDir: "./data",
  configFile: null,
  logLevel: "info",
  logFileLevel: "info",
  logFile: null,
  logConsole: true,
  inMemory: false,
  sync: "full",
  defaultUser: "guest",
  defaultPass: "guest",
  defaultVHost: "/",
  defaultUserTags: ["administrator"],
  defaultPermissions: { configure: ".*", write: ".*", read: ".*" },
  loopbackUsers: ["guest"],
  heartbeatS: 60,
  consumerTimeoutMs: 30 * 60 * 1000,
  frameMaxBytes: 131072,
  channelMax: 2047,
  maxMessageSizeBytes: 128 * 1024 * 1024,
  memoryHighWatermark: { relative: 0.4 },
  diskFreeLimitBytes: 50 * 1000 * 1000,
  loadDefinitions: null,
  managementLoadDefinitions: null,
  ignoredKeys: [],
  origins: {},
};

/** Where rabbitmq.conf is looked for when neither --config nor RABBITMQ_CONFIG_FILE names one. */
export const CONFIG_SEARCH_PATHS: readonly string[] = ["rabbitmq.conf", "/etc/warren/rabbitmq.conf"];

export interface LoadConfigOptions {
  /** Overrides CONFIG_SEARCH_PATHS (tests point it at a temp dir). */
  searchPaths?: readonly string[];
}

const FLAGS = {
  port: { type: "string" },
  hostname: { type: "string" },
  "management-port": { type: "string" },
  "prometheus-port": { type: "string" },
  "data-dir": { type: "string" },
  config: { type: "string" },
  "log-level": { type: "string" },
  "in-memory": { type: "boolean" },
  sync: { type: "string" },
} as const;

/** What each `serve` flag does, for `warren --help` (typed so no flag goes undocumented). */
export const FLAG_HELP: Record<keyof typeof FLAGS, { value?: string; text: string }> = {
  port: { value: "PORT", text: "AMQP port (default 5672; RABBITMQ_NODE_PORT)" },
  hostname: { value: "IP", text: "AMQP listener address (default 0.0.0.0; RABBITMQ_NODE_IP_ADDRESS)" },
  "management-port": { value: "PORT", text: "management API and web UI port (default 15672)" },
  "prometheus-port": { value: "PORT", text: "Prometheus metrics port (default 15692)" },
  "data-dir": { value: "DIR", text: "where durable state lives (default ./data; WARREN_DATA_DIR)" },
  config: {
    value: "FILE",
    text: "rabbitmq.conf to read (default ./rabbitmq.conf, /etc/warren/rabbitmq.conf)",
  },
  "log-level": { value: "LEVEL", text: "debug, info, warning, error or none (default info)" },
  "in-memory": { text: "keep nothing on disk" },
  sync: { value: "LEVEL", text: "full (fsync before every confirm, default) or normal" },
};

function port(value: string, source: string): number {
  const n = parsePortNumber(value);
  if (n === null) throw new ConfigError(`${source}: '${value}' is not a port number (0-65535)`);
  return n;
}

function sync(value: string, source: string): SyncLevel {
  const level = parseSyncLevel(value);
  if (level === null) {
    throw new ConfigError(`${source}: '${value}' is not one of ${SYNC_LEVELS.join(", ")}`);
  }
  return level;
}

function logLevel(value: string, source: string): LogLevel {
  const level = parseLogLevel(value);
  if (level === null) throw new ConfigError(`${source}: '${value}' is not one of ${LOG_LEVEL_HINT}`);
  return level;
}

function nonEmpty(value: string, source: string): string {
  if (value === "") throw new ConfigError(`${source}: must not be empty`);
  return value;
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
  // An empty variable counts as unset, as in a shell's `${VAR:-default}`.
  const get = (name: string) => (env[name] === undefined || env[name] === "" ? undefined : env[name]);
  const set = <K extends keyof Config>(
    field: K,
    name: string,
    parse: (v: string, source: string) => Config[K],
  ) => {
    const value = get(name);
    if (value === undefined) return;
    cfg[field] = parse(value, name);
    cfg.origins[field] = name;
  };
  set("amqpPort", "RABBITMQ_NODE_PORT", port);
  set("amqpHostname", "RABBITMQ_NODE_IP_ADDRESS", nonEmpty);
  set("defaultUser", "RABBITMQ_DEFAULT_USER", nonEmpty);
  set("defaultPass", "RABBITMQ_DEFAULT_PASS", nonEmpty);
  set("defaultVHost", "RABBITMQ_DEFAULT_VHOST", nonEmpty);
  set("dataDir", "WARREN_DATA_DIR", nonEmpty);
  set("sync", "WARREN_SYNC", sync);
}

function applyFlags(cfg: Config, values: Record<string, string | boolean | undefined>): void {
  const set = <K extends keyof Config>(
    field: K,
    flag: string,
    parse: (v: string, source: string) => Config[K],
  ) => {
    const value = values[flag];
    if (typeof value !== "string") return;
    cfg[field] = parse(value, `--${flag}`);
    cfg.origins[field] = `--${flag}`;
  };
  set("amqpPort", "port", port);
  set("amqpHostname", "hostname", nonEmpty);
  set("managementPort", "management-port", port);
  set("prometheusPort", "prometheus-port", port);
  set("dataDir", "data-dir", nonEmpty);
  set("logLevel", "log-level", logLevel);
  set("sync", "sync", sync);
  if (values["in-memory"] === true) cfg.inMemory = true;
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
  const { values } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false });
  const cfg = structuredClone(DEFAULT_CONFIG);
  const file = locateConfigFile(
    values.config,
    env.RABBITMQ_CONFIG_FILE,
    options.searchPaths ?? CONFIG_SEARCH_PATHS,
  );
  if (file) applyConfigFile(cfg, file);
  applyEnv(cfg, env);
  applyFlags(cfg, values);
  return cfg;
}

const MASK = "********";

function hostPort(hostname: string, port: number): string {
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

/**
 * The effective configuration as rabbitmq.conf keys and values, for the
 * start-up log line and `ctl status`. Secrets (default_pass) are masked.
 */
export function describeConfig(config: Config): Record<string, string> {
  const out: Record<string, string> = {
    config_file: config.configFile ?? "none",
    "listeners.tcp.default": hostPort(config.amqpHostname, config.amqpPort),
  };
  for (const extra of config.extraAmqpListeners) {
    out[`listeners.tcp.${extra.name}`] = hostPort(extra.hostname, extra.port);
  }
  out["listeners.ssl.default"] = config.tls ? hostPort(config.tls.hostname, config.tls.port) : "none";
  out["tcp_listen_options.nodelay"] = String(config.tcpNoDelay);
  out["tcp_listen_options.keepalive"] = String(config.tcpKeepAlive);
  if (config.tls) {
    out["ssl_options.certfile"] = config.tls.certFile;
    out["ssl_options.keyfile"] = config.tls.keyFile;
    out["ssl_options.cacertfile"] = config.tls.caCertFile ?? "none";
    out["ssl_options.verify"] = config.tls.verifyPeer ? "verify_peer" : "verify_none";
    out["ssl_options.fail_if_no_peer_cert"] = String(config.tls.failIfNoPeerCert);
  }
  Object.assign(out, {
    "management.tcp.ip": config.managementHostname,
    "management.tcp.port": String(config.managementPort),
    "prometheus.tcp.ip": config.prometheusHostname,
    "prometheus.tcp.port": String(config.prometheusPort),
    "prometheus.return_per_object_metrics": String(config.prometheusPerObject),
    cluster_name: config.clusterName,
    default_user: config.defaultUser,
    default_pass: MASK,
    default_vhost: config.defaultVHost,
    default_user_tags: config.defaultUserTags.join(",") || "none",
    "default_permissions.configure": config.defaultPermissions.configure,
    "default_permissions.write": config.defaultPermissions.write,
    "default_permissions.read": config.defaultPermissions.read,
    loopback_users: config.loopbackUsers.join(",") || "none",
    heartbeat: String(config.heartbeatS),
    frame_max: String(config.frameMaxBytes),
    channel_max: String(config.channelMax),
    max_message_size: String(config.maxMessageSizeBytes),
    consumer_timeout: String(config.consumerTimeoutMs),
  });
  const w = config.memoryHighWatermark;
  if ("absoluteBytes" in w) out["vm_memory_high_watermark.absolute"] = String(w.absoluteBytes);
  else out["vm_memory_high_watermark.relative"] = String(w.relative);
  Object.assign(out, {
    "disk_free_limit.absolute": String(config.diskFreeLimitBytes),
    "log.console": String(config.logConsole),
    "log.console.level": config.logLevel,
    "log.file": config.logFile ?? "false",
    "log.file.level": config.logFileLevel,
    load_definitions: config.loadDefinitions ?? "none",
    "management.load_definitions": config.managementLoadDefinitions ?? "none",
    "warren.data_dir": config.inMemory ? "none (in memory)" : config.dataDir,
    "warren.sync": config.sync,
  });
  return out;
}

/** The settings that choose each listener's port, for the busy-port message. */
const PORT_SETTINGS = {
  amqpPort: "--port, RABBITMQ_NODE_PORT or listeners.tcp.default",
  tls: "listeners.ssl.default",
  managementPort: "--management-port or management.tcp.port",
  prometheusPort: "--prometheus-port or prometheus.tcp.port",
} as const;

/**
 * The one-line start-up error for a listener whose port is taken, naming
 * the setting that chose the port: `rabbitmq.conf:3: listeners.tcp.default:
 * port 5672 is already in use`, or for a default port, the settings that
 * can change it.
 */
export function busyPortError(config: Config, listener: keyof typeof PORT_SETTINGS): ConfigError {
  const port = listener === "tls" ? config.tls?.port : config[listener];
  const origin = config.origins[listener];
  if (origin) return new ConfigError(`${origin}: port ${port} is already in use`);
  return new ConfigError(
    `port ${port} is already in use (the default; choose another with ${PORT_SETTINGS[listener]})`,
  );
}
