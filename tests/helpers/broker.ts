// Starts a Warren broker in-process on port 0 for one test, or — when
// WARREN_TEST_AMQP_URL is set — points the test at that external broker
// instead (used to check that the tests themselves encode RabbitMQ's
// behaviour by running them against a real RabbitMQ).
import { startServer } from "../../src/server/server.ts";

export interface TestBroker {
  port: number;
  host: string;
  /** amqp://guest:guest@127.0.0.1:PORT/ (vhost "/") */
  url: string;
  close(): Promise<void>;
}

export async function startTestBroker(): Promise<TestBroker> {
  const external = Deno.env.get("WARREN_TEST_AMQP_URL");
  if (external) {
    const u = new URL(external);
    return {
      port: Number(u.port || 5672),
      host: u.hostname,
      url: external,
      close: () => Promise.resolve(),
    };
  }
  const server = await startServer({ port: 0, hostname: "127.0.0.1", logLevel: "error" });
  const port = server.port;
  return {
    port,
    host: "127.0.0.1",
    url: `amqp://guest:guest@127.0.0.1:${port}/`,
    close: () => server.close(),
  };
}
