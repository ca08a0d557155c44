"""Direct reply-to: the seeds' RPC (fibonacci) without a callback
queue. The client consumes the pseudo-queue amq.rabbitmq.reply-to in no-ack
mode and publishes requests with reply_to=amq.rabbitmq.reply-to; the server
sees a rewritten reply_to (amq.rabbitmq.reply-to.<token>) and answers to it
through the default exchange; the reply arrives on the client's consumer.
Misuse gets RabbitMQ's 406 texts; a reply to an unknown address is
unroutable."""
import threading
import uuid

import pika
from pika import exceptions

from common import Cleanup, check, check_eq, connect, fail, ok, pump, setup, uniq

host, port = setup()
cleanup = Cleanup(host, port)
rpc_queue = cleanup.queue(uniq("rpc_queue"))
REPLY_TO = "amq.rabbitmq.reply-to"


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


class Server(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.stop = False
        self.ready = threading.Event()
        self.error = None
        self.reply_tos = []

    def run(self):
        try:
            connection = connect(host, port)
            channel = connection.channel()
            channel.queue_declare(queue=rpc_queue)

            def on_request(ch, method, props, body):
                self.reply_tos.append(props.reply_to)
                ch.basic_publish(exchange="", routing_key=props.reply_to,
                                 properties=pika.BasicProperties(correlation_id=props.correlation_id),
                                 body=str(fib(int(body))))
                ch.basic_ack(delivery_tag=method.delivery_tag)

            channel.basic_qos(prefetch_count=1)
            channel.basic_consume(queue=rpc_queue, on_message_callback=on_request)
            self.ready.set()
            while not self.stop:
                connection.process_data_events(time_limit=0.05)
            connection.close()
        except Exception as err:  # pylint: disable=broad-except
            self.error = err
            self.ready.set()


class FibonacciRpcClient:
    def __init__(self):
        self.connection = connect(host, port)
        self.channel = self.connection.channel()
        self.channel.basic_consume(queue=REPLY_TO, on_message_callback=self.on_response,
                                   auto_ack=True)
        self.responses = {}
        self.deliveries = []

    def on_response(self, ch, method, props, body):
        self.deliveries.append(method)
        self.responses[props.correlation_id] = int(body)

    def call(self, n):
        corr_id = str(uuid.uuid4())
        self.channel.basic_publish(exchange="", routing_key=rpc_queue,
                                   properties=pika.BasicProperties(reply_to=REPLY_TO,
                                                                   correlation_id=corr_id),
                                   body=str(n))
        check(pump(self.connection, lambda: corr_id in self.responses),
              "no reply for fib(%d)" % n)
        return self.responses.pop(corr_id)


server = Server()
try:
    server.start()
    server.ready.wait(10)
    if server.error:
        fail("server: %r" % server.error)
    client = FibonacciRpcClient()
    for n in (0, 1, 10, 20):
        check_eq(client.call(n), fib(n), "fib(%d)" % n)
    check_eq(len(set(server.reply_tos)), 1, "one reply address per channel")
    address = server.reply_tos[0]
    check(address.startswith(REPLY_TO + ".") and len(address) > len(REPLY_TO) + 1,
          "rewritten reply_to: %r" % address)
    for method in client.deliveries:
        check_eq((method.exchange, method.routing_key), ("", address),
                 "reply delivered via the default exchange to the address")
    ok("RPC round trip over direct reply-to")

    # a second client on another channel gets its own address
    other = FibonacciRpcClient()
    check_eq(other.call(7), 13, "second client")
    check(server.reply_tos[-1] != address, "a different address per channel")
    other.connection.close()
    ok("per-channel addresses")

    # misuse
    conn = connect(host, port)
    ch = conn.channel()
    try:
        ch.basic_consume(queue=REPLY_TO, on_message_callback=lambda *a: None, auto_ack=False)
        fail("ack-mode reply consumer accepted")
    except exceptions.ChannelClosedByBroker as err:
        check_eq((err.reply_code, err.reply_text),
                 (406, "PRECONDITION_FAILED - reply consumer cannot acknowledge"), "ack mode")
    ch = conn.channel()
    try:
        ch.basic_publish("", rpc_queue, b"5", pika.BasicProperties(reply_to=REPLY_TO))
        ch.queue_declare(rpc_queue, passive=True)
        fail("reply_to without a reply consumer accepted")
    except exceptions.ChannelClosedByBroker as err:
        check_eq((err.reply_code, err.reply_text),
                 (406, "PRECONDITION_FAILED - fast reply consumer does not exist"), "no consumer")
    ch = conn.channel()
    ch.basic_consume(queue=REPLY_TO, on_message_callback=lambda *a: None, auto_ack=True)
    try:
        ch.basic_consume(queue=REPLY_TO, on_message_callback=lambda *a: None, auto_ack=True)
        fail("second reply consumer accepted")
    except exceptions.ChannelClosedByBroker as err:
        check_eq((err.reply_code, err.reply_text),
                 (406, "PRECONDITION_FAILED - reply consumer already set"), "twice")
    check(conn.is_open, "only the channels closed")
    ok("misuse errors")

    # replies to an address nobody owns are unroutable
    ch = conn.channel()
    ch.confirm_delivery()
    try:
        ch.basic_publish("", REPLY_TO + ".bogus", b"x", mandatory=True)
        fail("reply to a bogus address was routed")
    except exceptions.UnroutableError as err:
        check_eq(err.messages[0].method.reply_code, 312, "NO_ROUTE")
    ok("unknown reply address")
    conn.close()
    client.connection.close()
finally:
    server.stop = True
    server.join(5)
    cleanup.run()
