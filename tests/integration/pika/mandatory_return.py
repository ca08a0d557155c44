"""Seeds: "如果queue不存在，那么Producer Publish的Message会被丢弃" — publishing
to a missing queue / unbound key is silently dropped.  With mandatory=True
the broker instead returns the message (basic.return 312 NO_ROUTE), seen
via add_on_return_callback, or as UnroutableError in confirm mode.
"""
import pika
from pika import exceptions

from common import (Cleanup, check, check_eq, connect, expect_ready, fail, ok,
                    pump, settle, setup, uniq)

host, port = setup()
cleanup = Cleanup(host, port)
exchange = cleanup.exchange(uniq("mandatory"))
queue = cleanup.queue(uniq("mandatory-q"))

try:
    connection = connect(host, port)
    channel = connection.channel()
    channel.exchange_declare(exchange=exchange, exchange_type="direct")
    channel.queue_declare(queue=queue)
    channel.queue_bind(queue=queue, exchange=exchange, routing_key="routed")

    returned = []
    channel.add_on_return_callback(
        lambda ch, method, props, body: returned.append((method, props, body)))

    # non-mandatory unroutable: silently dropped, channel stays open
    channel.basic_publish(exchange=exchange, routing_key="nowhere", body=b"x")
    channel.basic_publish(exchange="", routing_key=uniq("no-such-queue"),
                          body=b"dropped")
    settle(connection, 0.2)
    check_eq(returned, [], "returns for non-mandatory publishes")
    check(channel.is_open, "channel closed after unroutable publish")

    # mandatory unroutable -> basic.return
    channel.basic_publish(exchange=exchange, routing_key="nowhere",
                          body=b"come back", mandatory=True,
                          properties=pika.BasicProperties(
                              message_id="m-1", headers={"h": 1}))
    missing_q = uniq("no-such-queue")
    channel.basic_publish(exchange="", routing_key=missing_q,
                          body=b"default exchange", mandatory=True)
    # mandatory but routable: delivered, not returned
    channel.basic_publish(exchange=exchange, routing_key="routed",
                          body=b"stays", mandatory=True)
    if not pump(connection, lambda: len(returned) >= 2):
        fail("expected 2 basic.return, got %r" % returned)
    settle(connection, 0.2)
    check_eq(len(returned), 2, "number of returns")
    method, props, body = returned[0]
    check_eq(type(method).__name__, "Return", "method")
    check_eq(method.reply_code, 312, "reply_code")
    check_eq(method.reply_text, "NO_ROUTE", "reply_text")
    check_eq(method.exchange, exchange, "returned exchange")
    check_eq(method.routing_key, "nowhere", "returned routing_key")
    check_eq(body, b"come back", "returned body")
    check_eq(props.message_id, "m-1", "returned message_id")
    check_eq(props.headers, {"h": 1}, "returned headers")
    method, props, body = returned[1]
    check_eq((method.reply_code, method.exchange, method.routing_key, body),
             (312, "", missing_q, b"default exchange"), "second return")
    expect_ready(channel, queue, 1, "routable mandatory message queued")

    # confirm mode: mandatory unroutable -> UnroutableError
    cch = connection.channel()
    cch.confirm_delivery()
    try:
        cch.basic_publish(exchange=exchange, routing_key="nowhere",
                          body=b"unroutable", mandatory=True)
        fail("UnroutableError expected")
    except exceptions.UnroutableError as err:
        check_eq(len(err.messages), 1, "returned messages in UnroutableError")
        check_eq(err.messages[0].method.reply_code, 312, "reply code")
        check_eq(err.messages[0].body, b"unroutable", "returned body")
    # still usable after the UnroutableError
    cch.basic_publish(exchange=exchange, routing_key="routed", body=b"ok",
                      mandatory=True)
    check_eq(cch.queue_declare(queue=queue, passive=True).method.message_count,
             2, "queued after confirm-mode publish")

    channel.queue_delete(queue=queue)
    channel.exchange_delete(exchange=exchange)
    connection.close()
    ok("mandatory: basic.return 312 NO_ROUTE, UnroutableError in confirm mode")
finally:
    cleanup.run()
