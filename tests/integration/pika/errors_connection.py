"""Connection-level failures vs channel-level ones.
- Seeds 000/001: a wrong password makes pika raise
  ProbableAuthenticationError (403 ACCESS_REFUSED - Login was refused ...).
- exchange_declare with an unknown type is a connection error
  (503 COMMAND_INVALID): the whole connection closes; new connections work.
- A channel error does not disturb the other channels of the connection:
  a consumer on another channel keeps receiving.
"""
import pika
from pika import exceptions

from common import (Cleanup, check, check_channel_works, check_eq, connect,
                    expect_channel_error, fail, ok, params, pump, setup, uniq)

host, port = setup()
cleanup = Cleanup(host, port)

try:
    # 1. wrong password
    try:
        pika.BlockingConnection(params(host, port, password="wrong-password"))
        fail("connection with a wrong password succeeded")
    except exceptions.ProbableAuthenticationError as err:
        # pika wraps the repr of the ConnectionClosedByBroker(403, ...)
        cause = str(err.args[0]) if err.args else ""
        check(cause.startswith(
            "ConnectionClosedByBroker: (403) 'ACCESS_REFUSED - Login was "
            "refused using authentication mechanism PLAIN"),
            "auth failure: %r" % cause)
    # unknown user, same answer
    try:
        pika.BlockingConnection(params(host, port, username="nobody-" +
                                       uniq("u"), password="x"))
        fail("connection with an unknown user succeeded")
    except exceptions.ProbableAuthenticationError as err:
        check(str(err.args[0]).startswith(
            "ConnectionClosedByBroker: (403) 'ACCESS_REFUSED"),
            "unknown user: %r" % (err.args,))

    # 2. unknown exchange type closes the connection (503)
    connection = connect(host, port)
    channel = connection.channel()
    bogus = uniq("bogus-type")
    try:
        channel.exchange_declare(exchange=bogus, exchange_type="bogus")
        fail("exchange_declare with type 'bogus' succeeded")
    except exceptions.ConnectionClosedByBroker as err:
        check_eq(err.reply_code, 503, "unknown exchange type reply code")
        check_eq(err.reply_text,
                 "COMMAND_INVALID - unknown exchange type 'bogus'",
                 "unknown exchange type reply text")
    check(connection.is_closed, "connection closed after 503")
    connection = connect(host, port)
    check_channel_works(connection, "new connection after a 503")
    ch = connection.channel()
    expect_channel_error(lambda: ch.exchange_declare(exchange=bogus,
                                                     passive=True),
                         404, "NOT_FOUND - no exchange",
                         "the bogus exchange was not created")

    # 3. a channel error leaves the other channels alone
    queue = cleanup.queue(uniq("isolation"))
    consumer_ch = connection.channel()
    consumer_ch.queue_declare(queue=queue)
    got = []
    consumer_ch.basic_consume(queue=queue, auto_ack=True,
                              on_message_callback=lambda c, m, p, b:
                              got.append(b))
    publisher_ch = connection.channel()
    publisher_ch.basic_publish(exchange="", routing_key=queue, body=b"before")
    if not pump(connection, lambda: len(got) >= 1):
        fail("no message before the channel error")
    bad = connection.channel()
    expect_channel_error(lambda: bad.queue_declare(queue=uniq("nope"),
                                                   passive=True),
                         404, "NOT_FOUND - no queue", "error on a third channel")
    publisher_ch.basic_publish(exchange="", routing_key=queue, body=b"after")
    if not pump(connection, lambda: len(got) >= 2):
        fail("consumer on another channel stopped after a channel error")
    check_eq(got, [b"before", b"after"], "consumer deliveries")
    check(consumer_ch.is_open and publisher_ch.is_open,
          "other channels still open")
    publisher_ch.queue_delete(queue=queue)
    connection.close()
    ok("connection errors: 403 login refused, 503 unknown exchange type, "
       "channel errors isolated")
finally:
    cleanup.run()
