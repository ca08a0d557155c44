"""Delayed messages (Warren only: RabbitMQ 3.10 needs the
rabbitmq_delayed_message_exchange plugin, which the reference node lacks).
The plugin's API: exchange type x-delayed-message, routing by the type named
in its x-delayed-type argument (required), per-message delay in the x-delay
header (ms); a message without it, or with x-delay <= 0, is routed at once;
a delayed message is delivered with x-delay negated (the plugin's way of
marking it as having been delayed)."""
import time

from pika import exceptions

from common import Cleanup, check, check_eq, connect, fail, ok, pump, settle, setup, uniq
from ext_common import props

host, port = setup()
cleanup = Cleanup(host, port)

try:
    connection = connect(host, port)
    ch = connection.channel()

    x = cleanup.exchange(uniq("delayed-direct"))
    ch.exchange_declare(x, "x-delayed-message", durable=True,
                        arguments={"x-delayed-type": "direct"})
    q = cleanup.queue(uniq("delayed-q"))
    other = cleanup.queue(uniq("delayed-other"))
    ch.queue_declare(q)
    ch.queue_declare(other)
    ch.queue_bind(q, x, "jobs")
    ch.queue_bind(other, x, "else")
    got = []
    ch.basic_consume(q, lambda c, m, p, b: got.append((time.monotonic(), b, p.headers)), auto_ack=True)
    t0 = time.monotonic()
    ch.basic_publish(x, "jobs", b"late", props(headers={"x-delay": 300}))
    ch.basic_publish(x, "jobs", b"zero", props(headers={"x-delay": 0}))
    ch.basic_publish(x, "jobs", b"none")
    check(pump(connection, lambda: len(got) == 3, timeout=5), "three deliveries: %r" % got)
    check_eq([b for _, b, _ in got], [b"zero", b"none", b"late"], "the delayed one last")
    check(got[2][0] - t0 >= 0.29, "x-delay 300 honoured (%.3fs)" % (got[2][0] - t0))
    check(got[0][0] - t0 < 0.25, "x-delay 0 not delayed")
    check_eq(got[2][2].get("x-delay"), -300, "delivered with x-delay negated")
    settle(connection)
    check_eq(ch.queue_declare(other, passive=True).method.message_count, 0,
             "routed by key (direct) after the delay")
    ok("direct delayed exchange")

    tx = cleanup.exchange(uniq("delayed-topic"))
    ch.exchange_declare(tx, "x-delayed-message", arguments={"x-delayed-type": "topic"})
    tq = cleanup.queue(uniq("delayed-topic-q"))
    ch.queue_declare(tq)
    ch.queue_bind(tq, tx, "orders.*.created")
    got.clear()
    ch.basic_consume(tq, lambda c, m, p, b: got.append((time.monotonic(), b, m.routing_key)), auto_ack=True)
    t0 = time.monotonic()
    ch.basic_publish(tx, "orders.eu.created", b"t-late", props(headers={"x-delay": 200}))
    ch.basic_publish(tx, "orders.eu.deleted", b"t-unrouted", props(headers={"x-delay": 100}))
    ch.basic_publish(tx, "orders.us.created", b"t-now")
    check(pump(connection, lambda: len(got) == 2, timeout=5), "two topic deliveries")
    settle(connection, 0.3)
    check_eq([(b, rk) for _, b, rk in got],
             [(b"t-now", "orders.us.created"), (b"t-late", "orders.eu.created")], "topic routing")
    check(got[1][0] - t0 >= 0.19, "topic x-delay honoured")
    ok("topic delayed exchange")

    bad = connection.channel()
    try:
        bad.exchange_declare(uniq("delayed-bad"), "x-delayed-message")
        fail("x-delayed-message without x-delayed-type accepted")
    except exceptions.ChannelClosedByBroker as err:
        check_eq(err.reply_code, 406, "missing x-delayed-type")
        check(err.reply_text.startswith(
            "PRECONDITION_FAILED - Invalid argument, 'x-delayed-type' must be"), err.reply_text)
    ok("x-delayed-type required")
    connection.close()
finally:
    cleanup.run()
