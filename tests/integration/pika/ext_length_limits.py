"""Length limits: x-max-length and x-max-length-bytes (body bytes)
with x-overflow drop-head (the default: the oldest go), reject-publish (the
publisher gets basic.nack under confirms; nothing dead-lettered) and
reject-publish-dlx (basic.nack and the refused message is dead-lettered
with reason maxlen)."""
import time

from common import Cleanup, check_eq, connect, expect_ready, ok, ready_count, setup, uniq
from ext_common import death, drain, get_eventually, publish_confirmed

host, port = setup()
cleanup = Cleanup(host, port)

try:
    connection = connect(host, port)
    ch = connection.channel()

    q = cleanup.queue(uniq("maxlen"))
    ch.queue_declare(q, arguments={"x-max-length": 3})
    for i in range(1, 7):
        ch.basic_publish("", q, b"m%d" % i)
    expect_ready(ch, q, 3, "x-max-length 3")
    check_eq(drain(ch, q), ["m4", "m5", "m6"], "drop-head keeps the newest")

    q = cleanup.queue(uniq("maxbytes"))
    ch.queue_declare(q, arguments={"x-max-length-bytes": 10, "x-overflow": "drop-head"})
    for b in [b"aaaa", b"bbbb", b"cccc"]:
        ch.basic_publish("", q, b)
    expect_ready(ch, q, 2, "x-max-length-bytes 10 with three 4-byte bodies")
    check_eq(drain(ch, q), ["bbbb", "cccc"], "drop-head by bytes")
    ch.basic_publish("", q, b"x" * 11)
    time.sleep(0.2)
    check_eq(ready_count(ch, q), 0, "a body larger than the limit is dropped")
    ok("drop-head")

    confirm = connection.channel()
    confirm.confirm_delivery()
    dlq = cleanup.queue(uniq("limits-dlq"))
    confirm.queue_declare(dlq)

    q = cleanup.queue(uniq("reject-publish"))
    confirm.queue_declare(q, arguments={
        "x-max-length": 2, "x-overflow": "reject-publish",
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": dlq})
    results = [publish_confirmed(confirm, "", q, b) for b in [b"a", b"b", b"c", b"d"]]
    check_eq(results, [True, True, False, False], "acks then nacks once full")
    check_eq(drain(confirm, q), ["a", "b"], "the oldest are kept")
    check_eq(publish_confirmed(confirm, "", q, b"e"), True, "room again")
    time.sleep(0.1)
    check_eq(ready_count(confirm, dlq), 0, "reject-publish does not dead-letter")

    q = cleanup.queue(uniq("reject-publish-bytes"))
    confirm.queue_declare(q, arguments={"x-max-length-bytes": 8, "x-overflow": "reject-publish"})
    check_eq([publish_confirmed(confirm, "", q, b) for b in [b"1234", b"5678", b"9"]],
             [True, True, False], "reject-publish by bytes")
    ok("reject-publish")

    q = cleanup.queue(uniq("reject-publish-dlx"))
    confirm.queue_declare(q, arguments={
        "x-max-length": 1, "x-overflow": "reject-publish-dlx",
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": dlq})
    check_eq([publish_confirmed(confirm, "", q, b) for b in [b"kept", b"refused"]],
             [True, False], "ack then nack")
    method, p, body = get_eventually(confirm, dlq)
    check_eq(body, b"refused", "the refused message is dead-lettered")
    check_eq(death(p.headers), {"count": 1, "reason": "maxlen", "queue": q,
                                "exchange": "", "routing-keys": [q]}, "x-death")
    check_eq(drain(confirm, q), ["kept"], "the queue keeps the first")
    ok("reject-publish-dlx")
    connection.close()
finally:
    cleanup.run()
