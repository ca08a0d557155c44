"""Seed "六：持久化" / "1.6 消息不丢失之服务端挂掉": queue_declare(durable=True)
and basic_publish(properties=pika.BasicProperties(delivery_mode=2)).  No
broker restart here: checks that the durable declaration is accepted (and
re-accepted by the consumer's identical declare), the persistent message is
delivered with delivery_mode 2 intact, and manual ack removes it.  Also a
durable direct exchange and a non-persistent (delivery_mode=1) message.
"""
import pika

from common import (Cleanup, check_eq, connect, expect_ready, fail, ok, pump,
                    setup, uniq)

host, port = setup()
cleanup = Cleanup(host, port)
queue = cleanup.queue(uniq("durable"))
exchange = cleanup.exchange(uniq("durable-x"))

try:
    # producer
    connection = connect(host, port)
    channel = connection.channel()
    declare_ok = channel.queue_declare(queue=queue, durable=True)
    check_eq(declare_ok.method.queue, queue, "declared queue name")
    channel.basic_publish(exchange="", routing_key=queue, body="zll nb!",
                          properties=pika.BasicProperties(delivery_mode=2))
    channel.basic_publish(exchange="", routing_key=queue, body="transient",
                          properties=pika.BasicProperties(delivery_mode=1))
    channel.exchange_declare(exchange=exchange, exchange_type="direct",
                             durable=True)
    channel.queue_bind(queue=queue, exchange=exchange, routing_key="k")
    channel.basic_publish(exchange=exchange, routing_key="k", body="via-x",
                          properties=pika.BasicProperties(
                              delivery_mode=2))
    connection.close()

    # consumer: identical durable redeclare is fine
    connection = connect(host, port)
    channel = connection.channel()
    channel.queue_declare(queue=queue, durable=True)
    expect_ready(channel, queue, 3, "message_count")
    channel.exchange_declare(exchange=exchange, exchange_type="direct",
                             durable=True)
    got = []

    def callback(ch, method, properties, body):
        got.append((body, properties.delivery_mode))
        ch.basic_ack(delivery_tag=method.delivery_tag)

    channel.basic_consume(queue=queue, on_message_callback=callback,
                          auto_ack=False)
    if not pump(connection, lambda: len(got) >= 3):
        fail("got only %r" % got)
    check_eq(got, [(b"zll nb!", 2), (b"transient", 1), (b"via-x", 2)],
             "bodies with delivery_mode")
    check_eq(channel.queue_declare(queue=queue, passive=True)
             .method.message_count, 0, "acked messages removed")
    channel.queue_delete(queue=queue)
    channel.exchange_delete(exchange=exchange)
    connection.close()
    ok("durable queue + persistent messages accepted and delivered")
finally:
    cleanup.run()
