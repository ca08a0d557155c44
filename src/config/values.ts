// How a setting's value is read, whatever it comes from (rabbitmq.conf, an
// environment variable or a flag). The rules follow RabbitMQ's schema
// (deps/rabbit/priv/schema): booleans are exactly `true` / `false`, byte
// sizes take RabbitMQ's units, listeners are `port` or `ip:port`. A value
// that does not fit throws BadValue; the caller says where it came from.
import type { LogLevel } from "../log.ts";
import { FRAME_MIN_SIZE_BYTES } from "../amqp/spec.ts";
import { SYNC_LEVELS, type SyncLevel } from "../store/sync_level.ts";
import { BYTESIZE_HINT, INFORMATION_UNIT_HINT, parseBytesize, parseInformationUnit } from "./units.ts";

/** A value this setting cannot take; the caller adds `file:line: key:`, the variable or the flag. */
export class BadValue extends Error {}

/** frame-max is a 32-bit field in connection.tune. */
const FRAME_MAX_LIMIT_BYTES = 0xffff_ffff;
/** channel-max and heartbeat are 16-bit fields in connection.tune. */
export const U16_MAX = 0xffff;
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

const LOG_LEVEL_HINT = Object.keys(LOG_LEVEL_NAMES).join(", ");

export function logLevel(value: string): LogLevel {
  if (!Object.hasOwn(LOG_LEVEL_NAMES, value)) {
    throw new BadValue(`'${value}' is not one of ${LOG_LEVEL_HINT}`);
  }
  return LOG_LEVEL_NAMES[value];
}

export function syncLevel(value: string): SyncLevel {
  if (!SYNC_LEVELS.includes(value as SyncLevel)) {
    throw new BadValue(`'${value}' is not one of ${SYNC_LEVELS.join(", ")}`);
  }
  return value as SyncLevel;
}

/** A port number as RabbitMQ takes it; 0 asks the OS for a free port (tests use it). */
function parsePortNumber(value: string): number | null {
  if (!/^\d{1,5}$/.test(value)) return null;
  const port = Number(value);
  return port <= 65535 ? port : null;
}

export function port(value: string): number {
  const n = parsePortNumber(value);
  if (n === null) throw new BadValue(`'${value}' is not a port number (0-65535)`);
  return n;
}

function isIpv4(host: string): boolean {
  const parts = host.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function isIpv6(host: string): boolean {
  return host.includes(":") && /^[0-9A-Fa-f:.]+$/.test(host) && !host.includes(":::");
}

/** An IPv4 or IPv6 address, the latter also in brackets. */
export function ipAddress(value: string): string {
  const host = value.startsWith("[") && value.endsWith("]") ? value.slice(1, -1) : value;
  if (!isIpv4(host) && !isIpv6(host)) throw new BadValue(`'${value}' is not an IP address`);
  return host;
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
function parseListener(value: string): ListenerAddress | null {
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

export function listener(value: string): ListenerAddress {
  const address = parseListener(value);
  if (!address) throw new BadValue(`'${value}' is not a port (0-65535) or ip:port`);
  return address;
}

export function bool(value: string): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  throw new BadValue(`'${value}' is not true or false`);
}

export function integer(value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new BadValue(`'${value}' is not a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

export function text(value: string): string {
  // rabbitmq.conf's syntax already rejects an empty value; an environment variable or flag may be empty.
  if (value === "") throw new BadValue("must not be empty");
  return value;
}

/** A file (or, with directoryOk, a directory) that must be readable when the setting is read. */
export function readablePath(value: string, options: { directoryOk?: boolean } = {}): string {
  const reason = unreadableReason(value, options);
  if (reason) throw new BadValue(reason);
  return value;
}

/** Why a file a setting names cannot be used, or null when it can be read. */
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

/** A size in RabbitMQ's information units (memory, disk, message size). */
export function informationUnit(value: string): number {
  const bytes = parseInformationUnit(value);
  if (bytes === null) throw new BadValue(`'${value}' is not a size (${INFORMATION_UNIT_HINT})`);
  return bytes;
}

export function frameMax(value: string): number {
  const bytes = parseBytesize(value);
  if (bytes === null) throw new BadValue(`'${value}' is not a size (${BYTESIZE_HINT})`);
  if (bytes < FRAME_MIN_SIZE_BYTES || bytes > FRAME_MAX_LIMIT_BYTES) {
    throw new BadValue(
      `${bytes} is outside ${FRAME_MIN_SIZE_BYTES}..${FRAME_MAX_LIMIT_BYTES} bytes (0, "unlimited", is not supported)`,
    );
  }
  return bytes;
}

export function maxMessageSize(value: string): number {
  const bytes = informationUnit(value);
  if (bytes < 1 || bytes > MAX_MESSAGE_SIZE_LIMIT_BYTES) {
    throw new BadValue(`${bytes} is outside 1..${MAX_MESSAGE_SIZE_LIMIT_BYTES} bytes (512 MiB)`);
  }
  return bytes;
}

/** A permission pattern: Warren matches names with it, so it must be a valid regular expression. */
export function permission(value: string): string {
  try {
    new RegExp(value);
  } catch {
    throw new BadValue(`'${value}' is not a valid regular expression`);
  }
  return value;
}
