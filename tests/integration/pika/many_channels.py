"""Seed 004 "Channels": one TCP connection carries many channels, each an
independent session that can publish and consume concurrently.  Opens 20
channels on one connection, each with its own queue; publishes on one
channel and consumes on another; closing some channels leaves the others
working; channel numbers are distinct.
"""
from common import (Cleanup, check, check_eq, connect, fail, ok, pump, setup,
                    uniq)

host, port = setup()
cleanup = Cleanup(host, port)
N = 20

try:
    connection = connect(host, port)
    channels = [connection.channel() for _ in range(N)]
    numbers = [ch.channel_number for ch in channels]
    check_eq(len(set(numbers)), N, "distinct channel numbers")
    check(all(n > 0 for n in numbers), "channel numbers are > 0")

    queues = [cleanup.queue(uniq("chan-%d" % i)) for i in range(N)]
    for ch, q in zip(channels, queues):
        ch.queue_declare(queue=q)

    got = {q: [] for q in queues}
    for i, q in enumerate(queues):
        consumer_ch = channels[(i + 1) % N]  # consume on a neighbour channel

        def callback(ch, method, properties, body, q=q):
            got[q].append((ch.channel_number, body))

        consumer_ch.basic_consume(queue=q, on_message_callback=callback,
                                  auto_ack=True)

    for i, (ch, q) in enumerate(zip(channels, queues)):
        for j in range(3):
            ch.basic_publish(exchange="", routing_key=q, body="c%d-m%d" % (i, j))

    if not pump(connection, lambda: all(len(v) >= 3 for v in got.values())):
        fail("incomplete: %r" % {q: len(v) for q, v in got.items()})
    for i, q in enumerate(queues):
        check_eq(got[q], [(numbers[(i + 1) % N], ("c%d-m%d" % (i, j)).encode())
                          for j in range(3)], "queue %d deliveries" % i)

    # close every other channel; the rest keep working
    for ch in channels[::2]:
        ch.close()
    for q in got:
        got[q].clear()
    for i in range(1, N, 2):
        q = queues[(i - 1) % N]  # consumed by channel i
        channels[i].basic_publish(exchange="", routing_key=q, body="after")
    if not pump(connection, lambda: all(got[queues[(i - 1) % N]]
                                        for i in range(1, N, 2))):
        fail("open channels stopped working after closing others: %r" % got)
    check(connection.is_open, "connection still open")
    # a channel opened after closing others works too
    extra = connection.channel()
    extra.queue_declare(queue=queues[0])
    for q in queues:
        extra.queue_delete(queue=q)
    connection.close()
    ok("many channels: %d channels on one connection" % N)
finally:
    cleanup.run()
