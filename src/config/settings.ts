// Every setting Warren reads, described once: its rabbitmq.conf key (or
// family of keys), environment variables, serve flags, defaults, how its
// value is read, what the effective-config line shows for it, and its line
// in the README's table. config.ts (flags, environment, defaults,
// describeConfig), conf_keys.ts (rabbitmq.conf) and `deno task
// readme-config` all read this table; tests/unit/readme_config.test.ts
// checks that the README says what it says. RabbitMQ's keys that Warren
// accepts without effect are a separate list (rabbitmq_keys.ts).
//
// Only types are imported from config.ts and conf_keys.ts (erased at run
// time), so there is no import cycle.
import type { Config } from "./config.ts";
import type { ConfFile } from "./conf_keys.ts";
import { FRAME_MIN_SIZE_BYTES } from "../amqp/spec.ts";
import {
  BadValue,
  bool,
  frameMax,
  informationUnit,
  integer,
  ipAddress,
  listener,
  logLevel,
  MAX_MESSAGE_SIZE_LIMIT_BYTES,
  maxMessageSize,
  permission,
  port,
  readablePath,
  syncLevel,
  text,
  U16_MAX,
} from "./values.ts";

/** Applies one rabbitmq.conf line; `key` is the key as written (a setting may have several spellings). */
export type ConfSetter = (cfg: Config, value: string, file: ConfFile, key: string) => void;

/** An environment variable or flag that sets one Config field. */
export interface Input {
  name: string;
  /** Absent for the one loadConfig reads itself (the config file's name). */
  field?: keyof Config;
  parse?: (value: string) => unknown;
}

export interface Flag extends Input {
  /** What follows the flag in `--help` (`--port PORT`); absent for a switch. */
  value?: string;
  /** `--help`'s text; the default and the variable for the same field are added to it. */
  help: string;
  /** A switch: present means true. */
  switch?: boolean;
}

export interface Setting {
  /** The rabbitmq.conf key; a family names its members `<name>`; null when there is none. */
  key: string | null;
  /** Config fields this setting decides, with RabbitMQ's defaults (Warren's own for warren.*). */
  defaults?: Partial<Config>;
  /** rabbitmq.conf keys read exactly as written: the key and any older spelling. */
  conf?: Readonly<Record<string, ConfSetter>>;
  /** A family of keys, `prefix<name>`: each member is passed its name. */
  family?: { prefix: string; set: (name: string, value: string, file: ConfFile) => void };
  env?: readonly Input[];
  flags?: readonly Flag[];
  /** The effective values as rabbitmq.conf keys, for the start-up log line and `ctl environment`. */
  describe?: (config: Config) => Record<string, string>;
  /** The README's default, when what describe shows for the defaults is not the clearest way to say it. */
  shownDefault?: string;
  /** The README's "meaning" column. */
  doc: string;
}

function input<K extends keyof Config>(name: string, field: K, parse: (value: string) => Config[K]): Input {
  return { name, field, parse };
}

function flag<K extends keyof Config>(
  name: string,
  field: K,
  parse: (value: string) => Config[K],
  help: { value: string; help: string },
): Flag {
  return { name, field, parse, ...help };
}

/** Records which file line chose a field, for start-up errors that point at it. */
export function origin(cfg: Config, file: ConfFile, field: keyof Config, key: string): void {
  cfg.origins[field] = `${file.path}:${file.lines.get(key)}: ${key}`;
}

/** A RabbitMQ key accepted without effect; start-up logs one warning line for it. */
export function ignore(cfg: Config, file: ConfFile, key: string, reason?: string): void {
  cfg.ignoredKeys.push({ key, where: `${file.path}:${file.lines.get(key)}`, ...(reason ? { reason } : {}) });
}

/**
 * A setter for a key that sets one field with one parser; with `origin`,
 * the line is remembered for start-up errors about the field (a busy port,
 * a file that cannot be opened).
 */
function field<K extends keyof Config>(
  name: K,
  parse: (value: string) => Config[K],
  options: { origin?: boolean } = {},
): ConfSetter {
  return (cfg, value, file, key) => {
    cfg[name] = parse(value);
    if (options.origin) origin(cfg, file, name, key);
  };
}

/** Where rabbitmq.conf is looked for when neither --config nor RABBITMQ_CONFIG_FILE names one. */
export const CONFIG_SEARCH_PATHS: readonly string[] = ["rabbitmq.conf", "/etc/warren/rabbitmq.conf"];

const MASK = "********";

/** A definitions file, or a directory of them, checked readable when the key is read. */
function definitions(value: string): string {
  return readablePath(value, { directoryOk: true });
}

function hostPort(hostname: string, port: number): string {
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

/** A family member's `true` / `false`: once any is set, the members set to true replace the default list. */
function member(target: "userTags" | "loopbackUsers"): (name: string, value: string, file: ConfFile) => void {
  return (name, value, file) => {
    const members = file[target] ??= new Map();
    members.delete(name); // a repeated key moves to its latest position
    members.set(name, bool(value));
  };
}

export const SETTINGS: readonly Setting[] = [
  {
    key: null,
    defaults: { configFile: null },
    env: [{ name: "RABBITMQ_CONFIG_FILE" }],
    flags: [{
      name: "config",
      value: "FILE",
      help: `rabbitmq.conf to read (default ${
        CONFIG_SEARCH_PATHS.map((p) => p.includes("/") ? p : `./${p}`).join(", ")
      })`,
    }],
    describe: (c) => ({ config_file: c.configFile ?? "none" }),
    shownDefault: "see above",
    doc: "the config file",
  },
  {
    key: "listeners.tcp.default",
    defaults: { amqpPort: 5672, amqpHostname: "0.0.0.0" },
    env: [
      input("RABBITMQ_NODE_PORT", "amqpPort", port),
      input("RABBITMQ_NODE_IP_ADDRESS", "amqpHostname", text),
    ],
    flags: [
      flag("port", "amqpPort", port, { value: "PORT", help: "AMQP port" }),
      flag("hostname", "amqpHostname", text, {
        value: "IP",
        help: "AMQP listener address",
      }),
    ],
    describe: (c) => ({ "listeners.tcp.default": hostPort(c.amqpHostname, c.amqpPort) }),
    shownDefault: "`5672` on `0.0.0.0`",
    doc: "AMQP listener: `port` or `ip:port` (IPv6: `[::1]:5672` or `::1:5672`)",
  },
  {
    key: "listeners.tcp.<name>",
    defaults: { extraAmqpListeners: [] },
    family: {
      prefix: "listeners.tcp.",
      set: (name, value, file) => {
        file.tcpListeners.delete(name); // a repeated key moves to its latest position
        file.tcpListeners.set(name, listener(value));
      },
    },
    describe: (c) =>
      Object.fromEntries(
        c.extraAmqpListeners.map((l) => [`listeners.tcp.${l.name}`, hostPort(l.hostname, l.port)]),
      ),
    shownDefault: "none",
    doc:
      "more AMQP listeners, `port` or `ip:port` each; once any is set they replace the default, and the one " +
      "named `default` (else the first) is the one `--port` and `RABBITMQ_NODE_PORT` change",
  },
  {
    key: "listeners.ssl.default",
    defaults: { tls: null },
    conf: {
      "listeners.ssl.default": (cfg, v, file, key) => {
        file.tlsListener = listener(v);
        origin(cfg, file, "tls", key);
      },
    },
    describe: (c) => ({ "listeners.ssl.default": c.tls ? hostPort(c.tls.hostname, c.tls.port) : "none" }),
    shownDefault: "none",
    doc: "amqps listener, `port` (all interfaces) or `ip:port`; needs `ssl_options.certfile` and " +
      "`ssl_options.keyfile`",
  },
  {
    key: "tcp_listen_options.nodelay",
    defaults: { tcpNoDelay: true },
    conf: { "tcp_listen_options.nodelay": field("tcpNoDelay", bool) },
    describe: (c) => ({ "tcp_listen_options.nodelay": String(c.tcpNoDelay) }),
    doc: "TCP_NODELAY on every AMQP socket",
  },
  {
    key: "tcp_listen_options.keepalive",
    defaults: { tcpKeepAlive: false },
    conf: { "tcp_listen_options.keepalive": field("tcpKeepAlive", bool) },
    describe: (c) => ({ "tcp_listen_options.keepalive": String(c.tcpKeepAlive) }),
    doc: "TCP keepalive on every AMQP socket",
  },
  {
    key: "tcp_listen_options.backlog",
    conf: {
      "tcp_listen_options.backlog": (cfg, v, file, key) => {
        integer(v, 0, Number.MAX_SAFE_INTEGER);
        ignore(cfg, file, key, "Deno.listen takes no backlog; the OS default applies");
      },
    },
    shownDefault: "",
    doc: "a whole number, accepted and ignored: Deno's listen takes no backlog",
  },
  {
    key: "ssl_options.certfile",
    conf: { "ssl_options.certfile": (_cfg, v, file) => void (file.certfile = text(v)) },
    describe: (c): Record<string, string> => (c.tls ? { "ssl_options.certfile": c.tls.certFile } : {}),
    shownDefault: "none",
    doc: "server certificate (PEM)",
  },
  {
    key: "ssl_options.keyfile",
    conf: { "ssl_options.keyfile": (_cfg, v, file) => void (file.keyfile = text(v)) },
    describe: (c): Record<string, string> => (c.tls ? { "ssl_options.keyfile": c.tls.keyFile } : {}),
    shownDefault: "none",
    doc: "server private key (PEM)",
  },
  {
    key: "ssl_options.cacertfile",
    conf: { "ssl_options.cacertfile": (_cfg, v, file) => void (file.cacertfile = text(v)) },
    describe: (
      c,
    ): Record<string, string> => (c.tls ? { "ssl_options.cacertfile": c.tls.caCertFile ?? "none" } : {}),
    shownDefault: "none",
    doc: "CA certificates that client certificates are checked against",
  },
  {
    key: "ssl_options.verify",
    conf: {
      "ssl_options.verify": (_cfg, v, file) => {
        if (v !== "verify_peer" && v !== "verify_none") {
          throw new BadValue(`'${v}' is not verify_peer or verify_none`);
        }
        file.verify = v;
      },
    },
    describe: (
      c,
    ): Record<
      string,
      string
    > => (c.tls ? { "ssl_options.verify": c.tls.verifyPeer ? "verify_peer" : "verify_none" } : {}),
    shownDefault: "`verify_none`",
    doc: "`verify_peer`: ask clients for a certificate and verify it",
  },
  {
    key: "ssl_options.fail_if_no_peer_cert",
    conf: { "ssl_options.fail_if_no_peer_cert": (_cfg, v, file) => void (file.failIfNoPeerCert = bool(v)) },
    describe: (
      c,
    ): Record<
      string,
      string
    > => (c.tls ? { "ssl_options.fail_if_no_peer_cert": String(c.tls.failIfNoPeerCert) } : {}),
    shownDefault: "`false`",
    doc: "with `verify_peer`, refuse clients that send no certificate",
  },
  {
    key: "management.tcp.ip",
    defaults: { managementHostname: "0.0.0.0" },
    // management.listener.* are the management plugin's older spellings.
    conf: {
      "management.tcp.ip": field("managementHostname", ipAddress, { origin: true }),
      "management.listener.ip": field("managementHostname", ipAddress, { origin: true }),
    },
    describe: (c) => ({ "management.tcp.ip": c.managementHostname }),
    doc: "management listener address (`management.listener.ip` is read too)",
  },
  {
    key: "management.tcp.port",
    defaults: { managementPort: 15672 },
    conf: {
      "management.tcp.port": field("managementPort", port, { origin: true }),
      "management.listener.port": field("managementPort", port, { origin: true }),
    },
    flags: [
      flag("management-port", "managementPort", port, {
        value: "PORT",
        help: "management API and web UI port",
      }),
    ],
    describe: (c) => ({ "management.tcp.port": String(c.managementPort) }),
    doc: "management HTTP API and web UI port (`management.listener.port` is read too)",
  },
  {
    key: "prometheus.tcp.ip",
    defaults: { prometheusHostname: "0.0.0.0" },
    conf: { "prometheus.tcp.ip": field("prometheusHostname", ipAddress, { origin: true }) },
    describe: (c) => ({ "prometheus.tcp.ip": c.prometheusHostname }),
    doc: "Prometheus listener address",
  },
  {
    key: "prometheus.tcp.port",
    defaults: { prometheusPort: 15692 },
    conf: { "prometheus.tcp.port": field("prometheusPort", port, { origin: true }) },
    flags: [
      flag("prometheus-port", "prometheusPort", port, {
        value: "PORT",
        help: "Prometheus metrics port",
      }),
    ],
    describe: (c) => ({ "prometheus.tcp.port": String(c.prometheusPort) }),
    doc: "Prometheus metrics port (see [Prometheus](#prometheus))",
  },
  {
    key: "prometheus.return_per_object_metrics",
    defaults: { prometheusPerObject: false },
    conf: { "prometheus.return_per_object_metrics": field("prometheusPerObject", bool) },
    describe: (c) => ({ "prometheus.return_per_object_metrics": String(c.prometheusPerObject) }),
    doc: "`true`: `/metrics` gives one sample per object instead of sums",
  },
  {
    key: "cluster_name",
    defaults: { clusterName: "warren" },
    conf: { cluster_name: field("clusterName", text) },
    describe: (c) => ({ cluster_name: c.clusterName }),
    doc: "shown by the management API and sent to clients in `connection.start`",
  },
  {
    key: "default_user",
    defaults: { defaultUser: "guest" },
    conf: { default_user: field("defaultUser", text) },
    env: [input("RABBITMQ_DEFAULT_USER", "defaultUser", text)],
    describe: (c) => ({ default_user: c.defaultUser }),
    doc: "user created on first start (an empty data dir)",
  },
  {
    key: "default_pass",
    defaults: { defaultPass: "guest" },
    conf: { default_pass: field("defaultPass", text) },
    env: [input("RABBITMQ_DEFAULT_PASS", "defaultPass", text)],
    describe: () => ({ default_pass: MASK }),
    shownDefault: "`guest`",
    doc: "its password (always masked in logs)",
  },
  {
    key: "default_vhost",
    defaults: { defaultVHost: "/" },
    conf: { default_vhost: field("defaultVHost", text) },
    env: [input("RABBITMQ_DEFAULT_VHOST", "defaultVHost", text)],
    describe: (c) => ({ default_vhost: c.defaultVHost }),
    doc: "vhost created on first start; the default user gets full permissions on it",
  },
  {
    key: "default_user_tags.<tag>",
    defaults: { defaultUserTags: ["administrator"] },
    family: { prefix: "default_user_tags.", set: member("userTags") },
    describe: (c) => ({ default_user_tags: c.defaultUserTags.join(",") || "none" }),
    shownDefault: "`administrator = true`",
    doc: "the default user's tags; once any is set, the tags set to `true` replace the default",
  },
  {
    key: "default_permissions.configure",
    defaults: { defaultPermissions: { configure: ".*", write: ".*", read: ".*" } },
    conf: {
      "default_permissions.configure": (cfg, v) => void (cfg.defaultPermissions.configure = permission(v)),
      "default_permissions.write": (cfg, v) => void (cfg.defaultPermissions.write = permission(v)),
      "default_permissions.read": (cfg, v) => void (cfg.defaultPermissions.read = permission(v)),
    },
    describe: (c) => ({
      "default_permissions.configure": c.defaultPermissions.configure,
      "default_permissions.write": c.defaultPermissions.write,
      "default_permissions.read": c.defaultPermissions.read,
    }),
    doc:
      "the default user's configure permission on the default vhost, at first start (also `.write`, `.read`)",
  },
  {
    key: "loopback_users.<user>",
    defaults: { loopbackUsers: ["guest"] },
    family: { prefix: "loopback_users.", set: member("loopbackUsers") },
    describe: (c) => ({ loopback_users: c.loopbackUsers.join(",") || "none" }),
    shownDefault: "`guest = true`",
    doc:
      "users who may connect only from localhost; once any is set, the users set to `true` replace the default",
  },
  {
    key: "loopback_users",
    conf: {
      loopback_users: (_cfg, v, file) => {
        if (v !== "none") {
          throw new BadValue(`'${v}' is not none (list users with loopback_users.<name> = true)`);
        }
        file.loopbackNone = true;
      },
    },
    shownDefault: "",
    doc: "`none`: no user is limited to localhost",
  },
  {
    key: "heartbeat",
    defaults: { heartbeatS: 60 },
    conf: { heartbeat: field("heartbeatS", (v) => integer(v, 0, U16_MAX)) },
    describe: (c) => ({ heartbeat: String(c.heartbeatS) }),
    doc: "heartbeat seconds offered in connection.tune (0 turns heartbeats off)",
  },
  {
    key: "frame_max",
    defaults: { frameMaxBytes: 131072 },
    conf: { frame_max: field("frameMaxBytes", frameMax) },
    describe: (c) => ({ frame_max: String(c.frameMaxBytes) }),
    doc:
      `largest frame in bytes (at least ${FRAME_MIN_SIZE_BYTES}; \`KB\`/\`MB\`/\`GB\` are powers of 1024 here, as in RabbitMQ)`,
  },
  {
    key: "channel_max",
    defaults: { channelMax: 2047 },
    // 0 is RabbitMQ's "no limit", which the 16-bit field caps at 65535.
    conf: { channel_max: field("channelMax", (v) => integer(v, 0, U16_MAX) || U16_MAX) },
    describe: (c) => ({ channel_max: String(c.channelMax) }),
    doc: `channels per connection (0 means ${U16_MAX})`,
  },
  {
    key: "max_message_size",
    defaults: { maxMessageSizeBytes: 128 * 1024 * 1024 },
    conf: { max_message_size: field("maxMessageSizeBytes", maxMessageSize) },
    describe: (c) => ({ max_message_size: String(c.maxMessageSizeBytes) }),
    shownDefault: "`134217728` (128 MiB)",
    doc: `largest message body in bytes, up to ${MAX_MESSAGE_SIZE_LIMIT_BYTES} (512 MiB)`,
  },
  {
    key: "consumer_timeout",
    defaults: { consumerTimeoutMs: 30 * 60 * 1000 },
    conf: { consumer_timeout: field("consumerTimeoutMs", (v) => integer(v, 1, Number.MAX_SAFE_INTEGER)) },
    describe: (c) => ({ consumer_timeout: String(c.consumerTimeoutMs) }),
    shownDefault: "`1800000` (30 min)",
    doc: "a delivery unacked for longer closes its channel with 406 PRECONDITION_FAILED, as in RabbitMQ",
  },
  {
    key: "vm_memory_high_watermark.relative",
    defaults: { memoryHighWatermark: { relative: 0.4 } },
    conf: {
      "vm_memory_high_watermark.relative": (_cfg, v, file) => {
        if (!/^\d+(\.\d+)?$/.test(v)) {
          throw new BadValue(`'${v}' is not a fraction of total memory such as 0.4`);
        }
        file.memoryRelative = Number(v);
      },
    },
    describe: (c): Record<string, string> => {
      const w = c.memoryHighWatermark;
      return "relative" in w ? { "vm_memory_high_watermark.relative": String(w.relative) } : {};
    },
    doc: "memory alarm above this fraction of total RAM",
  },
  {
    key: "vm_memory_high_watermark.absolute",
    conf: {
      "vm_memory_high_watermark.absolute": (_cfg, v, file) =>
        void (file.memoryAbsoluteBytes = informationUnit(v)),
    },
    describe: (c): Record<string, string> => {
      const w = c.memoryHighWatermark;
      return "absoluteBytes" in w ? { "vm_memory_high_watermark.absolute": String(w.absoluteBytes) } : {};
    },
    shownDefault: "unset",
    doc: "memory alarm above this size (`1073741824`, `2GB`, `1536MiB`); wins over `.relative`",
  },
  {
    key: "disk_free_limit.absolute",
    defaults: { diskFreeLimitBytes: 50 * 1000 * 1000 },
    conf: { "disk_free_limit.absolute": field("diskFreeLimitBytes", informationUnit) },
    describe: (c) => ({ "disk_free_limit.absolute": String(c.diskFreeLimitBytes) }),
    shownDefault: "`50000000` (50MB)",
    doc: "disk alarm when free space under the data dir drops below this size",
  },
  {
    key: "log.console",
    defaults: { logConsole: true },
    conf: { "log.console": field("logConsole", bool) },
    describe: (c) => ({ "log.console": String(c.logConsole) }),
    doc: "`false`: no log lines on stdout",
  },
  {
    key: "log.console.level",
    defaults: { logLevel: "info" },
    conf: { "log.console.level": field("logLevel", logLevel) },
    flags: [
      flag("log-level", "logLevel", logLevel, {
        value: "LEVEL",
        help: "debug, info, warning, error or none",
      }),
    ],
    describe: (c) => ({ "log.console.level": c.logLevel }),
    doc:
      "`debug`, `info`, `notice`, `warning`, `error`, `critical`, `alert`, `emergency`, `none` (notice logs " +
      "as info; critical and above as error)",
  },
  {
    key: "log.file",
    defaults: { logFile: null },
    conf: { "log.file": field("logFile", (v) => (v === "false" ? null : text(v)), { origin: true }) },
    describe: (c) => ({ "log.file": c.logFile ?? "false" }),
    doc: "also append log lines to this file",
  },
  {
    key: "log.file.level",
    defaults: { logFileLevel: "info" },
    conf: { "log.file.level": field("logFileLevel", logLevel) },
    describe: (c) => ({ "log.file.level": c.logFileLevel }),
    doc: "the log file's own level (same names as `log.console.level`)",
  },
  {
    key: "load_definitions",
    defaults: { loadDefinitions: null },
    conf: {
      load_definitions: field("loadDefinitions", definitions, { origin: true }),
    },
    describe: (c) => ({ load_definitions: c.loadDefinitions ?? "none" }),
    shownDefault: "none",
    doc: "definitions (a JSON file or a directory of them) to import at start; must be readable",
  },
  {
    key: "management.load_definitions",
    defaults: { managementLoadDefinitions: null },
    conf: {
      "management.load_definitions": field("managementLoadDefinitions", definitions, { origin: true }),
    },
    describe: (c) => ({ "management.load_definitions": c.managementLoadDefinitions ?? "none" }),
    shownDefault: "none",
    doc: "definitions imported after `load_definitions`, as RabbitMQ's management plugin does",
  },
  {
    key: "warren.data_dir",
    defaults: { dataDir: "./data" },
    conf: { "warren.data_dir": field("dataDir", text, { origin: true }) },
    env: [input("WARREN_DATA_DIR", "dataDir", text)],
    flags: [
      flag("data-dir", "dataDir", text, {
        value: "DIR",
        help: "where durable state lives",
      }),
    ],
    describe: (c) => ({ "warren.data_dir": c.inMemory ? "none (in memory)" : c.dataDir }),
    doc: "where durable state lives (SQLite, WAL mode)",
  },
  {
    key: "warren.sync",
    defaults: { sync: "full" },
    conf: { "warren.sync": field("sync", syncLevel) },
    env: [input("WARREN_SYNC", "sync", syncLevel)],
    flags: [
      flag("sync", "sync", syncLevel, {
        value: "LEVEL",
        help: "full (fsync before every confirm) or normal",
      }),
    ],
    describe: (c) => ({ "warren.sync": c.sync }),
    doc: "`full`: fsync before every publisher confirm; `normal`: survives a process crash, not a power loss",
  },
  {
    key: null,
    defaults: { inMemory: false },
    flags: [{ name: "in-memory", field: "inMemory", switch: true, help: "keep nothing on disk" }],
    shownDefault: "off",
    doc: "keep nothing on disk (tests, throwaway brokers)",
  },
];
