"""Priority queues: x-max-priority 1..255; higher priority first,
FIFO within a priority, no priority counts as 0, anything above the maximum
counts as the maximum (and is delivered with its property unchanged); the
priority property is ignored by a queue without x-max-priority;
out-of-range values are 406 with RabbitMQ's texts."""
from pika import exceptions

from common import Cleanup, check_eq, connect, expect_ready, fail, ok, pump, setup, uniq
from ext_common import drain, props

host, port = setup()
cleanup = Cleanup(host, port)

try:
    connection = connect(host, port)
    ch = connection.channel()
    q = cleanup.queue(uniq("prio"))
    ch.queue_declare(q, durable=True, arguments={"x-max-priority": 5})
    published = [(b"none-1", None), (b"p1-a", 1), (b"p5-a", 5), (b"p9", 9), (b"p0", 0),
                 (b"p3", 3), (b"p5-b", 5), (b"p1-b", 1), (b"none-2", None), (b"p200", 200)]
    for body, priority in published:
        ch.basic_publish("", q, body, props(priority=priority))
    expect_ready(ch, q, len(published), "all queued")
    got = []
    ch.basic_consume(q, lambda c, m, p, b: got.append((b.decode(), p.priority)), auto_ack=True)
    pump(connection, lambda: len(got) == len(published))
    check_eq(got, [("p5-a", 5), ("p9", 9), ("p5-b", 5), ("p200", 200), ("p3", 3),
                   ("p1-a", 1), ("p1-b", 1), ("none-1", None), ("p0", 0), ("none-2", None)],
             "priority order")
    ch.close()
    ch = connection.channel()
    ok("priority order")

    plain = cleanup.queue(uniq("no-prio"))
    ch.queue_declare(plain)
    for i, priority in enumerate([0, 9, 1]):
        ch.basic_publish("", plain, b"%d" % i, props(priority=priority))
    expect_ready(ch, plain, 3, "queued")
    check_eq(drain(ch, plain), ["0", "1", "2"], "FIFO without x-max-priority")
    ok("priority ignored without x-max-priority")

    for value, reason in [
        (256, "{max_value_exceeded,256}"),
        (-1, "{value_negative,-1}"),
        ("high", '"expected integer, got longstr"'),
    ]:
        name = cleanup.queue(uniq("prio-bad"))
        bad = connection.channel()
        try:
            bad.queue_declare(name, arguments={"x-max-priority": value})
            fail("x-max-priority %r accepted" % (value,))
        except exceptions.ChannelClosedByBroker as err:
            check_eq((err.reply_code, err.reply_text), (406,
                     "PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue '%s' "
                     "in vhost '/': %s" % (name, reason)), "x-max-priority %r" % (value,))
    name = cleanup.queue(uniq("prio-255"))
    ch.queue_declare(name, arguments={"x-max-priority": 255})
    try:
        ch.queue_declare(name)
        fail("redeclare without x-max-priority accepted")
    except exceptions.ChannelClosedByBroker as err:
        check_eq((err.reply_code, err.reply_text), (406,
                 "PRECONDITION_FAILED - inequivalent arg 'x-max-priority' for queue '%s' in "
                 "vhost '/': received none but current is the value '255' of type 'signedint'"
                 % name), "redeclare without the argument")
    ok("x-max-priority validation")
    connection.close()
finally:
    cleanup.run()
