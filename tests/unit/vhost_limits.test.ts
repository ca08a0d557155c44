// A vhost's max-connections counting and the limits value's validation, as
// pure calls (the integration tests pin the same over real sockets).
import assert from "node:assert/strict";
import { ConnectionError } from "../../src/amqp/errors.ts";
import { VHost } from "../../src/broker/vhost.ts";
import { limitsOf, limitsProblems } from "../../src/broker/vhost_limits.ts";
import { MemoryStore } from "../../src/store/memory_store.ts";

Deno.test("max-connections counts only the connections still open, however many have come and gone", () => {
  const v = new VHost("/", new MemoryStore());
  // Many connections open and close with no limit in force...
  for (let i = 0; i < 500; i++) v.admitConnection({ isOpen: false }, "guest");
  const open = { isOpen: true };
  v.admitConnection(open, "guest");
  // ...and once a limit is set only the open one counts.
  v.limits = limitsOf({ "max-connections": 2 });
  v.admitConnection({ isOpen: true }, "guest");
  assert.throws(
    () => v.admitConnection({ isOpen: true }, "bob"),
    (e) =>
      e instanceof ConnectionError && e.replyCode === 530 &&
      e.message.includes("access to vhost '/' refused for user 'bob': connection limit (2) is reached"),
  );
  open.isOpen = false;
  v.admitConnection({ isOpen: true }, "bob");
});

Deno.test("limits values are refused in rabbit_vhost_limit's words", () => {
  assert.deepEqual(limitsProblems({ "max-connections": 1, "max-queues": -1 }), []);
  assert.deepEqual(limitsProblems({ "max-channels": 1 }), [
    'Unrecognised terms [{<<"max-channels">>,1}] in limits',
  ]);
  assert.deepEqual(limitsProblems({ "max-queues": "x" }), [
    'max-queues should be a number, actually was <<"x">>',
  ]);
  assert.deepEqual(limitsOf({ "max-queues": 0 }), { maxConnections: -1, maxQueues: 0 });
});
