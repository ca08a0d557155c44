// The Prometheus listener's settings (prometheus.tcp.port / .ip,
// prometheus.return_per_object_metrics, --prometheus-port, the busy-port
// line), the text format as rabbitmq_prometheus writes it, and the
// permanent cluster id kept in the data dir.
import assert from "node:assert/strict";
import { busyPortError, ConfigError, DEFAULT_CONFIG, loadConfig } from "../../src/config/config.ts";
import { renderFamilies } from "../../src/admin/prometheus/text_format.ts";
import { permanentClusterId } from "../../src/admin/prometheus/cluster_id.ts";

const dir = Deno.makeTempDirSync({ prefix: "warren-prometheus-test-" });
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

const none = { searchPaths: [] };

Deno.test("the Prometheus listener defaults to RabbitMQ's 15692 on every interface, aggregated", () => {
  assert.equal(DEFAULT_CONFIG.prometheusPort, 15692);
  assert.equal(DEFAULT_CONFIG.prometheusHostname, "0.0.0.0");
  assert.equal(DEFAULT_CONFIG.prometheusPerObject, false);
});

Deno.test("prometheus.tcp.port, .ip and return_per_object_metrics set the listener; --prometheus-port wins", () => {
  const conf = writeConf(
    "prometheus.conf",
    "prometheus.tcp.port = 15700\nprometheus.tcp.ip = 127.0.0.1\nprometheus.return_per_object_metrics = true\n",
  );
  const fromFile = loadConfig(["--config", conf], {}, none);
  assert.equal(fromFile.prometheusPort, 15700);
  assert.equal(fromFile.prometheusHostname, "127.0.0.1");
  assert.equal(fromFile.prometheusPerObject, true);
  assert.equal(loadConfig(["--config", conf, "--prometheus-port", "0"], {}, none).prometheusPort, 0);
});

Deno.test("a bad prometheus.* value stops start-up naming the file, line and key", () => {
  const port = writeConf("bad-port.conf", "\nprometheus.tcp.port = metrics\n");
  assert.equal(
    errorOf(() => loadConfig(["--config", port], {}, none)),
    `${port}:2: prometheus.tcp.port: 'metrics' is not a port number (0-65535)`,
  );
  const ip = writeConf("bad-ip.conf", "prometheus.tcp.ip = localhost\n");
  assert.equal(
    errorOf(() => loadConfig(["--config", ip], {}, none)),
    `${ip}:1: prometheus.tcp.ip: 'localhost' is not an IP address`,
  );
  const flag = writeConf("bad-bool.conf", "prometheus.return_per_object_metrics = yes\n");
  assert.equal(
    errorOf(() => loadConfig(["--config", flag], {}, none)),
    `${flag}:1: prometheus.return_per_object_metrics: 'yes' is not true or false`,
  );
  assert.equal(
    errorOf(() => loadConfig(["--prometheus-port", "x"], {}, none)),
    "--prometheus-port: 'x' is not a port number (0-65535)",
  );
});

Deno.test("a busy Prometheus port names the setting that chose it", () => {
  const conf = writeConf("busy.conf", "heartbeat = 60\nprometheus.tcp.port = 15701\n");
  assert.equal(
    busyPortError(loadConfig(["--config", conf], {}, none), "prometheusPort").message,
    `${conf}:2: prometheus.tcp.port: port 15701 is already in use`,
  );
  assert.equal(
    busyPortError(loadConfig([], {}, none), "prometheusPort").message,
    "port 15692 is already in use (the default; choose another with --prometheus-port or prometheus.tcp.port)",
  );
});

Deno.test("the text format: TYPE before HELP, escaped label values, NaN and infinities spelled out", () => {
  const text = renderFamilies([
    {
      name: "rabbitmq_queue_messages",
      type: "gauge",
      help: "Sum of ready and unacknowledged messages - total queue depth",
      samples: [{ labels: { vhost: "/", queue: 'a"b\\c\nd' }, value: 3 }],
    },
    { name: "x_empty", type: "counter", help: "announced without samples", samples: [] },
    {
      name: "x_special",
      type: "untyped",
      help: "odd values",
      samples: [
        { labels: { k: "nan" }, value: NaN },
        { labels: { k: "inf" }, value: Infinity },
        { labels: { k: "neg" }, value: -Infinity },
      ],
    },
  ]);
  assert.equal(
    text,
    [
      "# TYPE rabbitmq_queue_messages gauge",
      "# HELP rabbitmq_queue_messages Sum of ready and unacknowledged messages - total queue depth",
      'rabbitmq_queue_messages{vhost="/",queue="a\\"b\\\\c\\nd"} 3',
      "# TYPE x_empty counter",
      "# HELP x_empty announced without samples",
      "# TYPE x_special untyped",
      "# HELP x_special odd values",
      'x_special{k="nan"} NaN',
      'x_special{k="inf"} +Inf',
      'x_special{k="neg"} -Inf',
      "",
    ].join("\n"),
  );
});

Deno.test("the permanent cluster id is kept in the data dir; a node without one gets a fresh id", () => {
  const data = Deno.makeTempDirSync({ dir, prefix: "data-" });
  const first = permanentClusterId(data);
  assert.match(first, /^rabbitmq-cluster-id-[A-Za-z0-9_-]{22}$/);
  assert.equal(permanentClusterId(data), first);
  assert.equal(Deno.readTextFileSync(`${data}/cluster_id`).trim(), first);
  assert.notEqual(permanentClusterId(null), permanentClusterId(null));
});
