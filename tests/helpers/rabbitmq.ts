// A real RabbitMQ 3.10 node for tests that compare Warren with it. scripts/test.sh
// starts one node for the whole run (scripts/test_rabbitmq.ts) and exports its
// URLs; a test file run on its own, without those variables, starts a private
// node (scripts/rabbitmq_node.ts: own ports, base dir and epmd) and stops it in
// close(). Where RabbitMQ is not installed the tests are skipped, except in CI
// (CI=true), where a missing RabbitMQ is a failure.
import { rabbitMqInstalled, RabbitNode } from "../../scripts/rabbitmq_node.ts";

export const RABBITMQ_URL_ENV = "WARREN_TEST_RABBITMQ_URL";
export const RABBITMQ_MANAGEMENT_URL_ENV = "WARREN_TEST_RABBITMQ_MANAGEMENT_URL";
export const RABBITMQ_PROMETHEUS_URL_ENV = "WARREN_TEST_RABBITMQ_PROMETHEUS_URL";
export const RABBITMQ_PLUGINS_ENV = "WARREN_TEST_RABBITMQ_PLUGINS";

/** What a node started for tests enables unless a test asks for more. */
export const DEFAULT_TEST_PLUGINS = [
  "rabbitmq_management",
  "rabbitmq_prometheus",
  "rabbitmq_shovel",
  "rabbitmq_federation",
];

/**
 * The shared node's management API as `http://guest:guest@127.0.0.1:PORT`, for tests that
 * compare HTTP answers; null outside a run of scripts/test.sh. Such a test is ignored
 * when this is null, except in CI, where it runs and fails.
 */
export function sharedRabbitManagementUrl(): string | null {
  return withGuest(Deno.env.get(RABBITMQ_MANAGEMENT_URL_ENV));
}

/** The shared node's Prometheus endpoint (`http://127.0.0.1:PORT`), or null as above. */
export function sharedRabbitPrometheusUrl(): string | null {
  return Deno.env.get(RABBITMQ_PROMETHEUS_URL_ENV) || null;
}

/** True when a test that needs the shared node should be ignored: no node, and not CI. */
export function ignoreWithoutSharedRabbit(url: string | null): boolean {
  return url === null && Deno.env.get("CI") !== "true";
}

function withGuest(url: string | undefined): string | null {
  if (!url) return null;
  const u = new URL(url);
  if (u.username === "") {
    u.username = "guest";
    u.password = "guest";
  }
  return u.toString().replace(/\/$/, "");
}

export interface TestRabbit {
  /** amqp://guest:guest@127.0.0.1:PORT/ */
  url: string;
  /** http://127.0.0.1:PORT, the management API ("" without the plugin) */
  managementUrl: string;
  close(): Promise<void>;
}

function sharedNodeEnv(): { url: string; managementUrl: string; plugins: string[] } | null {
  const url = Deno.env.get(RABBITMQ_URL_ENV);
  if (!url) return null;
  return {
    url,
    managementUrl: Deno.env.get(RABBITMQ_MANAGEMENT_URL_ENV) ?? "",
    plugins: (Deno.env.get(RABBITMQ_PLUGINS_ENV) ?? "").split(",").filter((p) => p !== ""),
  };
}

/**
 * For `Deno.test({ ignore })`: true only where RabbitMQ can be neither reached nor
 * started and this is not CI. In CI the tests run and fail loudly instead.
 */
export function rabbitMqUnavailable(): boolean {
  return sharedNodeEnv() === null && !rabbitMqInstalled() && Deno.env.get("CI") !== "true";
}

/** The run's shared node when it has the plugins asked for, else a private node. */
export async function startTestRabbit(
  options: { plugins?: string[] } = {},
): Promise<TestRabbit> {
  const plugins = options.plugins ?? DEFAULT_TEST_PLUGINS;
  const shared = sharedNodeEnv();
  if (shared && plugins.every((p) => shared.plugins.includes(p))) {
    return { url: shared.url, managementUrl: shared.managementUrl, close: () => Promise.resolve() };
  }
  if (!rabbitMqInstalled()) {
    throw new Error(
      `RabbitMQ is not installed (Debian's rabbitmq-server; scripts/test.sh installs it) and ${RABBITMQ_URL_ENV} is unset`,
    );
  }
  const baseDir = await Deno.makeTempDir({ prefix: "warren-test-rabbitmq-" });
  const node = new RabbitNode({ baseDir, plugins });
  const onUnload = () => node.killNow();
  globalThis.addEventListener("unload", onUnload);
  try {
    await node.start();
  } catch (e) {
    globalThis.removeEventListener("unload", onUnload);
    await Deno.remove(baseDir, { recursive: true }).catch(() => {});
    throw e;
  }
  return {
    url: node.url,
    managementUrl: node.managementUrl,
    async close() {
      await node.stop({ fast: true });
      globalThis.removeEventListener("unload", onUnload);
      await Deno.remove(baseDir, { recursive: true }).catch(() => {});
    },
  };
}
