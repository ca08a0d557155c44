// rabbitmq.conf's keys applied to Config. What each key means is its
// descriptor in settings.ts; this file looks keys up there, keeps what a
// file's keys add up to (the TLS listener and its files, the families that
// replace a default list as a whole once any member is set), and checks the
// whole once every line is read. A key RabbitMQ knows that means nothing
// here (rabbitmq_keys.ts) is accepted and reported as ignored; any other
// key, or a value out of range, is a ConfigError `file:line: key: reason`.
//
// Only the `Config` type is imported from config.ts (erased at run time),
// so there is no import cycle between the two modules.
import type { Config } from "./config.ts";
import { ConfigError } from "./config_error.ts";
import type { ConfEntry } from "./conf_file.ts";
import { type ConfSetter, ignore, origin, SETTINGS } from "./settings.ts";
import { BadValue, type ListenerAddress, unreadableReason } from "./values.ts";
import { isRabbitMqKey, RABBITMQ_LITERAL_KEYS } from "./rabbitmq_keys.ts";

/** What the keys of one file add up to before they are folded into Config. */
export interface ConfFile {
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

/** Keys set exactly as written, from the settings' descriptors. */
const KEYS: ReadonlyMap<string, ConfSetter> = new Map(
  SETTINGS.flatMap((s) => Object.entries(s.conf ?? {})),
);

/** Families of keys (`listeners.tcp.<name>`), from the settings' descriptors. */
const FAMILIES = SETTINGS.flatMap((s) => (s.family ? [s.family] : []));

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
const KNOWN_KEYS: readonly string[] = [
  ...KEYS.keys(),
  ...SETTINGS.flatMap((s) => (s.family && s.key ? [s.key] : [])),
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

function applyEntry(cfg: Config, entry: ConfEntry, file: ConfFile): void {
  const { key, value } = entry;
  const setter = KEYS.get(key);
  if (setter) return setter(cfg, value, file, key);
  for (const family of FAMILIES) {
    if (key.startsWith(family.prefix)) return family.set(key.slice(family.prefix.length), value, file);
  }
  const unsupported = unsupportedReason(key);
  if (unsupported) throw new BadValue(unsupported);
  if (isRabbitMqKey(key)) return ignore(cfg, file, key);
  throw new BadValue(unknownKeyReason(key));
}

/**
 * Applies one file's entries to cfg (which holds the defaults when the file
 * is read). Later lines win over earlier ones, as in RabbitMQ.
 */
export function applyConfEntries(cfg: Config, entries: readonly ConfEntry[], path: string): void {
  const state: ConfFile = {
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
  for (const entry of entries) {
    state.lines.set(entry.key, entry.line);
    try {
      applyEntry(cfg, entry, state);
    } catch (e) {
      if (e instanceof BadValue) throw failAt(state, entry.key, e.message);
      throw e;
    }
  }
  applyTcpListeners(cfg, state);
  applyCollectedLists(cfg, state);
  applyTls(cfg, state);
}

/** The error for `key`, naming the file and the line that set it. */
function failAt(state: ConfFile, key: string, reason: string): ConfigError {
  return new ConfigError(`${state.path}:${state.lines.get(key)}: ${key}: ${reason}`);
}

/** Settings that several lines build up together: default user tags, loopback users, the memory watermark. */
function applyCollectedLists(cfg: Config, state: ConfFile): void {
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
}

/** The TLS listener and its ssl_options, checked together once every line is read. */
function applyTls(cfg: Config, state: ConfFile): void {
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
    if (reason) throw failAt(state, key, reason);
  }
  if (state.failIfNoPeerCert && state.verify !== "verify_peer") {
    throw failAt(state, "ssl_options.fail_if_no_peer_cert", "true needs ssl_options.verify = verify_peer");
  }
  if (state.tlsListener) {
    if (state.certfile === null || state.keyfile === null) {
      throw failAt(
        state,
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
function applyTcpListeners(cfg: Config, state: ConfFile): void {
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
