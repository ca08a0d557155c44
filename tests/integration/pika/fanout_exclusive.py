"""Seed "3.发布、订阅模式" / "八：发布订阅（fanout）" / "1.8.1 群发": a fanout
exchange ("logs") broadcasts every message to all bound queues; consumers
create server-named exclusive queues with queue_declare(queue='',
exclusive=True) (names start with "amq.gen-"), bind them without a routing
key and consume two queues on one channel.  Messages published while no
queue is bound are dropped ("先启动生产者...部分数据丢失").  Exclusive queues
disappear when their connection closes; a non-exclusive server-named queue
(queue_declare(queue='')) stays.
"""
from common import (Cleanup, check, check_eq, connect, eventually,
                    expect_channel_error, expect_ready, fail, ok, pump,
                    queue_exists, settle, setup, uniq)

host, port = setup()
cleanup = Cleanup(host, port)
exchange = cleanup.exchange(uniq("logs"))

try:
    producer = connect(host, port)
    pch = producer.channel()
    pch.exchange_declare(exchange=exchange, exchange_type="fanout")
    # published before any queue is bound: dropped
    for i in range(5):
        pch.basic_publish(exchange=exchange, routing_key="",
                          body="early-%d" % i)

    # receive.py: one channel, two exclusive server-named queues
    consumer = connect(host, port)
    channel = consumer.channel()
    channel.exchange_declare(exchange=exchange, exchange_type="fanout")
    q1 = channel.queue_declare(queue="", exclusive=True)
    q2 = channel.queue_declare(queue="", exclusive=True)
    name1, name2 = q1.method.queue, q2.method.queue
    for name in (name1, name2):
        check(name.startswith("amq.gen-"), "server-named queue %r" % name)
    check(name1 != name2, "two server-named queues got the same name")
    channel.queue_bind(exchange=exchange, queue=name1)
    channel.queue_bind(exchange=exchange, queue=name2)

    got = {name1: [], name2: []}

    def callback(ch, method, properties, body):
        check_eq(method.exchange, exchange, "delivery exchange")
        check_eq(method.routing_key, "whatever", "delivery routing key")
        got[queue_of[method.consumer_tag]].append(body)

    tag1 = channel.basic_consume(name1, callback, True)
    tag2 = channel.basic_consume(name2, callback, True)
    queue_of = {tag1: name1, tag2: name2}

    # a second subscriber on its own connection (1.8.1: 订阅者1，订阅者2)
    other = connect(host, port)
    och = other.channel()
    q3 = och.queue_declare(queue="", exclusive=True).method.queue
    och.queue_bind(queue=q3, exchange=exchange)
    got3 = []
    och.basic_consume(queue=q3, auto_ack=True,
                      on_message_callback=lambda c, m, p, b: got3.append(b))

    # a non-exclusive server-named queue (seed: queue_declare(queue=""))
    shared = pch.queue_declare(queue="").method.queue
    cleanup.queue(shared)
    check(shared.startswith("amq.gen-"), "server-named queue %r" % shared)
    pch.queue_bind(queue=shared, exchange=exchange, routing_key="ignored")

    expected = ["data-{:02}".format(i).encode() for i in range(40)]
    for body in expected:
        # the routing key is irrelevant for fanout
        pch.basic_publish(exchange=exchange, routing_key="whatever", body=body)

    conns = [consumer, other]
    if not pump(conns, lambda: len(got[name1]) >= 40 and
                len(got[name2]) >= 40 and len(got3) >= 40):
        fail("incomplete: q1=%d q2=%d q3=%d" %
             (len(got[name1]), len(got[name2]), len(got3)))
    settle(conns, 0.2)
    check_eq(got[name1], expected, "queue 1 gets every message, in order")
    check_eq(got[name2], expected, "queue 2 gets every message, in order")
    check_eq(got3, expected, "other subscriber gets every message")
    expect_ready(pch, shared, 40, "unconsumed bound queue holds copies")

    # exclusive queues vanish with their connection
    consumer.close()
    other.close()
    for name in (name1, name2, q3):
        eventually(lambda: queue_exists(producer, name), False,
                   "exclusive queue %s gone after its connection closed" % name)
        ch = producer.channel()
        expect_channel_error(
            lambda: ch.queue_declare(queue=name, passive=True), 404,
            "NOT_FOUND - no queue '%s'" % name,
            "exclusive queue after its connection closed")
    pch.queue_delete(queue=shared)
    pch.exchange_delete(exchange=exchange)
    producer.close()
    ok("fanout: 3 exclusive amq.gen- queues each got all 40, early ones dropped")
finally:
    cleanup.run()
