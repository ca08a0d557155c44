// Keeps one private RabbitMQ node running for a whole test run (scripts/test.sh):
// starts it, writes the variables tests/helpers/rabbitmq.ts reads to --env-file
// (as `export K=V` lines, once the node answers), and on SIGTERM, SIGINT or
// SIGHUP stops the node and its epmd and removes its base dir.
//
//   deno run -A scripts/test_rabbitmq.ts --env-file FILE [--plugins a,b]
import { parseArgs } from "node:util";
import { RabbitNode } from "./rabbitmq_node.ts";
import {
  DEFAULT_TEST_PLUGINS,
  RABBITMQ_MANAGEMENT_URL_ENV,
  RABBITMQ_PLUGINS_ENV,
  RABBITMQ_PROMETHEUS_URL_ENV,
  RABBITMQ_URL_ENV,
} from "../tests/helpers/rabbitmq.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: { "env-file": { type: "string" }, plugins: { type: "string" } },
});
const envFile = args["env-file"];
if (!envFile) {
  console.error("usage: test_rabbitmq.ts --env-file FILE [--plugins a,b]");
  Deno.exit(2);
}
const plugins = args.plugins ? args.plugins.split(",").filter((p) => p !== "") : DEFAULT_TEST_PLUGINS;
const baseDir = await Deno.makeTempDir({ prefix: "warren-test-rabbitmq-" });
const node = new RabbitNode({ baseDir, plugins });

let stopping: Promise<void> | null = null;
function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    await node.stop({ fast: true });
    await Deno.remove(baseDir, { recursive: true }).catch(() => {});
    Deno.exit(code);
  })();
  return stopping;
}
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) Deno.addSignalListener(signal, () => stop(0));
globalThis.addEventListener("unload", () => node.killNow());

try {
  const ms = await node.start();
  console.error(
    `rabbitmq for tests: ${node.url} management ${node.managementUrl} (started in ${Math.round(ms)} ms)`,
  );
} catch (e) {
  console.error(`rabbitmq for tests did not start: ${(e as Error).message}`);
  await stop(1);
}
const lines = [
  `export ${RABBITMQ_URL_ENV}=${node.url}`,
  `export ${RABBITMQ_MANAGEMENT_URL_ENV}=${node.managementUrl}`,
  `export ${RABBITMQ_PROMETHEUS_URL_ENV}=${node.prometheusUrl}`,
  `export ${RABBITMQ_PLUGINS_ENV}=${plugins.join(",")}`,
];
// written whole, then renamed: test.sh waits for the file to appear
await Deno.writeTextFile(`${envFile}.tmp`, lines.map((l) => `${l}\n`).join(""));
await Deno.rename(`${envFile}.tmp`, envFile);
// stays alive until a signal arrives
setInterval(() => {}, 1 << 30);
