"""Seed "4.路由模式Routing" / "九：关键字（direct）" / "1.8.2 指定某人发": a direct
exchange delivers a message to the queues whose binding key equals the
routing key.  Seed layout: q1 bound "orange"; q2 bound "black" and "green"
(multiple keys on one queue); then the "思考" variant where the same key
("black") is bound to two queues, and 1.8.2's Jack/Bob subscribers.
Keys nobody bound are dropped.  queue_unbind stops the routing.
"""
from common import (Cleanup, check_eq, connect, fail, ok, pump, settle, setup,
                    uniq)

host, port = setup()
cleanup = Cleanup(host, port)
exchange = cleanup.exchange(uniq("color"))
colors = ("orange", "black", "green")

try:
    connection = connect(host, port)
    channel = connection.channel()
    channel.exchange_declare(exchange=exchange, exchange_type="direct")
    q1 = channel.queue_declare(queue="", exclusive=True).method.queue
    q2 = channel.queue_declare(queue="", exclusive=True).method.queue
    q3 = channel.queue_declare(queue="", exclusive=True).method.queue
    channel.queue_bind(exchange=exchange, queue=q1, routing_key=colors[0])
    channel.queue_bind(exchange=exchange, queue=q2, routing_key=colors[1])
    channel.queue_bind(exchange=exchange, queue=q2, routing_key=colors[2])
    # 思考: the same key bound to two queues -> both get a copy
    channel.queue_bind(exchange=exchange, queue=q3, routing_key="black")
    # binding the same key twice is idempotent (no duplicate deliveries)
    channel.queue_bind(exchange=exchange, queue=q3, routing_key="black")

    got = {q1: [], q2: [], q3: []}
    tags = {}

    def callback(ch, method, properties, body):
        got[tags[method.consumer_tag]].append((method.routing_key, body))

    for q in (q1, q2, q3):
        tags[channel.basic_consume(q, callback, True)] = q

    producer = connect(host, port)
    pch = producer.channel()
    pch.exchange_declare(exchange=exchange, exchange_type="direct")
    sent = []
    for i in range(30):
        rk = ("orange", "black", "green", "red", "")[i % 5]
        msg = "{}-data-{:02}".format(rk, i).encode()
        pch.basic_publish(exchange=exchange, routing_key=rk, body=msg)
        sent.append((rk, msg))
    # the routing key is case sensitive
    pch.basic_publish(exchange=exchange, routing_key="Orange", body=b"case")

    want = {
        q1: [s for s in sent if s[0] == "orange"],
        q2: [s for s in sent if s[0] in ("black", "green")],
        q3: [s for s in sent if s[0] == "black"],
    }
    if not pump(connection, lambda: all(len(got[q]) >= len(want[q])
                                        for q in got)):
        fail("incomplete: %r" % {q: len(v) for q, v in got.items()})
    settle(connection, 0.2)
    for q, name in ((q1, "q1 (orange)"), (q2, "q2 (black, green)"),
                    (q3, "q3 (black)")):
        check_eq(got[q], want[q], name)

    # unbind green from q2: green now goes nowhere, black still reaches q2
    channel.queue_unbind(queue=q2, exchange=exchange, routing_key="green")
    for q in got:
        got[q].clear()
    pch.basic_publish(exchange=exchange, routing_key="green", body=b"g")
    pch.basic_publish(exchange=exchange, routing_key="black", body=b"b")
    if not pump(connection, lambda: got[q2] and got[q3]):
        fail("black after unbind not delivered: %r" % got)
    settle(connection, 0.2)
    check_eq(got[q2], [("black", b"b")], "q2 after unbinding green")
    check_eq(got[q3], [("black", b"b")], "q3 after unbinding green")
    check_eq(got[q1], [], "q1 after unbinding green")

    # 1.8.2: subscriber 1 bound Jack; subscriber 2 bound Bob and Jack
    ex2 = cleanup.exchange(uniq("meng1"))
    pch.exchange_declare(exchange=ex2, exchange_type="direct")
    sub1 = channel.queue_declare(queue="", exclusive=True).method.queue
    sub2 = channel.queue_declare(queue="", exclusive=True).method.queue
    channel.queue_bind(queue=sub1, exchange=ex2, routing_key="Jack")
    channel.queue_bind(queue=sub2, exchange=ex2, routing_key="Bob")
    channel.queue_bind(queue=sub2, exchange=ex2, routing_key="Jack")
    # published on the same channel that then reads the queues with
    # basic_get, so the gets are ordered after the routing
    channel.basic_publish(exchange=ex2, routing_key="Bob", body=b"hello Bob")
    channel.basic_publish(exchange=ex2, routing_key="Jack", body=b"hello Jack")
    channel.basic_publish(exchange=ex2, routing_key="Tom", body=b"hello Tom")

    def drain(q):
        out = []
        while True:
            method, _, body = channel.basic_get(q, auto_ack=True)
            if method is None:
                return out
            out.append(body)

    check_eq(drain(sub1), [b"hello Jack"], "subscriber 1 (Jack)")
    check_eq(drain(sub2), [b"hello Bob", b"hello Jack"],
             "subscriber 2 (Bob, Jack)")
    pch.exchange_delete(exchange=ex2)
    pch.exchange_delete(exchange=exchange)
    connection.close()
    producer.close()
    ok("direct routing: per-key delivery, multi-key queue, shared key, unbind")
finally:
    cleanup.run()
