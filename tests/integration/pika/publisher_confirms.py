"""Publisher confirms (channel.confirm_delivery()): every publish is acked
by the broker; pika's BlockingChannel.basic_publish blocks until the ack
and raises on nack / return.  Covers routed, persistent and unroutable
(non-mandatory: still acked) publishes, and a publish to a missing exchange
in confirm mode (channel closed 404).
"""
import pika

from common import (Cleanup, check, check_eq, connect, expect_channel_error,
                    ok, setup, uniq)

host, port = setup()
cleanup = Cleanup(host, port)
queue = cleanup.queue(uniq("confirms"))
exchange = cleanup.exchange(uniq("confirms-x"))

try:
    connection = connect(host, port)
    channel = connection.channel()
    channel.confirm_delivery()
    channel.queue_declare(queue=queue, durable=True)
    channel.exchange_declare(exchange=exchange, exchange_type="fanout")
    for i in range(50):
        result = channel.basic_publish(
            exchange="", routing_key=queue, body="m%d" % i,
            properties=pika.BasicProperties(delivery_mode=2))
        check(result is None, "basic_publish in confirm mode returned %r"
              % (result,))
    # unroutable but not mandatory: acked, dropped
    channel.basic_publish(exchange=exchange, routing_key="", body=b"nobody")
    check_eq(channel.queue_declare(queue=queue, durable=True)
             .method.message_count, 50, "confirmed messages are queued")

    # a second confirm-mode channel on the same connection
    other = connection.channel()
    other.confirm_delivery()
    expect_channel_error(
        lambda: other.basic_publish(exchange=uniq("missing"), routing_key="k",
                                    body=b"x"),
        404, "NOT_FOUND - no exchange", "confirm-mode publish to missing exchange")
    check(other.is_closed, "channel closed by the 404")
    check(channel.is_open, "other channel unaffected")

    # all 50 are there in order
    bodies = []
    while True:
        method, _, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            break
        bodies.append(body)
    check_eq(bodies, [("m%d" % i).encode() for i in range(50)], "bodies")
    channel.queue_delete(queue=queue)
    channel.exchange_delete(exchange=exchange)
    connection.close()
    ok("publisher confirms: 51 publishes acked, 404 on missing exchange")
finally:
    cleanup.run()
