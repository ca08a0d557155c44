// One line per event: `time level component message key=value ...`.
// Expected client errors are logged as one line without a stack trace.

export type LogLevel = "debug" | "info" | "warning" | "error" | "none";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40, none: 100 };

let threshold = RANK.info;
let sink: (line: string, level: LogLevel) => void = (line) => console.log(line);

export function setLogLevel(level: LogLevel): void {
  threshold = RANK[level];
}

/** Whether a line at `level` passes a sink whose own threshold is `threshold`. */
export function levelPasses(level: LogLevel, threshold: LogLevel): boolean {
  return RANK[level] >= RANK[threshold];
}

/** The more verbose of two levels: the global threshold when two sinks have their own. */
export function lowerLevel(a: LogLevel, b: LogLevel): LogLevel {
  return RANK[a] <= RANK[b] ? a : b;
}

/** Redirects log lines (tests capture them; log.file appends to a file). */
export function setLogSink(write: (line: string, level: LogLevel) => void): void {
  sink = write;
}

export type LogFields = Record<string, string | number | boolean | undefined | null>;

function formatValue(v: string | number | boolean): string {
  const s = String(v);
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s);
}

function emit(level: LogLevel, component: string, message: string, fields?: LogFields): void {
  if (RANK[level] < threshold) return;
  let line = `${new Date().toISOString()} ${level} ${component} ${message}`;
  if (fields) {
    for (const [k, v] of Object.entries(fields)) {
      if (v !== undefined && v !== null) line += ` ${k}=${formatValue(v)}`;
    }
  }
  sink(line, level);
}

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warning(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export function logger(component: string): Logger {
  return {
    debug: (m, f) => emit("debug", component, m, f),
    info: (m, f) => emit("info", component, m, f),
    warning: (m, f) => emit("warning", component, m, f),
    error: (m, f) => emit("error", component, m, f),
  };
}
