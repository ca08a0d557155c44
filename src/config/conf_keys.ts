// What each rabbitmq.conf key means: its value's type, range and effect on
// Config. The rules follow RabbitMQ's schema (deps/rabbit/priv/schema):
// booleans are exactly `true` / `false`, byte sizes take RabbitMQ's units,
// listeners are `port` or `ip:port`, and families of keys
// (`default_user_tags.<tag>`, `loopback_users.<user>`) replace the default
// list as a whole once any member is set. A key RabbitMQ knows that means
// nothing here (rabbitmq_keys.ts) is accepted and reported as ignored; any
// other key, or a value out of range, is a ConfigError `file:line: key: reason`.
//
// Only the `Config` type is imported from config.ts (erased at run time),
// so there is no import cycle between the two modules.
import type { Config } from "./config.ts";
import { ConfigError } from "./config_error.ts";
import type { ConfEntry } from "./conf_file.ts";
import type { LogLevel } from "../log.ts";
import { SYNC_LEVELS, type SyncLevel } from "../store/sqlite_store.ts";
import { BYTESIZE_HINT, INFORMATION_UNIT_HINT, parseBytesize, parseInformationUnit } from "./units.ts";
import { isRabbitMqKey, RABBITMQ_LITERAL_KEYS } from "./rabbitmq_keys.ts";

/** A value this key cannot take; the caller adds `file:line: key:`. */
class BadValue extends Error {}

/** AMQP's frame-min-size: no peer may negotiate a smaller frame. */
export const FRAME_MIN_BYTES = 4096;
/** frame-max is a 32-bit field in connection.tune. */
const FRAME_MAX_LIMIT_BYTES = 0xffff_ffff;
/** channel-max and heartbeat are 16-bit fields in connection.tune. */
const U16_MAX = 0xffff;
/** RabbitMQ's ceiling for max_message_size (its schema rejects more). */
export const MAX_MESSAGE_SIZE_LIMIT_BYTES = 512 * 1024 * 1024;

/**
 * rabbitmq.conf's log levels onto Warren's: RabbitMQ has syslog's eight,
 * Warren logs at four (notice reads as info; critical, alert and emergency
 * as error).
 */
const LOG_LEVEL_NAMES: Record<string, LogLevel> = {
  debug: "debug",
  info: "info",
  notice: "info",
  warning: "warning",
  error: "error",
  critical: "error",
  alert: "error",
  emergency: "error",
  none: "none",
};

export function parseLogLevel(value: string): LogLevel | null {
  return Object.hasOwn(LOG_LEVEL_NAMES, value) ? LOG_LEVEL_NAMES[value] : null;
}

export const LOG_LEVEL_HINT = Object.keys(LOG_LEVEL_NAMES).join(", ");

export function parseSyncLevel(value: string): SyncLevel | null {
  return SYNC_LEVELS.includes(value as SyncLevel) ? value as SyncLevel : null;
}

/** A port number as RabbitMQ takes it; 0 asks the OS for a free port (tests use it). */
export function parsePortNumber(value: string): number | null {
  if (!/^\d{1,5}$/.test(value)) return null;
  const port = Number(value);
  return port <= 65535 ? port : null;
}

function isIpv4(host: string): boolean {
  const parts = host.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function isIpv6(host: string): boolean {
  return host.includes(":") && /^[0-9A-Fa-f:.]+$/.test(host) && !host.includes(":::");
}

export interface ListenerAddress {
  /** null when only a port was given */
  hostname: string | null;
  port: number;
}

/**
 * `5672`, `127.0.0.1:5672`, `::1:5672` or `[::1]:5672` (RabbitMQ's forms;
 * for IPv6 the port is what follows the last colon).
 */
export function parseListener(value: string): ListenerAddress | null {
  const portOnly = parsePortNumber(value);
  if (portOnly !== null) return { hostname: null, port: portOnly };
  const colon = value.lastIndexOf(":");
  if (colon <= 0) return null;
  let host = value.slice(0, colon);
  const port = parsePortNumber(value.slice(colon + 1));
  if (port === null) return null;
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (!isIpv4(host) && !isIpv6(host)) return null;
  return { hostname: host, port };
}

function bool(value: string): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  throw new BadValue(`'${value}' is not true or false`);
}

function integer(value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new BadValue(`'${value}' is not a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

function text(value: string): string {
  // The syntax already rejects an empty value; this is for clarity only.
  if (value === "") throw new BadValue("must not be empty");
  return value;
}

function listener(value: string): ListenerAddress {
  const address = parseListener(value);
  if (!address) throw new BadValue(`'${value}' is not a port (0-65535) or ip:port`);
  return address;
}

/** Why a file a key names cannot be used, or null when it can be read. */
export function unreadableReason(path: string, options: { directoryOk?: boolean } = {}): string | null {
  try {
    const info = Deno.statSync(path);
    if (info.isDirectory) {
      if (options.directoryOk) return null;
      return `cannot read ${path}: it is a directory`;
    }
    Deno.openSync(path, { read: true }).close();
    return null;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return `cannot read ${path}: no such file`;
    if (e instanceof Deno.errors.PermissionDenied) return `cannot read ${path}: permission denied`;
    return `cannot read ${path}: ${(e as Error).message}`;
  }
}

/** What the keys of one file add up to before they are folded into Config. */
interface FileState {
  path: string;
  /** line of the last occurrence of each key, for errors raised after the whole file is read */
  lines: Map<string, number>;
  tlsListener: ListenerAddress | null;
  cacertfile: string | null;
  certfile: string | null;
  keyfile: string | null;
  verify: "verify_peer" | "verify_none";
  failIfNoPeerCert: boolean;
  userTags: Map<string, boolean> | null;
  loopbackUsers: Map<string, boolean> | null;
  loopbackNone: boolean;
  memoryAbsoluteBytes: number | null;
  memoryRelative: number | null;
  /** listeners.tcp.<name>, in file order */
  tcpListeners: Map<string, ListenerAddress>;
}

type Setter = (cfg: Config, value: string, state: FileState) => void;

/** Keys set exactly as written (the `$suffix` families are handled in applyEntry). */
const KEYS: Record<string, Setter> = {
  "listeners.ssl.default": (cfg, v, s) => {
    s.tlsListener = listener(v);
    origin(cfg, s, "tls", "listeners.ssl.default");
  },
  "ssl_options.cacertfile": (_cfg, v, s) => void (s.cacertfile = text(v)),
  "ssl_options.certfile": (_cfg, v, s) => void (s.certfile = text(v)),
  "ssl_options.keyfile": (_cfg, v, s) => void (s.keyfile = text(v)),
  "ssl_options.verify": (_cfg, v, s) => {
    if (v !== "verify_peer" && v !== "verify_none") {
      throw new BadValue(`'${v}' is not verify_peer or verify_none`);
    }
    s.verify = v;
  },
  "ssl_options.fail_if_no_peer_cert": (_cfg, v, s) => void (s.failIfNoPeerCert = bool(v)),
  "default_user": (cfg, v) => void (cfg.defaultUser = text(v)),
  "default_pass": (cfg, v) => void (cfg.defaultPass = text(v)),
  "default_vhost": (cfg, v) => void (cfg.defaultVHost = text(v)),
  "loopback_users": (_cfg, v, s) => {
    if (v !== "none") {
      throw new BadValue(`'${v}' is not none (list users with loopback_users.<name> = true)`);
    }
    s.loopbackNone = true;
  },
  "management.tcp.port": managementPort("management.tcp.port"),
  "management.tcp.ip": managementIp("management.tcp.ip"),
  // The management plugin's older spellings of the same two settings.
  "management.listener.port": managementPort("management.listener.port"),
  "management.listener.ip": managementIp("management.listener.ip"),
  "prometheus.tcp.port": (cfg, v, s) => {
    cfg.prometheusPort = portValue(v);
    origin(cfg, s, "prometheusPort", "prometheus.tcp.port");
  },
  "cluster_name": (cfg, v) => void (cfg.clusterName = text(v)),
  "default_permissions.configure": (cfg, v) => void (cfg.defaultPermissions.configure = permission(v)),
  "default_permissions.write": (cfg, v) => void (cfg.defaultPermissions.write = permission(v)),
  "default_permissions.read": (cfg, v) => void (cfg.defaultPermissions.read = permission(v)),
  "tcp_listen_options.nodelay": (cfg, v) => void (cfg.tcpNoDelay = bool(v)),
  "tcp_listen_options.keepalive": (cfg, v) => void (cfg.tcpKeepAlive = bool(v)),
  "tcp_listen_options.backlog": (cfg, v, s) => {
    integer(v, 0, Number.MAX_SAFE_INTEGER);
    ignore(cfg, s, "tcp_listen_options.backlog", "Deno.listen takes no backlog; the OS default applies");
  },
  "prometheus.tcp.ip": (cfg, v, s) => {
    const host = v.startsWith("[") && v.endsWith("]") ? v.slice(1, -1) : v;
    if (!isIpv4(host) && !isIpv6(host)) throw new BadValue(`'${v}' is not an IP address`);
    cfg.prometheusHostname = host;
    origin(cfg, s, "prometheusHostname", "prometheus.tcp.ip");
  },
  "prometheus.return_per_object_metrics": (cfg, v) => void (cfg.prometheusPerObject = bool(v)),
  "heartbeat": (cfg, v) => void (cfg.heartbeatS = integer(v, 0, U16_MAX)),
  "consumer_timeout": (cfg, v) => void (cfg.consumerTimeoutMs = integer(v, 1, Number.MAX_SAFE_INTEGER)),
  "frame_max": (cfg, v) => {
    const bytes = parseBytesize(v);
    if (bytes === null) throw new BadValue(`'${v}' is not a size (${BYTESIZE_HINT})`);
    if (bytes < FRAME_MIN_BYTES || bytes > FRAME_MAX_LIMIT_BYTES) {
      throw new BadValue(
        `${bytes} is outside ${FRAME_MIN_BYTES}..${FRAME_MAX_LIMIT_BYTES} bytes (0, "unlimited", is not supported)`,
      );
    }
    cfg.frameMaxBytes = bytes;
  },
  "channel_max": (cfg, v) => {
    // 0 is RabbitMQ's "no limit", which the 16-bit field caps at 65535.
    const n = integer(v, 0, U16_MAX);
    cfg.channelMax = n === 0 ? U16_MAX : n;
  },
  "max_message_size": (cfg, v) => {
    const bytes = parseInformationUnit(v);
    if (bytes === null) throw new BadValue(`'${v}' is not a size (${INFORMATION_UNIT_HINT})`);
    if (bytes < 1 || bytes > MAX_MESSAGE_SIZE_LIMIT_BYTES) {
      throw new BadValue(`${bytes} is outside 1..${MAX_MESSAGE_SIZE_LIMIT_BYTES} bytes (512 MiB)`);
    }
    cfg.maxMessageSizeBytes = bytes;
  },
  "vm_memory_high_watermark.absolute": (_cfg, v, s) => {
    const bytes = parseInformationUnit(v);
    if (bytes === null) throw new BadValue(`'${v}' is not a size (${INFORMATION_UNIT_HINT})`);
    s.memoryAbsoluteBytes = bytes;
  },
  "vm_memory_high_watermark.relative": (_cfg, v, s) => {
    if (!/^\d+(\.\d+)?$/.test(v)) {
      throw new BadValue(`'${v}' is not a fraction of total memory such as 0.4`);
    }
    s.memoryRelative = Number(v);
  },
  "disk_free_limit.absolute": (cfg, v) => {
    const bytes = parseInformationUnit(v);
    if (bytes === null) throw new BadValue(`'${v}' is not a size (${INFORMATION_UNIT_HINT})`);
    cfg.diskFreeLimitBytes = bytes;
  },
  "log.console.level": (cfg, v) => {
    const level = parseLogLevel(v);
    if (level === null) throw new BadValue(`'${v}' is not one of ${LOG_LEVEL_HINT}`);
    cfg.logLevel = level;
  },
  "log.console": (cfg, v) => void (cfg.logConsole = bool(v)),
  "log.file.level": (cfg, v) => {
    const level = parseLogLevel(v);
    if (level === null) throw new BadValue(`'${v}' is not one of ${LOG_LEVEL_HINT}`);
    cfg.logFileLevel = level;
  },
  "log.file": (cfg, v, s) => {
    cfg.logFile = v === "false" ? null : text(v);
    origin(cfg, s, "logFile", "log.file");
  },
  "load_definitions": (cfg, v, s) => {
    const reason = unreadableReason(v, { directoryOk: true });
    if (reason) throw new BadValue(reason);
    cfg.loadDefinitions = v;
    origin(cfg, s, "loadDefinitions", "load_definitions");
  },
  // The management plugin's own definitions file, imported after load_definitions as RabbitMQ does.
  "management.load_definitions": (cfg, v, s) => {
    const reason = unreadableReason(v, { directoryOk: true });
    if (reason) throw new BadValue(reason);
    cfg.managementLoadDefinitions = v;
    origin(cfg, s, "managementLoadDefinitions", "management.load_definitions");
  },
  "warren.data_dir": (cfg, v, s) => {
    cfg.dataDir = text(v);
    origin(cfg, s, "dataDir", "warren.data_dir");
  },
  "warren.sync": (cfg, v) => {
    const level = parseSyncLevel(v);
    if (level === null) throw new BadValue(`'${v}' is not one of ${SYNC_LEVELS.join(", ")}`);
    cfg.sync = level;
  },
};

function portValue(v: string): number {
  const port = parsePortNumber(v);
  if (port === null) throw new BadValue(`'${v}' is not a port number (0-65535)`);
  return port;
}

function managementPort(key: string): Setter {
  return (cfg, v, s) => {
    cfg.managementPort = portValue(v);
    origin(cfg, s, "managementPort", key);
  };
}

function managementIp(key: string): Setter {
  return (cfg, v, s) => {
    const host = v.startsWith("[") && v.endsWith("]") ? v.slice(1, -1) : v;
    if (!isIpv4(host) && !isIpv6(host)) throw new BadValue(`'${v}' is not an IP address`);
    cfg.managementHostname = host;
    origin(cfg, s, "managementHostname", key);
  };
}

/** A permission pattern: Warren matches names with it, so it must be a valid regular expression. */
function permission(value: string): string {
  try {
    new RegExp(value);
  } catch {
    throw new BadValue(`'${value}' is not a valid regular expression`);
  }
  return value;
}

/**
 * Keys RabbitMQ has and Warren refuses rather than ignores, because
 * ignoring them would leave the node doing something else than asked: a
 * clearer reason than "unknown key".
 */
function unsupportedReason(key: string): string | null {
  if (key === "listeners.tcp" || key === "listeners.ssl") {
    return "turning a listener off with 'none' is not supported";
  }
  if (/^listeners\.ssl\./.test(key)) return "Warren has one TLS listener: use listeners.ssl.default";
  if (key === "disk_free_limit.relative") return "not supported; use disk_free_limit.absolute";
  return null;
}

/** Every key the file may hold, for "did you mean" hints; families are shown with a placeholder. */
export const KNOWN_KEYS: readonly string[] = [
  ...Object.keys(KEYS),
  "listeners.tcp.<name>",
  "default_user_tags.<tag>",
  "loopback_users.<user>",
];

/** Warren's keys first, so a near miss of one it reads is suggested before an ignored one. */
const HINT_KEYS: readonly string[] = [...KNOWN_KEYS, ...RABBITMQ_LITERAL_KEYS];

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

function unknownKeyReason(key: string): string {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const known of HINT_KEYS) {
    const d = editDistance(key, known);
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  // A close spelling is worth a hint; anything further is more noise than help.
  const hint = best !== null && bestDistance <= Math.max(2, Math.floor(key.length / 6))
    ? ` (did you mean '${best}'?)`
    : "";
  return `unknown key${hint}`;
}

function origin(cfg: Config, s: FileState, field: keyof Config, key: string): void {
  cfg.origins[field] = `${s.path}:${s.lines.get(key)}: ${key}`;
}

/** A RabbitMQ key accepted without effect; start-up logs one warning line for it. */
function ignore(cfg: Config, s: FileState, key: string, reason?: string): void {
  cfg.ignoredKeys.push({ key, where: `${s.path}:${s.lines.get(key)}`, ...(reason ? { reason } : {}) });
}

function applyEntry(cfg: Config, entry: ConfEntry, state: FileState): void {
  const { key, value } = entry;
  const setter = Object.hasOwn(KEYS, key) ? KEYS[key] : undefined;
  if (setter) return setter(cfg, value, state);
  const tcp = /^listeners\.tcp\.(.+)$/.exec(key);
  if (tcp) {
    state.tcpListeners.delete(tcp[1]); // a repeated key moves to its latest position
    state.tcpListeners.set(tcp[1], listener(value));
    return;
  }
  const family = /^(default_user_tags|loopback_users)\.(.+)$/.exec(key);
  if (family) {
    const target = family[1] === "default_user_tags"
      ? (state.userTags ??= new Map())
      : (state.loopbackUsers ??= new Map());
    target.delete(family[2]); // a repeated key moves to its latest position
    target.set(family[2], bool(value));
    return;
  }
  const unsupported = unsupportedReason(key);
  if (unsupported) throw new BadValue(unsupported);
  if (isRabbitMqKey(key)) return ignore(cfg, state, key);
  throw new BadValue(unknownKeyReason(key));
}

/**
 * Applies one file's entries to cfg (which holds the defaults when the file
 * is read). Later lines win over earlier ones, as in RabbitMQ.
 */
export function applyConfEntries(cfg: Config, entries: readonly ConfEntry[], path: string): void {
  const state: FileState = {
    path,
    lines: new Map(),
    tlsListener: null,
    cacertfile: null,
    certfile: null,
    keyfile: null,
    verify: "verify_none",
    failIfNoPeerCert: false,
    userTags: null,
    loopbackUsers: null,
    loopbackNone: false,
    memoryAbsoluteBytes: null,
    memoryRelative: null,
    tcpListeners: new Map(),
  };
  const fail = (key: string, reason: string) => {
    return new ConfigError(`${path}:${state.lines.get(key)}: ${key}: ${reason}`);
  };
  for (const entry of entries) {
    state.lines.set(entry.key, entry.line);
    try {
      applyEntry(cfg, entry, state);
    } catch (e) {
      if (e instanceof BadValue) throw fail(entry.key, e.message);
      throw e;
    }
  }

  applyTcpListeners(cfg, state);
  if (state.userTags) {
    cfg.defaultUserTags = [...state.userTags].filter(([, on]) => on).map(([tag]) => tag);
  }
  if (state.loopbackNone) cfg.loopbackUsers = [];
  else if (state.loopbackUsers) {
    cfg.loopbackUsers = [...state.loopbackUsers].filter(([, on]) => on).map(([user]) => user);
  }
  // Both set: absolute wins, as in RabbitMQ.
  if (state.memoryAbsoluteBytes !== null) {
    cfg.memoryHighWatermark = { absoluteBytes: state.memoryAbsoluteBytes };
  } else if (state.memoryRelative !== null) {
    cfg.memoryHighWatermark = { relative: state.memoryRelative };
  }

  // Certificate files are checked when the config is read (RabbitMQ's
  // file_accessible), so a wrong path stops start-up naming the key rather
  // than failing later inside the TLS listener.
  for (const key of ["ssl_options.cacertfile", "ssl_options.certfile", "ssl_options.keyfile"] as const) {
    const file = key === "ssl_options.cacertfile"
      ? state.cacertfile
      : key === "ssl_options.certfile"
      ? state.certfile
      : state.keyfile;
    if (file === null) continue;
    const reason = unreadableReason(file);
    if (reason) throw fail(key, reason);
  }
  if (state.failIfNoPeerCert && state.verify !== "verify_peer") {
    throw fail("ssl_options.fail_if_no_peer_cert", "true needs ssl_options.verify = verify_peer");
  }
  if (state.tlsListener) {
    if (state.certfile === null || state.keyfile === null) {
      throw fail(
        "listeners.ssl.default",
        "a TLS listener needs ssl_options.certfile and ssl_options.keyfile",
      );
    }
    cfg.tls = {
      port: state.tlsListener.port,
      // Like RabbitMQ, a port alone listens on every interface; the AMQP
      // address (RABBITMQ_NODE_IP_ADDRESS, --hostname) is not applied here.
      hostname: state.tlsListener.hostname ?? "0.0.0.0",
      certFile: state.certfile,
      keyFile: state.keyfile,
      caCertFile: state.cacertfile,
      verifyPeer: state.verify === "verify_peer",
      failIfNoPeerCert: state.failIfNoPeerCert,
    };
  }
}

/**
 * listeners.tcp.<name>: as in RabbitMQ, once any is set they replace the
 * default listener. The one named `default` (else the first) is the main
 * listener, which RABBITMQ_NODE_PORT and --port override; the others are
 * extra listeners.
 */
function applyTcpListeners(cfg: Config, state: FileState): void {
  if (state.tcpListeners.size === 0) return;
  const names = [...state.tcpListeners.keys()];
  const main = state.tcpListeners.has("default") ? "default" : names[0];
  const mainKey = `listeners.tcp.${main}`;
  const address = state.tcpListeners.get(main)!;
  if (address.hostname !== null) {
    cfg.amqpHostname = address.hostname;
    origin(cfg, state, "amqpHostname", mainKey);
  }
  cfg.amqpPort = address.port;
  origin(cfg, state, "amqpPort", mainKey);
  cfg.extraAmqpListeners = names.filter((n) => n !== main).map((name) => {
    const key = `listeners.tcp.${name}`;
    const extra = state.tcpListeners.get(name)!;
    return {
      name,
      hostname: extra.hostname ?? "0.0.0.0",
      port: extra.port,
      origin: `${state.path}:${state.lines.get(key)}: ${key}`,
    };
  });
}
