// Federation between RabbitMQ 3.10 and Warren, both ways: RabbitMQ's
// exchanges and queues federated into Warren (Warren's links as the
// downstream), and Warren's federated into RabbitMQ (RabbitMQ's
// rabbitmq_federation links, with Warren as the upstream: its 503 for the
// x-federation-upstream exchange type makes RabbitMQ fall back to a fanout,
// and queue federation relies on consumer priorities). The scenarios are
// those of tests/integration/federation.test.ts.
//
// A private RabbitMQ node (scripts/bench/brokers.ts RabbitBroker, with
// rabbitmq_federation enabled) is started; skipped where rabbitmq-server is
// not installed, except in CI (CI=true), where that is a failure. By hand,
// against a running node with rabbitmq_federation_management instead:
//   WARREN_TEST_RABBITMQ_MANAGEMENT_URL=http://127.0.0.1:15682 \
//   WARREN_TEST_RABBITMQ_AMQP_URL=amqp://guest:guest@127.0.0.1:5682/ deno test -A tests/e2e/federation_rabbitmq.test.ts
import { callApi } from "../helpers/management_api.ts";
import {
  apiSide,
  ctlSide,
  exchangeFederationScenario,
  type FederationSide,
  queueFederationScenario,
  warrenSide,
} from "../helpers/federation_sides.ts";
import { freePort, RabbitBroker } from "../../scripts/bench/brokers.ts";
import { rabbitCli } from "../../scripts/bench/rabbit_cli.ts";

const TEST_TIMEOUT_MS = 240_000;
const RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server";
const EXTERNAL_API = Deno.env.get("WARREN_TEST_RABBITMQ_MANAGEMENT_URL");
const EXTERNAL_AMQP = Deno.env.get("WARREN_TEST_RABBITMQ_AMQP_URL");

function installed(): boolean {
  try {
    Deno.statSync(RABBITMQ_SERVER);
    return true;
  } catch {
    return false;
  }
}

async function rabbitSide(): Promise<FederationSide> {
  if (EXTERNAL_API && EXTERNAL_AMQP) {
    const name = (await callApi(EXTERNAL_API, "GET", "/api/cluster-name")).body.name as string;
    return apiSide(EXTERNAL_API, EXTERNAL_AMQP, name);
  }
  const baseDir = await Deno.makeTempDir({ prefix: "warren-federation-rabbit-" });
  const nodeName = `warren-fed-${crypto.randomUUID().slice(0, 8)}@localhost`;
  const rabbit = new RabbitBroker({ baseDir, nodeName, port: freePort(), distPort: freePort() });
  const onUnload = () => rabbit.killNow();
  globalThis.addEventListener("unload", onUnload);
  const close = async () => {
    await rabbit.stop();
    globalThis.removeEventListener("unload", onUnload);
    await Deno.remove(baseDir, { recursive: true }).catch(() => {});
  };
  try {
    await rabbit.start();
    const node = { baseDir, nodeName };
    await rabbitCli(node, "rabbitmq-plugins", ["enable", "rabbitmq_federation"]);
    const ctl = (args: string[]) => rabbitCli(node, "rabbitmqctl", args);
    const clusterName =
      (await ctl(["-q", "cluster_status", "--formatter", "json"]).then(JSON.parse)).cluster_name;
    return ctlSide(rabbit.url, clusterName, ctl, close);
  } catch (e) {
    await close();
    throw e;
  }
}

Deno.test({
  name: "federation between RabbitMQ and Warren works both ways for exchanges and queues",
  ignore: !(EXTERNAL_API && EXTERNAL_AMQP) && !installed() && Deno.env.get("CI") !== "true",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const rabbit = await rabbitSide();
    const warren = await warrenSide("warren-edge");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${TEST_TIMEOUT_MS}ms`)), TEST_TIMEOUT_MS);
    });
    try {
      const step = (name: string, fn: () => Promise<void>) =>
        t.step(name, () => Promise.race([fn(), deadline]));
      await step("RabbitMQ exchange -> Warren", () => exchangeFederationScenario(rabbit, warren));
      await step("RabbitMQ queue -> Warren", () => queueFederationScenario(rabbit, warren));
      await step("Warren exchange -> RabbitMQ", () => exchangeFederationScenario(warren, rabbit));
      await step("Warren queue -> RabbitMQ", () => queueFederationScenario(warren, rabbit));
    } finally {
      clearTimeout(timer);
      await warren.close();
      await rabbit.close();
    }
  },
});
