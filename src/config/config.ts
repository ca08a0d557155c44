// The node's effective configuration: command-line flags over environment
// variables (RABBITMQ_* as RabbitMQ reads them) over defaults.
import { parseArgs } from "node:util";
import { LOG_LEVELS, type LogLevel } from "../log.ts";
import { SYNC_LEVELS, type SyncLevel } from "../store/sqlite_store.ts";

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

export interface Config {
  amqpPort: number;
  amqpHostname: string;
  /** amqps listener; null when listeners.ssl.default is not set */
  tls: TlsConfig | null;
  managementPort: number;
  managementHostname: string;
  dataDir: string;
  configFile: string | null;
  logLevel: LogLevel;
  logFile: string | null;
  /** Keep nothing on disk (tests, throwaway dev brokers). */
  inMemory: boolean;
  /** full: fsync before every confirm; normal: survive a process crash, not power loss. */
  sync: SyncLevel;
  defaultUser: string;
  defaultPass: string;
  defaultVHost: string;
  defaultUserTags: string[];
  /** Users that may log in only from loopback; empty for loopback_users = none. */
  loopbackUsers: string[];
  heartbeatS: number;
  frameMaxBytes: number;
  channelMax: number;
  maxMessageSizeBytes: number;
  /** Memory alarm: an absolute byte limit, or a fraction of total memory. */
  memoryHighWatermark: { absoluteBytes: number } | { relative: number };
  /** Disk alarm when free space under the data dir drops below this. */
  diskFreeLimitBytes: number;
  /** Definitions file imported at start (load_definitions). */
  loadDefinitions: string | null;
}

export const DEFAULT_CONFIG: Config = {
  amqpPort: 5672,
  amqpHostname: "0.0.0.0",
  tls: null,
  managementPort: 15672,
  managementHostname: "0.0.0.0",
  dataDir: "./data",
  configFile: null,
  logLevel: "info",
  logFile: null,
  inMemory: false,
  sync: "full",
  defaultUser: "guest",
  defaultPass: "guest",
  defaultVHost: "/",
  defaultUserTags: ["administrator"],
  loopbackUsers: ["guest"],
  heartbeatS: 60,
  frameMaxBytes: 131072,
  channelMax: 2047,
  maxMessageSizeBytes: 128 * 1024 * 1024,
  memoryHighWatermark: { relative: 0.4 },
  diskFreeLimitBytes: 50 * 1000 * 1000,
  loadDefinitions: null,
};

/** A configuration mistake, reported as one line naming the key and its source. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

function parsePort(value: string, source: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 0 || n > 65535) {
    throw new ConfigError(`${source}: '${value}' is not a port number (0-65535)`);
  }
  return n;
}

function parseSync(value: string, source: string): SyncLevel {
  if (!SYNC_LEVELS.includes(value as SyncLevel)) {
    throw new ConfigError(`${source}: '${value}' is not one of ${SYNC_LEVELS.join(", ")}`);
  }
  return value as SyncLevel;
}

export function loadConfig(argv: string[], env: Record<string, string | undefined>): Config {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      "management-port": { type: "string" },
      "data-dir": { type: "string" },
      config: { type: "string" },
      hostname: { type: "string" },
      "log-level": { type: "string" },
      "in-memory": { type: "boolean" },
      sync: { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  const cfg: Config = { ...DEFAULT_CONFIG };
  if (env.RABBITMQ_NODE_PORT) cfg.amqpPort = parsePort(env.RABBITMQ_NODE_PORT, "RABBITMQ_NODE_PORT");
  if (env.RABBITMQ_NODE_IP_ADDRESS) cfg.amqpHostname = env.RABBITMQ_NODE_IP_ADDRESS;
  if (env.WARREN_DATA_DIR) cfg.dataDir = env.WARREN_DATA_DIR;
  if (env.RABBITMQ_CONFIG_FILE) cfg.configFile = env.RABBITMQ_CONFIG_FILE;
  if (values.port !== undefined) cfg.amqpPort = parsePort(values.port, "--port");
  if (values["management-port"] !== undefined) {
    cfg.managementPort = parsePort(values["management-port"], "--management-port");
  }
  if (values.hostname !== undefined) cfg.amqpHostname = values.hostname;
  if (values["data-dir"] !== undefined) cfg.dataDir = values["data-dir"];
  if (values.config !== undefined) cfg.configFile = values.config;
  if (env.WARREN_SYNC) cfg.sync = parseSync(env.WARREN_SYNC, "WARREN_SYNC");
  if (values.sync !== undefined) cfg.sync = parseSync(values.sync, "--sync");
  if (values["in-memory"]) cfg.inMemory = true;
  if (values["log-level"] !== undefined) {
    const level = values["log-level"] as LogLevel;
    if (!LOG_LEVELS.includes(level)) {
      throw new ConfigError(`--log-level: '${level}' is not one of ${LOG_LEVELS.join(", ")}`);
    }
    cfg.logLevel = level;
  }
  return cfg;
}
