"""Alternate exchange: messages an exchange cannot route go to its
alternate-exchange (delivered with the original exchange and routing key,
not returned to a mandatory publisher); routable ones are unaffected;
alternate exchanges chain; a missing alternate exchange leaves the message
unroutable (basic.return 312 NO_ROUTE for mandatory)."""
from pika import exceptions

from common import Cleanup, check_eq, connect, fail, ok, setup, uniq
from ext_common import drain, get_eventually

host, port = setup()
cleanup = Cleanup(host, port)

try:
    connection = connect(host, port)
    ch = connection.channel()
    ch.confirm_delivery()
    ae2 = cleanup.exchange(uniq("ae2"))
    ae = cleanup.exchange(uniq("ae"))
    x = cleanup.exchange(uniq("with-ae"))
    ch.exchange_declare(ae2, "fanout")
    ch.exchange_declare(ae, "direct", arguments={"alternate-exchange": ae2})
    ch.exchange_declare(x, "topic", arguments={"alternate-exchange": ae})
    aeq = cleanup.queue(uniq("ae-q"))
    ae2q = cleanup.queue(uniq("ae2-q"))
    bound = cleanup.queue(uniq("bound"))
    for q in (aeq, ae2q, bound):
        ch.queue_declare(q)
    ch.queue_bind(bound, x, "known.*")
    ch.queue_bind(aeq, ae, "to-ae")
    ch.queue_bind(ae2q, ae2)

    ch.basic_publish(x, "known.key", b"routed", mandatory=True)
    ch.basic_publish(x, "to-ae", b"caught-by-ae", mandatory=True)
    ch.basic_publish(x, "elsewhere", b"caught-by-ae2", mandatory=True)
    method, _, body = get_eventually(ch, aeq)
    check_eq((body, method.exchange, method.routing_key), (b"caught-by-ae", x, "to-ae"),
             "via the alternate exchange, original exchange and key")
    method, _, body = get_eventually(ch, ae2q)
    check_eq((body, method.exchange, method.routing_key), (b"caught-by-ae2", x, "elsewhere"),
             "via the alternate exchange's alternate")
    check_eq(drain(ch, bound), ["routed"], "routable message unaffected")
    check_eq((drain(ch, aeq), drain(ch, ae2q)), ([], []), "one copy each")
    ok("alternate exchange")

    missing = cleanup.exchange(uniq("missing-ae"))
    ch.exchange_declare(missing, "direct", arguments={"alternate-exchange": uniq("nope")})
    try:
        ch.basic_publish(missing, "k", b"lost", mandatory=True)
        fail("expected basic.return")
    except exceptions.UnroutableError as err:
        ret = err.messages[0].method
        check_eq((ret.reply_code, ret.reply_text), (312, "NO_ROUTE"), "returned")
    ok("missing alternate exchange")
    connection.close()
finally:
    cleanup.run()
