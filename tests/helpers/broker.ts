// Starts a Warren broker in-process on port 0 for one test, or — when
// WARREN_TEST_AMQP_URL is set — points the test at that external broker
// instead (used to check that the tests themselves encode RabbitMQ's
// behaviour by running them against a real RabbitMQ).
import { type Server, startServer } from "../../src/server/server.ts";
import { type AdminServer, startAdminServer } from "../../src/admin/admin_server.ts";

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

export interface TestNode extends TestBroker {
  /** The management HTTP API's port (on 127.0.0.1). */
  managementPort: number;
  /** http://127.0.0.1:PORT */
  managementUrl: string;
  /** The in-process server and admin API, for tests that look at the model directly. */
  server: Server;
  admin: AdminServer;
}

/**
 * A broker plus its management HTTP API, both in-process on free ports.
 * `ctlSecret` makes the API accept `Authorization: Bearer <secret>`.
 */
export async function startTestNode(options: { ctlSecret?: string } = {}): Promise<TestNode> {
  const server = await startServer({ port: 0, hostname: "127.0.0.1", logLevel: "error" });
  let admin: AdminServer;
  try {
    admin = await startAdminServer({
      node: server,
      port: 0,
      hostname: "127.0.0.1",
      ctlSecret: options.ctlSecret ?? null,
    });
  } catch (e) {
    await server.close();
    throw e;
  }
  return {
    port: server.port,
    host: "127.0.0.1",
    url: `amqp://guest:guest@127.0.0.1:${server.port}/`,
    managementPort: admin.port,
    managementUrl: `http://127.0.0.1:${admin.port}`,
    server,
    admin,
    async close() {
      await admin.close();
      await server.close();
    },
  };
}
