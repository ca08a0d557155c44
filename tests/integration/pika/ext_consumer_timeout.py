"""Consumer timeout: the broker under test runs with
consumer_timeout = 2000 (ms). A delivery left unacked for longer closes
its channel with 406 PRECONDITION_FAILED and RabbitMQ's text; the
connection stays open and the message is requeued as redelivered. A
basic.get in ack mode is timed the same way. Deliveries acked in time, and
no-ack deliveries, are not affected."""
import time

from pika import exceptions

from common import Cleanup, check, check_eq, connect, fail, ok, setup, uniq
from ext_common import get_eventually

TIMEOUT_MS = 2000
host, port = setup(watchdog_seconds=40)
cleanup = Cleanup(host, port)


def text(channel_number):
    return ("PRECONDITION_FAILED - delivery acknowledgement on channel %d timed out. "
            "Timeout value used: %d ms. This timeout value can be configured, see consumers "
            "doc guide to learn more" % (channel_number, TIMEOUT_MS))


def wait_closed(connection, channel, what, limit=TIMEOUT_MS / 1000 + 10):
    start = time.monotonic()
    while channel.is_open:
        if time.monotonic() - start > limit:
            fail("%s: channel still open after %.1fs" % (what, limit))
        connection.process_data_events(time_limit=0.05)
    return time.monotonic() - start


try:
    connection = connect(host, port)
    ch = connection.channel()
    q = cleanup.queue(uniq("consumer-timeout"))
    ch.queue_declare(q)

    # acked in time (and auto-ack) deliveries do not time out
    fine = connection.channel()
    got = []
    fine.basic_consume(q, lambda c, m, p, b: (got.append(b), c.basic_ack(m.delivery_tag)))
    for i in range(3):
        fine.basic_publish("", q, b"fast%d" % i)
        start = time.monotonic()
        while len(got) < i + 1 and time.monotonic() - start < 5:
            connection.process_data_events(time_limit=0.05)
        time.sleep(0.9)  # 2.7 s in all, each acked at once
    connection.process_data_events(time_limit=0.5)
    check(fine.is_open, "a consumer that acks stays open")
    fine.close()
    ok("acked deliveries are fine")

    slow = connection.channel()
    number = slow.channel_number
    slow.basic_consume(q, lambda *a: None)  # never acks
    slow.basic_publish("", q, b"slow")
    try:
        elapsed = wait_closed(connection, slow, "consumer")
    except exceptions.ChannelClosedByBroker:
        pass
    check(slow.is_closed, "closed")
    check(elapsed >= TIMEOUT_MS / 1000 - 0.2, "not before the timeout (%.2fs)" % elapsed)
    # pika reports the reason through the closed channel
    reason = getattr(slow, "_closing_reason", None)
    check(isinstance(reason, exceptions.ChannelClosedByBroker), "closed by the broker: %r" % reason)
    check_eq((reason.reply_code, reason.reply_text), (406, text(number)), "close reason")
    check(connection.is_open, "only the channel closed")
    ch2 = connection.channel()
    m, _, body = get_eventually(ch2, q)
    check_eq((body, m.redelivered), (b"slow", True), "requeued as redelivered")
    ok("consumer delivery timed out")

    getter = connection.channel()
    number = getter.channel_number
    getter.basic_publish("", q, b"got")
    get_eventually(getter, q, auto_ack=False)
    wait_closed(connection, getter, "basic.get")
    reason = getattr(getter, "_closing_reason", None)
    check_eq((reason.reply_code, reason.reply_text), (406, text(number)), "basic.get close reason")
    ok("basic.get delivery timed out")
    connection.close()
finally:
    cleanup.run()
