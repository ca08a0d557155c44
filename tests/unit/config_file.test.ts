// rabbitmq.conf: the sysctl syntax, and every key's effect on Config with
// RabbitMQ's value rules. A mistake is one ConfigError line
// `file:line: key: reason`.
import assert from "node:assert/strict";
import { type Config, ConfigError, DEFAULT_CONFIG, loadConfig } from "../../src/config/config.ts";
import { parseConfText } from "../../src/config/conf_file.ts";

const dir = Deno.makeTempDirSync({ prefix: "warren-config-test-" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
let fileCount = 0;

/** The Config a rabbitmq.conf with these lines gives (no env, no flags). */
function fromConf(text: string): Config {
  const path = `${dir}/rabbitmq-${fileCount++}.conf`;
  Deno.writeTextFileSync(path, text);
  return loadConfig(["--config", path], {}, { searchPaths: [] });
}

/** The one-line error a rabbitmq.conf with these lines gives, without its path. */
function confError(text: string): string {
  const path = `${dir}/rabbitmq-${fileCount++}.conf`;
  Deno.writeTextFileSync(path, text);
  try {
    loadConfig(["--config", path], {}, { searchPaths: [] });
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    assert.ok(e.message.startsWith(`${path}:`), e.message);
    assert.ok(!e.message.includes("\n"), "one line");
    return e.message.slice(path.length + 1);
  }
  throw new Error(`no error for ${JSON.stringify(text)}`);
}

function touch(name: string): string {
  const path = `${dir}/${name}`;
  Deno.writeTextFileSync(path, "-----BEGIN CERTIFICATE-----\n");
  return path;
}

Deno.test("syntax: comments anywhere on a line, blank lines, spaces around '=', CRLF", () => {
  const entries = parseConfText(
    "# a comment\n\n  heartbeat=30  \r\ndefault_pass = a b # trailing comment\n   # indented comment\n",
    "x.conf",
  );
  assert.deepEqual(entries, [
    { key: "heartbeat", value: "30", line: 3 },
    { key: "default_pass", value: "a b", line: 4 },
  ]);
});

Deno.test("syntax errors name the file and line", () => {
  assert.equal(
    confError("heartbeat = 1\nthis line has no equals\n"),
    "2: syntax error: expected 'key = value', got 'this line has no equals'",
  );
  assert.equal(confError("heart beat = 1\n"), "1: syntax error: 'heart beat' is not a valid key");
  assert.equal(confError("\n\nheartbeat =\n"), "3: heartbeat: missing value");
  assert.equal(confError("heartbeat = # only a comment\n"), "1: heartbeat: missing value");
});

Deno.test("an empty or all-comment file leaves RabbitMQ's defaults", () => {
  const cfg = fromConf("# nothing here\n\n");
  assert.deepEqual({ ...cfg, configFile: null }, DEFAULT_CONFIG);
});

Deno.test("unknown keys stop start-up, with a hint for a near miss", () => {
  assert.equal(
    confError("heartbeat = 5\nheartbeet = 10\n"),
    "2: heartbeet: unknown key (did you mean 'heartbeat'?)",
  );
  assert.equal(confError("no_such_thing = 1\n"), "1: no_such_thing: unknown key");
  assert.equal(
    confError("listeners.ssl.other = 5673\n"),
    "1: listeners.ssl.other: Warren has one TLS listener: use listeners.ssl.default",
  );
  assert.equal(
    confError("listeners.tcp = none\n"),
    "1: listeners.tcp: turning a listener off with 'none' is not supported",
  );
  assert.equal(
    confError("disk_free_limit.relative = 1.0\n"),
    "1: disk_free_limit.relative: not supported; use disk_free_limit.absolute",
  );
});

Deno.test("listeners.tcp.default: a port, or ip:port for IPv4 and IPv6", () => {
  let cfg = fromConf("listeners.tcp.default = 5673\n");
  assert.equal(cfg.amqpPort, 5673);
  assert.equal(cfg.amqpHostname, "0.0.0.0");
  cfg = fromConf("listeners.tcp.default = 127.0.0.1:5674\n");
  assert.deepEqual([cfg.amqpHostname, cfg.amqpPort], ["127.0.0.1", 5674]);
  cfg = fromConf("listeners.tcp.default = ::1:5675\n");
  assert.deepEqual([cfg.amqpHostname, cfg.amqpPort], ["::1", 5675]);
  cfg = fromConf("listeners.tcp.default = [::]:5676\n");
  assert.deepEqual([cfg.amqpHostname, cfg.amqpPort], ["::", 5676]);
  assert.match(cfg.origins.amqpPort!, /rabbitmq-\d+\.conf:1: listeners\.tcp\.default$/);
  for (const bad of ["65536", "abc", "localhost:5672", "1.2.3:5672", "127.0.0.1:", "127.0.0.1:99999", "-1"]) {
    assert.equal(
      confError(`listeners.tcp.default = ${bad}\n`),
      `1: listeners.tcp.default: '${bad}' is not a port (0-65535) or ip:port`,
    );
  }
});

Deno.test("listeners.ssl.default with ssl_options.*: the TLS listener's settings", () => {
  const cert = touch("server.pem");
  const key = touch("server.key");
  const ca = touch("ca.pem");
  let cfg = fromConf(
    `listeners.ssl.default = 5671\nssl_options.certfile = ${cert}\nssl_options.keyfile = ${key}\n`,
  );
  assert.deepEqual(cfg.tls, {
    port: 5671,
    hostname: "0.0.0.0",
    certFile: cert,
    keyFile: key,
    caCertFile: null,
    verifyPeer: false,
    failIfNoPeerCert: false,
  });
  cfg = fromConf(
    [
      "listeners.ssl.default = 127.0.0.1:0",
      `ssl_options.cacertfile = ${ca}`,
      `ssl_options.certfile = ${cert}`,
      `ssl_options.keyfile = ${key}`,
      "ssl_options.verify = verify_peer",
      "ssl_options.fail_if_no_peer_cert = true",
    ].join("\n"),
  );
  assert.deepEqual(cfg.tls, {
    port: 0,
    hostname: "127.0.0.1",
    certFile: cert,
    keyFile: key,
    caCertFile: ca,
    verifyPeer: true,
    failIfNoPeerCert: true,
  });
  // Without a listener there is no TLS, whatever ssl_options say.
  assert.equal(fromConf(`ssl_options.certfile = ${cert}\n`).tls, null);
});

Deno.test("TLS mistakes: missing or unreadable certificate files, bad options", () => {
  const cert = touch("ok.pem");
  const key = touch("ok.key");
  assert.equal(
    confError(`listeners.ssl.default = 5671\nssl_options.keyfile = ${key}\n`),
    "1: listeners.ssl.default: a TLS listener needs ssl_options.certfile and ssl_options.keyfile",
  );
  assert.equal(
    confError(
      `listeners.ssl.default = 5671\nssl_options.certfile = ${dir}/missing.pem\nssl_options.keyfile = ${key}\n`,
    ),
    `2: ssl_options.certfile: cannot read ${dir}/missing.pem: no such file`,
  );
  assert.equal(
    confError(`listeners.ssl.default = 5671\nssl_options.certfile = ${cert}\nssl_options.keyfile = ${dir}\n`),
    `3: ssl_options.keyfile: cannot read ${dir}: it is a directory`,
  );
  assert.equal(
    confError(`ssl_options.cacertfile = ${dir}/nope/ca.pem\n`),
    `1: ssl_options.cacertfile: cannot read ${dir}/nope/ca.pem: no such file`,
  );
  assert.equal(
    confError("ssl_options.verify = yes\n"),
    "1: ssl_options.verify: 'yes' is not verify_peer or verify_none",
  );
  assert.equal(
    confError("ssl_options.fail_if_no_peer_cert = 1\n"),
    "1: ssl_options.fail_if_no_peer_cert: '1' is not true or false",
  );
  assert.equal(
    confError("ssl_options.fail_if_no_peer_cert = true\n"),
    "1: ssl_options.fail_if_no_peer_cert: true needs ssl_options.verify = verify_peer",
  );
});

Deno.test("default_user, default_pass, default_vhost", () => {
  const cfg = fromConf("default_user = admin\ndefault_pass = p@ss w0rd!\ndefault_vhost = prod\n");
  assert.deepEqual([cfg.defaultUser, cfg.defaultPass, cfg.defaultVHost], ["admin", "p@ss w0rd!", "prod"]);
});

Deno.test("default_user_tags.*: once any is set, the true ones replace the default list", () => {
  assert.deepEqual(fromConf("default_user_tags.administrator = true\n").defaultUserTags, ["administrator"]);
  assert.deepEqual(
    fromConf("default_user_tags.monitoring = true\ndefault_user_tags.management = true\n").defaultUserTags,
    ["monitoring", "management"],
  );
  assert.deepEqual(fromConf("default_user_tags.administrator = false\n").defaultUserTags, []);
  assert.deepEqual(
    fromConf("default_user_tags.policymaker = true\ndefault_user_tags.policymaker = false\n").defaultUserTags,
    [],
  );
  assert.equal(
    confError("default_user_tags.administrator = yes\n"),
    "1: default_user_tags.administrator: 'yes' is not true or false",
  );
});

Deno.test("loopback_users: none, or loopback_users.<name> = true/false as RabbitMQ reads them", () => {
  assert.deepEqual(fromConf("heartbeat = 60\n").loopbackUsers, ["guest"]);
  assert.deepEqual(fromConf("loopback_users = none\n").loopbackUsers, []);
  assert.deepEqual(fromConf("loopback_users.guest = false\n").loopbackUsers, []);
  assert.deepEqual(fromConf("loopback_users.guest = true\n").loopbackUsers, ["guest"]);
  // Naming another user replaces the default list, as in RabbitMQ.
  assert.deepEqual(fromConf("loopback_users.ops = true\n").loopbackUsers, ["ops"]);
  assert.deepEqual(
    fromConf("loopback_users.guest = true\nloopback_users.ops = true\n").loopbackUsers,
    ["guest", "ops"],
  );
  assert.deepEqual(fromConf("loopback_users.guest = true\nloopback_users = none\n").loopbackUsers, []);
  assert.equal(
    confError("loopback_users = guest\n"),
    "1: loopback_users: 'guest' is not none (list users with loopback_users.<name> = true)",
  );
});

Deno.test("management.tcp.port and management.tcp.ip", () => {
  const cfg = fromConf("management.tcp.port = 15673\nmanagement.tcp.ip = 127.0.0.1\n");
  assert.deepEqual([cfg.managementPort, cfg.managementHostname], [15673, "127.0.0.1"]);
  assert.equal(fromConf("management.tcp.ip = ::1\n").managementHostname, "::1");
  assert.equal(
    confError("management.tcp.port = http\n"),
    "1: management.tcp.port: 'http' is not a port number (0-65535)",
  );
  assert.equal(
    confError("management.tcp.ip = example.com\n"),
    "1: management.tcp.ip: 'example.com' is not an IP address",
  );
});

Deno.test("heartbeat, channel_max: whole numbers in the 16-bit range; channel_max 0 is 'no limit'", () => {
  assert.equal(fromConf("heartbeat = 0\n").heartbeatS, 0);
  assert.equal(fromConf("heartbeat = 600\n").heartbeatS, 600);
  assert.equal(confError("heartbeat = 1.5\n"), "1: heartbeat: '1.5' is not a whole number from 0 to 65535");
  assert.equal(
    confError("heartbeat = 70000\n"),
    "1: heartbeat: '70000' is not a whole number from 0 to 65535",
  );
  assert.equal(fromConf("channel_max = 128\n").channelMax, 128);
  assert.equal(fromConf("channel_max = 0\n").channelMax, 65535);
  assert.equal(confError("channel_max = -1\n"), "1: channel_max: '-1' is not a whole number from 0 to 65535");
});

Deno.test("frame_max: bytes or cuttlefish sizes, at least AMQP's 4096", () => {
  assert.equal(fromConf("frame_max = 4096\n").frameMaxBytes, 4096);
  assert.equal(fromConf("frame_max = 256KB\n").frameMaxBytes, 262144);
  assert.equal(
    confError("frame_max = 0\n"),
    '1: frame_max: 0 is outside 4096..4294967295 bytes (0, "unlimited", is not supported)',
  );
  assert.match(confError("frame_max = big\n"), /^1: frame_max: 'big' is not a size/);
});

Deno.test("max_message_size: bytes (or units) up to RabbitMQ's 512 MiB", () => {
  assert.equal(fromConf("max_message_size = 1048576\n").maxMessageSizeBytes, 1048576);
  assert.equal(fromConf("max_message_size = 16MiB\n").maxMessageSizeBytes, 16 * 1024 * 1024);
  assert.equal(fromConf("max_message_size = 536870912\n").maxMessageSizeBytes, 536870912);
  assert.equal(
    confError("max_message_size = 536870913\n"),
    "1: max_message_size: 536870913 is outside 1..536870912 bytes (512 MiB)",
  );
  assert.equal(
    confError("max_message_size = 0\n"),
    "1: max_message_size: 0 is outside 1..536870912 bytes (512 MiB)",
  );
});

Deno.test("vm_memory_high_watermark: relative fraction or absolute size; absolute wins when both are set", () => {
  assert.deepEqual(fromConf("vm_memory_high_watermark.relative = 0.6\n").memoryHighWatermark, {
    relative: 0.6,
  });
  assert.deepEqual(fromConf("vm_memory_high_watermark.relative = 0\n").memoryHighWatermark, { relative: 0 });
  assert.deepEqual(
    fromConf("vm_memory_high_watermark.absolute = 1073741824\n").memoryHighWatermark,
    { absoluteBytes: 1073741824 },
  );
  assert.deepEqual(fromConf("vm_memory_high_watermark.absolute = 1GB\n").memoryHighWatermark, {
    absoluteBytes: 1e9,
  });
  assert.deepEqual(fromConf("vm_memory_high_watermark.absolute = 512MiB\n").memoryHighWatermark, {
    absoluteBytes: 512 * 1024 * 1024,
  });
  assert.deepEqual(
    fromConf("vm_memory_high_watermark.absolute = 2G\nvm_memory_high_watermark.relative = 0.5\n")
      .memoryHighWatermark,
    { absoluteBytes: 2 * 1024 ** 3 },
  );
  assert.match(
    confError("vm_memory_high_watermark.absolute = 1.5GB\n"),
    /^1: vm_memory_high_watermark\.absolute: '1\.5GB' is not a size \(bytes, or a whole number with a unit/,
  );
  assert.equal(
    confError("vm_memory_high_watermark.relative = 40%\n"),
    "1: vm_memory_high_watermark.relative: '40%' is not a fraction of total memory such as 0.4",
  );
});

Deno.test("disk_free_limit.absolute: bytes or information units", () => {
  assert.equal(fromConf("disk_free_limit.absolute = 1000000\n").diskFreeLimitBytes, 1000000);
  assert.equal(fromConf("disk_free_limit.absolute = 2GB\n").diskFreeLimitBytes, 2e9);
  assert.equal(fromConf("disk_free_limit.absolute = 50000kB\n").diskFreeLimitBytes, 50e6);
  assert.match(
    confError("disk_free_limit.absolute = lots\n"),
    /^1: disk_free_limit\.absolute: 'lots' is not a size/,
  );
});

Deno.test("log.console.level takes RabbitMQ's levels; log.console and log.file", () => {
  const levels: [string, string][] = [
    ["debug", "debug"],
    ["info", "info"],
    ["notice", "info"],
    ["warning", "warning"],
    ["error", "error"],
    ["critical", "error"],
    ["alert", "error"],
    ["emergency", "error"],
    ["none", "none"],
  ];
  for (const [written, level] of levels) {
    assert.equal(fromConf(`log.console.level = ${written}\n`).logLevel, level);
  }
  assert.match(
    confError("log.console.level = loud\n"),
    /^1: log\.console\.level: 'loud' is not one of debug, info,/,
  );
  assert.equal(fromConf("log.console = false\n").logConsole, false);
  assert.equal(fromConf("log.file = /var/log/warren/warren.log\n").logFile, "/var/log/warren/warren.log");
  assert.equal(fromConf("log.file = false\n").logFile, null);
});

Deno.test("load_definitions: a readable file or directory", () => {
  const defs = `${dir}/definitions.json`;
  Deno.writeTextFileSync(defs, "{}");
  assert.equal(fromConf(`load_definitions = ${defs}\n`).loadDefinitions, defs);
  assert.equal(fromConf(`load_definitions = ${dir}\n`).loadDefinitions, dir);
  assert.equal(
    confError(`load_definitions = ${dir}/none.json\n`),
    `1: load_definitions: cannot read ${dir}/none.json: no such file`,
  );
});

Deno.test("warren.data_dir and warren.sync", () => {
  const cfg = fromConf("warren.data_dir = /srv/warren\nwarren.sync = normal\n");
  assert.deepEqual([cfg.dataDir, cfg.sync], ["/srv/warren", "normal"]);
  assert.equal(confError("warren.sync = always\n"), "1: warren.sync: 'always' is not one of full, normal");
});

Deno.test("a key given twice: the later line wins", () => {
  assert.equal(fromConf("heartbeat = 10\nheartbeat = 20\n").heartbeatS, 20);
});

// A rabbitmq.conf as RabbitMQ 3.10 operators write them; RabbitMQ 3.10.8
// starts with every one of these keys (checked against its schema files).
Deno.test("a real rabbitmq.conf starts: keys that mean something apply, other RabbitMQ keys are ignored", () => {
  const defs = `${dir}/defs.json`;
  Deno.writeTextFileSync(defs, "{}");
  const cfg = fromConf([
    "listeners.tcp.1 = 127.0.0.1:5673",
    "listeners.tcp.2 = ::1:5674",
    "cluster_name = edge-1",
    "log.file.level = debug",
    `management.load_definitions = ${defs}`,
    "default_permissions.configure = ^app-",
    "default_permissions.write = .*",
    "default_permissions.read = ^(app-|amq\\.)",
    "tcp_listen_options.backlog = 128",
    "tcp_listen_options.nodelay = false",
    "tcp_listen_options.keepalive = true",
    "prometheus.tcp.port = 15699",
    "management.listener.port = 15680",
    "collect_statistics_interval = 10000",
    "management.rates_mode = basic",
    "log.file.rotation.count = 5",
    "cluster_formation.peer_discovery_backend = classic_config",
    "cluster_formation.classic_config.nodes.1 = rabbit@host1",
    "mqtt.listeners.tcp.default = 1883",
    "ssl_options.versions.1 = tlsv1.2",
    "",
  ].join("\n"));
  assert.deepEqual([cfg.amqpHostname, cfg.amqpPort], ["127.0.0.1", 5673]);
  assert.match(cfg.origins.amqpPort!, /:1: listeners\.tcp\.1$/);
  assert.deepEqual(
    cfg.extraAmqpListeners.map(({ name, hostname, port }) => ({ name, hostname, port })),
    [{ name: "2", hostname: "::1", port: 5674 }],
  );
  assert.match(cfg.extraAmqpListeners[0].origin, /:2: listeners\.tcp\.2$/);
  assert.equal(cfg.clusterName, "edge-1");
  assert.equal(cfg.logFileLevel, "debug");
  assert.equal(cfg.managementLoadDefinitions, defs);
  assert.deepEqual(cfg.defaultPermissions, { configure: "^app-", write: ".*", read: "^(app-|amq\\.)" });
  assert.deepEqual([cfg.tcpNoDelay, cfg.tcpKeepAlive], [false, true]);
  assert.equal(cfg.prometheusPort, 15699);
  assert.equal(cfg.managementPort, 15680);
  assert.deepEqual(cfg.ignoredKeys.map((i) => [i.key, i.where.replace(/^.*:/, "")]), [
    ["tcp_listen_options.backlog", "9"],
    ["collect_statistics_interval", "14"],
    ["management.rates_mode", "15"],
    ["log.file.rotation.count", "16"],
    ["cluster_formation.peer_discovery_backend", "17"],
    ["cluster_formation.classic_config.nodes.1", "18"],
    ["mqtt.listeners.tcp.default", "19"],
    ["ssl_options.versions.1", "20"],
  ]);
  assert.match(cfg.ignoredKeys[0].reason!, /backlog/);
});

Deno.test("listeners.tcp.<name>: `default` is the main listener wherever it is; the rest are extra", () => {
  const cfg = fromConf("listeners.tcp.other = 5680\nlisteners.tcp.default = 5679\n");
  assert.equal(cfg.amqpPort, 5679);
  assert.deepEqual(cfg.extraAmqpListeners.map((l) => [l.name, l.hostname, l.port]), [[
    "other",
    "0.0.0.0",
    5680,
  ]]);
  assert.equal(
    confError("listeners.tcp.x = nope\n"),
    "1: listeners.tcp.x: 'nope' is not a port (0-65535) or ip:port",
  );
});

Deno.test("keys RabbitMQ does not know either still stop start-up, with a did-you-mean", () => {
  assert.equal(
    confError("cluster_nmae = x\n"),
    "1: cluster_nmae: unknown key (did you mean 'cluster_name'?)",
  );
  assert.equal(
    confError("log.file.levle = info\n"),
    "1: log.file.levle: unknown key (did you mean 'log.file.level'?)",
  );
  assert.equal(
    confError("collect_statistic_interval = 5000\n"),
    "1: collect_statistic_interval: unknown key (did you mean 'collect_statistics_interval'?)",
  );
  assert.equal(
    confError("tcp_listen_options.nodelayy = true\n").startsWith(
      "1: tcp_listen_options.nodelayy: unknown key",
    ),
    true,
  );
  assert.equal(
    confError("default_permissions.read = (\n"),
    "1: default_permissions.read: '(' is not a valid regular expression",
  );
  assert.equal(
    confError("tcp_listen_options.keepalive = yes\n"),
    "1: tcp_listen_options.keepalive: 'yes' is not true or false",
  );
  assert.equal(
    confError("prometheus.tcp.port = http\n"),
    "1: prometheus.tcp.port: 'http' is not a port number (0-65535)",
  );
});
