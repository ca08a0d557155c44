// A real application through Warren: a Celery
// worker (Debian python3-celery, run as `python3 -m celery` since the
// package ships no `celery` script) consumes tasks from the broker and a
// client gets their results back over Celery's rpc:// result backend.
// Celery leans on RabbitMQ's extensions here: the rpc:// reply queue is
// declared with x-expires, the worker's remote-control queues with
// x-message-ttl and x-expires.
//
// (Celery 5.2's rpc:// does not use direct reply-to: it publishes results to
// a per-client queue named after the client, declared auto-delete with
// x-expires = result_expires.)
//
// Against RabbitMQ (to check the test itself):
//   WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5682/ deno test -A tests/e2e/celery.test.ts
// on a node with the default consumer_timeout: with the 2 s one the
// consumer-timeout tests use, a worker on a loaded machine can hold a task
// unacked past it and RabbitMQ closes its channel.
import assert from "node:assert/strict";
import { startTestBroker } from "../helpers/broker.ts";
import { PYTHON } from "../helpers/python.ts";
import amqp from "../helpers/amqplib.ts";

const APP_DIR = decodeURIComponent(new URL("./celery_app/", import.meta.url).pathname);
const WORKER_READY_TIMEOUT_MS = 30_000;
const CLIENT_TIMEOUT_MS = 60_000;

interface Child {
  process: Deno.ChildProcess;
  output: string[];
  done: Promise<void>;
}

/** Spawns python with the app dir as cwd, collecting every output line. */
function spawnPython(args: string[], env: Record<string, string>): Child {
  const process = new Deno.Command(PYTHON, {
    args,
    cwd: APP_DIR,
    env: { ...env, PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output: string[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    let buf = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      const lines = buf.split("\n");
      buf = lines.pop()!;
      output.push(...lines);
    }
    if (buf) output.push(buf);
  };
  const done = Promise.all([pump(process.stdout), pump(process.stderr)]).then(() => {});
  return { process, output, done };
}

async function waitForLine(child: Child, pattern: RegExp, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.process.status.then(() => (exited = true));
  while (!child.output.some((l) => pattern.test(l))) {
    if (exited) throw new Error(`${what}: process exited\n${child.output.join("\n")}`);
    if (Date.now() > deadline) {
      throw new Error(`${what}: not seen in ${timeoutMs}ms\n${child.output.join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stopChild(child: Child): Promise<void> {
  try {
    child.process.kill("SIGTERM");
  } catch { /* already gone */ }
  const timer = setTimeout(() => {
    try {
      child.process.kill("SIGKILL");
    } catch { /* already gone */ }
  }, 5_000);
  await child.process.status;
  clearTimeout(timer);
  await child.done;
}

/** Best effort: the durable task queue Celery declared (on a shared broker). */
async function deleteQueue(url: string, queue: string): Promise<void> {
  try {
    const conn = await amqp.connect(url);
    conn.on("error", () => {});
    const ch = await conn.createChannel();
    ch.on("error", () => {});
    await ch.deleteQueue(queue).catch(() => {});
    await conn.close();
  } catch { /* best effort */ }
}

Deno.test({
  name: "celery: a worker runs add(2, 3) through the broker and the client gets 5 over rpc://",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const broker = await startTestBroker();
    const suffix = crypto.randomUUID().slice(0, 8);
    const env = {
      WARREN_CELERY_BROKER_URL: broker.url,
      WARREN_CELERY_QUEUE: `warren-test-celery-${suffix}`,
    };
    let worker: Child | null = null;
    let client: Child | null = null;
    try {
      worker = spawnPython([
        "-m",
        "celery",
        "-A",
        "tasks",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-l",
        "info",
        "-n",
        `warren-test-${suffix}@localhost`,
      ], env);
      await waitForLine(worker, /\bready\.$/, WORKER_READY_TIMEOUT_MS, "celery worker ready");

      client = spawnPython(["client.py"], env);
      const timer = setTimeout(() => {
        try {
          client?.process.kill("SIGKILL");
        } catch { /* gone */ }
      }, CLIENT_TIMEOUT_MS);
      const status = await client.process.status;
      clearTimeout(timer);
      await client.done;
      const log = `--- client ---\n${client.output.join("\n")}\n--- worker ---\n${worker.output.join("\n")}`;
      assert.equal(status.code, 0, `client exited with ${status.code}\n${log}`);
      const results = client.output.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
      assert.equal(results[0]?.task, "add", log);
      assert.equal(results[0].result, 5, `add(2, 3) over rpc://\n${log}`);
      assert.deepEqual(results[1], { task: "add-again", result: 42 }, log);
      assert.deepEqual(results[2], { task: "fail", error: "boom", state: "FAILURE" }, log);
      assert.ok(
        worker.output.some((l) => l.includes(`Task tasks.add[${results[0].id}] succeeded`)),
        `the worker ran the task\n${log}`,
      );
    } finally {
      if (client) await stopChild(client);
      if (worker) await stopChild(worker);
      await deleteQueue(broker.url, env.WARREN_CELERY_QUEUE);
      await broker.close();
    }
  },
});
