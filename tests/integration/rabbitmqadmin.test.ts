// RabbitMQ's own management CLI, rabbitmqadmin 3.10.8 (the copy Debian's
// rabbitmq-server package installs; it is run, never copied here), drives
// Warren through one session of every subcommand: declare, list, show,
// publish, get, purge, delete, close, export and import. Each step states
// the exit code and output shape (first line, or a table's columns) that
// RabbitMQ 3.10.8 gives, and Warren is held to them.
//
// The RabbitMQ half: with WARREN_TEST_RABBITMQ_MANAGEMENT_URL set (for
// example http://guest:guest@127.0.0.1:15682/), the same session also runs
// against that node and must meet the same expectations; it was run green
// against the dev RabbitMQ 3.10.8 node that way. Without the variable only
// Warren is checked, against the expectations recorded from RabbitMQ.
//
// Where Warren deliberately differs (it has no federation parameter
// component, so declaring such a parameter is refused with a 400 that says
// so), a step carries Warren's own expectation and why.
import assert from "node:assert/strict";
import { startTestNode } from "../helpers/broker.ts";
import { PYTHON, runPython } from "../helpers/python.ts";
import { ignoreWithoutSharedRabbit, sharedRabbitManagementUrl } from "../helpers/rabbitmq.ts";

const RABBITMQADMIN =
  "/usr/lib/rabbitmq/lib/rabbitmq_server-3.10.8/plugins/rabbitmq_management-3.10.8/priv/www/cli/rabbitmqadmin";
const RABBITMQ_URL = sharedRabbitManagementUrl();

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

interface Expect {
  code: number;
  /** `line:<first line>`, `table:<columns>`, `json:<keys of the first item>`, or `any` */
  shape: string;
  /** text that must appear in the output */
  contains?: string[];
}

interface Step extends Expect {
  args: string[];
  /** Warren's expectation where it deliberately differs from RabbitMQ, with the reason. */
  warren?: Expect & { why: string };
}

/** A management API to run against: host, port and credentials for rabbitmqadmin's flags. */
interface Target {
  host: string;
  port: number;
  user: string;
  pass: string;
}

function targetFromUrl(url: string): Target {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 15672),
    user: decodeURIComponent(u.username || "guest"),
    pass: decodeURIComponent(u.password || "guest"),
  };
}

/** One session of every rabbitmqadmin subcommand, on a vhost and user of its own. */
function session(tag: string, dir: string, host: string): Step[] {
  const v = `ops-admin-${tag}`;
  const user = `ops-admin-user-${tag}`;
  const inV = (...args: string[]) => ["-V", v, ...args];
  const ok = (line: string) => ({ code: 0, shape: `line:${line}` });
  const notFound = (path: string) => ({ code: 1, shape: `line:*** Not found: ${path}` });
  const file = `${dir}/definitions.json`;
  return [
    { args: ["declare", "vhost", `name=${v}`], ...ok("vhost declared") },
    { args: ["declare", "user", `name=${user}`, "password=pw", "tags=management"], ...ok("user declared") },
    {
      args: ["declare", "permission", `vhost=${v}`, `user=${user}`, "configure=.*", "write=.*", "read=.*"],
      ...ok("permission declared"),
    },
    { args: inV("declare", "exchange", "name=ops-x", "type=direct"), ...ok("exchange declared") },
    { args: inV("declare", "queue", "name=ops-q", "durable=true"), ...ok("queue declared") },
    {
      args: inV("declare", "queue", "name=ops-qa", 'arguments={"x-max-length":10}', "auto_delete=false"),
      ...ok("queue declared"),
    },
    {
      args: inV("declare", "binding", "source=ops-x", "destination=ops-q", "routing_key=k"),
      ...ok("binding declared"),
    },
    { args: inV("publish", "exchange=ops-x", "routing_key=k", "payload=hello"), ...ok("Message published") },
    {
      args: inV("publish", "routing_key=ops-qa", "payload=hi", 'properties={"content_type":"text/plain"}'),
      ...ok("Message published"),
    },
    {
      args: inV("get", "queue=ops-q", "count=1"),
      code: 0,
      shape: "table:routing_key,exchange,message_count,payload,payload_bytes,payload_encoding,properties," +
        "redelivered",
      contains: ["hello"],
    },
    {
      args: inV("get", "queue=ops-q", "ackmode=ack_requeue_false"),
      code: 0,
      shape: "table:routing_key,exchange,message_count,payload,payload_bytes,payload_encoding,properties," +
        "redelivered",
      contains: ["True"],
    },
    { args: inV("get", "queue=ops-q"), code: 0, shape: "line:No items" },
    { args: inV("list", "queues"), code: 0, shape: "table:name,messages", contains: ["ops-q", "ops-qa"] },
    { args: inV("list", "queues", "name", "durable"), code: 0, shape: "table:name,durable" },
    {
      args: inV("list", "exchanges", "name", "type"),
      code: 0,
      shape: "table:name,type",
      contains: ["ops-x"],
    },
    { args: inV("list", "bindings"), code: 0, shape: "table:source,destination,routing_key" },
    { args: ["list", "users", "name", "tags"], code: 0, shape: "table:name,tags", contains: [user] },
    { args: ["list", "vhosts", "name"], code: 0, shape: "table:name", contains: [v] },
    { args: ["list", "permissions"], code: 0, shape: "table:vhost,configure,read,user,write" },
    { args: ["list", "connections"], code: 0, shape: "any" },
    { args: ["list", "channels"], code: 0, shape: "any" },
    { args: ["list", "consumers"], code: 0, shape: "any" },
    { args: ["list", "nodes", "name"], code: 0, shape: "table:name" },
    { args: inV("list", "parameters"), code: 0, shape: "line:No items" },
    { args: inV("list", "policies"), code: 0, shape: "line:No items" },
    { args: inV("list", "operator_policies"), code: 0, shape: "line:No items" },
    { args: inV("list", "vhost_limits"), code: 0, shape: "line:No items" },
    {
      args: ["show", "overview"],
      code: 0,
      shape: "table:rabbitmq_version,cluster_name,queue_totals.messages,object_totals.queues",
    },
    {
      args: inV("declare", "policy", "name=ops-p", "pattern=^ops-", 'definition={"max-length":5}'),
      ...ok("policy declared"),
    },
    {
      args: inV("list", "policies", "name", "pattern"),
      code: 0,
      shape: "table:name,pattern",
      contains: ["ops-p"],
    },
    { args: inV("delete", "policy", "name=ops-p"), ...ok("policy deleted") },
    {
      args: inV(
        "declare",
        "parameter",
        "component=federation-upstream",
        "name=ops-up",
        'value={"uri":"amqp://"}',
      ),
      ...ok("parameter declared"),
    },
    {
      args: inV("delete", "parameter", "component=federation-upstream", "name=ops-up"),
      ...ok("parameter deleted"),
    },
    {
      args: ["declare", "vhost_limit", `vhost=${v}`, "name=max-queues", "value=10"],
      ...ok("vhost_limit declared"),
    },
    { args: inV("list", "vhost_limits"), code: 0, shape: "table:vhost,value", contains: ["max-queues"] },
    {
      args: ["delete", "vhost_limit", `vhost=${v}`, "name=max-queues"],
      ...ok("vhost_limit deleted"),
    },
    {
      args: inV("declare", "operator_policy", "name=ops-op", "pattern=^ops-", 'definition={"max-length":50}'),
      ...ok("operator_policy declared"),
    },
    {
      args: inV("list", "operator_policies", "name", "pattern"),
      code: 0,
      shape: "table:name,pattern",
      contains: ["ops-op"],
    },
    {
      args: inV("delete", "operator_policy", "name=ops-op"),
      ...ok("operator_policy deleted"),
    },
    { args: inV("purge", "queue", "name=ops-qa"), ...ok("queue purged") },
    { args: inV("purge", "queue", "name=ops-none"), ...notFound(`/api/queues/${v}/ops-none/contents`) },
    {
      args: inV(
        "delete",
        "binding",
        "source=ops-x",
        "destination_type=queue",
        "destination=ops-q",
        "properties_key=k",
      ),
      ...ok("binding deleted"),
    },
    { args: ["-f", "raw_json", ...inV("list", "queues", "name")], code: 0, shape: "json:name" },
    {
      args: ["-f", "tsv", ...inV("list", "queues", "name")],
      code: 0,
      shape: "line:name",
      contains: ["ops-qa"],
    },
    { args: ["-f", "kvp", ...inV("list", "queues", "name")], code: 0, shape: 'line:name="ops-q"' },
    {
      args: ["-f", "long", ...inV("list", "exchanges", "name")],
      code: 0,
      shape: "line:",
      contains: ["name: ops-x"],
    },
    { args: ["export", file], ...ok(`Exported definitions for ${host} to "${file}"`) },
    {
      args: ["import", file],
      ...ok(
        `Uploaded definitions from "${host}" to ${file}. The import process may take some time. ` +
          "Consult server logs to track progress.",
      ),
    },
    { args: ["close", "connection", "name=ops-none"], ...notFound("/api/connections/ops-none") },
    { args: inV("delete", "queue", "name=ops-q"), ...ok("queue deleted") },
    { args: inV("delete", "queue", "name=ops-qa"), ...ok("queue deleted") },
    { args: inV("delete", "exchange", "name=ops-x"), ...ok("exchange deleted") },
    { args: ["delete", "permission", `vhost=${v}`, `user=${user}`], ...ok("permission deleted") },
    { args: ["delete", "user", `name=${user}`], ...ok("user deleted") },
    { args: ["delete", "vhost", `name=${v}`], ...ok("vhost deleted") },
    { args: ["delete", "vhost", `name=${v}`], ...notFound(`/api/vhosts/${v}`) },
  ];
}

/** The shape of rabbitmqadmin's output, in the form Step.shape uses. */
function shapeOf(stdout: string): string {
  const lines = stdout.split("\n");
  if (lines[0].startsWith("+-")) {
    return `table:${lines[1].split("|").map((c) => c.trim()).filter((c) => c !== "").join(",")}`;
  }
  if (lines[0].startsWith("[")) {
    const items = JSON.parse(stdout) as Record<string, unknown>[];
    return `json:${Object.keys(items[0] ?? {}).join(",")}`;
  }
  return `line:${lines[0]}`;
}

interface Outcome {
  step: Step;
  code: number;
  output: string;
}

async function runSession(target: Target, steps: Step[]): Promise<Outcome[]> {
  const base = ["-H", target.host, "-P", String(target.port), "-u", target.user, "-p", target.pass];
  const outcomes: Outcome[] = [];
  for (const step of steps) {
    const r = await runPython(RABBITMQADMIN, [...base, ...step.args], { timeoutMs: 20_000 });
    // rabbitmqadmin prints "*** reason" errors to stderr, results to stdout.
    outcomes.push({ step, code: r.code, output: r.stdout + r.stderr });
  }
  return outcomes;
}

function failures(outcomes: Outcome[], isWarren: boolean): string[] {
  const problems: string[] = [];
  for (const { step, code, output } of outcomes) {
    const want: Expect = isWarren && step.warren ? step.warren : step;
    const got = shapeOf(output);
    const shapeOk = want.shape === "any" || got === want.shape;
    const missing = (want.contains ?? []).filter((text) => !output.includes(text));
    if (code !== want.code || !shapeOk || missing.length > 0) {
      problems.push(
        `rabbitmqadmin ${step.args.join(" ")}: want exit ${want.code} ${want.shape}` +
          `${missing.length ? ` containing ${JSON.stringify(missing)}` : ""}, got exit ${code}:\n${output}`,
      );
    }
  }
  return problems;
}

const available = exists(RABBITMQADMIN) && exists(PYTHON);

Deno.test({
  name: "every rabbitmqadmin 3.10 subcommand gives RabbitMQ's exit code and output shape against Warren",
  ignore: !available,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const node = await startTestNode();
    const dir = await Deno.makeTempDir({ prefix: "warren-rabbitmqadmin-" });
    try {
      const target = { host: "127.0.0.1", port: node.managementPort, user: "guest", pass: "guest" };
      const problems = failures(await runSession(target, session("w", dir, target.host)), true);
      assert.deepEqual(problems, []);
    } finally {
      await node.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the same rabbitmqadmin session meets the same expectations against RabbitMQ",
  ignore: !available || ignoreWithoutSharedRabbit(RABBITMQ_URL),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "warren-rabbitmqadmin-" });
    try {
      const tag = crypto.randomUUID().slice(0, 8);
      const target = targetFromUrl(RABBITMQ_URL!);
      const problems = failures(await runSession(target, session(tag, dir, target.host)), false);
      assert.deepEqual(problems, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
