"""404 NOT_FOUND channel errors, and that after each the connection stays
open and a new channel on it works.  Seeds: "如果找不到指定的exchange,抛异常"
(basic_publish to a missing exchange), queue_declare passive on a missing
queue, and consuming a queue nobody declared.
"""
from common import (Cleanup, check, check_channel_works, check_eq, connect,
                    expect_channel_error, ok, setup, uniq)

host, port = setup()
cleanup = Cleanup(host, port)
missing_q = uniq("missing-q")
missing_x = uniq("missing-x")
NO_QUEUE = "NOT_FOUND - no queue '%s' in vhost '/'" % missing_q
NO_EXCHANGE = "NOT_FOUND - no exchange '%s' in vhost '/'" % missing_x

try:
    connection = connect(host, port)
    cases = [
        ("queue_declare passive on a missing queue",
         lambda ch: ch.queue_declare(queue=missing_q, passive=True), NO_QUEUE),
        ("exchange_declare passive on a missing exchange",
         lambda ch: ch.exchange_declare(exchange=missing_x, passive=True),
         NO_EXCHANGE),
        # basic.publish has no reply: the channel.close arrives
        # asynchronously and pika raises it on the next synchronous call
        ("basic_publish to a missing exchange",
         lambda ch: (ch.basic_publish(exchange=missing_x, routing_key="k",
                                      body=b"x"),
                     ch.queue_declare(queue="", exclusive=True)),
         NO_EXCHANGE),
        ("basic_consume on a missing queue",
         lambda ch: ch.basic_consume(missing_q, lambda *a: None), NO_QUEUE),
        ("basic_get on a missing queue",
         lambda ch: ch.basic_get(missing_q), NO_QUEUE),
        ("queue_purge on a missing queue",
         lambda ch: ch.queue_purge(queue=missing_q), NO_QUEUE),
        ("queue_bind to a missing exchange",
         lambda ch: ch.queue_bind(
             queue=ch.queue_declare(queue="", exclusive=True).method.queue,
             exchange=missing_x, routing_key="k"),
         NO_EXCHANGE),
        ("queue_bind of a missing queue",
         lambda ch: ch.queue_bind(queue=missing_q, exchange="amq.direct",
                                  routing_key="k"),
         NO_QUEUE),
    ]
    for what, action, text in cases:
        channel = connection.channel()
        err = expect_channel_error(lambda: action(channel), 404, text, what)
        check_eq(err.reply_text, text, what + ": full reply text")
        check(channel.is_closed, what + ": channel not closed")
        check_channel_works(connection, what)

    # deleting what does not exist is not an error on RabbitMQ 3.x
    channel = connection.channel()
    channel.queue_delete(queue=missing_q)
    channel.exchange_delete(exchange=missing_x)
    check(channel.is_open, "delete of missing queue/exchange closed channel")
    connection.close()
    ok("404 NOT_FOUND: %d cases, connection survives each" % len(cases))
finally:
    cleanup.run()
