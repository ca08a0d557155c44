"""405 RESOURCE_LOCKED: an exclusive queue ("只能被当前连接使用" in the seeds)
cannot be used from another connection — declare, passive declare,
consume, get, purge, bind and delete all close that channel with 405.
Publishing to it through the default exchange IS allowed (that is how RPC
replies reach an exclusive callback queue).  The owner connection is not
affected, and the other connection keeps working after each error.  Once
the owner disconnects, the queue is gone.
"""
from common import (Cleanup, check, check_channel_works, check_eq, connect,
                    eventually, expect_channel_error, ok, queue_exists, setup,
                    uniq)

host, port = setup()
cleanup = Cleanup(host, port)
named = cleanup.queue(uniq("exclusive"))

LOCKED = ("RESOURCE_LOCKED - cannot obtain exclusive access to locked queue "
          "'%s' in vhost '/'. It could be originally declared on another "
          "connection or the exclusive property value does not match that of "
          "the original declaration.")

try:
    owner = connect(host, port)
    och = owner.channel()
    och.queue_declare(queue=named, exclusive=True)
    generated = och.queue_declare(queue="", exclusive=True).method.queue

    other = connect(host, port)
    cases = [
        ("passive queue_declare", lambda ch, q: ch.queue_declare(
            queue=q, passive=True)),
        ("basic_consume", lambda ch, q: ch.basic_consume(q, lambda *a: None)),
        ("basic_get", lambda ch, q: ch.basic_get(q)),
        ("queue_purge", lambda ch, q: ch.queue_purge(queue=q)),
        ("queue_bind", lambda ch, q: ch.queue_bind(
            queue=q, exchange="amq.fanout")),
        ("queue_delete", lambda ch, q: ch.queue_delete(queue=q)),
    ]
    for q in (named, generated):
        for what, action in cases:
            what = "%s on another connection's exclusive queue %s" % (what, q)
            channel = other.channel()
            err = expect_channel_error(lambda: action(channel, q), 405,
                                       "RESOURCE_LOCKED", what)
            check_eq(err.reply_text, LOCKED % q, what + ": full reply text")
            check_channel_works(other, what)

    # redeclaring the named one (exclusive or not) from elsewhere: 405
    for exclusive in (True, False):
        channel = other.channel()
        expect_channel_error(
            lambda: channel.queue_declare(queue=named, exclusive=exclusive),
            405, LOCKED % named,
            "queue_declare(exclusive=%s) from another connection" % exclusive)
    # a non-passive declare of an amq.gen- name trips the reserved prefix
    # check first
    channel = other.channel()
    expect_channel_error(
        lambda: channel.queue_declare(queue=generated, exclusive=True), 403,
        "ACCESS_REFUSED - queue name '%s' contains reserved prefix 'amq.*'"
        % generated, "redeclare of another connection's amq.gen- queue")

    # publishing into it from the other connection works
    channel = other.channel()
    channel.basic_publish(exchange="", routing_key=generated, body=b"reply")
    channel.basic_publish(exchange="", routing_key=named, body=b"reply2")
    channel.queue_declare(queue="", exclusive=True)  # round trip
    check(channel.is_open, "publish to exclusive queue closed the channel")

    # the owner still has full access, including the published messages
    method, _, body = och.basic_get(generated, auto_ack=True)
    check_eq(body, b"reply", "owner reads message published by other conn")
    method, _, body = och.basic_get(named, auto_ack=True)
    check_eq(body, b"reply2", "owner reads named exclusive queue")
    och.queue_declare(queue=named, exclusive=True)
    och.queue_declare(queue=named, passive=True)

    owner.close()
    eventually(lambda: queue_exists(other, named), False,
               "exclusive queue deleted when owner connection closed")
    eventually(lambda: queue_exists(other, generated), False,
               "server-named exclusive queue deleted with owner")
    # now anyone can declare that name again
    channel = other.channel()
    channel.queue_declare(queue=named)
    channel.queue_delete(queue=named)
    other.close()
    ok("405 RESOURCE_LOCKED on exclusive queues; publish to them allowed")
finally:
    cleanup.run()
