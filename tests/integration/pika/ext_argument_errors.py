"""Argument validation: wrong types, out-of-range values and an
unknown x-overflow get 406 PRECONDITION_FAILED with RabbitMQ 3.10's exact
texts (pika encodes Python ints as 'I' signedint), on queue.declare and on
basic.consume's x-priority; nothing is created and the connection stays
open."""
from pika import exceptions

from common import Cleanup, check, check_eq, connect, fail, ok, setup, uniq
from ext_common import queue_gone

host, port = setup()
cleanup = Cleanup(host, port)

CASES = [
    ({"x-overflow": "bogus"}, "invalid arg 'x-overflow' for queue '%s' in vhost '/': invalid_overflow"),
    ({"x-overflow": 5}, "invalid arg 'x-overflow' for queue '%s' in vhost '/': {unacceptable_type,signedint}"),
    ({"x-message-ttl": -1}, "invalid arg 'x-message-ttl' for queue '%s' in vhost '/': {value_negative,-1}"),
    ({"x-message-ttl": "1000"},
     "invalid arg 'x-message-ttl' for queue '%s' in vhost '/': \"expected integer, got longstr\""),
    ({"x-message-ttl": True},
     "invalid arg 'x-message-ttl' for queue '%s' in vhost '/': \"expected integer, got bool\""),
    ({"x-expires": 0}, "invalid arg 'x-expires' for queue '%s' in vhost '/': {value_zero,0}"),
    ({"x-expires": -5}, "invalid arg 'x-expires' for queue '%s' in vhost '/': {value_negative,-5}"),
    ({"x-expires": "x"}, "invalid arg 'x-expires' for queue '%s' in vhost '/': \"expected integer, got longstr\""),
    ({"x-max-length": -1}, "invalid arg 'x-max-length' for queue '%s' in vhost '/': {value_negative,-1}"),
    ({"x-max-length": "10"},
     "invalid arg 'x-max-length' for queue '%s' in vhost '/': \"expected integer, got longstr\""),
    ({"x-max-length-bytes": -1},
     "invalid arg 'x-max-length-bytes' for queue '%s' in vhost '/': {value_negative,-1}"),
    ({"x-max-priority": 256}, "invalid arg 'x-max-priority' for queue '%s' in vhost '/': {max_value_exceeded,256}"),
    ({"x-dead-letter-exchange": 5},
     "invalid type 'signedint' for arg 'x-dead-letter-exchange' in queue '%s' in vhost '/'"),
    ({"x-dead-letter-routing-key": "rk"},
     "invalid arg 'x-dead-letter-routing-key' for queue '%s' in vhost '/': routing_key_but_no_dlx_defined"),
    ({"x-dead-letter-exchange": "x", "x-dead-letter-routing-key": 5},
     "invalid arg 'x-dead-letter-routing-key' for queue '%s' in vhost '/': {unacceptable_type,signedint}"),
    ({"x-single-active-consumer": "yes"},
     "invalid arg 'x-single-active-consumer' for queue '%s' in vhost '/': {unacceptable_type,longstr}"),
    ({"x-single-active-consumer": 1},
     "invalid arg 'x-single-active-consumer' for queue '%s' in vhost '/': {unacceptable_type,signedint}"),
]

try:
    connection = connect(host, port)
    for args, template in CASES:
        name = cleanup.queue(uniq("bad-args"))
        ch = connection.channel()
        try:
            ch.queue_declare(name, arguments=args)
            fail("%r accepted" % args)
        except exceptions.ChannelClosedByBroker as err:
            check_eq((err.reply_code, err.reply_text),
                     (406, "PRECONDITION_FAILED - " + template % name), repr(args))
        check(queue_gone(connection, name), "%r: no queue created" % args)
    ok("queue.declare arguments")

    ch = connection.channel()
    q = ch.queue_declare("", exclusive=True).method.queue
    try:
        ch.basic_consume(q, lambda *a: None, arguments={"x-priority": "high"})
        fail("x-priority string accepted")
    except exceptions.ChannelClosedByBroker as err:
        check_eq((err.reply_code, err.reply_text), (406,
                 "PRECONDITION_FAILED - invalid arg 'x-priority' for queue '%s' in vhost '/': "
                 "\"expected integer, got longstr\"" % q), "x-priority longstr")
    check(connection.is_open, "connection open after every channel error")
    ok("basic.consume x-priority")

    # valid values are accepted, including the boundaries
    ch = connection.channel()
    for args in ({"x-max-priority": 0}, {"x-max-priority": 255}, {"x-message-ttl": 0},
                 {"x-max-length": 0}, {"x-overflow": "drop-head"}, {"x-overflow": "reject-publish"},
                 {"x-overflow": "reject-publish-dlx"}, {"x-expires": 1},
                 {"x-single-active-consumer": False}):
        name = cleanup.queue(uniq("good-args"))
        ch.queue_declare(name, arguments=args)
    ok("valid values")
    connection.close()
finally:
    cleanup.run()
