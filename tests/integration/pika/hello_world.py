"""Seed "1.队列 / 基本使用": send.py publishes to a named queue through the
default exchange, receive.py consumes with basic_consume + start_consuming.

Checks: the queue keeps messages until a consumer arrives, FIFO order, UTF-8
bodies intact, delivery fields (exchange '' / routing key = queue name),
queue_declare is idempotent and reports message_count, `with connection:`
closes the connection, URLParameters with %2F selects vhost "/".
"""
import pika

from common import (Cleanup, check, check_eq, connect, eventually,
                    expect_ready, ok, setup, uniq)

host, port = setup()
cleanup = Cleanup(host, port)
queue = cleanup.queue(uniq("hello"))

try:
    # --- send.py (seed 000 style: URLParameters, `with connection:`) ---
    params = pika.URLParameters(
        "amqp://guest:guest@%s:%d/%%2F?connection_attempts=1&socket_timeout=5"
        % (host, port))
    connection = pika.BlockingConnection(params)
    with connection:
        channel = connection.channel()
        channel.queue_declare(queue=queue)
        channel.basic_publish(exchange="", routing_key=queue,
                              body="Hello World!")
        for i in range(40):
            channel.basic_publish(exchange="", routing_key=queue,
                                  body="data{:02}".format(i))
        channel.basic_publish(exchange="", routing_key=queue,
                              body="第二条消息".encode("utf-8"))
    check(connection.is_closed, "`with connection:` did not close the connection")

    expected = [b"Hello World!"] + ["data{:02}".format(i).encode()
                                    for i in range(40)]
    expected.append("第二条消息".encode("utf-8"))

    # --- receive.py ---
    connection = pika.BlockingConnection(pika.ConnectionParameters(
        host=host, port=port, connection_attempts=1, socket_timeout=5))
    channel = connection.channel()
    # The consumer declares the queue too; redeclaring is a no-op that
    # reports how many messages are waiting.
    declare_ok = channel.queue_declare(queue=queue)
    check_eq(declare_ok.method.queue, queue, "declare-ok queue name")
    expect_ready(channel, queue, len(expected), "message_count on redeclare")
    check_eq(declare_ok.method.consumer_count, 0, "consumer_count on redeclare")

    received = []

    def callback(ch, method, properties, body):
        received.append((body, method.exchange, method.routing_key,
                         method.redelivered))
        if len(received) == len(expected):
            ch.stop_consuming()

    # seed 000 passes queue, callback, auto_ack positionally
    channel.basic_consume(queue, callback, True)
    # safety net: stop_consuming after 5s if the messages never arrive
    connection.call_later(5, channel.stop_consuming)
    channel.start_consuming()

    check_eq([r[0] for r in received], expected, "bodies in FIFO order")
    for body, exchange, routing_key, redelivered in received:
        check_eq(exchange, "", "delivery exchange")
        check_eq(routing_key, queue, "delivery routing key")
        check_eq(redelivered, False, "redelivered flag")
    check_eq(received[-1][0].decode("utf-8"), "第二条消息", "utf-8 body")

    # auto_ack consumer: nothing left in the queue
    left = channel.queue_declare(queue=queue, passive=True)
    check_eq(left.method.message_count, 0, "messages left after auto-ack consume")
    # stop_consuming() cancelled the consumer (basic.cancel)
    check_eq(left.method.consumer_count, 0, "consumer_count after stop_consuming")

    # consume again: while the consumer is registered it is counted, also
    # when asked from another connection
    channel.basic_consume(queue=queue, on_message_callback=callback,
                          auto_ack=True)
    other = connect(host, port)
    other_channel = other.channel()
    check_eq(other_channel.queue_declare(queue=queue, passive=True)
             .method.consumer_count, 1,
             "consumer_count seen from another connection while consuming")
    connection.close()
    eventually(lambda: other_channel.queue_declare(queue=queue, passive=True)
               .method.consumer_count, 0,
               "consumer_count after the consumer connection closed")
    other_channel.queue_delete(queue=queue)
    other.close()
    ok("hello world: %d messages sent and received in order" % len(received))
finally:
    cleanup.run()
