"""Seed 004 lists the four exchange types, including headers: routing by the
message's headers table instead of the routing key.  Bindings carry the
match arguments; x-match=all (the default) needs every pair to match,
x-match=any needs at least one.  The routing key is ignored.
"""
import pika

from common import (Cleanup, check_eq, connect, fail, ok, pump, settle, setup,
                    uniq)

host, port = setup()
cleanup = Cleanup(host, port)
exchange = cleanup.exchange(uniq("headers"))

BINDINGS = {
    "all": {"x-match": "all", "format": "pdf", "type": "report"},
    "any": {"x-match": "any", "format": "pdf", "type": "report"},
    "default": {"format": "pdf"},  # no x-match -> all
    "number": {"x-match": "all", "level": 3},
}

MESSAGES = [
    ("pdf-report", {"format": "pdf", "type": "report"}),
    ("pdf", {"format": "pdf"}),
    ("report", {"type": "report"}),
    ("zip", {"format": "zip"}),
    ("none", None),
    ("empty", {}),
    ("pdf-report-extra", {"format": "pdf", "type": "report", "extra": 1}),
    ("pdf-log", {"format": "pdf", "type": "log"}),
    ("level3", {"level": 3}),
    ("level4", {"level": 4}),
]

EXPECTED = {
    "all": ["pdf-report", "pdf-report-extra"],
    "any": ["pdf-report", "pdf", "report", "pdf-report-extra", "pdf-log"],
    "default": ["pdf-report", "pdf", "pdf-report-extra", "pdf-log"],
    "number": ["level3"],
}

try:
    connection = connect(host, port)
    channel = connection.channel()
    channel.exchange_declare(exchange=exchange, exchange_type="headers")
    got, tags = {}, {}

    def callback(ch, method, properties, body):
        got[tags[method.consumer_tag]].append(body.decode())

    for name, args in BINDINGS.items():
        q = channel.queue_declare(queue="", exclusive=True).method.queue
        channel.queue_bind(queue=q, exchange=exchange, routing_key="",
                           arguments=args)
        got[name] = []
        tags[channel.basic_consume(q, callback, True)] = name

    producer = connect(host, port)
    pch = producer.channel()
    for i, (body, headers) in enumerate(MESSAGES):
        pch.basic_publish(exchange=exchange, routing_key="rk-%d" % i,
                          body=body,
                          properties=pika.BasicProperties(headers=headers))

    if not pump(connection, lambda: all(len(got[n]) >= len(EXPECTED[n])
                                        for n in got)):
        fail("incomplete: %r" % got)
    settle(connection, 0.3)
    for name, expected in EXPECTED.items():
        check_eq(got[name], expected,
                 "queue bound with %r received" % (BINDINGS[name],))
    pch.exchange_delete(exchange=exchange)
    producer.close()
    connection.close()
    ok("headers exchange: x-match all/any/default routing")
finally:
    cleanup.run()
