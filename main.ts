// Warren's entry point: `serve` (the default) runs the node; `version`
// prints the version.
import { ConfigError, loadConfig } from "./src/config/config.ts";
import { logger, setLogLevel } from "./src/log.ts";
import { openStore } from "./src/store/open_store.ts";
import { StoreError } from "./src/store/sqlite_store.ts";
import { startServer } from "./src/server/server.ts";
import { VERSION } from "./src/version.ts";

const log = logger("main");

async function serve(argv: string[]): Promise<number> {
  const config = loadConfig(argv, Deno.env.toObject());
  setLogLevel(config.logLevel);
  const store = openStore(config);
  let server;
  try {
    server = await startServer({ port: config.amqpPort, hostname: config.amqpHostname, store });
  } catch (e) {
    store.close();
    if (e instanceof Deno.errors.AddrInUse) {
      throw new ConfigError(
        `port ${config.amqpPort} is already in use (set by --port, RABBITMQ_NODE_PORT or listeners.tcp.default)`,
      );
    }
    throw e;
  }
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: Deno.Signal) => {
      log.info("shutting down", { signal });
      server.close().then(resolve);
    };
    Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"));
    Deno.addSignalListener("SIGINT", () => stop("SIGINT"));
  });
  await stopped;
  return 0;
}

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === "version" || command === "--version") {
    console.log(`warren ${VERSION}`);
    return 0;
  }
  if (command === undefined || command.startsWith("-")) return await serve(args);
  if (command === "serve") return await serve(rest);
  console.error(`warren: unknown command '${command}' (expected serve or version)`);
  return 2;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    if (
      e instanceof ConfigError || e instanceof StoreError ||
      (e instanceof TypeError && (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS"))
    ) {
      console.error(`warren: ${e.message}`);
      Deno.exit(1);
    }
    throw e;
  }
}
