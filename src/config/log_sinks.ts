// Where log lines go, from log.console and log.file: stdout, and/or
// appended to a file that is opened once at start-up, each with its own
// level (log.console.level, log.file.level). A file that cannot be opened
// stops start-up with one line naming the setting and the path.
import { levelPasses, lowerLevel, setLogLevel, setLogSink } from "../log.ts";
import type { Config } from "./config.ts";
import { ConfigError } from "./config_error.ts";

const encoder = new TextEncoder();

function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
}

/** Installs the sinks config asks for; the returned function closes the log file. */
export function installLogSinks(
  config: Pick<Config, "logFile" | "logConsole" | "origins" | "logLevel" | "logFileLevel">,
): () => void {
  let file: Deno.FsFile | null = null;
  if (config.logFile !== null) {
    try {
      file = Deno.openSync(config.logFile, { append: true, create: true });
    } catch (e) {
      const where = config.origins.logFile ?? "log.file";
      throw new ConfigError(`${where}: cannot open ${config.logFile} for appending: ${(e as Error).message}`);
    }
  }
  const toConsole = config.logConsole;
  const toFile = file;
  const consoleLevel = config.logLevel;
  const fileLevel = config.logFileLevel;
  setLogLevel(toFile ? lowerLevel(consoleLevel, fileLevel) : consoleLevel);
  setLogSink((line, level) => {
    if (toConsole && levelPasses(level, consoleLevel)) console.log(line);
    if (toFile && levelPasses(level, fileLevel)) {
      try {
        writeAll(toFile, encoder.encode(line + "\n"));
      } catch {
        // A full disk must not take the broker down with it; the disk alarm reports that.
      }
    }
  });
  return () => {
    try {
      toFile?.close();
    } catch { /* already closed */ }
  };
}
