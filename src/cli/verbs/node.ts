// ctl verbs about the node as a whole: definitions export/import and status.
import { CtlError, EXIT } from "../node_client.ts";
import type { Verb, VerbContext } from "../verb.ts";

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

export const NODE_VERBS: Record<string, Verb> = {
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
