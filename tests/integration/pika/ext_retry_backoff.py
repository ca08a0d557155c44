"""The retry-with-backoff pattern: a worker rejects a job from the
work queue, which dead-letters it into a retry queue whose TTL is the
back-off delay; the retry queue dead-letters it back into the work queue.
The job comes back after the delay each time, as a fresh delivery, with its
properties intact and the x-death counts growing: 1, 2, 3."""
import time

from common import Cleanup, check, check_eq, connect, ok, pump, ready_count, setup, uniq
from ext_common import props

host, port = setup()
cleanup = Cleanup(host, port)
DELAY = 0.3

try:
    connection = connect(host, port)
    ch = connection.channel()
    work = cleanup.queue(uniq("retry-work"))
    retry = cleanup.queue(uniq("retry-wait"))
    ch.queue_declare(work, durable=True, arguments={
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": retry})
    ch.queue_declare(retry, durable=True, arguments={
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": work,
        "x-message-ttl": int(DELAY * 1000)})

    attempts = []

    def on_job(channel, method, properties, body):
        attempts.append((time.monotonic(), method, properties, body))
        if len(attempts) < 4:
            channel.basic_reject(method.delivery_tag, requeue=False)
        else:
            channel.basic_ack(method.delivery_tag)

    ch.basic_qos(prefetch_count=1)
    ch.basic_consume(work, on_job)
    ch.basic_publish("", work, b"job", props(delivery_mode=2, message_id="job-1",
                                             headers={"tries-allowed": 4}))
    check(pump(connection, lambda: len(attempts) == 4, timeout=8.0),
          "four attempts, got %d" % len(attempts))
    check_eq(attempts[0][2].headers.get("x-death"), None, "first attempt is clean")
    for i in range(1, 4):
        at, method, p, body = attempts[i]
        check(at - attempts[i - 1][0] >= DELAY - 0.05, "attempt %d waited the back-off" % i)
        check_eq((body, method.redelivered, method.routing_key), (b"job", False, work),
                 "attempt %d delivery" % i)
        check_eq((p.message_id, p.delivery_mode, p.headers["tries-allowed"]), ("job-1", 2, 4),
                 "properties kept")
        check_eq([(d["queue"], d["reason"], d["count"], d["exchange"], d["routing-keys"])
                  for d in p.headers["x-death"]],
                 [(retry, "expired", i, "", [retry]), (work, "rejected", i, "", [work])],
                 "x-death after attempt %d" % i)
        check_eq((p.headers["x-first-death-queue"], p.headers["x-first-death-reason"]),
                 (work, "rejected"), "x-first-death-*")
    check_eq((ready_count(ch, work), ready_count(ch, retry)), (0, 0), "all done")
    ok("retry with backoff")
    connection.close()
finally:
    cleanup.run()
