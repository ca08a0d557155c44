"""Seed 004 "谁创建队列queue": "被标为auto-delete的queue在最后一个Consumer
unsubscribe后就会被自动删除".  An auto_delete queue lives while it has never
had a consumer, survives while at least one consumer remains, and is
deleted when the last consumer cancels (basic_cancel) or its connection
closes.
"""
from common import (Cleanup, check, connect, eventually, expect_ready, ok,
                    queue_exists, setup, uniq)

host, port = setup()
cleanup = Cleanup(host, port)

try:
    connection = connect(host, port)
    channel = connection.channel()

    # 1. never consumed: stays
    q1 = cleanup.queue(uniq("autodel-idle"))
    channel.queue_declare(queue=q1, auto_delete=True)
    channel.basic_publish(exchange="", routing_key=q1, body=b"x")
    channel.queue_declare(queue=q1, passive=True)  # round trip
    check(queue_exists(connection, q1), "auto_delete queue without consumers")
    expect_ready(channel, q1, 1, "message in idle auto_delete queue")

    # 2. two consumers: cancelling one keeps it, cancelling the last deletes
    tag_a = channel.basic_consume(q1, lambda *a: None, auto_ack=True)
    other = connect(host, port)
    och = other.channel()
    tag_b = och.basic_consume(q1, lambda *a: None, auto_ack=True)
    channel.basic_cancel(tag_a)
    check(queue_exists(connection, q1), "deleted while a consumer remained")
    och.basic_cancel(tag_b)
    eventually(lambda: queue_exists(connection, q1), False,
               "auto_delete queue after the last basic_cancel")

    # 3. last consumer's connection closes -> deleted
    q2 = cleanup.queue(uniq("autodel-conn"))
    och.queue_declare(queue=q2, auto_delete=True)
    och.basic_consume(q2, lambda *a: None, auto_ack=False)
    other.close()
    eventually(lambda: queue_exists(connection, q2), False,
               "auto_delete queue after its consumer's connection closed")

    # 4. a server-named auto_delete queue behaves the same
    q3 = channel.queue_declare(queue="", auto_delete=True).method.queue
    cleanup.queue(q3)
    tag = channel.basic_consume(q3, lambda *a: None, auto_ack=True)
    channel.basic_cancel(tag)
    eventually(lambda: queue_exists(connection, q3), False,
               "server-named auto_delete queue after cancel")
    connection.close()
    ok("auto_delete queues vanish after the last consumer goes away")
finally:
    cleanup.run()
