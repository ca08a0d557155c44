"""Message properties round trip (seeds use BasicProperties for
delivery_mode, reply_to and correlation_id; this covers all of them): every
basic property, a headers table with nested field types, empty / binary /
multi-frame bodies.  user_id must equal the authenticated user ('guest').
"""
import datetime
import decimal
import os

import pika

from common import Cleanup, check_eq, connect, fail, ok, pump, setup, uniq

host, port = setup()
cleanup = Cleanup(host, port)
queue = cleanup.queue(uniq("props"))

HEADERS = {
    "str": "text",
    "unicode": "第二条消息",
    "int": 42,
    "neg": -7,
    "big": 2 ** 40,
    "true": True,
    "false": False,
    "void": None,
    "bytes": b"\x00\x01\xfe\xff",
    "decimal": decimal.Decimal("3.14"),
    "datetime": datetime.datetime(2020, 1, 2, 3, 4, 5),
    "nested": {"a": 1, "b": {"c": "deep", "d": [1, 2]}},
    "list": [1, "two", True, {"x": 1}, [2, 3], None],
    "empty-table": {},
    "empty-list": [],
}

PROPS = dict(
    content_type="application/json",
    content_encoding="utf-8",
    headers=HEADERS,
    delivery_mode=2,
    priority=5,
    correlation_id="corr-1234",
    reply_to="reply-queue",
    expiration="600000",
    message_id="msg-0001",
    timestamp=1700000000,
    type="order.created",
    user_id="guest",
    app_id="warren-tests",
)

try:
    connection = connect(host, port)
    channel = connection.channel()
    channel.queue_declare(queue=queue)
    bodies = [
        ("full", b'{"hello": "world"}', pika.BasicProperties(**PROPS)),
        ("none", b"no properties", None),
        ("empty-body", b"", pika.BasicProperties(content_type="text/plain")),
        ("binary", bytes(range(256)) * 4, pika.BasicProperties()),
        # bigger than the default frame_max (131072): several body frames
        ("large", os.urandom(1024 * 1024 + 17), pika.BasicProperties(
            message_id="large")),
    ]
    for _, body, props in bodies:
        channel.basic_publish(exchange="", routing_key=queue, body=body,
                              properties=props)

    got = []
    channel.basic_consume(queue=queue, auto_ack=True,
                          on_message_callback=lambda c, m, p, b:
                          got.append((p, b)))
    if not pump(connection, lambda: len(got) >= len(bodies)):
        fail("got only %d messages" % len(got))

    props, body = got[0]
    check_eq(body, bodies[0][1], "full: body")
    for name, value in PROPS.items():
        if name == "headers":
            continue
        check_eq(getattr(props, name), value, "property %s" % name)
    check_eq(props.cluster_id, None, "cluster_id")
    for key, value in HEADERS.items():
        check_eq(props.headers.get(key, "<missing>"), value, "header %r" % key)
    check_eq(sorted(props.headers), sorted(HEADERS), "header keys")

    props, body = got[1]
    check_eq(body, b"no properties", "none: body")
    for name in PROPS:
        check_eq(getattr(props, name), None, "unset property %s" % name)

    props, body = got[2]
    check_eq(body, b"", "empty body")
    check_eq(props.content_type, "text/plain", "empty body content_type")

    check_eq(got[3][1], bodies[3][1], "binary body")
    check_eq(len(got[4][1]), len(bodies[4][1]), "large body length")
    check_eq(got[4][1] == bodies[4][1], True, "large body content")
    check_eq(got[4][0].message_id, "large", "large message_id")

    channel.queue_delete(queue=queue)
    connection.close()
    ok("message properties: %d properties, %d header types, 1MB body" %
       (len(PROPS), len(HEADERS)))
finally:
    cleanup.run()
