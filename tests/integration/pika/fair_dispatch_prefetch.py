"""Seed "七：闲置消费" / "1.7 任务分发": with manual acks but no basic_qos,
messages are handed out round robin even to a consumer that is still busy
(has not acked); with channel.basic_qos(prefetch_count=1) a busy consumer
gets no new message until it acks, so the idle one takes the rest.
Also seed 003's consumer: basic_qos(prefetch_count=1) + auto_ack=True is not
limited by the prefetch.

"Slow" is modelled by a consumer that holds its ack until the end, which is
deterministic (no sleeps).
"""
from common import (Cleanup, check_eq, connect, fail, ok, pump, settle, setup,
                    uniq)

host, port = setup()
cleanup = Cleanup(host, port)


def run(prefetch, n_messages=10):
    queue = cleanup.queue(uniq("fair-%s" % prefetch))
    slow_conn = connect(host, port)
    fast_conn = connect(host, port)
    slow = slow_conn.channel()
    fast = fast_conn.channel()
    slow_got, fast_got, slow_tags = [], [], []

    def on_slow(ch, method, properties, body):
        slow_got.append(body)
        slow_tags.append(method.delivery_tag)  # busy: acks much later

    def on_fast(ch, method, properties, body):
        fast_got.append(body)
        ch.basic_ack(delivery_tag=method.delivery_tag)

    for ch, cb in ((slow, on_slow), (fast, on_fast)):
        ch.queue_declare(queue=queue, durable=True)
        if prefetch is not None:
            ch.basic_qos(prefetch_count=prefetch)
        ch.basic_consume(queue=queue, on_message_callback=cb, auto_ack=False)

    producer = connect(host, port)
    pch = producer.channel()
    for i in range(n_messages):
        pch.basic_publish(exchange="", routing_key=queue, body="m%d" % i)

    conns = [slow_conn, fast_conn]
    if not pump(conns, lambda: len(slow_got) + len(fast_got) >= n_messages):
        fail("prefetch=%s: only got slow=%r fast=%r" %
             (prefetch, slow_got, fast_got))
    settle(conns, 0.2)
    shares = (len(slow_got), len(fast_got))

    # the slow consumer finally acks; nothing else is left for it
    for tag in slow_tags:
        slow.basic_ack(delivery_tag=tag)
    settle(conns, 0.2)
    check_eq(len(slow_got) + len(fast_got), n_messages,
             "prefetch=%s: total deliveries" % prefetch)
    check_eq(pch.queue_declare(queue=queue, passive=True).method.message_count,
             0, "prefetch=%s: queue drained" % prefetch)
    slow_conn.close()
    fast_conn.close()
    pch.queue_delete(queue=queue)
    producer.close()
    return shares


def auto_ack_ignores_prefetch(n_messages=5):
    queue = cleanup.queue(uniq("fair-autoack"))
    conn = connect(host, port)
    ch = conn.channel()
    ch.queue_declare(queue=queue)
    for i in range(n_messages):
        ch.basic_publish(exchange="", routing_key=queue, body="m%d" % i)
    got = []
    ch.basic_qos(prefetch_count=1)
    ch.basic_consume(queue, lambda c, m, p, b: got.append(b), auto_ack=True)
    if not pump(conn, lambda: len(got) >= n_messages):
        fail("auto_ack consumer with prefetch 1 got only %r" % got)
    ch.queue_delete(queue=queue)
    conn.close()


try:
    shares = run(None)
    check_eq(shares, (5, 5), "without basic_qos: (slow, fast) shares")
    shares = run(1)
    check_eq(shares, (1, 9), "with prefetch_count=1: (slow, fast) shares")
    auto_ack_ignores_prefetch()
    ok("fair dispatch: no qos -> 5/5, prefetch_count=1 -> slow 1 / fast 9")
finally:
    cleanup.run()
