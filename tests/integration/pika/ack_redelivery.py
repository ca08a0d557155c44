"""Seed "五：消息确认机制" / "1.5 消息不丢失之客户端挂掉": with auto_ack=False the
consumer acks with ch.basic_ack(delivery_tag=method.delivery_tag) after the
work is done; if the consumer dies before acking, RabbitMQ hands the
unacked messages to the next consumer with redelivered=True.  Acked messages
are gone for good.

The dying consumer is a child process killed with SIGKILL (no AMQP close);
also covered: graceful connection.close() and channel.close() without acks.
"""
import os
import signal
import subprocess
import sys

from common import (Cleanup, check_eq, connect, fail, ok, pump, settle, setup,
                    uniq)


def child(host, port, queue):
    """The consumer that dies: acks m0 and m1, keeps m2..m4 unacked."""
    conn = connect(host, port)
    ch = conn.channel()
    ch.queue_declare(queue=queue)
    got = []

    def callback(ch, method, properties, body):
        got.append(body)
        if body in (b"m0", b"m1"):
            ch.basic_ack(delivery_tag=method.delivery_tag)

    ch.basic_consume(queue=queue, on_message_callback=callback, auto_ack=False)
    if not pump(conn, lambda: len(got) >= 5):
        print("CHILD-TIMEOUT %r" % got, flush=True)
        os._exit(3)
    # a synchronous round trip after the acks: the broker has processed them
    ch.queue_declare(queue=queue, passive=True)
    print("READY %s" % ",".join(b.decode() for b in got), flush=True)
    signal.pause()  # wait to be killed


if len(sys.argv) > 3 and sys.argv[3] == "--child":
    setup(20)
    child(sys.argv[1], int(sys.argv[2]), sys.argv[4])
    sys.exit(0)

host, port = setup()
cleanup = Cleanup(host, port)
queue = cleanup.queue(uniq("ack"))


def consume_all(conn, ch, expected_count):
    got = []

    def callback(ch, method, properties, body):
        got.append((body, method.redelivered))
        ch.basic_ack(delivery_tag=method.delivery_tag)

    tag = ch.basic_consume(queue=queue, on_message_callback=callback)
    if not pump(conn, lambda: len(got) >= expected_count):
        fail("expected %d messages, got %r" % (expected_count, got))
    settle(conn, 0.2)
    ch.basic_cancel(tag)
    return got


try:
    producer = connect(host, port)
    pch = producer.channel()
    pch.queue_declare(queue=queue)
    for i in range(5):
        pch.basic_publish(exchange="", routing_key=queue, body="m%d" % i)

    # 1. consumer process killed before acking m2..m4
    proc = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), host, str(port), "--child",
         queue], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        if not line.startswith("READY"):
            fail("child consumer did not get ready: %r %s" %
                 (line, proc.stderr.read() if proc.poll() is not None else ""))
        check_eq(line, "READY m0,m1,m2,m3,m4", "child consumer saw")
        # while the child is alive its 3 messages are unacked, not ready
        check_eq(pch.queue_declare(queue=queue, passive=True)
                 .method.message_count, 0, "ready while child holds them")
    finally:
        proc.kill()
        proc.wait(5)

    conn = connect(host, port)
    ch = conn.channel()
    got = consume_all(conn, ch, 3)
    check_eq(got, [(b"m2", True), (b"m3", True), (b"m4", True)],
             "after consumer died: unacked messages redelivered in order")

    # a new message is not flagged redelivered
    pch.basic_publish(exchange="", routing_key=queue, body="fresh")
    got = consume_all(conn, ch, 1)
    check_eq(got, [(b"fresh", False)], "fresh message")

    # 2. graceful connection.close() without acking -> requeued
    pch.basic_publish(exchange="", routing_key=queue, body="g1")
    c2 = connect(host, port)
    ch2 = c2.channel()
    seen = []
    ch2.basic_consume(queue=queue, auto_ack=False,
                      on_message_callback=lambda c, m, p, b: seen.append(b))
    if not pump(c2, lambda: seen):
        fail("g1 not delivered")
    c2.close()
    check_eq(consume_all(conn, ch, 1), [(b"g1", True)],
             "requeued after connection.close() without ack")

    # 3. channel.close() without ack -> requeued; the connection stays usable
    pch.basic_publish(exchange="", routing_key=queue, body="c1")
    ch3 = conn.channel()
    seen = []
    ch3.basic_consume(queue=queue, auto_ack=False,
                      on_message_callback=lambda c, m, p, b: seen.append(b))
    if not pump(conn, lambda: seen):
        fail("c1 not delivered")
    ch3.close()
    check_eq(consume_all(conn, ch, 1), [(b"c1", True)],
             "requeued after channel.close() without ack")

    check_eq(pch.queue_declare(queue=queue, passive=True).method.message_count,
             0, "nothing left")
    pch.queue_delete(queue=queue)
    conn.close()
    producer.close()
    ok("ack/redelivery: acked messages gone, unacked redelivered=True")
finally:
    cleanup.run()
