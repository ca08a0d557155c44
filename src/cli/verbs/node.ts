// ctl verbs about the node as a whole: definitions export/import, status,
// liveness (ping, await_startup), stopping it, and its configuration.
import { CtlError, EXIT, type NodeClient, NodeUnreachable } from "../node_client.ts";
import type { Verb, VerbContext } from "../verb.ts";

/** rabbitmqctl await_startup's default wait. */
const AWAIT_STARTUP_DEFAULT_S = 300;
/** How often await_startup and stop look at the node again. */
const POLL_INTERVAL_MS = 200;
/** How often `backup` prints how far the copy has got. */
const BACKUP_PROGRESS_INTERVAL_MS = 500;

function mib(bytes: unknown): string {
  return (Number(bytes) / (1024 * 1024)).toFixed(1);
}

type Row = Record<string, unknown>;

function checkFormat(ctx: VerbContext): void {
  const f = ctx.options.format;
  if (f !== undefined && f.toLowerCase() !== "json") {
    throw new CtlError(EXIT.usage, "Format should be json (Warren does not support the erlang format)");
  }
}

function fileError(path: string, e: unknown, reading: boolean): CtlError {
  if (e instanceof Deno.errors.NotFound) {
    return new CtlError(
      EXIT.dataErr,
      reading ? `File ${path} does not exist` : `Parent directory or file ${path} does not exist`,
    );
  }
  if (e instanceof Deno.errors.PermissionDenied) {
    return new CtlError(
      EXIT.dataErr,
      `No permissions to ${reading ? "read from" : "write to"} file ${path} or its parent directory`,
    );
  }
  if (e instanceof Deno.errors.IsADirectory) return new CtlError(EXIT.dataErr, `Path ${path} is a directory`);
  return new CtlError(
    EXIT.dataErr,
    `Could not ${reading ? "read from" : "write to"} file ${path}: ${(e as Error).message}`,
  );
}

function statusLines(overview: Row, node: Row): string[] {
  const totals = overview.object_totals as Row;
  const listeners = (node.listeners as Row[]) ?? [];
  const alarms = [node.mem_alarm ? "memory" : null, node.disk_free_alarm ? "disk" : null].filter((a) => a);
  const purpose: Record<string, string> = {
    amqp: "AMQP 0-9-1",
    "amqp/ssl": "AMQP 0-9-1 over TLS",
    http: "HTTP API",
  };
  const mb = (n: unknown) => `${(Number(n ?? 0) / 1e6).toFixed(1)} mb`;
  return [
    "Runtime",
    "",
    `OS PID: ${node.os_pid}`,
    `OS: ${node.os}`,
    `Uptime (seconds): ${Math.floor(Number(node.uptime ?? 0) / 1000)}`,
    "Is under maintenance?: false",
    `RabbitMQ version: ${overview.rabbitmq_version}`,
    `Product name: ${overview.product_name}`,
    `Product version: ${overview.product_version}`,
    `Node name: ${node.name}`,
    `Runtime version: ${node.runtime}`,
    "",
    "Data directory",
    "",
    `Node data directory: ${node.data_directory ?? "(in memory)"}`,
    "",
    "Alarms",
    "",
    ...(alarms.length === 0 ? ["(none)"] : alarms.map((a) => `Resource alarm: ${a}`)),
    "",
    "Memory",
    "",
    `Total memory used: ${mb(node.mem_used)}`,
    `Memory high watermark setting: computed to: ${mb(node.mem_limit)}`,
    "",
    "Free Disk Space",
    "",
    `Low free disk space watermark: ${mb(node.disk_free_limit)}`,
    "",
    "Totals",
    "",
    `Connection count: ${totals.connections}`,
    `Queue count: ${totals.queues}`,
    `Virtual host count: ${overview.vhost_count}`,
    "",
    "Listeners",
    "",
    ...listeners.map((l) =>
      `Interface: ${l.ip_address}, port: ${l.port}, protocol: ${l.protocol}, purpose: ${
        purpose[String(l.protocol)] ?? String(l.protocol)
      }`
    ),
  ];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The node's name and OS process id, from its /api/nodes entry. */
async function nodeIdentity(client: NodeClient): Promise<{ name: string; pid: number }> {
  const nodes = (await client.ok("GET", "/api/nodes")) as Row[];
  const node = nodes[0] ?? {};
  const pid = Number(node.os_pid);
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    throw new CtlError(EXIT.software, `the node at ${client.address} did not report its OS process id`);
  }
  return { name: String(node.name), pid };
}

/**
 * SIGTERM to the node's process (which closes client connections cleanly
 * and commits), then waits until its management port stops answering.
 * Only the OS user running the node (or root) may do this, as with its secret.
 */
async function stopNode(ctx: VerbContext, pid: number): Promise<void> {
  try {
    Deno.kill(pid, "SIGTERM");
  } catch (e) {
    throw new CtlError(EXIT.software, `cannot signal the node's process ${pid}: ${(e as Error).message}`);
  }
  const deadline = Date.now() + ctx.client.target.timeoutMs;
  while (Date.now() < deadline) {
    try {
      await ctx.client.call("GET", "/api/overview");
    } catch (e) {
      if (e instanceof NodeUnreachable) return;
      // Mid-shutdown the node may answer oddly; keep waiting for it to go.
    }
    await sleep(POLL_INTERVAL_MS);
  }
  throw new CtlError(EXIT.tempFail, `the node (PID ${pid}) was still answering after the timeout`);
}

function clusterStatusLines(overview: Row, node: Row): string[] {
  const name = String(node.name);
  const listeners = (node.listeners as Row[]) ?? [];
  const alarms = [node.mem_alarm ? "memory" : null, node.disk_free_alarm ? "disk" : null].filter((a) => a);
  return [
    "Basics",
    "",
    `Cluster name: ${overview.cluster_name}`,
    "",
    "Disk Nodes",
    "",
    name,
    "",
    "Running Nodes",
    "",
    name,
    "",
    "Versions",
    "",
    `${name}: ${overview.product_name} ${overview.product_version} on ${node.runtime}`,
    "",
    "Maintenance status",
    "",
    `Node: ${name}, status: not under maintenance`,
    "",
    "Alarms",
    "",
    ...(alarms.length === 0 ? ["(none)"] : alarms.map((a) => `Node: ${name}, resource alarm: ${a}`)),
    "",
    "Network Partitions",
    "",
    "(none)",
    "",
    "Listeners",
    "",
    ...listeners.map((l) =>
      `Node: ${name}, interface: ${l.ip_address}, port: ${l.port}, protocol: ${l.protocol}`
    ),
    "",
    "Feature flags",
    "",
    "(none)",
  ];
}

export const NODE_VERBS: Record<string, Verb> = {
  ping: {
    usage: "ping",
    description: "Checks that the node is running and answers ctl",
    minArgs: 0,
    maxArgs: 0,
    banner: (ctx) =>
      `Will ping ${ctx.client.address}. This only checks that the node answers on its management port. ` +
      `Timeout: ${ctx.client.target.timeoutMs} ms.`,
    async run(ctx) {
      try {
        await ctx.client.ok("GET", "/api/overview");
      } catch (e) {
        if (e instanceof NodeUnreachable) {
          throw new CtlError(
            EXIT.unavailable,
            `Failed to connect and authenticate to ${ctx.client.address} in ${ctx.client.target.timeoutMs} ms`,
          );
        }
        throw e;
      }
      return { kind: "message", text: "Ping succeeded" };
    },
  },
  await_startup: {
    usage: "await_startup [--timeout <seconds>]",
    description: "Waits for the node to start up and answer ctl",
    minArgs: 0,
    maxArgs: 0,
    async run(ctx) {
      const waitS = ctx.options.timeoutS ?? AWAIT_STARTUP_DEFAULT_S;
      const deadline = Date.now() + waitS * 1000;
      for (;;) {
        // Found afresh each time: a starting node writes its record once it listens.
        const client = ctx.locate();
        try {
          await client.ok("GET", "/api/overview");
          return { kind: "none" };
        } catch (e) {
          if (!(e instanceof NodeUnreachable)) throw e;
          if (Date.now() >= deadline) {
            throw new CtlError(
              EXIT.tempFail,
              `the node at ${client.address} did not start within ${waitS} seconds`,
            );
          }
        }
        await sleep(POLL_INTERVAL_MS);
      }
    },
  },
  stop: {
    usage: "stop",
    description: "Stops the node, closing client connections cleanly",
    minArgs: 0,
    maxArgs: 0,
    banner: (ctx) => `Stopping and halting node ${ctx.client.address} ...`,
    async run(ctx) {
      const { pid } = await nodeIdentity(ctx.client);
      await stopNode(ctx, pid);
      return { kind: "none" };
    },
  },
  shutdown: {
    usage: "shutdown",
    description: "Stops the node and waits for its OS process to exit",
    minArgs: 0,
    maxArgs: 0,
    async run(ctx) {
      const { name, pid } = await nodeIdentity(ctx.client);
      await stopNode(ctx, pid);
      return {
        kind: "message",
        text: [
          `Shutting down RabbitMQ node ${name} running at PID ${pid}`,
          `Waiting for PID ${pid} to terminate`,
          `RabbitMQ node ${name} running at PID ${pid} successfully shut down`,
        ].join("\n"),
      };
    },
  },
  environment: {
    usage: "environment",
    description: "Displays the node's effective configuration as rabbitmq.conf keys",
    minArgs: 0,
    maxArgs: 0,
    banner: (ctx) => `Application environment of node ${ctx.client.address} ...`,
    async run(ctx) {
      const { name } = await nodeIdentity(ctx.client);
      const reply = (await ctx.client.ok("GET", `/api/nodes/${encodeURIComponent(name)}/environment`)) as Row;
      const environment = (reply.environment ?? {}) as Record<string, string>;
      if (ctx.options.formatter === "json") return { kind: "json", value: environment };
      const lines = Object.keys(environment).sort().map((k) => `${k} = ${environment[k]}`);
      return { kind: "raw", text: lines.join("\n") };
    },
  },
  cluster_status: {
    usage: "cluster_status",
    description: "Displays the cluster: Warren is always a cluster of one node",
    minArgs: 0,
    maxArgs: 0,
    banner: (ctx) => `Cluster status of node ${ctx.client.address} ...`,
    async run(ctx) {
      const overview = (await ctx.client.ok("GET", "/api/overview")) as Row;
      const node = ((await ctx.client.ok("GET", "/api/nodes")) as Row[])[0] ?? {};
      if (ctx.options.formatter === "json") {
        return {
          kind: "json",
          value: {
            cluster_name: overview.cluster_name,
            disk_nodes: [node.name],
            running_nodes: [node.name],
            ram_nodes: [],
            alarms: [],
            listeners: { [String(node.name)]: node.listeners ?? [] },
            partitions: {},
          },
        };
      }
      return { kind: "raw", text: clusterStatusLines(overview, node).join("\n") };
    },
  },
  export_definitions: {
    usage: 'export_definitions <file_path | "-"> [--format json]',
    description: "Exports definitions in JSON",
    minArgs: 1,
    maxArgs: 1,
    banner: (ctx) =>
      ctx.args[0] === "-" ? "" : `Exporting definitions in JSON to a file at "${ctx.args[0]}" ...`,
    async run(ctx) {
      checkFormat(ctx);
      const defs = await ctx.client.ok("GET", "/api/definitions");
      const text = JSON.stringify(defs);
      const [path] = ctx.args;
      if (path === "-") return { kind: "raw", text };
      try {
        await Deno.writeTextFile(path, text + "\n");
      } catch (e) {
        throw fileError(path, e, false);
      }
      return { kind: "none" };
    },
  },
  import_definitions: {
    usage: 'import_definitions <file_path | "-"> [--format json]',
    description: "Imports definitions in JSON",
    minArgs: 0,
    maxArgs: 1,
    banner: (ctx) =>
      ctx.args.length === 0 || ctx.args[0] === "-"
        ? "Importing definitions in JSON from standard input ..."
        : `Importing definitions in JSON from a file at "${ctx.args[0]}" ...`,
    async run(ctx) {
      checkFormat(ctx);
      const path = ctx.args[0];
      let text: string;
      if (path === undefined || path === "-") text = await ctx.readStdin();
      else {
        try {
          text = await Deno.readTextFile(path);
        } catch (e) {
          throw fileError(path, e, true);
        }
      }
      if (text.trim() === "") throw new CtlError(EXIT.dataErr, `File ${path ?? "(stdin)"} is zero-sized`);
      let defs: unknown;
      try {
        defs = JSON.parse(text);
      } catch (e) {
        throw new CtlError(
          EXIT.dataErr,
          `Failed to deserialise input (format: JSON) (error: ${(e as Error).message})`,
        );
      }
      await ctx.client.ok(
        "POST",
        "/api/definitions",
        defs,
        (status) => status === 400 ? EXIT.dataErr : EXIT.software,
      );
      return { kind: "message", text: "Successfully imported definitions." };
    },
  },
  backup: {
    usage: "backup <file_path>",
    description:
      "Writes a consistent copy of the node (definitions and persistent messages) while it keeps serving; " +
      "start a node on a data dir holding the copy as warren.db to restore it",
    minArgs: 1,
    maxArgs: 1,
    banner: (ctx) => `Backing up the node to a file at "${ctx.args[0]}" ...`,
    async run(ctx) {
      // The node writes the file, on this machine (ctl reaches it over loopback): name it absolutely.
      const file = ctx.args[0].startsWith("/") ? ctx.args[0] : `${Deno.cwd()}/${ctx.args[0]}`;
      let finished = false;
      const reply = ctx.client.call("POST", "/api/backup", { file }).finally(() => (finished = true));
      while (!finished) {
        await Promise.race([reply.catch(() => {}), sleep(BACKUP_PROGRESS_INTERVAL_MS)]);
        if (finished) break;
        const status = (await ctx.client.call("GET", "/api/backup")).body as Row | null;
        if (status?.running === true && status.file !== undefined) {
          ctx.progress(`Copied ${mib(status.copied_bytes)} of ${mib(status.total_bytes)} MiB`);
        }
      }
      const done = await reply;
      if (done.status !== 200) {
        const reason = (done.body as Row | null)?.reason;
        throw new CtlError(
          done.status === 400 ? EXIT.dataErr : EXIT.software,
          typeof reason === "string" ? reason : `backup failed (HTTP ${done.status})`,
        );
      }
      const r = done.body as Row;
      return {
        kind: "message",
        text: `Backed up ${mib(r.bytes)} MiB to ${r.file} in ${r.duration_ms} ms.`,
      };
    },
  },
  status: {
    usage: "status",
    description: "Displays status of a node",
    minArgs: 0,
    maxArgs: 0,
    banner: (ctx) => `Status of node ${ctx.client.address} ...`,
    async run(ctx) {
      const overview = (await ctx.client.ok("GET", "/api/overview")) as Row;
      const nodes = (await ctx.client.ok("GET", "/api/nodes")) as Row[];
      const vhosts = (await ctx.client.ok("GET", "/api/vhosts")) as Row[];
      overview.vhost_count = vhosts.length;
      const node = nodes[0] ?? {};
      if (ctx.options.formatter === "json") return { kind: "json", value: { ...node, overview } };
      return { kind: "raw", text: statusLines(overview, node).join("\n") };
    },
  },
};
