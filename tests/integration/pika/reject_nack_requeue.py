"""Beyond the seeds' basic_ack (same work-queue consumer): basic_reject and
basic_nack.  requeue=True puts the message back (redelivered=True, at its
original position), requeue=False drops it (no dead-lettering configured),
nack with multiple=True covers every outstanding tag up to the given one.
"""
from common import Cleanup, check_eq, connect, fail, ok, pump, setup, uniq

host, port = setup()
cleanup = Cleanup(host, port)
queue = cleanup.queue(uniq("reject"))


def get(ch):
    method, _, body = ch.basic_get(queue, auto_ack=False)
    return method, body


try:
    connection = connect(host, port)
    ch = connection.channel()
    ch.queue_declare(queue=queue)
    for i in range(6):
        ch.basic_publish(exchange="", routing_key=queue, body="m%d" % i)

    # reject requeue=True -> back at the head, redelivered
    method, body = get(ch)
    check_eq(body, b"m0", "first")
    ch.basic_reject(delivery_tag=method.delivery_tag, requeue=True)
    method, body = get(ch)
    check_eq((body, method.redelivered), (b"m0", True),
             "rejected+requeued message comes back first")

    # reject requeue=False -> gone
    ch.basic_reject(delivery_tag=method.delivery_tag, requeue=False)
    method, body = get(ch)
    check_eq((body, method.redelivered), (b"m1", False), "after drop")

    # nack multiple=True requeue=True on m1..m3
    m2, _ = get(ch)
    m3, _ = get(ch)
    ch.basic_nack(delivery_tag=m3.delivery_tag, multiple=True, requeue=True)
    seen = []
    for _ in range(3):
        method, body = get(ch)
        seen.append((body, method.redelivered))
        ch.basic_ack(delivery_tag=method.delivery_tag)
    check_eq(seen, [(b"m1", True), (b"m2", True), (b"m3", True)],
             "nack multiple requeue")

    # nack requeue=False on a single message
    method, body = get(ch)
    check_eq(body, b"m4", "m4")
    ch.basic_nack(delivery_tag=method.delivery_tag, requeue=False)
    method, body = get(ch)
    check_eq((body, method.redelivered), (b"m5", False), "m5")
    ch.basic_ack(delivery_tag=method.delivery_tag)
    check_eq(ch.basic_get(queue, auto_ack=True), (None, None, None),
             "queue empty")

    # consumer variant: reject requeue=True redelivers to the consumer
    ch.basic_publish(exchange="", routing_key=queue, body=b"again")
    deliveries = []

    def callback(c, method, props, body):
        deliveries.append((body, method.redelivered))
        if not method.redelivered:
            c.basic_reject(delivery_tag=method.delivery_tag, requeue=True)
        else:
            c.basic_ack(delivery_tag=method.delivery_tag)

    ch.basic_consume(queue=queue, on_message_callback=callback)
    if not pump(connection, lambda: len(deliveries) >= 2):
        fail("consumer redelivery after reject: %r" % deliveries)
    check_eq(deliveries, [(b"again", False), (b"again", True)],
             "consumer sees the rejected message again")
    ch.queue_delete(queue=queue)
    connection.close()
    ok("basic_reject / basic_nack with and without requeue")
finally:
    cleanup.run()
