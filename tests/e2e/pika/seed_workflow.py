"""The seeds' pika steps against a node prepared with `ctl`.

    python3 seed_workflow.py refused URL   connecting must fail with 530 NOT_ALLOWED
    python3 seed_workflow.py publish URL   connect, declare 'hello', publish one message

URL is amqp://gdy:gdy@127.0.0.1:PORT/test as the seeds write it. Exits 0 on
success; prints a FAIL line and exits 1 otherwise. A watchdog bounds the run.
"""

import faulthandler
import sys

import pika
from pika import exceptions


def fail(message):
    print("FAIL: %s" % message, file=sys.stderr)
    sys.exit(1)


def main():
    faulthandler.dump_traceback_later(20, exit=True)
    if len(sys.argv) != 3:
        fail("usage: seed_workflow.py refused|publish URL")
    mode, url = sys.argv[1], sys.argv[2]
    params = pika.URLParameters(url)
    params.connection_attempts = 1
    params.socket_timeout = 5
    if mode == "refused":
        try:
            connection = pika.BlockingConnection(params)
        except exceptions.ConnectionClosedByBroker as e:
            print("refused %d %s" % (e.reply_code, e.reply_text))
            if e.reply_code != 530:
                fail("expected reply code 530, got %d" % e.reply_code)
            return
        except exceptions.AMQPConnectionError as e:
            # pika wraps a close during connection.open in its own error types.
            detail = " ".join(str(a) for a in e.args)
            print("refused %s: %s" % (type(e).__name__, detail))
            if "530" not in detail:
                fail("expected a 530 refusal, got %r" % (e,))
            return
        connection.close()
        fail("connection was accepted")
    elif mode == "publish":
        connection = pika.BlockingConnection(params)
        channel = connection.channel()
        channel.queue_declare(queue="hello")
        channel.basic_publish(exchange="", routing_key="hello", body=b"Hello World!")
        print(" [x] Sent 'Hello World!'")
        connection.close()
    else:
        fail("unknown mode %s" % mode)


if __name__ == "__main__":
    main()
