// rabbitmq.conf's "sysctl" syntax: one `key = value` per line, `#` starts
// a comment (anywhere on the line, as in RabbitMQ, so a value cannot hold
// a `#`), blank lines are ignored. Keys are dotted names. Only the syntax
// is checked here; what each key means is conf_keys.ts.
import { ConfigError } from "./config_error.ts";

export interface ConfEntry {
  key: string;
  value: string;
  /** 1-based, for `file:line:` in error messages */
  line: number;
}

/** A dotted key: segments of anything but whitespace, `=` and `.`. */
const KEY = /^[^\s=.]+(\.[^\s=.]+)*$/;

export function parseConfText(text: string, path: string): ConfEntry[] {
  const entries: ConfEntry[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const hash = lines[i].indexOf("#");
    const content = (hash === -1 ? lines[i] : lines[i].slice(0, hash)).trim();
    if (content === "") continue;
    const eq = content.indexOf("=");
    if (eq === -1) {
      throw new ConfigError(`${path}:${line}: syntax error: expected 'key = value', got '${content}'`);
    }
    const key = content.slice(0, eq).trim();
    const value = content.slice(eq + 1).trim();
    if (!KEY.test(key)) {
      throw new ConfigError(`${path}:${line}: syntax error: '${key}' is not a valid key`);
    }
    if (value === "") throw new ConfigError(`${path}:${line}: ${key}: missing value`);
    entries.push({ key, value, line });
  }
  return entries;
}
