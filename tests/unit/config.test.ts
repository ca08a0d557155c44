// Where the configuration comes from and which source wins: flags over
// environment over rabbitmq.conf over RabbitMQ's defaults; how the config
// file is found; the effective-config description (password masked); the
// busy-port message; log.file appending.
import assert from "node:assert/strict";
import {
  busyPortError,
  type Config,
  ConfigError,
  DEFAULT_CONFIG,
  describeConfig,
  loadConfig,
} from "../../src/config/config.ts";
import { installLogSinks } from "../../src/config/log_sinks.ts";
import { logger, setLogLevel, setLogSink } from "../../src/log.ts";

const dir = Deno.makeTempDirSync({ prefix: "warren-config-test-" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

function writeConf(name: string, text: string): string {
  const path = `${dir}/${name}`;
  Deno.writeTextFileSync(path, text);
  return path;
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return e.message;
  }
  throw new Error("no error");
}

const FILE = writeConf(
  "precedence.conf",
  [
    "listeners.tcp.default = 10.0.0.1:1111",
    "management.tcp.port = 2222",
    "default_user = file-user",
    "default_pass = file-pass",
    "default_vhost = file-vhost",
    "log.console.level = warning",
    "warren.data_dir = /file/data",
    "warren.sync = normal",
  ].join("\n"),
);

const ENV = {
  RABBITMQ_NODE_IP_ADDRESS: "10.0.0.2",
  RABBITMQ_NODE_PORT: "3333",
  RABBITMQ_DEFAULT_USER: "env-user",
  RABBITMQ_DEFAULT_PASS: "env-pass",
  RABBITMQ_DEFAULT_VHOST: "env-vhost",
  WARREN_DATA_DIR: "/env/data",
  WARREN_SYNC: "full",
};

const FLAGS = [
  "--hostname",
  "127.0.0.1",
  "--port",
  "4444",
  "--management-port",
  "5555",
  "--data-dir",
  "/flag/data",
  "--sync",
  "normal",
  "--log-level",
  "debug",
];

Deno.test("nothing set: RabbitMQ's defaults", () => {
  const cfg = loadConfig([], {}, { searchPaths: [] });
  assert.deepEqual(cfg, DEFAULT_CONFIG);
  assert.equal(cfg.amqpPort, 5672);
  assert.equal(cfg.managementPort, 15672);
  assert.deepEqual([cfg.defaultUser, cfg.defaultPass, cfg.defaultVHost], ["guest", "guest", "/"]);
  assert.deepEqual(cfg.loopbackUsers, ["guest"]);
  assert.deepEqual(cfg.memoryHighWatermark, { relative: 0.4 });
  assert.equal(cfg.diskFreeLimitBytes, 50_000_000);
});

Deno.test("loading does not share the defaults' lists with the result", () => {
  const cfg = loadConfig([], {}, { searchPaths: [] });
  cfg.loopbackUsers.push("x");
  cfg.defaultUserTags.push("y");
  assert.deepEqual(DEFAULT_CONFIG.loopbackUsers, ["guest"]);
  assert.deepEqual(DEFAULT_CONFIG.defaultUserTags, ["administrator"]);
});

Deno.test("the file overrides the defaults", () => {
  const cfg = loadConfig(["--config", FILE], {}, { searchPaths: [] });
  assert.equal(cfg.configFile, FILE);
  assert.deepEqual([cfg.amqpHostname, cfg.amqpPort, cfg.managementPort], ["10.0.0.1", 1111, 2222]);
  assert.deepEqual([cfg.defaultUser, cfg.defaultPass, cfg.defaultVHost], [
    "file-user",
    "file-pass",
    "file-vhost",
  ]);
  assert.deepEqual([cfg.logLevel, cfg.dataDir, cfg.sync], ["warning", "/file/data", "normal"]);
});

Deno.test("the environment overrides the file", () => {
  const cfg = loadConfig(["--config", FILE], ENV, { searchPaths: [] });
  assert.deepEqual([cfg.amqpHostname, cfg.amqpPort], ["10.0.0.2", 3333]);
  assert.deepEqual([cfg.defaultUser, cfg.defaultPass, cfg.defaultVHost], [
    "env-user",
    "env-pass",
    "env-vhost",
  ]);
  assert.deepEqual([cfg.dataDir, cfg.sync], ["/env/data", "full"]);
  // No variable for these: the file's values stand.
  assert.deepEqual([cfg.managementPort, cfg.logLevel], [2222, "warning"]);
  assert.equal(cfg.origins.amqpPort, "RABBITMQ_NODE_PORT");
});

Deno.test("flags override the environment and the file", () => {
  const cfg = loadConfig(["--config", FILE, ...FLAGS, "--in-memory"], ENV, { searchPaths: [] });
  assert.deepEqual([cfg.amqpHostname, cfg.amqpPort, cfg.managementPort], ["127.0.0.1", 4444, 5555]);
  assert.deepEqual([cfg.dataDir, cfg.sync, cfg.logLevel, cfg.inMemory], [
    "/flag/data",
    "normal",
    "debug",
    true,
  ]);
  // No flag for the default user: the environment's stands.
  assert.equal(cfg.defaultUser, "env-user");
  assert.equal(cfg.origins.amqpPort, "--port");
});

Deno.test("the environment alone overrides the defaults", () => {
  const cfg = loadConfig([], ENV, { searchPaths: [] });
  assert.deepEqual([cfg.amqpHostname, cfg.amqpPort, cfg.defaultUser], ["10.0.0.2", 3333, "env-user"]);
  assert.equal(cfg.configFile, null);
});

Deno.test("an empty environment variable counts as unset", () => {
  const cfg = loadConfig([], { RABBITMQ_NODE_PORT: "", RABBITMQ_DEFAULT_USER: "" }, { searchPaths: [] });
  assert.deepEqual([cfg.amqpPort, cfg.defaultUser], [5672, "guest"]);
});

Deno.test("the config file: --config, else RABBITMQ_CONFIG_FILE, else the first search path present", () => {
  const a = writeConf("a.conf", "heartbeat = 1\n");
  const b = writeConf("b.conf", "heartbeat = 2\n");
  const c = writeConf("c.conf", "heartbeat = 3\n");
  const search = { searchPaths: [`${dir}/absent.conf`, c, a] };
  assert.equal(loadConfig(["--config", a], { RABBITMQ_CONFIG_FILE: b }, search).heartbeatS, 1);
  assert.equal(loadConfig([], { RABBITMQ_CONFIG_FILE: b }, search).heartbeatS, 2);
  assert.equal(loadConfig([], {}, search).heartbeatS, 3);
  assert.equal(loadConfig([], {}, search).configFile, c);
  assert.equal(loadConfig([], {}, { searchPaths: [`${dir}/absent.conf`] }).configFile, null);
});

Deno.test("RABBITMQ_CONFIG_FILE may leave out the .conf extension, as RabbitMQ allows", () => {
  const path = writeConf("noext.conf", "heartbeat = 7\n");
  const cfg = loadConfig([], { RABBITMQ_CONFIG_FILE: `${dir}/noext` }, { searchPaths: [] });
  assert.deepEqual([cfg.heartbeatS, cfg.configFile], [7, path]);
});

Deno.test("a config file that is named but missing stops start-up", () => {
  assert.equal(
    errorOf(() => loadConfig(["--config", `${dir}/missing.conf`], {}, { searchPaths: [] })),
    `--config: cannot read ${dir}/missing.conf: no such file`,
  );
  assert.equal(
    errorOf(() => loadConfig([], { RABBITMQ_CONFIG_FILE: `${dir}/gone.conf` }, { searchPaths: [] })),
    `RABBITMQ_CONFIG_FILE: cannot read ${dir}/gone.conf: no such file`,
  );
});

Deno.test("bad environment values and flags name the variable or flag", () => {
  const none = { searchPaths: [] };
  assert.equal(
    errorOf(() => loadConfig([], { RABBITMQ_NODE_PORT: "amqp" }, none)),
    "RABBITMQ_NODE_PORT: 'amqp' is not a port number (0-65535)",
  );
  assert.equal(
    errorOf(() => loadConfig([], { WARREN_SYNC: "sometimes" }, none)),
    "WARREN_SYNC: 'sometimes' is not one of full, normal",
  );
  assert.equal(
    errorOf(() => loadConfig(["--port", "70000"], {}, none)),
    "--port: '70000' is not a port number (0-65535)",
  );
  assert.equal(
    errorOf(() => loadConfig(["--management-port", "x"], {}, none)),
    "--management-port: 'x' is not a port number (0-65535)",
  );
  assert.match(
    errorOf(() => loadConfig(["--log-level", "loud"], {}, none)),
    /^--log-level: 'loud' is not one of debug/,
  );
  assert.throws(() => loadConfig(["--no-such-flag"], {}, none), { code: "ERR_PARSE_ARGS_UNKNOWN_OPTION" });
});

Deno.test("describeConfig: rabbitmq.conf keys with the effective values, the password masked", () => {
  const cfg: Config = {
    ...structuredClone(DEFAULT_CONFIG),
    configFile: "/etc/warren/rabbitmq.conf",
    defaultPass: "s3cret",
    amqpHostname: "::1",
    loopbackUsers: [],
    memoryHighWatermark: { absoluteBytes: 1e9 },
    tls: {
      port: 5671,
      hostname: "0.0.0.0",
      certFile: "/c.pem",
      keyFile: "/k.pem",
      caCertFile: null,
      verifyPeer: true,
      failIfNoPeerCert: false,
    },
  };
  const d = describeConfig(cfg);
  assert.equal(d.default_pass, "********");
  assert.ok(!Object.values(d).includes("s3cret"));
  assert.equal(d.config_file, "/etc/warren/rabbitmq.conf");
  assert.equal(d["listeners.tcp.default"], "[::1]:5672");
  assert.equal(d["listeners.ssl.default"], "0.0.0.0:5671");
  assert.equal(d["ssl_options.verify"], "verify_peer");
  assert.equal(d["ssl_options.cacertfile"], "none");
  assert.equal(d.loopback_users, "none");
  assert.equal(d.default_user_tags, "administrator");
  assert.equal(d["vm_memory_high_watermark.absolute"], "1000000000");
  assert.equal(d["vm_memory_high_watermark.relative"], undefined);
  assert.equal(d["disk_free_limit.absolute"], "50000000");
  assert.equal(d["warren.data_dir"], "./data");
  const defaults = describeConfig(DEFAULT_CONFIG);
  assert.equal(defaults["listeners.ssl.default"], "none");
  assert.equal(defaults.default_pass, "********");
  assert.equal(defaults["vm_memory_high_watermark.relative"], "0.4");
  assert.equal(defaults["log.file"], "false");
});

Deno.test("busyPortError names the setting that chose the port", () => {
  const conf = writeConf(
    "ports.conf",
    "heartbeat = 60\nlisteners.tcp.default = 5673\nmanagement.tcp.port = 15673\n",
  );
  const fromFile = loadConfig(["--config", conf], {}, { searchPaths: [] });
  assert.equal(
    busyPortError(fromFile, "amqpPort").message,
    `${conf}:2: listeners.tcp.default: port 5673 is already in use`,
  );
  assert.equal(
    busyPortError(fromFile, "managementPort").message,
    `${conf}:3: management.tcp.port: port 15673 is already in use`,
  );
  const fromEnv = loadConfig([], { RABBITMQ_NODE_PORT: "5674" }, { searchPaths: [] });
  assert.equal(busyPortError(fromEnv, "amqpPort").message, "RABBITMQ_NODE_PORT: port 5674 is already in use");
  const fromFlag = loadConfig(["--port", "5675"], {}, { searchPaths: [] });
  assert.equal(busyPortError(fromFlag, "amqpPort").message, "--port: port 5675 is already in use");
  const byDefault = loadConfig([], {}, { searchPaths: [] });
  assert.equal(
    busyPortError(byDefault, "amqpPort").message,
    "port 5672 is already in use (the default; choose another with --port, RABBITMQ_NODE_PORT or listeners.tcp.default)",
  );
  assert.equal(
    busyPortError(byDefault, "managementPort").message,
    "port 15672 is already in use (the default; choose another with --management-port or management.tcp.port)",
  );
});

Deno.test("log.file: every log line is appended to the file, after what it held", () => {
  const path = `${dir}/warren.log`;
  Deno.writeTextFileSync(path, "earlier line\n");
  const close = installLogSinks({
    logFile: path,
    logConsole: false,
    origins: {},
    logLevel: "info",
    logFileLevel: "info",
  });
  try {
    logger("test").info("hello", { n: 1 });
    logger("test").warning("second");
  } finally {
    close();
    setLogSink((line) => console.log(line));
  }
  const lines = Deno.readTextFileSync(path).trimEnd().split("\n");
  assert.equal(lines.length, 3);
  assert.equal(lines[0], "earlier line");
  assert.match(lines[1], /^\S+ info test hello n=1$/);
  assert.match(lines[2], /^\S+ warning test second$/);
});

Deno.test("log.file that cannot be opened is a start-up error naming the setting", () => {
  const conf = writeConf("badlog.conf", `log.file = ${dir}/no/such/dir/warren.log\n`);
  const cfg = loadConfig(["--config", conf], {}, { searchPaths: [] });
  assert.match(
    errorOf(() => installLogSinks(cfg)),
    new RegExp(`^${conf}:1: log\\.file: cannot open ${dir}/no/such/dir/warren\\.log for appending: `),
  );
});

Deno.test("log.file.level: the file keeps its own threshold, the console its own", () => {
  const path = `${dir}/levels.log`;
  const conf = writeConf(
    "levels.conf",
    `log.file = ${path}\nlog.file.level = warning\nlog.console.level = error\n`,
  );
  const cfg = loadConfig(["--config", conf], {}, { searchPaths: [] });
  assert.deepEqual([cfg.logLevel, cfg.logFileLevel], ["error", "warning"]);
  const close = installLogSinks({ ...cfg, logConsole: false });
  try {
    logger("test").debug("not kept");
    logger("test").info("not kept either");
    logger("test").warning("kept");
  } finally {
    close();
    setLogSink((line) => console.log(line));
    setLogLevel("info");
  }
  const lines = Deno.readTextFileSync(path).trimEnd().split("\n");
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^\S+ warning test kept$/);
});
