"""Beyond the seeds (housekeeping used by every tutorial clean-up):
queue_purge returns the number of ready messages removed (unacked ones are
kept); queue_delete returns the message count and accepts if_unused /
if_empty guards (406 when violated); exchange_delete with if_unused;
deleting a queue cancels its consumers (pika sees the basic.cancel).
"""
from common import (Cleanup, check, check_eq, connect, expect_channel_error,
                    expect_ready, ok, pump, setup, uniq)

host, port = setup()
cleanup = Cleanup(host, port)
queue = cleanup.queue(uniq("purge"))
exchange = cleanup.exchange(uniq("purge-x"))

try:
    connection = connect(host, port)
    ch = connection.channel()
    ch.queue_declare(queue=queue)
    for i in range(5):
        ch.basic_publish(exchange="", routing_key=queue, body="m%d" % i)
    method, _, _ = ch.basic_get(queue, auto_ack=False)  # one unacked
    purge_ok = ch.queue_purge(queue=queue)
    check_eq(purge_ok.method.message_count, 4, "purge-ok message_count")
    check_eq(ch.queue_declare(queue=queue, passive=True).method.message_count,
             0, "ready after purge")
    # the unacked message survives the purge and is requeued on reject
    ch.basic_reject(delivery_tag=method.delivery_tag, requeue=True)
    expect_ready(ch, queue, 1, "unacked message kept by purge")

    # if_empty guard
    c2 = connection.channel()
    expect_channel_error(lambda: c2.queue_delete(queue=queue, if_empty=True),
                         406, "PRECONDITION_FAILED - queue '%s' in vhost '/' "
                         "not empty" % queue, "queue_delete if_empty")
    # if_unused guard
    tag = ch.basic_consume(queue, lambda *a: None, auto_ack=False)
    c3 = connection.channel()
    expect_channel_error(lambda: c3.queue_delete(queue=queue, if_unused=True),
                         406, "PRECONDITION_FAILED - queue '%s' in vhost '/' "
                         "in use" % queue, "queue_delete if_unused")
    # pika's basic_cancel nacks (requeues) deliveries it had not dispatched
    ch.basic_cancel(tag)
    expect_ready(ch, queue, 1, "ready after cancel")

    # deleting a queue that has a consumer cancels it
    cancelled = []
    other = connect(host, port)
    och = other.channel()
    och.add_on_cancel_callback(lambda frame: cancelled.append(frame))
    got = []
    och.basic_consume(queue, lambda c, m, p, b: got.append(b), auto_ack=True)
    check(pump(other, lambda: got), "second consumer got nothing")
    delete_ok = ch.queue_delete(queue=queue)
    check_eq(delete_ok.method.message_count, 0, "delete-ok message_count")
    check(pump(other, lambda: cancelled),
          "consumer not notified (basic.cancel) when its queue was deleted")
    other.close()

    # exchange_delete if_unused
    ch.exchange_declare(exchange=exchange, exchange_type="fanout")
    tmp = ch.queue_declare(queue="", exclusive=True).method.queue
    ch.queue_bind(queue=tmp, exchange=exchange)
    c4 = connection.channel()
    expect_channel_error(
        lambda: c4.exchange_delete(exchange=exchange, if_unused=True), 406,
        "PRECONDITION_FAILED - exchange '%s' in vhost '/' in use" % exchange,
        "exchange_delete if_unused")
    ch.queue_unbind(queue=tmp, exchange=exchange)
    ch.exchange_delete(exchange=exchange, if_unused=True)
    expect_channel_error(
        lambda: ch.exchange_declare(exchange=exchange, passive=True), 404,
        "NOT_FOUND - no exchange", "exchange after delete")
    connection.close()
    ok("queue_purge / queue_delete / exchange_delete with guards")
finally:
    cleanup.run()
