"""Internal exchanges: an exchange declared internal=True is
reachable only through exchange-to-exchange bindings; basic.publish to it
is 403 ACCESS_REFUSED with RabbitMQ's text and routes nothing."""
from pika import exceptions

from common import Cleanup, check_channel_works, check_eq, connect, fail, ok, ready_count, setup, uniq
from ext_common import get_eventually

host, port = setup()
cleanup = Cleanup(host, port)

try:
    connection = connect(host, port)
    ch = connection.channel()
    internal = cleanup.exchange(uniq("internal"))
    front = cleanup.exchange(uniq("front"))
    q = cleanup.queue(uniq("internal-q"))
    ch.exchange_declare(internal, "topic", internal=True)
    ch.exchange_declare(front, "direct")
    ch.queue_declare(q)
    ch.queue_bind(q, internal, "a.#")
    ch.exchange_bind(destination=internal, source=front, routing_key="a.b")
    ch.basic_publish(front, "a.b", b"via e2e")
    _, _, body = get_eventually(ch, q)
    check_eq(body, b"via e2e", "delivered through the e2e binding")
    try:
        ch.basic_publish(internal, "a.b", b"direct")
        ch.queue_declare(q, passive=True)
        fail("publish to an internal exchange accepted")
    except exceptions.ChannelClosedByBroker as err:
        check_eq((err.reply_code, err.reply_text), (403,
                 "ACCESS_REFUSED - cannot publish to internal exchange '%s' in vhost '/'" % internal),
                 "publish to internal")
    check_channel_works(connection, "after 403")
    check_eq(ready_count(connection.channel(), q), 0, "nothing routed")
    ok("internal exchange")
    connection.close()
finally:
    cleanup.run()
