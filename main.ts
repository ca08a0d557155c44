// Warren's entry point: `serve` (the default) runs the node; `ctl <verb>`
// (or the program run as `rabbitmqctl`) talks to a running node; `version`
// prints the version; `help` lists all this.
import {
  busyPortError,
  type Config,
  ConfigError,
  describeConfig,
  FLAG_HELP,
  loadConfig,
} from "./src/config/config.ts";
import { installLogSinks } from "./src/config/log_sinks.ts";
import { logger } from "./src/log.ts";
import { openStore } from "./src/store/open_store.ts";
import type { Store } from "./src/store/store.ts";
import { StoreError } from "./src/store/sqlite_store.ts";
import { ExtraListenerInUse, type Server, startServer } from "./src/server/server.ts";
import { importDefinitions } from "./src/admin/definitions.ts";
import { VERSION } from "./src/version.ts";
import { type AdminServer, startAdminServer } from "./src/admin/admin_server.ts";
import type { AdminContext } from "./src/admin/context.ts";
import { startPrometheusServer } from "./src/admin/prometheus/prometheus_server.ts";
import { ctlSecretPath, ensureCtlSecret } from "./src/admin/ctl_secret.ts";
import { nodeRecordPath, removeNodeRecord, writeNodeRecord } from "./src/admin/node_record.ts";
import { invokedAsRabbitmqctl, runCtl } from "./src/cli/ctl.ts";

const log = logger("main");

async function serve(argv: string[]): Promise<number> {
  const config = loadConfig(argv, Deno.env.toObject());
  installLogSinks(config);
  for (const { key, where, reason } of config.ignoredKeys) {
    log.warning(`ignored: ${key} has no effect in Warren`, { at: where, reason });
  }
  log.info("effective config", describeConfig(config));
  const store = openStore(config);
  const server = await startAmqp(config, store);
  server.users.loopbackUsers = new Set(config.loopbackUsers);
  let admin;
  // The secret lets `warren ctl` run by this OS user reach the node without a password. An
  // in-memory node keeps nothing on disk unless a data dir was named explicitly.
  let ctlSecret: string | null = null;
  try {
    if (!config.inMemory || config.origins.dataDir !== undefined) {
      try {
        ctlSecret = ensureCtlSecret(config.dataDir);
      } catch (e) {
        throw new ConfigError(`cannot write ${ctlSecretPath(config.dataDir)}: ${(e as Error).message}`);
      }
    }
    admin = await startAdminServer({
      node: server,
      port: config.managementPort,
      hostname: config.managementHostname,
      ctlSecret,
      dataDir: config.inMemory ? null : config.dataDir,
      clusterName: config.clusterName,
      environment: describeConfig(config),
    });
  } catch (e) {
    await server.close();
    if (e instanceof Deno.errors.AddrInUse) throw busyPortError(config, "managementPort");
    throw e;
  }
  let prometheus;
  try {
    prometheus = startPrometheusServer({
      context: admin.context,
      port: config.prometheusPort,
      hostname: config.prometheusHostname,
      perObjectByDefault: config.prometheusPerObject,
    });
  } catch (e) {
    await admin.close();
    await server.close();
    if (e instanceof Deno.errors.AddrInUse) throw busyPortError(config, "prometheusPort");
    if (e instanceof Deno.errors.AddrNotAvailable) {
      const setting = config.origins.prometheusHostname ?? "prometheus.tcp.ip";
      throw new ConfigError(`${setting}: cannot listen on ${config.prometheusHostname}: ${e.message}`);
    }
    throw e;
  }
  // ctl finds the node owning a data dir from this record (the same directory holds the ctl secret).
  const recordDir = ctlSecret !== null ? config.dataDir : null;
  try {
    loadBootDefinitions(config, admin.context);
    if (recordDir !== null) recordNode(recordDir, server, admin);
  } catch (e) {
    await prometheus.close();
    await admin.close();
    await server.close();
    throw e;
  }
  await untilSignal(async () => {
    if (recordDir !== null) removeNodeRecord(recordDir);
    await prometheus.close();
    await admin.close();
    await server.close();
  });
  return 0;
}

/** The AMQP side of the node; a busy port stops start-up with the setting that names it. */
async function startAmqp(config: Config, store: Store): Promise<Server> {
  try {
    return await startServer({
      port: config.amqpPort,
      hostname: config.amqpHostname,
      extraListeners: config.extraAmqpListeners.map(({ hostname, port }) => ({ hostname, port })),
      socket: { noDelay: config.tcpNoDelay, keepAlive: config.tcpKeepAlive },
      clusterName: config.clusterName,
      store,
      defaults: {
        vhost: config.defaultVHost,
        user: config.defaultUser,
        pass: config.defaultPass,
        tags: config.defaultUserTags,
        permissions: config.defaultPermissions,
      },
      tls: config.tls
        ? {
          port: config.tls.port,
          hostname: config.tls.hostname,
          cert: Deno.readTextFileSync(config.tls.certFile),
          key: Deno.readTextFileSync(config.tls.keyFile),
          ca: config.tls.caCertFile ? Deno.readTextFileSync(config.tls.caCertFile) : undefined,
          verifyPeer: config.tls.verifyPeer,
          failIfNoPeerCert: config.tls.failIfNoPeerCert,
        }
        : undefined,
      alarms: {
        memoryHighWatermark: config.memoryHighWatermark,
        diskFreeLimitBytes: config.diskFreeLimitBytes,
        dataDir: config.inMemory ? null : config.dataDir,
      },
      limits: {
        heartbeatS: config.heartbeatS,
        frameMaxBytes: config.frameMaxBytes,
        channelMax: config.channelMax,
        maxMessageSizeBytes: config.maxMessageSizeBytes,
        consumerTimeoutMs: config.consumerTimeoutMs,
      },
    });
  } catch (e) {
    store.close();
    if (e instanceof Deno.errors.AddrInUse) throw busyPortError(config, "amqpPort");
    if (e instanceof ExtraListenerInUse) {
      const extra = config.extraAmqpListeners[e.index];
      throw new ConfigError(`${extra.origin}: port ${extra.port} is already in use`);
    }
    if ((e as { code?: string }).code === "EADDRINUSE") throw busyPortError(config, "tls");
    throw e;
  }
}

/** load_definitions, then management.load_definitions, as RabbitMQ imports them at start. */
function loadBootDefinitions(config: Config, context: AdminContext): void {
  const definitionSources = [
    ["load_definitions", config.loadDefinitions],
    ["management.load_definitions", config.managementLoadDefinitions],
  ] as const;
  for (const [key, path] of definitionSources) {
    if (path === null) continue;
    try {
      for (const file of definitionFiles(path)) {
        importDefinitions(context, JSON.parse(Deno.readTextFileSync(file)), null);
        log.info("definitions loaded", { file });
      }
    } catch (e) {
      throw new ConfigError(`${key}: ${path}: ${(e as Error).message}`);
    }
  }
}

/** Writes the record by which ctl finds this node: pid, node name and listeners. */
function recordNode(dir: string, server: Server, admin: AdminServer): void {
  try {
    writeNodeRecord(dir, {
      pid: Deno.pid,
      node: admin.context.nodeName,
      management: { hostname: admin.hostname, port: admin.port },
      amqp: [
        { hostname: server.hostname, port: server.port },
        ...server.extraListeners.map(({ hostname, port }) => ({ hostname, port })),
      ],
      startedAt: new Date().toISOString(),
    });
  } catch (e) {
    throw new ConfigError(`cannot write ${nodeRecordPath(dir)}: ${(e as Error).message}`);
  }
}

/** Resolves once SIGTERM or SIGINT has arrived and `stop` has finished. */
function untilSignal(stop: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const onSignal = (signal: Deno.Signal) => {
      log.info("shutting down", { signal });
      stop().then(resolve);
    };
    Deno.addSignalListener("SIGTERM", () => onSignal("SIGTERM"));
    Deno.addSignalListener("SIGINT", () => onSignal("SIGINT"));
  });
}

/** load_definitions names a file, or a directory whose .json files are imported in name order. */
function definitionFiles(path: string): string[] {
  if (!Deno.statSync(path).isDirectory) return [path];
  return [...Deno.readDirSync(path)]
    .filter((e) => e.isFile && e.name.endsWith(".json"))
    .map((e) => `${path.replace(/\/+$/, "")}/${e.name}`)
    .sort();
}

function helpText(): string {
  const flags = Object.entries(FLAG_HELP).map(([name, { value, text }]) => {
    const spelled = `--${name}${value ? ` ${value}` : ""}`;
    return `  ${spelled.padEnd(26)}${text}`;
  });
  return [
    `warren ${VERSION}: a RabbitMQ-compatible AMQP 0-9-1 broker`,
    "",
    "Usage:",
    "  warren [serve] [flags]    run the broker (the default command)",
    "  warren ctl <verb> [...]   rabbitmqctl's verbs against the running node (warren ctl help lists them)",
    "  warren version            print the version (also --version)",
    "  warren help               this text (also --help, -h)",
    "",
    "Flags for serve (most have a rabbitmq.conf key or environment variable too; flags win):",
    ...flags,
    "",
    "The web UI and management API are on http://localhost:15672/ (guest / guest, from this machine only).",
    "SIGTERM or Ctrl-C stops the broker cleanly; so does `warren ctl stop`.",
  ].join("\n");
}

async function main(args: string[]): Promise<number> {
  if (invokedAsRabbitmqctl()) return await runCtl(args);
  const [command, ...rest] = args;
  if (command === "version" || command === "--version") {
    console.log(`warren ${VERSION}`);
    return 0;
  }
  const serveArgs = command === "serve" ? rest : args;
  const wantsHelp = command === "help" ||
    (command !== "ctl" && (serveArgs.includes("--help") || serveArgs.includes("-h")));
  if (wantsHelp) {
    console.log(helpText());
    return 0;
  }
  if (command === undefined || command.startsWith("-")) return await serve(args);
  if (command === "serve") return await serve(rest);
  if (command === "ctl") return await runCtl(rest);
  console.error(
    `warren: unknown command '${command}' (expected serve, ctl, version or help; see warren --help)`,
  );
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
