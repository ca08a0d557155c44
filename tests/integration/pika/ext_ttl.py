"""TTL: per-queue x-message-ttl and per-message expiration (the
lower wins), expired messages never delivered and removed without a
consumer, expiration "0" (delivered only if a consumer can take it at once),
and RabbitMQ's 406 texts for a bad expiration property.
"""
import time

from pika import exceptions

from common import Cleanup, check_eq, connect, expect_ready, ok, pump, settle, setup, uniq
from ext_common import against_rabbitmq, drain, get_eventually, props

host, port = setup()
cleanup = Cleanup(host, port)

try:
    connection = connect(host, port)
    ch = connection.channel()
    # confirms: each publish returns once the queue has the message, so a
    # depth read afterwards cannot be one taken before it arrived
    ch.confirm_delivery()

    # queue TTL: depth drops to 0 with nobody consuming
    q = cleanup.queue(uniq("ttl-queue"))
    ch.queue_declare(queue=q, arguments={"x-message-ttl": 200})
    for i in range(5):
        ch.basic_publish("", q, b"m%d" % i)
    expect_ready(ch, q, 0, "x-message-ttl 200: depth after expiry", timeout=3.0)
    check_eq(ch.basic_get(q, auto_ack=True), (None, None, None), "nothing to get")
    ok("x-message-ttl expires without a consumer")

    # the lower of queue TTL and per-message expiration wins
    q = cleanup.queue(uniq("ttl-lower"))
    ch.queue_declare(queue=q, arguments={"x-message-ttl": 1000})
    ch.basic_publish("", q, b"short", props(expiration="50"))
    ch.basic_publish("", q, b"long", props(expiration="60000"))
    ch.basic_publish("", q, b"none")
    # well before the queue's 1000 ms, the 50 ms message is gone
    expect_ready(ch, q, 2, "the 50 ms message expires at 50 ms", timeout=0.6)
    expect_ready(ch, q, 0, "the 60 s message expires at the queue's 1000 ms", timeout=3.0)
    ok("lower TTL wins")

    # expired messages behind a long-lived head are never delivered
    q = cleanup.queue(uniq("ttl-nonhead"))
    ch.queue_declare(queue=q)
    ch.basic_publish("", q, b"head", props(expiration="60000"))
    ch.basic_publish("", q, b"s1", props(expiration="100"))
    ch.basic_publish("", q, b"s2", props(expiration="100"))
    ch.basic_publish("", q, b"tail")
    time.sleep(0.5)
    if against_rabbitmq():
        # RabbitMQ 3.10 only expires at the head of a classic queue: the two
        # short-lived messages still count. Warren removes them wherever
        # they are, with no consumer present.
        expect_ready(ch, q, 4, "RabbitMQ counts expired non-head messages")
    else:
        expect_ready(ch, q, 2, "expired non-head messages removed", timeout=2.0)
    method, p, body = get_eventually(ch, q)
    check_eq((body, p.expiration), (b"head", "60000"),
             "head delivered with its expiration property")
    check_eq(drain(ch, q), ["tail"], "s1/s2 never delivered")
    ok("non-head expiry")

    # expiration "0": dropped unless a consumer can take it immediately
    q = cleanup.queue(uniq("ttl-zero"))
    ch.queue_declare(queue=q)
    ch.basic_publish("", q, b"nobody", props(expiration="0"))
    expect_ready(ch, q, 0, "expiration 0 without a consumer")
    got = []
    ch.basic_consume(q, lambda c, m, p, b: got.append(b), auto_ack=True)
    ch.basic_publish("", q, b"taken", props(expiration="0"))
    check_eq(pump(connection, lambda: got), True, "expiration 0 with a consumer")
    settle(connection)
    check_eq(got, [b"taken"], "delivered at once")
    ch.close()
    ok("expiration 0")

    # bad expiration values
    for value, text in [
        ("abc", "PRECONDITION_FAILED - invalid expiration 'abc': no_integer"),
        ("-1", "PRECONDITION_FAILED - invalid expiration '-1': {value_negative,-1}"),
        ("1.5", "PRECONDITION_FAILED - invalid expiration '1.5': {leftover_string,\".5\"}"),
        ("", "PRECONDITION_FAILED - invalid expiration '': no_integer"),
    ]:
        bad = connection.channel()
        bad.basic_publish("", q, b"x", props(expiration=value))
        try:
            bad.queue_declare(queue=q, passive=True)  # a round trip to see the close
            bad.queue_declare(queue=q, passive=True)
            check_eq("no error", text, "expiration %r" % value)
        except exceptions.ChannelClosedByBroker as err:
            check_eq((err.reply_code, err.reply_text), (406, text), "expiration %r" % value)
    check_eq(connection.is_open, True, "only channels closed")
    ok("bad expiration texts")
    connection.close()
finally:
    cleanup.run()
