"""Shared helpers for the pika seed scenarios.

Every scenario script is run as `python3 <script> HOST PORT` and exits 0 on
success, non-zero with a FAIL line on stderr otherwise.  The helpers keep each
script bounded in time (a watchdog kills a hung script and dumps where it
hung) and give every script its own queue/exchange names so they can share a
broker and be re-run.
"""

import faulthandler
import sys
import time
import uuid

import pika
from pika import exceptions

CONNECT_TIMEOUT = 5.0


def setup(watchdog_seconds=25):
    """Arms the watchdog and returns (host, port) from argv."""
    faulthandler.dump_traceback_later(watchdog_seconds, exit=True)
    if len(sys.argv) < 3:
        fail("usage: %s HOST PORT" % sys.argv[0])
    return sys.argv[1], int(sys.argv[2])


def params(host, port, username="guest", password="guest", **extra):
    return pika.ConnectionParameters(
        host=host,
        port=port,
        virtual_host="/",
        credentials=pika.PlainCredentials(username, password),
        connection_attempts=1,
        socket_timeout=CONNECT_TIMEOUT,
        stack_timeout=CONNECT_TIMEOUT * 2,
        blocked_connection_timeout=CONNECT_TIMEOUT,
        **extra,
    )


def connect(host, port, **extra):
    return pika.BlockingConnection(params(host, port, **extra))


def uniq(prefix):
    """A name unique to this run, e.g. warren-test-hello-1a2b3c4d."""
    return "warren-test-%s-%s" % (prefix, uuid.uuid4().hex[:8])


def fail(message):
    print("FAIL: %s" % message, file=sys.stderr, flush=True)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def check_eq(actual, expected, what):
    if actual != expected:
        fail("%s: expected %r, got %r" % (what, expected, actual))


def ok(message):
    print("OK %s" % message, flush=True)


def pump(connections, until, timeout=5.0):
    """Processes I/O on every connection until until() is true.

    Returns True when until() became true, False on timeout.
    """
    if not isinstance(connections, (list, tuple)):
        connections = [connections]
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            return False
        for conn in connections:
            conn.process_data_events(time_limit=0.02)
    return True


def eventually(probe, expected, what, timeout=3.0):
    """Calls probe() until it returns expected (for effects that a broker may
    apply asynchronously, e.g. cleanup after a connection closed)."""
    deadline = time.monotonic() + timeout
    while True:
        actual = probe()
        if actual == expected:
            return
        if time.monotonic() > deadline:
            fail("%s: expected %r, got %r (waited %.1fs)" %
                 (what, expected, actual, timeout))
        time.sleep(0.05)


def ready_count(channel, queue):
    return channel.queue_declare(queue=queue, passive=True).method.message_count


def expect_ready(channel, queue, expected, what, timeout=3.0):
    """The queue's ready-message count (passive declare) reaches expected.

    Publishes, rejects and nacks have no reply, and RabbitMQ answers the
    queue.declare stat ahead of deliveries still in the queue process's
    mailbox, so right after such an async operation the count can lag.
    """
    eventually(lambda: ready_count(channel, queue), expected, what, timeout)


def settle(connections, seconds=0.3):
    """Processes I/O for a short while (to see that nothing MORE arrives)."""
    pump(connections, lambda: False, timeout=seconds)


def expect_channel_error(action, code, text_prefix, what):
    """Runs action(); it must close the channel with (code, text_prefix...)."""
    try:
        action()
    except exceptions.ChannelClosedByBroker as err:
        if err.reply_code != code or not err.reply_text.startswith(text_prefix):
            fail("%s: expected %d %r..., got %d %r" %
                 (what, code, text_prefix, err.reply_code, err.reply_text))
        return err
    fail("%s: expected channel error %d %r..., but no error" %
         (what, code, text_prefix))


def check_channel_works(connection, what):
    """After a channel error: the connection is open and a NEW channel on it
    can declare, publish and get a message."""
    check(connection.is_open, "%s: connection closed, expected only the "
          "channel to close" % what)
    channel = connection.channel()
    queue = channel.queue_declare(queue="", exclusive=True).method.queue
    channel.basic_publish(exchange="", routing_key=queue, body=b"still works")
    method, _, body = channel.basic_get(queue, auto_ack=True)
    check(method is not None and body == b"still works",
          "%s: new channel on the same connection does not work" % what)
    channel.queue_delete(queue=queue)
    channel.close()


def queue_exists(connection, name):
    """Passive declare on a throwaway channel: True if the queue exists."""
    channel = connection.channel()
    try:
        channel.queue_declare(queue=name, passive=True)
    except exceptions.ChannelClosedByBroker as err:
        if err.reply_code == 404:
            return False
        raise
    channel.close()
    return True


class Cleanup:
    """Best-effort deletion of what a script declared, on a fresh connection."""

    def __init__(self, host, port):
        self.host = host
        self.port = port
        self.queues = []
        self.exchanges = []

    def queue(self, name):
        self.queues.append(name)
        return name

    def exchange(self, name):
        self.exchanges.append(name)
        return name

    def run(self):
        if not self.queues and not self.exchanges:
            return
        try:
            conn = connect(self.host, self.port)
        except Exception as err:  # pylint: disable=broad-except
            print("cleanup: cannot connect: %r" % err, file=sys.stderr)
            return
        try:
            for name in self.queues:
                try:
                    conn.channel().queue_delete(queue=name)
                except Exception:  # pylint: disable=broad-except
                    pass
            for name in self.exchanges:
                try:
                    conn.channel().exchange_delete(exchange=name)
                except Exception:  # pylint: disable=broad-except
                    pass
        finally:
            try:
                conn.close()
            except Exception:  # pylint: disable=broad-except
                pass
