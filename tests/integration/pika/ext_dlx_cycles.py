"""Dead-letter cycles are detected and dropped as RabbitMQ does.
RabbitMQ drops a dead-lettered copy bound for a queue that already appears
in its x-death when no death since then was a rejection:

- a queue whose expired messages dead-letter back into itself: the message
  dies once and is dropped instead of re-entering the queue (a monitor queue
  on the same fanout DLX sees exactly one dead-lettered copy);
- A expires into B, B expires into A: dropped at the second hop;
- a rejection breaks the cycle: a message rejected back into its own queue
  keeps coming back, its x-death count growing.
"""
import time

from common import Cleanup, check_eq, connect, ok, ready_count, setup, uniq
from ext_common import drain, get_eventually

host, port = setup()
cleanup = Cleanup(host, port)

try:
    connection = connect(host, port)
    ch = connection.channel()

    fx = cleanup.exchange(uniq("cycle-fx"))
    ch.exchange_declare(fx, "fanout")
    self_q = cleanup.queue(uniq("cycle-self"))
    monitor = cleanup.queue(uniq("cycle-monitor"))
    ch.queue_declare(self_q, arguments={"x-message-ttl": 100, "x-dead-letter-exchange": fx})
    ch.queue_declare(monitor)
    ch.queue_bind(self_q, fx)
    ch.queue_bind(monitor, fx)
    ch.basic_publish(fx, "", b"loop")
    time.sleep(0.8)
    check_eq(ready_count(ch, self_q), 0, "not re-queued into its own queue")
    _, p1, _ = get_eventually(ch, monitor)
    _, p2, _ = get_eventually(ch, monitor)
    check_eq(p1.headers, None, "the monitor's first copy is the original")
    check_eq([(d["queue"], d["reason"], d["count"]) for d in p2.headers["x-death"]],
             [(self_q, "expired", 1)], "then exactly one dead-lettered copy")
    check_eq(drain(ch, monitor), [], "and no more")
    ok("self cycle")

    a = cleanup.queue(uniq("cycle-a"))
    b = cleanup.queue(uniq("cycle-b"))
    ch.queue_declare(a, arguments={"x-message-ttl": 100, "x-dead-letter-exchange": "",
                                   "x-dead-letter-routing-key": b})
    ch.queue_declare(b, arguments={"x-message-ttl": 100, "x-dead-letter-exchange": "",
                                   "x-dead-letter-routing-key": a})
    ch.basic_publish("", a, b"ping-pong")
    time.sleep(0.7)
    for _ in range(5):
        check_eq((ready_count(ch, a), ready_count(ch, b)), (0, 0), "dropped, not looping")
        time.sleep(0.06)
    ok("two-queue cycle")

    r = cleanup.queue(uniq("cycle-reject"))
    ch.queue_declare(r, arguments={"x-dead-letter-exchange": ""})  # key = r
    ch.basic_publish("", r, b"again")
    for count in range(1, 4):
        m, _, _ = get_eventually(ch, r, auto_ack=False)
        ch.basic_reject(m.delivery_tag, requeue=False)
        m, p, _ = get_eventually(ch, r, auto_ack=False)
        check_eq([(d["queue"], d["reason"], d["count"]) for d in p.headers["x-death"]],
                 [(r, "rejected", count)], "after %d rejection(s)" % count)
        ch.basic_nack(m.delivery_tag, requeue=True)
    ok("rejections are not cycles")
    connection.close()
finally:
    cleanup.run()
