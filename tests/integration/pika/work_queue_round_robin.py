"""Seed "2.工作队列": start receive.py twice (and then a third time) on the
same queue; the consumers take turns: each message goes to exactly one
consumer, round robin.

The consumers are separate connections (like separate receive.py processes)
driven from one thread; each uses auto_ack like the seeds.
"""
from common import Cleanup, check_eq, connect, fail, ok, pump, setup, uniq

host, port = setup()
cleanup = Cleanup(host, port)


def run(n_consumers, n_messages):
    queue = cleanup.queue(uniq("work-%d" % n_consumers))
    consumers = []
    received = []  # per consumer: list of message indexes
    for c in range(n_consumers):
        conn = connect(host, port)
        channel = conn.channel()
        channel.queue_declare(queue=queue)
        got = []

        def callback(ch, method, properties, body, got=got):
            got.append(int(body.decode().split("-")[1]))

        channel.basic_consume(queue=queue, on_message_callback=callback,
                              auto_ack=True)
        consumers.append(conn)
        received.append(got)

    producer = connect(host, port)
    channel = producer.channel()
    channel.queue_declare(queue=queue)
    for i in range(n_messages):
        channel.basic_publish(exchange="", routing_key=queue,
                              body="task-%d" % i)

    if not pump(consumers,
                lambda: sum(len(g) for g in received) >= n_messages):
        fail("only %d of %d messages consumed: %r" %
             (sum(len(g) for g in received), n_messages, received))
    # nothing more (no duplicates) arrives
    pump(consumers, lambda: False, timeout=0.2)

    all_ids = sorted(i for g in received for i in g)
    check_eq(all_ids, list(range(n_messages)),
             "every message delivered exactly once")
    for c, got in enumerate(received):
        check_eq(len(got), n_messages // n_consumers,
                 "consumer %d share (%r)" % (c, received))
        check_eq(got, sorted(got), "consumer %d sees its messages in order" % c)
        residues = {i % n_consumers for i in got}
        if len(residues) != 1:
            fail("consumer %d did not get every %dth message (round robin): %r"
                 % (c, n_consumers, received))
    for conn in consumers:
        conn.close()
    channel.queue_delete(queue=queue)
    producer.close()
    return received


try:
    two = run(2, 10)
    three = run(3, 12)
    ok("round robin: 2 consumers %r, 3 consumers %r" % (two, three))
finally:
    cleanup.run()
