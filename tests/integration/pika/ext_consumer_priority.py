"""Consumer priorities: the x-priority argument of basic.consume.
Messages go to the highest-priority consumer that has prefetch room; lower
ones get messages only when the higher ones are full; equal priorities
share round robin; no x-priority means 0."""
from common import Cleanup, check, check_eq, connect, ok, pump, ready_count, settle, setup, uniq

host, port = setup()
cleanup = Cleanup(host, port)

try:
    connection = connect(host, port)
    ch = connection.channel()
    q = cleanup.queue(uniq("consumer-prio"))
    ch.queue_declare(q)
    ch.basic_qos(prefetch_count=2)
    got = []

    def consumer(name):
        return lambda c, m, p, b: got.append((name, b.decode(), m.delivery_tag))

    ch.basic_consume(q, consumer("low"), arguments={"x-priority": 1})
    ch.basic_consume(q, consumer("high"), arguments={"x-priority": 10})
    ch.basic_consume(q, consumer("default"))
    for i in range(7):
        ch.basic_publish("", q, b"%d" % i)
    check(pump(connection, lambda: len(got) == 6), "six deliveries, got %r" % got)
    settle(connection)
    check_eq([(n, b) for n, b, _ in got],
             [("high", "0"), ("high", "1"), ("low", "2"), ("low", "3"),
              ("default", "4"), ("default", "5")], "by consumer priority")
    check_eq(ready_count(ch, q), 1, "the seventh waits")
    # the high-priority consumer frees room: it gets the waiting message
    high_tag = [t for n, _, t in got if n == "high"][0]
    ch.basic_ack(high_tag)
    check(pump(connection, lambda: len(got) == 7), "seventh delivered")
    check_eq(got[6][:2], ("high", "6"), "to the high-priority consumer")
    ch.close()
    ok("consumer priorities")

    # equal priorities share round robin
    ch = connection.channel()
    q2 = cleanup.queue(uniq("consumer-prio-equal"))
    ch.queue_declare(q2)
    got = []
    ch.basic_consume(q2, consumer("a"), auto_ack=True, arguments={"x-priority": 5})
    ch.basic_consume(q2, consumer("b"), auto_ack=True, arguments={"x-priority": 5})
    ch.basic_consume(q2, consumer("low"), auto_ack=True, arguments={"x-priority": -1})
    for i in range(4):
        ch.basic_publish("", q2, b"%d" % i)
    check(pump(connection, lambda: len(got) == 4), "four deliveries")
    check_eq(sorted(n for n, _, _ in got), ["a", "a", "b", "b"],
             "equal priorities share; the negative one gets nothing")
    ok("equal priorities")
    connection.close()
finally:
    cleanup.run()
