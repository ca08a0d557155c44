// ctl verbs for queues, exchanges, bindings, connections and consumers.
import { CtlError, EXIT, seg } from "../node_client.ts";
import { columnsFrom, listIn, type Verb } from "../verb.ts";

type Row = Record<string, unknown>;

/** rabbitmqctl list_queues info keys; the ones Warren has no value for print empty. */
const QUEUE_KEYS = [
  "name",
  "durable",
  "auto_delete",
  "arguments",
  "policy",
  "operator_policy",
  "effective_policy_definition",
  "pid",
  "owner_pid",
  "exclusive",
  "exclusive_consumer_pid",
  "exclusive_consumer_tag",
  "messages_ready",
  "messages_unacknowledged",
  "messages",
  "messages_ready_ram",
  "messages_unacknowledged_ram",
  "messages_ram",
  "messages_persistent",
  "message_bytes",
  "message_bytes_ready",
  "message_bytes_unacknowledged",
  "message_bytes_ram",
  "message_bytes_persistent",
  "head_message_timestamp",
  "disk_reads",
  "disk_writes",
  "consumers",
  "consumer_utilisation",
  "consumer_capacity",
  "memory",
  "state",
  "type",
  "leader",
  "members",
  "online",
];

function queueRow(q: Row): Row {
  const owner = q.owner_pid_details as Row | undefined;
  return { ...q, owner_pid: owner?.name ?? "" };
}

const EXCHANGE_KEYS = ["name", "type", "durable", "auto_delete", "internal", "arguments", "policy"];

const BINDING_KEYS = [
  "source_name",
  "source_kind",
  "destination_name",
  "destination_kind",
  "routing_key",
  "arguments",
];

function bindingRow(b: Row): Row {
  return {
    source_name: b.source,
    source_kind: "exchange",
    destination_name: b.destination,
    destination_kind: b.destination_type,
    routing_key: b.routing_key,
    arguments: b.arguments,
  };
}

const CONNECTION_KEYS = [
  "pid",
  "name",
  "port",
  "host",
  "peer_port",
  "peer_host",
  "ssl",
  "ssl_protocol",
  "ssl_key_exchange",
  "ssl_cipher",
  "ssl_hash",
  "peer_cert_subject",
  "peer_cert_issuer",
  "peer_cert_serial_number",
  "peer_cert_validity",
  "state",
  "channels",
  "protocol",
  "auth_mechanism",
  "user",
  "vhost",
  "container_id",
  "timeout",
  "frame_max",
  "channel_max",
  "client_properties",
  "recv_oct",
  "recv_cnt",
  "send_oct",
  "send_cnt",
  "send_pend",
  "connected_at",
];

function connectionRow(c: Row): Row {
  return { ...c, pid: c.name, protocol: `{'AMQP',"0-9-1"}` };
}

const CONSUMER_KEYS = [
  "queue_name",
  "channel_pid",
  "consumer_tag",
  "ack_required",
  "prefetch_count",
  "active",
  "activity_status",
  "arguments",
];

/** rabbitmqctl list_channels info keys. */
const CHANNEL_KEYS = [
  "pid",
  "connection",
  "name",
  "number",
  "user",
  "vhost",
  "transactional",
  "confirm",
  "consumer_count",
  "messages_unacknowledged",
  "messages_uncommitted",
  "acks_uncommitted",
  "messages_unconfirmed",
  "prefetch_count",
  "global_prefetch_count",
];

function channelRow(c: Row): Row {
  const connection = c.connection_details as Row | undefined;
  return { ...c, pid: c.name, connection: connection?.name ?? "" };
}

function consumerRow(c: Row): Row {
  const queue = c.queue as Row;
  const channel = c.channel_details as Row;
  return { ...c, queue_name: queue.name, channel_pid: channel.name };
}

/** Turns the API's "queue 'q' in vhost 'v' not empty" style reasons into rabbitmqctl's messages. */
function deleteQueueError(reason: string): string {
  if (/not empty/.test(reason)) return "The queue is not empty";
  if (/in use/.test(reason)) return "The queue is in use";
  if (/exclusive|locked/.test(reason)) return "The queue is locked or protected from deletion";
  return reason;
}

export const OBJECT_VERBS: Record<string, Verb> = {
  list_queues: {
    usage: "list_queues [--vhost <vhost>] [--no-table-headers] [<column>, ...]",
    description: "Lists queues and their properties",
    minArgs: 0,
    maxArgs: Infinity,
    banner: (ctx) =>
      `Timeout: ${(ctx.client.target.timeoutMs / 1000).toFixed(1)} seconds ...\n` +
      `Listing queues for vhost ${ctx.vhost} ...`,
    async run(ctx) {
      const columns = columnsFrom(ctx.args, ["name", "messages"], QUEUE_KEYS);
      const rows = (await listIn(ctx, `/api/queues/${seg(ctx.vhost)}`, "empty")).map(queueRow);
      return { kind: "table", columns, rows };
    },
  },
  list_exchanges: {
    usage: "list_exchanges [--vhost <vhost>] [--no-table-headers] [<column> ...]",
    description: "Lists exchanges",
    minArgs: 0,
    maxArgs: Infinity,
    banner: (ctx) => `Listing exchanges for vhost ${ctx.vhost} ...`,
    async run(ctx) {
      const columns = columnsFrom(ctx.args, ["name", "type"], EXCHANGE_KEYS);
      return { kind: "table", columns, rows: await listIn(ctx, `/api/exchanges/${seg(ctx.vhost)}`, "empty") };
    },
  },
  list_bindings: {
    usage: "list_bindings [--vhost <vhost>] [--no-table-headers] [<column> ...]",
    description: "Lists all bindings on a vhost",
    minArgs: 0,
    maxArgs: Infinity,
    banner: (ctx) => `Listing bindings for vhost ${ctx.vhost}...`,
    async run(ctx) {
      const columns = columnsFrom(ctx.args, BINDING_KEYS, BINDING_KEYS);
      const rows = (await listIn(ctx, `/api/bindings/${seg(ctx.vhost)}`, "empty")).map(bindingRow);
      return { kind: "table", columns, rows };
    },
  },
  list_connections: {
    usage: "list_connections [--no-table-headers] [<column> ...]",
    description: "Lists AMQP connections for the node",
    minArgs: 0,
    maxArgs: Infinity,
    banner: () => "Listing connections ...",
    async run(ctx) {
      const columns = columnsFrom(ctx.args, ["user", "peer_host", "peer_port", "state"], CONNECTION_KEYS);
      const rows = ((await ctx.client.ok("GET", "/api/connections")) as Row[]).map(connectionRow);
      return { kind: "table", columns, rows };
    },
  },
  list_channels: {
    usage: "list_channels [--no-table-headers] [<column> ...]",
    description: "Lists all channels in the node",
    minArgs: 0,
    maxArgs: Infinity,
    banner: () => "Listing channels ...",
    async run(ctx) {
      const columns = columnsFrom(
        ctx.args,
        ["pid", "user", "consumer_count", "messages_unacknowledged"],
        CHANNEL_KEYS,
      );
      const rows = ((await ctx.client.ok("GET", "/api/channels")) as Row[]).map(channelRow);
      return { kind: "table", columns, rows };
    },
  },
  list_consumers: {
    usage: "list_consumers [--vhost <vhost>] [--no-table-headers] [<column> ...]",
    description: "Lists all consumers for a vhost",
    minArgs: 0,
    maxArgs: Infinity,
    banner: (ctx) => `Listing consumers in vhost ${ctx.vhost} ...`,
    async run(ctx) {
      const columns = columnsFrom(
        ctx.args,
        CONSUMER_KEYS.filter((k) => k !== "activity_status"),
        CONSUMER_KEYS,
      );
      const rows = (await listIn(ctx, `/api/consumers/${seg(ctx.vhost)}`, "empty")).map(consumerRow);
      return { kind: "table", columns, rows };
    },
  },
  purge_queue: {
    usage: "purge_queue [--vhost <vhost>] <queue>",
    description: "Purges a queue (removes all messages in it)",
    minArgs: 1,
    maxArgs: 1,
    banner: (ctx) => `Purging queue '${ctx.args[0]}' in vhost '${ctx.vhost}' ...`,
    async run(ctx) {
      const [queue] = ctx.args;
      const reply = await ctx.client.call("DELETE", `/api/queues/${seg(ctx.vhost)}/${seg(queue)}/contents`);
      if (reply.status === 404) {
        throw new CtlError(EXIT.unavailable, `NOT_FOUND - no queue '${queue}' in vhost '${ctx.vhost}'`);
      }
      if (reply.status >= 300) {
        const reason = (reply.body as { reason?: string } | null)?.reason ?? `HTTP ${reply.status}`;
        throw new CtlError(EXIT.software, reason);
      }
      return { kind: "none" };
    },
  },
  delete_queue: {
    usage: "delete_queue [--vhost <vhost>] <queue_name> [--if-empty|-e] [--if-unused|-u]",
    description: "Deletes a queue",
    minArgs: 1,
    maxArgs: 1,
    banner: (ctx) => {
      const conditions = [
        ...(ctx.options.ifEmpty ? ["if queue is empty "] : []),
        ...(ctx.options.ifUnused ? ["if queue is unused "] : []),
      ];
      return `Deleting queue '${ctx.args[0]}' on vhost '${ctx.vhost}' ${conditions.join("and ")}...`;
    },
    async run(ctx) {
      const [queue] = ctx.args;
      const path = `/api/queues/${seg(ctx.vhost)}/${seg(queue)}`;
      const info = await ctx.client.call("GET", path);
      if (info.status === 404) throw new CtlError(EXIT.usage, "No such queue was found");
      const ready = Number((info.body as Row).messages_ready ?? 0);
      const query = new URLSearchParams();
      if (ctx.options.ifEmpty) query.set("if-empty", "true");
      if (ctx.options.ifUnused) query.set("if-unused", "true");
      const qs = query.size > 0 ? `?${query}` : "";
      const reply = await ctx.client.call("DELETE", `${path}${qs}`);
      if (reply.status === 404) throw new CtlError(EXIT.usage, "No such queue was found");
      if (reply.status >= 300) {
        const reason = (reply.body as { reason?: string } | null)?.reason ?? `HTTP ${reply.status}`;
        throw new CtlError(EXIT.usage, deleteQueueError(reason));
      }
      return { kind: "message", text: `Queue was successfully deleted with ${ready} ready messages` };
    },
  },
  close_connection: {
    usage: "close_connection <connection name> <explanation>",
    description: "Instructs the broker to close the connection (named as list_connections name shows it)",
    minArgs: 2,
    maxArgs: 2,
    banner: (ctx) => `Closing connection ${ctx.args[0]}, reason: ${ctx.args[1]}...`,
    async run(ctx) {
      const [name, explanation] = ctx.args;
      const reply = await ctx.client.call("DELETE", `/api/connections/${seg(name)}`, undefined, {
        "x-reason": explanation,
      });
      if (reply.status === 404) throw new CtlError(EXIT.dataErr, `No connection named '${name}'`);
      if (reply.status >= 300) {
        throw new CtlError(EXIT.software, `closing connection failed (HTTP ${reply.status})`);
      }
      return { kind: "none" };
    },
  },
};
