"""Helpers for the extension scenarios (ext_*.py), on top of
common.py.  Scripts are run as `python3 ext_x.py HOST PORT TARGET` where
TARGET is "warren" or "rabbitmq": the few checks where Warren does
more than RabbitMQ 3.10 branch on it.
"""
import datetime
import sys
import time

import pika
from pika import exceptions
from pika.compat import long as amqp_long

from common import check, check_eq, fail


def target():
    """"warren" (the default) or "rabbitmq"."""
    return sys.argv[3] if len(sys.argv) > 3 else "warren"


def against_rabbitmq():
    return target() == "rabbitmq"


def get_eventually(channel, queue, auto_ack=True, timeout=5.0):
    """basic_get until a message arrives; (method, properties, body)."""
    deadline = time.monotonic() + timeout
    while True:
        method, props, body = channel.basic_get(queue, auto_ack=auto_ack)
        if method is not None:
            return method, props, body
        if time.monotonic() > deadline:
            fail("no message in %s after %.1fs" % (queue, timeout))
        time.sleep(0.01)


def drain(channel, queue):
    """Every ready message's body, in order (auto-ack)."""
    out = []
    while True:
        method, _, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            return out
        out.append(body.decode())


def publish_confirmed(channel, exchange, routing_key, body, **kwargs):
    """On a confirm channel: True for basic.ack, False for basic.nack."""
    try:
        channel.basic_publish(exchange=exchange, routing_key=routing_key,
                              body=body, **kwargs)
        return True
    except exceptions.NackError:
        return False


def check_recent_timestamp(value, what):
    """A 'T' field: pika decodes it to a naive UTC datetime, whole seconds."""
    check(isinstance(value, datetime.datetime),
          "%s: expected a timestamp field, got %r" % (what, value))
    now = datetime.datetime.utcnow()
    check(abs((now - value).total_seconds()) < 60,
          "%s: %s is not now (%s)" % (what, value, now))


def death(headers, index=0):
    """x-death[index] with its time checked and removed."""
    entry = dict(headers["x-death"][index])
    check_recent_timestamp(entry.pop("time"), "x-death[%d].time" % index)
    return entry


def check_long(value, what):
    """The field was encoded as a signed 64-bit 'l' (pika decodes it to its long)."""
    check(isinstance(value, amqp_long),
          "%s: expected an 'l' (long) field, got %r" % (what, value))


def queue_gone(connection, name):
    """True when a passive declare says 404 (a passive declare also counts as
    'use' for x-expires, so call it only once per check)."""
    channel = connection.channel()
    try:
        channel.queue_declare(queue=name, passive=True)
    except exceptions.ChannelClosedByBroker as err:
        check_eq(err.reply_code, 404, "passive declare of %s" % name)
        return True
    channel.close()
    return False


def props(**kwargs):
    return pika.BasicProperties(**kwargs)
