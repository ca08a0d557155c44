"""403 ACCESS_REFUSED channel errors for reserved names: the "amq." prefix
is reserved for exchanges and queues, built-in exchanges cannot be deleted,
and the default exchange cannot be declared or bound.  Declaring an
existing built-in exchange with matching properties is allowed.  After each
error the connection stays open and a new channel works.
"""
from common import (Cleanup, check, check_channel_works, check_eq, connect,
                    expect_channel_error, ok, setup, uniq)

host, port = setup()
cleanup = Cleanup(host, port)
suffix = uniq("r")
amq_x = "amq.x" + suffix
amq_q = "amq.q" + suffix

try:
    connection = connect(host, port)
    cases = [
        ("exchange_declare with the reserved prefix amq.",
         lambda ch: ch.exchange_declare(exchange=amq_x,
                                        exchange_type="direct"),
         "ACCESS_REFUSED - exchange name '%s' contains reserved prefix "
         "'amq.*'" % amq_x),
        ("exchange_declare of a topic exchange with the amq. prefix",
         lambda ch: ch.exchange_declare(exchange="amq.mytopic" + suffix,
                                        exchange_type="topic", durable=True),
         "ACCESS_REFUSED - exchange name 'amq.mytopic%s' contains reserved "
         "prefix 'amq.*'" % suffix),
        ("queue_declare with the reserved prefix amq.",
         lambda ch: ch.queue_declare(queue=amq_q),
         "ACCESS_REFUSED - queue name '%s' contains reserved prefix 'amq.*'"
         % amq_q),
        ("exchange_delete of a built-in exchange",
         lambda ch: ch.exchange_delete(exchange="amq.direct"),
         "ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost "
         "'/' not allowed"),
        ("queue_bind to the default exchange",
         lambda ch: ch.queue_bind(
             queue=ch.queue_declare(queue="", exclusive=True).method.queue,
             exchange="", routing_key="k"),
         "ACCESS_REFUSED - operation not permitted on the default exchange"),
        ("exchange_declare of the default exchange",
         lambda ch: ch.exchange_declare(exchange="", exchange_type="direct"),
         "ACCESS_REFUSED - operation not permitted on the default exchange"),
    ]
    for what, action, text in cases:
        channel = connection.channel()
        err = expect_channel_error(lambda: action(channel), 403, text, what)
        check_eq(err.reply_text, text, what + ": full reply text")
        check(channel.is_closed, what + ": channel not closed")
        check_channel_works(connection, what)

    # a passive declare of a missing amq.* exchange is a plain 404
    channel = connection.channel()
    expect_channel_error(
        lambda: channel.exchange_declare(exchange=amq_x, passive=True), 404,
        "NOT_FOUND - no exchange '%s' in vhost '/'" % amq_x,
        "passive declare of a missing amq.* exchange")

    # the built-in exchanges exist and may be (re)declared equivalently
    channel = connection.channel()
    for name, kind in (("amq.direct", "direct"), ("amq.fanout", "fanout"),
                       ("amq.topic", "topic"), ("amq.headers", "headers"),
                       ("amq.match", "headers")):
        channel.exchange_declare(exchange=name, passive=True)
        channel.exchange_declare(exchange=name, exchange_type=kind,
                                 durable=True)
    connection.close()
    ok("403 ACCESS_REFUSED: %d cases, connection survives each" % len(cases))
finally:
    cleanup.run()
