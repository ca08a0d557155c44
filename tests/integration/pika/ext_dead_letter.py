"""Dead-lettering: x-dead-letter-exchange / -routing-key on
basic.reject and basic.nack without requeue, on expiry and on max-length
overflow, with the x-death entry (queue, reason, count, exchange,
routing-keys, time, original-expiration) and x-first-death-* headers as
RabbitMQ 3.10 writes them; CC is kept unless a dead-letter routing key
replaces the keys; the expiration property is removed."""
import time

from common import Cleanup, check, check_eq, connect, ok, setup, uniq
from ext_common import death, drain, get_eventually, props

host, port = setup()
cleanup = Cleanup(host, port)

try:
    connection = connect(host, port)
    ch = connection.channel()
    dlx = cleanup.exchange(uniq("dlx"))
    dlq = cleanup.queue(uniq("dlq"))
    src = cleanup.exchange(uniq("src"))
    ch.exchange_declare(dlx, "fanout")
    ch.queue_declare(dlq)
    ch.queue_bind(dlq, dlx)
    ch.exchange_declare(src, "direct")

    # --- reject / nack
    work = cleanup.queue(uniq("work"))
    ch.queue_declare(work, arguments={"x-dead-letter-exchange": dlx})
    ch.queue_bind(work, src, "rk1")
    ch.queue_bind(work, src, "cc1")
    ch.basic_publish(src, "rk1", b"rejected", props(
        headers={"CC": ["cc1"], "BCC": ["bcc1"], "h": 1},
        expiration="60000", priority=3, message_id="id-1"))
    ch.basic_publish(src, "rk1", b"nacked")
    ch.basic_publish(src, "rk1", b"requeued")
    m1, _, _ = get_eventually(ch, work, auto_ack=False)
    m2, _, _ = get_eventually(ch, work, auto_ack=False)
    m3, _, _ = get_eventually(ch, work, auto_ack=False)
    ch.basic_reject(m1.delivery_tag, requeue=False)
    ch.basic_nack(m2.delivery_tag, requeue=False)
    ch.basic_nack(m3.delivery_tag, requeue=True)

    method, p, body = get_eventually(ch, dlq)
    check_eq(body, b"rejected", "first dead-lettered")
    check_eq((method.exchange, method.routing_key), (dlx, "rk1"),
             "delivered from the DLX with the original key")
    check_eq(death(p.headers), {
        "count": 1, "reason": "rejected", "queue": work, "exchange": src,
        "routing-keys": ["rk1", "cc1"], "original-expiration": "60000",
    }, "x-death[0] after reject")
    check_eq(len(p.headers["x-death"]), 1, "one x-death entry")
    check_eq((p.headers["x-first-death-reason"], p.headers["x-first-death-queue"],
              p.headers["x-first-death-exchange"]), ("rejected", work, src),
             "x-first-death-*")
    check_eq((p.headers.get("CC"), "BCC" in p.headers, p.headers.get("h")),
             (["cc1"], False, 1), "CC and other headers kept, BCC gone")
    check_eq((p.expiration, p.priority, p.message_id), (None, 3, "id-1"),
             "expiration removed, other properties kept")

    method, p, body = get_eventually(ch, dlq)
    check_eq((body, p.headers["x-death"][0]["reason"]), (b"nacked", "rejected"),
             "nack without requeue dead-letters as 'rejected'")
    time.sleep(0.2)
    check_eq(drain(ch, dlq), [], "a requeued nack is not dead-lettered")
    check_eq(drain(ch, work), ["requeued"], "back in its queue")
    ok("reject / nack")

    # --- expiry, with a dead-letter routing key
    dlx2 = cleanup.exchange(uniq("dlx-direct"))
    ch.exchange_declare(dlx2, "direct")
    ch.queue_bind(dlq, dlx2, "expired-rk")
    ttl = cleanup.queue(uniq("ttl"))
    ch.queue_declare(ttl, arguments={
        "x-message-ttl": 100, "x-dead-letter-exchange": dlx2,
        "x-dead-letter-routing-key": "expired-rk"})
    ch.basic_publish("", ttl, b"old", props(headers={"CC": ["nowhere"]}))
    method, p, body = get_eventually(ch, dlq)
    check_eq((body, method.exchange, method.routing_key), (b"old", dlx2, "expired-rk"),
             "expired message routed with the dead-letter routing key")
    check_eq(death(p.headers), {
        "count": 1, "reason": "expired", "queue": ttl, "exchange": "",
        "routing-keys": [ttl, "nowhere"],
    }, "x-death[0] after expiry")
    check("CC" not in p.headers, "CC removed when the dead-letter routing key applies")
    check_eq(p.headers["x-first-death-exchange"], "", "default exchange is ''")
    ok("expiry")

    # --- max-length overflow (drop-head)
    ml = cleanup.queue(uniq("maxlen"))
    ch.queue_declare(ml, arguments={"x-max-length": 1, "x-dead-letter-exchange": dlx})
    ch.basic_publish("", ml, b"dropped")
    ch.basic_publish("", ml, b"kept")
    method, p, body = get_eventually(ch, dlq)
    check_eq((body, method.routing_key), (b"dropped", ml), "the dropped head")
    check_eq(death(p.headers), {
        "count": 1, "reason": "maxlen", "queue": ml, "exchange": "",
        "routing-keys": [ml],
    }, "x-death[0] after maxlen")
    check_eq(drain(ch, ml), ["kept"], "the newest stays")

    # --- DLX that does not exist: the message is simply dropped
    lost = cleanup.queue(uniq("dlx-missing"))
    ch.queue_declare(lost, arguments={"x-dead-letter-exchange": uniq("no-such-x")})
    ch.basic_publish("", lost, b"x")
    m, _, _ = get_eventually(ch, lost, auto_ack=False)
    ch.basic_reject(m.delivery_tag, requeue=False)
    time.sleep(0.2)
    check_eq(drain(ch, lost), [], "dropped")
    check_eq(connection.is_open and ch.is_open, True, "no error")
    ok("maxlen / missing DLX")
    connection.close()
finally:
    cleanup.run()
