// Federation between RabbitMQ 3.10 and Warren, both ways: RabbitMQ's
// exchanges and queues federated into Warren (Warren's links as the
// downstream), and Warren's federated into RabbitMQ (RabbitMQ's
// rabbitmq_federation links, with Warren as the upstream: its 503 for the
// x-federation-upstream exchange type makes RabbitMQ fall back to a fanout,
// and queue federation relies on consumer priorities). The scenarios are
// those of tests/integration/federation.test.ts.
//
// The RabbitMQ node is the run's shared one (scripts/test.sh starts it with
// rabbitmq_management and rabbitmq_federation) or, for this file run on its
// own, a private node (tests/helpers/rabbitmq.ts); skipped where RabbitMQ is
// not installed, except in CI (CI=true), where that is a failure. By hand,
// against a running node:
//   WARREN_TEST_RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5682/ \
//   WARREN_TEST_RABBITMQ_MANAGEMENT_URL=http://127.0.0.1:15682 \
//   WARREN_TEST_RABBITMQ_PLUGINS=rabbitmq_management,rabbitmq_federation \
//   deno test -A tests/e2e/federation_rabbitmq.test.ts
import { callApi } from "../helpers/management_api.ts";
import {
  apiSide,
  exchangeFederationScenario,
  type FederationSide,
  queueFederationScenario,
  warrenSide,
} from "../helpers/federation_sides.ts";
import { rabbitMqUnavailable, startTestRabbit } from "../helpers/rabbitmq.ts";

const TEST_TIMEOUT_MS = 240_000;

async function rabbitSide(): Promise<FederationSide> {
  const rabbit = await startTestRabbit({ plugins: ["rabbitmq_management", "rabbitmq_federation"] });
  try {
    // Credentials go in the Authorization header, not the URL.
    const api = rabbit.managementUrl.replace(/\/\/[^@/]*@/, "//");
    const name = (await callApi(api, "GET", "/api/cluster-name")).body.name as string;
    return apiSide(api, rabbit.url, name, () => rabbit.close());
  } catch (e) {
    await rabbit.close();
    throw e;
  }
}

Deno.test({
  name: "federation between RabbitMQ and Warren works both ways for exchanges and queues",
  ignore: rabbitMqUnavailable(),
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
