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

