"""Seed 000 receive.py: BlockingChannel.basic_get("hello", True) returns
(method, properties, body); GetOk carries delivery_tag, exchange,
message_count (messages still in the queue), redelivered, routing_key; an
empty queue returns (None, None, None).  Also basic_get without auto-ack:
the message stays unacked until basic_ack, and goes back to the queue
(redelivered) when the channel closes without an ack.
"""
from common import Cleanup, check, check_eq, connect, ok, setup, uniq

host, port = setup()
cleanup = Cleanup(host, port)
queue = cleanup.queue(uniq("hello-get"))

try:
    connection = connect(host, port)
    with connection:
        channel = connection.channel()
        channel.queue_declare(queue=queue)
        for i in range(40):
            channel.basic_publish(exchange="", routing_key=queue,
                                  body="data{:02}".format(i))

    connection = connect(host, port)
    channel = connection.channel()

    # auto-ack get (seed: channel.basic_get("hello", True))
    method, props, body = channel.basic_get(queue, True)
    check(method is not None, "basic_get returned no message")
    check_eq(type(method).__name__, "GetOk", "method type")
    check_eq(body, b"data00", "first body")
    check_eq(method.delivery_tag, 1, "first delivery_tag")
    check_eq(method.exchange, "", "exchange")
    check_eq(method.routing_key, queue, "routing_key")
    check_eq(method.redelivered, False, "redelivered")
    check_eq(method.message_count, 39, "message_count after first get")

    method, props, body = channel.basic_get(queue, True)
    check_eq(body, b"data01", "second body")
    check_eq(method.delivery_tag, 2, "second delivery_tag")
    check_eq(method.message_count, 38, "message_count after second get")

    # manual-ack get: message becomes unacked, message_count excludes it
    method, props, body = channel.basic_get(queue=queue, auto_ack=False)
    check_eq(body, b"data02", "third body")
    check_eq(method.message_count, 37, "message_count after manual get")
    check_eq(channel.queue_declare(queue=queue, passive=True)
             .method.message_count, 37, "ready count while one is unacked")
    channel.basic_ack(delivery_tag=method.delivery_tag)

    # take one without ack, then close the channel: it is requeued
    method, props, body = channel.basic_get(queue=queue, auto_ack=False)
    check_eq(body, b"data03", "fourth body")
    channel.close()
    channel = connection.channel()
    method, props, body = channel.basic_get(queue=queue, auto_ack=False)
    check_eq(body, b"data03", "requeued message comes back first")
    check_eq(method.redelivered, True, "redelivered after channel close")
    check_eq(method.delivery_tag, 1, "delivery tags are per channel")
    channel.basic_ack(method.delivery_tag)

    # drain the rest
    bodies = []
    while True:
        method, props, body = channel.basic_get(queue, True)
        if method is None:
            break
        bodies.append(body)
    check_eq(bodies, ["data{:02}".format(i).encode() for i in range(4, 40)],
             "remaining bodies")

    # empty queue -> (None, None, None)
    check_eq(channel.basic_get(queue, True), (None, None, None),
             "basic_get on empty queue")
    channel.queue_delete(queue=queue)
    connection.close()
    ok("basic_get: message_count, delivery tags, requeue and empty result")
finally:
    cleanup.run()
