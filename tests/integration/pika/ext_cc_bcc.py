"""Sender-selected distribution: the CC and BCC headers (arrays of
strings) add routing keys to the publish; every queue gets one copy; BCC is
removed before delivery (and before dead-lettering), CC is kept; deliveries
carry the publish's own routing key. A CC that is not an array is 406."""
from pika import exceptions

from common import Cleanup, check, check_eq, connect, fail, ok, setup, uniq
from ext_common import drain, get_eventually, props

host, port = setup()
cleanup = Cleanup(host, port)

try:
    connection = connect(host, port)
    ch = connection.channel()
    x = cleanup.exchange(uniq("ssd"))
    ch.exchange_declare(x, "direct")
    names = {}
    for k in ("main", "cc", "bcc", "both", "other"):
        names[k] = cleanup.queue(uniq("ssd-%s" % k))
        ch.queue_declare(names[k])
        ch.queue_bind(names[k], x, k)
    ch.queue_bind(names["both"], x, "cc")
    ch.queue_bind(names["both"], x, "bcc")

    ch.basic_publish(x, "main", b"hi", props(headers={"CC": ["cc"], "BCC": ["bcc"], "keep": "me"}))
    for k in ("main", "cc", "bcc", "both"):
        method, p, body = get_eventually(ch, names[k])
        check_eq((body, method.routing_key), (b"hi", "main"), "%s: delivered with the publish key" % k)
        check_eq(p.headers, {"CC": ["cc"], "keep": "me"}, "%s: BCC stripped, CC kept" % k)
    check_eq(drain(ch, names["both"]), [], "one copy per queue")
    check_eq(drain(ch, names["other"]), [], "nothing for other")
    ok("CC / BCC on a direct exchange")

    ch.basic_publish("", names["main"], b"dflt", props(headers={"BCC": [names["cc"], names["bcc"]]}))
    for k in ("main", "cc", "bcc"):
        _, p, body = get_eventually(ch, names[k])
        check_eq((body, p.headers), (b"dflt", {}), "%s: via the default exchange, BCC stripped" % k)
    ok("BCC via the default exchange")

    try:
        ch.basic_publish(x, "main", b"bad", props(headers={"CC": "cc"}))
        ch.queue_declare(names["main"], passive=True)
        fail("CC as a string accepted")
    except exceptions.ChannelClosedByBroker as err:
        check_eq((err.reply_code, err.reply_text), (406,
                 'PRECONDITION_FAILED - invalid message: {unacceptable_type_in_header,"CC",longstr}'),
                 "CC longstr")
    check(connection.is_open, "connection stays open")
    ok("CC type check")
    connection.close()
finally:
    cleanup.run()
