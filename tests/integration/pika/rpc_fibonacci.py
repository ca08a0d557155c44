"""Seed "RPC远程过程调用" / "十一：通过rabbitmq实现rpc": the server consumes
rpc_queue (basic_qos(prefetch_count=1), manual ack) and answers to
props.reply_to through the default exchange, copying props.correlation_id;
the client (FibonacciRpcClient) declares an exclusive server-named callback
queue, publishes with reply_to + correlation_id, and loops on
connection.process_data_events() until the matching response arrives.
Seed 001's "add" server (sum of the numbers in the body) runs alongside.
"""
import threading
import time
import uuid

import pika

from common import Cleanup, check, check_eq, connect, fail, ok, setup, uniq

host, port = setup()
cleanup = Cleanup(host, port)
rpc_queue = cleanup.queue(uniq("rpc_queue"))
add_queue = cleanup.queue(uniq("add_queue"))


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def add(data):
    total = 0
    for x in data:
        try:
            total += int(x)
        except ValueError:
            pass
    return total


class Server(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.stop = False
        self.ready = threading.Event()
        self.error = None
        self.handled = 0

    def run(self):
        try:
            connection = connect(host, port)
            channel = connection.channel()
            channel.queue_declare(queue=rpc_queue)
            channel.queue_declare(queue=add_queue)

            def on_request(ch, method, props, body):
                n = int(body)
                response = fib(n)
                ch.basic_publish(exchange="", routing_key=props.reply_to,
                                 properties=pika.BasicProperties(
                                     correlation_id=props.correlation_id),
                                 body=str(response))
                ch.basic_ack(delivery_tag=method.delivery_tag)
                self.handled += 1

            def on_add(ch, method, props, body):
                res = add(body.split())
                ch.basic_publish(exchange="", routing_key=props.reply_to,
                                 properties=pika.BasicProperties(
                                     correlation_id=props.correlation_id),
                                 body=str(res))
                ch.basic_ack(delivery_tag=method.delivery_tag)
                self.handled += 1

            channel.basic_qos(prefetch_count=1)
            channel.basic_consume(queue=rpc_queue, on_message_callback=on_request)
            channel.basic_consume(queue=add_queue, on_message_callback=on_add)
            self.ready.set()
            while not self.stop:
                connection.process_data_events(time_limit=0.05)
            connection.close()
        except Exception as err:  # pylint: disable=broad-except
            self.error = err
            self.ready.set()


class FibonacciRpcClient(object):
    def __init__(self):
        self.connection = connect(host, port)
        self.channel = self.connection.channel()
        result = self.channel.queue_declare(queue="", exclusive=True)
        self.callback_queue = result.method.queue
        self.channel.basic_consume(queue=self.callback_queue,
                                   on_message_callback=self.on_response,
                                   auto_ack=True)
        self.response = None
        self.corr_id = None
        self.ignored = 0

    def on_response(self, ch, method, props, body):
        if self.corr_id == props.correlation_id:
            self.response = body
        else:
            self.ignored += 1

    def call(self, n, queue=rpc_queue):
        self.response = None
        self.corr_id = str(uuid.uuid4())
        self.channel.basic_publish(
            exchange="", routing_key=queue,
            properties=pika.BasicProperties(reply_to=self.callback_queue,
                                            correlation_id=self.corr_id),
            body=str(n))
        deadline = time.monotonic() + 5
        while self.response is None:
            if time.monotonic() > deadline:
                fail("no RPC response for %r" % (n,))
            self.connection.process_data_events(time_limit=0.05)
        return self.response


server = Server()
try:
    server.start()
    server.ready.wait(10)
    if server.error:
        fail("rpc server failed: %r" % server.error)

    fibonacci_rpc = FibonacciRpcClient()
    check(fibonacci_rpc.callback_queue.startswith("amq.gen-"),
          "callback queue %r" % fibonacci_rpc.callback_queue)
    for n in (0, 1, 2, 10, 20):
        check_eq(int(fibonacci_rpc.call(n)), fib(n), "fib(%d)" % n)

    # a stray reply with another correlation_id is ignored by the client
    fibonacci_rpc.channel.basic_publish(
        exchange="", routing_key=fibonacci_rpc.callback_queue, body="stray",
        properties=pika.BasicProperties(correlation_id="not-mine"))
    check_eq(int(fibonacci_rpc.call(15)), 610, "fib(15) after a stray reply")
    check_eq(fibonacci_rpc.ignored, 1, "stray replies ignored")

    # seed 001: client.send(1, 3, 5) against the add server
    check_eq(fibonacci_rpc.call("1 3 5", add_queue), b"9", "add 1 3 5")
    check_eq(fibonacci_rpc.call("2 4 6", add_queue), b"12", "add 2 4 6")

    # a second client gets only its own answers
    other = FibonacciRpcClient()
    check(other.callback_queue != fibonacci_rpc.callback_queue,
          "clients share a callback queue")
    check_eq(int(other.call(12)), 144, "second client fib(12)")
    check_eq(int(fibonacci_rpc.call(7)), 13, "first client fib(7)")
    check_eq(other.ignored, 0, "second client saw foreign replies")
    other.connection.close()
    fibonacci_rpc.connection.close()
    check_eq(server.handled, 10, "requests handled by the server")
    ok("rpc: fibonacci and add over reply_to/correlation_id")
finally:
    server.stop = True
    server.join(5)
    cleanup.run()
