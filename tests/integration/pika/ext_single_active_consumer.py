"""Single active consumer (x-single-active-consumer: true): the
first consumer gets every message while the others wait registered; when
it is cancelled or its connection closes, the next consumer (in
registration order) takes over, getting the unacked messages back as
redelivered. A wrong type is 406 with RabbitMQ's text."""
from pika import exceptions

from common import Cleanup, check, check_eq, connect, fail, ok, pump, settle, setup, uniq

host, port = setup()
cleanup = Cleanup(host, port)

try:
    c1 = connect(host, port)
    c2 = connect(host, port)
    c3 = connect(host, port)
    ch1, ch2, ch3 = c1.channel(), c2.channel(), c3.channel()
    q = cleanup.queue(uniq("sac"))
    ch1.queue_declare(q, arguments={"x-single-active-consumer": True})
    got = {"1": [], "2": [], "3": []}

    def on(name, ch):
        def cb(c, m, p, b):
            got[name].append((b.decode(), m.redelivered))
            if name != "1":
                ch.basic_ack(m.delivery_tag)
        return cb

    tag1 = ch1.basic_consume(q, on("1", ch1))
    ch2.basic_consume(q, on("2", ch2))
    ch3.basic_consume(q, on("3", ch3))
    check_eq(ch1.queue_declare(q, passive=True).method.consumer_count, 3, "all registered")
    for i in range(4):
        ch1.basic_publish("", q, b"a%d" % i)
    conns = [c1, c2, c3]
    check(pump(conns, lambda: len(got["1"]) == 4), "all to the first")
    settle(conns)
    check_eq((got["2"], got["3"]), ([], []), "the others wait")

    # the active consumer's connection goes away with 4 unacked messages
    c1.close()
    check(pump([c2, c3], lambda: len(got["2"]) == 4), "fail-over to the second: %r" % got)
    check_eq(got["2"], [("a%d" % i, True) for i in range(4)], "redelivered, in order")
    for i in range(2):
        ch2.basic_publish("", q, b"b%d" % i)
    check(pump([c2, c3], lambda: len(got["2"]) == 6), "new messages to the second")
    settle([c2, c3])
    check_eq(got["3"], [], "the third still waits")
    ok("fail-over on connection close")

    ch2.close()  # cancels its consumer
    ch3.basic_publish("", q, b"c0")
    check(pump(c3, lambda: len(got["3"]) == 1), "the third takes over")
    check_eq(got["3"], [("c0", False)], "after the second left")
    ok("fail-over on cancel")
    c2.close()

    bad = c3.channel()
    name = cleanup.queue(uniq("sac-bad"))
    try:
        bad.queue_declare(name, arguments={"x-single-active-consumer": "yes"})
        fail("accepted a string")
    except exceptions.ChannelClosedByBroker as err:
        check_eq((err.reply_code, err.reply_text), (406,
                 "PRECONDITION_FAILED - invalid arg 'x-single-active-consumer' for queue "
                 "'%s' in vhost '/': {unacceptable_type,longstr}" % name), "wrong type")
    ok("validation")
    c3.close()
finally:
    cleanup.run()
