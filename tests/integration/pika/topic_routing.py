"""Seed "5.Topic话题" / "十：模糊匹配（topic）": routing keys are dot-separated
words; "*" matches exactly one word, "#" zero or more words.  Seed bindings:
q1 "phone.*", q2 "*.red" (phone.red reaches both, once each), "#" receives
everything, and seed 002's queue bound "nb" and "bnb.#".  A queue bound
with two patterns that both match still gets one copy.
"""
from common import (Cleanup, check_eq, connect, fail, ok, pump, settle, setup,
                    uniq)

host, port = setup()
cleanup = Cleanup(host, port)
exchange = cleanup.exchange(uniq("products"))

BINDINGS = {
    "phone_any": ["phone.*"],
    "any_red": ["*.red"],
    "all": ["#"],
    "bnb": ["nb", "bnb.#"],
    "both": ["phone.*", "*.red"],
    "mid": ["*.*.big", "pc.#.big"],
    "exact": ["tv.blue"],
}

product_type = ("phone", "pc", "tv")
colors = ("red", "green", "blue")
KEYS = ["%s.%s" % (p, c) for p in product_type for c in colors] + [
    "phone", "phone.red.big", "red", "x.red", "bnb", "bnb.xxxx", "bnb.a.b",
    "nb", "nb.x", "xbnb.y", "pc.big", "pc.a.b.big", "tv.blue.", ""]

EXPECTED = {
    "phone_any": ["phone.red", "phone.green", "phone.blue"],
    "any_red": ["phone.red", "pc.red", "tv.red", "x.red"],
    "all": KEYS,
    "bnb": ["bnb", "bnb.xxxx", "bnb.a.b", "nb"],
    "both": ["phone.red", "phone.green", "phone.blue", "pc.red", "tv.red",
             "x.red"],
    "mid": ["phone.red.big", "pc.big", "pc.a.b.big"],
    "exact": ["tv.blue"],
}

try:
    connection = connect(host, port)
    channel = connection.channel()
    channel.exchange_declare(exchange=exchange, exchange_type="topic")
    queues = {}
    got = {}
    tags = {}

    def callback(ch, method, properties, body):
        name = tags[method.consumer_tag]
        check_eq(body.decode(), "msg:" + method.routing_key, "body/key")
        got[name].append(method.routing_key)

    for name, patterns in BINDINGS.items():
        q = channel.queue_declare(queue="", exclusive=True).method.queue
        queues[name] = q
        got[name] = []
        for pattern in patterns:
            channel.queue_bind(exchange=exchange, queue=q, routing_key=pattern)
        tags[channel.basic_consume(q, callback, True)] = name

    producer = connect(host, port)
    pch = producer.channel()
    pch.exchange_declare(exchange=exchange, exchange_type="topic")
    for rk in KEYS:
        pch.basic_publish(exchange=exchange, routing_key=rk,
                          body="msg:" + rk)

    if not pump(connection, lambda: all(len(got[n]) >= len(EXPECTED[n])
                                        for n in got)):
        fail("incomplete: %r" % got)
    settle(connection, 0.3)
    for name, expected in EXPECTED.items():
        check_eq(got[name], expected,
                 "queue bound %r received" % (BINDINGS[name],))

    pch.exchange_delete(exchange=exchange)
    producer.close()
    connection.close()
    ok("topic routing: %d keys matched against %d binding sets" %
       (len(KEYS), len(BINDINGS)))
finally:
    cleanup.run()
