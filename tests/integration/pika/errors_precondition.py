"""406 PRECONDITION_FAILED channel errors.  Seed 004 claims that redeclaring
an existing queue with different parameters "succeeds but changes nothing";
RabbitMQ actually closes the channel with 406 "inequivalent arg".  Also
acks for delivery tags the channel never issued (or already acked), and a
user_id property that is not the authenticated user.  After each error the
connection stays open and a new channel works.
"""
import pika

from common import (Cleanup, check, check_channel_works, check_eq, connect,
                    expect_channel_error, ok, setup, uniq)

host, port = setup()
cleanup = Cleanup(host, port)
queue = cleanup.queue(uniq("precond"))
exchange = cleanup.exchange(uniq("precond-x"))


def double_ack(ch):
    q = ch.queue_declare(queue="", exclusive=True).method.queue
    ch.basic_publish(exchange="", routing_key=q, body=b"x")
    method, _, _ = ch.basic_get(q, auto_ack=False)
    ch.basic_ack(delivery_tag=method.delivery_tag)
    ch.basic_ack(delivery_tag=method.delivery_tag)
    ch.queue_declare(queue="", exclusive=True)  # sync call to see the close


def ack_after_auto_ack(ch):
    q = ch.queue_declare(queue="", exclusive=True).method.queue
    ch.basic_publish(exchange="", routing_key=q, body=b"x")
    method, _, _ = ch.basic_get(q, auto_ack=True)
    ch.basic_ack(delivery_tag=method.delivery_tag)
    ch.queue_declare(queue="", exclusive=True)


def then_sync(action):
    def run(ch):
        action(ch)
        ch.queue_declare(queue="", exclusive=True)
    return run


try:
    connection = connect(host, port)
    setup_ch = connection.channel()
    setup_ch.queue_declare(queue=queue)  # durable=False, auto_delete=False
    setup_ch.exchange_declare(exchange=exchange, exchange_type="direct")

    cases = [
        ("redeclare queue with durable=True",
         lambda ch: ch.queue_declare(queue=queue, durable=True),
         "PRECONDITION_FAILED - inequivalent arg 'durable' for queue '%s' in "
         "vhost '/': received 'true' but current is 'false'" % queue),
        ("redeclare queue with auto_delete=True",
         lambda ch: ch.queue_declare(queue=queue, auto_delete=True),
         "PRECONDITION_FAILED - inequivalent arg 'auto_delete' for queue '%s' "
         "in vhost '/': received 'true' but current is 'false'" % queue),
        ("redeclare exchange with another type",
         lambda ch: ch.exchange_declare(exchange=exchange,
                                        exchange_type="fanout"),
         "PRECONDITION_FAILED - inequivalent arg 'type' for exchange '%s' in "
         "vhost '/': received 'fanout' but current is 'direct'" % exchange),
        ("redeclare exchange with durable=True",
         lambda ch: ch.exchange_declare(exchange=exchange,
                                        exchange_type="direct", durable=True),
         "PRECONDITION_FAILED - inequivalent arg 'durable' for exchange '%s' "
         "in vhost '/': received 'true' but current is 'false'" % exchange),
        ("redeclare built-in amq.topic as direct",
         lambda ch: ch.exchange_declare(exchange="amq.topic",
                                        exchange_type="direct", durable=True),
         "PRECONDITION_FAILED - inequivalent arg 'type' for exchange "
         "'amq.topic' in vhost '/': received 'direct' but current is 'topic'"),
        ("basic_ack with an unknown delivery tag",
         then_sync(lambda ch: ch.basic_ack(delivery_tag=99)),
         "PRECONDITION_FAILED - unknown delivery tag 99"),
        ("basic_nack with an unknown delivery tag",
         then_sync(lambda ch: ch.basic_nack(delivery_tag=7)),
         "PRECONDITION_FAILED - unknown delivery tag 7"),
        ("basic_reject with an unknown delivery tag",
         then_sync(lambda ch: ch.basic_reject(delivery_tag=5)),
         "PRECONDITION_FAILED - unknown delivery tag 5"),
        ("acking the same delivery tag twice", double_ack,
         "PRECONDITION_FAILED - unknown delivery tag 1"),
        ("acking a message that was auto-acked", ack_after_auto_ack,
         "PRECONDITION_FAILED - unknown delivery tag 1"),
        ("publishing with a user_id that is not the authenticated user",
         then_sync(lambda ch: ch.basic_publish(
             exchange="", routing_key=queue, body=b"x",
             properties=pika.BasicProperties(user_id="bob"))),
         "PRECONDITION_FAILED - user_id property set to 'bob' but "
         "authenticated user was 'guest'"),
    ]
    for what, action, text in cases:
        channel = connection.channel()
        err = expect_channel_error(lambda: action(channel), 406, text, what)
        check_eq(err.reply_text, text, what + ": full reply text")
        check(channel.is_closed, what + ": channel not closed")
        check_channel_works(connection, what)

    # equivalent redeclarations are fine; the original queue is unchanged
    ch = connection.channel()
    ch.queue_declare(queue=queue, durable=False)
    ch.exchange_declare(exchange=exchange, exchange_type="direct")
    ch.exchange_declare(exchange="amq.direct", exchange_type="direct",
                        durable=True)
    check_eq(ch.queue_declare(queue=queue, passive=True).method.message_count,
             0, "user_id-mismatch message was not enqueued")
    ch.queue_delete(queue=queue)
    ch.exchange_delete(exchange=exchange)
    connection.close()
    ok("406 PRECONDITION_FAILED: %d cases, connection survives each"
       % len(cases))
finally:
    cleanup.run()
