// The seed tutorials' pika programs, run as real pika clients against the
// broker. Each scenario is one script in ./pika/ that takes HOST PORT, asserts
// the behaviour itself and exits 0 on success (see ./pika/common.py).
//
// Against RabbitMQ (to check the tests themselves):
//   WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5680/ \
//     deno test -A tests/integration/seeds_pika.test.ts
import assert from "node:assert/strict";
import { startTestBroker } from "../helpers/broker.ts";
import { runPython } from "../helpers/python.ts";

const PIKA_DIR = new URL("./pika/", import.meta.url);
// Scripts arm their own 25 s watchdog; this is the outer bound.
const SCRIPT_TIMEOUT_MS = 40_000;

const SCENARIOS: ReadonlyArray<readonly [name: string, script: string]> = [
  [
    "hello world: send to a named queue via the default exchange, consume in FIFO order",
    "hello_world.py",
  ],
  [
    "hello world with basic_get: GetOk fields, message_count, empty queue, requeue on channel close",
    "hello_basic_get.py",
  ],
  [
    "work queue distributes messages round robin between two (and three) consumers",
    "work_queue_round_robin.py",
  ],
  [
    "fair dispatch: prefetch_count=1 sends work to the idle consumer, no qos splits evenly",
    "fair_dispatch_prefetch.py",
  ],
  [
    "unacked messages are redelivered (redelivered=True) after the consumer dies or closes",
    "ack_redelivery.py",
  ],
  [
    "durable queue and delivery_mode=2 messages are accepted and delivered with properties intact",
    "durable_persistent.py",
  ],
  [
    "fanout exchange broadcasts to exclusive server-named amq.gen- queues; unbound messages are dropped",
    "fanout_exclusive.py",
  ],
  [
    "direct exchange routes by exact key: multiple keys per queue, one key to two queues, unbind",
    "direct_routing.py",
  ],
  [
    "topic exchange: phone.*, *.red, #, bnb.# bindings receive exactly the matching keys",
    "topic_routing.py",
  ],
  [
    "headers exchange routes on x-match all / any / default",
    "headers_exchange.py",
  ],
  [
    "RPC: fibonacci server answers on reply_to with the request's correlation_id",
    "rpc_fibonacci.py",
  ],
  [
    "many channels on one connection work independently",
    "many_channels.py",
  ],
  [
    "message properties, nested header tables and large bodies round trip unchanged",
    "message_properties.py",
  ],
  [
    "mandatory publish of an unroutable message comes back as basic.return 312 NO_ROUTE",
    "mandatory_return.py",
  ],
  [
    "publisher confirms ack every publish; publish to a missing exchange closes the channel 404",
    "publisher_confirms.py",
  ],
  [
    "404 NOT_FOUND channel errors (missing queue / exchange) leave the connection usable",
    "errors_not_found.py",
  ],
  [
    "406 PRECONDITION_FAILED for inequivalent redeclare, unknown delivery tag, wrong user_id",
    "errors_precondition.py",
  ],
  [
    "403 ACCESS_REFUSED for the reserved amq. prefix and the default exchange",
    "errors_access_refused.py",
  ],
  [
    "405 RESOURCE_LOCKED when another connection uses an exclusive queue",
    "errors_resource_locked.py",
  ],
  [
    "wrong password is refused (403), unknown exchange type closes the connection (503), channel errors stay isolated",
    "errors_connection.py",
  ],
  [
    "auto_delete queue is deleted when its last consumer goes away",
    "auto_delete_queue.py",
  ],
  [
    "basic_reject / basic_nack requeue or drop messages",
    "reject_nack_requeue.py",
  ],
  [
    "queue_purge, queue_delete and exchange_delete with if_empty / if_unused guards",
    "queue_purge_delete.py",
  ],
];

for (const [name, script] of SCENARIOS) {
  Deno.test(`pika: ${name}`, async () => {
    const broker = await startTestBroker();
    try {
      const path = decodeURIComponent(new URL(script, PIKA_DIR).pathname);
      const result = await runPython(path, [broker.host, String(broker.port)], {
        timeoutMs: SCRIPT_TIMEOUT_MS,
      });
      assert.equal(
        result.code,
        0,
        `${script} exited with ${result.code}\n` +
          `--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`,
      );
    } finally {
      await broker.close();
    }
  });
}
