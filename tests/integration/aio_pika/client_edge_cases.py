"""aio-pika sequences that found differences from RabbitMQ 3.10.

Run as `python3 client_edge_cases.py URL SCENARIO`; exits 0 when the broker
answers as RabbitMQ does, 1 with a FAIL line on stderr otherwise.

- exclusive_consumer: aio-pika's own test of exclusive consumers across two
  channels of one connection; the second consume must fail with 403 instead
  of getting consume-ok.
- rpc_close: aio-pika's RPC pattern cancels its auto-delete reply queue's
  consumer (which deletes the queue) and then unbinds it; closing must not
  raise, since unbinding a queue that is gone answers unbind-ok.
"""

import asyncio
import faulthandler
import sys
import uuid

import aio_pika
import aiormq
from aio_pika.patterns import RPC

TIMEOUT_S = 10


def fail(message):
    print("FAIL: %s" % message, file=sys.stderr, flush=True)
    sys.exit(1)


def uniq(prefix):
    return "warren-test-%s-%s" % (prefix, uuid.uuid4().hex[:8])


async def exclusive_consumer(url):
    conn = await aio_pika.connect(url, timeout=TIMEOUT_S)
    try:
        ch0 = await conn.channel()
        ch1 = await conn.channel()
        name = uniq("exclusive-consumer")
        q0 = await ch0.declare_queue(name, exclusive=True)
        q1 = await ch1.declare_queue(name, exclusive=True)
        got = asyncio.Queue()
        await q0.consume(got.put, exclusive=True, consumer_tag=uniq("tag"))
        try:
            await q1.consume(lambda m: None, exclusive=True)
        except aiormq.exceptions.ChannelAccessRefused as e:
            expected = "ACCESS_REFUSED - queue '%s' in vhost '/' in exclusive use" % name
            if expected not in str(e):
                fail("refusal text: %s" % e)
        else:
            fail("second exclusive consume on channel 2 got consume-ok")
        # the first consumer still works
        await ch0.default_exchange.publish(aio_pika.Message(b"still mine"), routing_key=name)
        message = await asyncio.wait_for(got.get(), TIMEOUT_S)
        if message.body != b"still mine":
            fail("first consumer got %r" % message.body)
        await message.ack()
    finally:
        await conn.close()


async def rpc_close(url):
    conn = await aio_pika.connect(url, timeout=TIMEOUT_S)
    try:
        ch = await conn.channel()
        rpc = await RPC.create(ch)
        method = uniq("rpc-method")

        async def double(x):
            return x * 2

        await rpc.register(method, double, auto_delete=True)
        result = await asyncio.wait_for(rpc.proxy.__getattr__(method)(x=21), TIMEOUT_S)
        if result != 42:
            fail("rpc result %r" % result)
        try:
            await rpc.close()
        except Exception as e:  # noqa: BLE001 - any error here is the bug
            fail("RPC.close() raised %s: %s" % (type(e).__name__, e))
        if ch.is_closed:
            fail("the channel was closed by the broker during RPC.close()")
    finally:
        await conn.close()


SCENARIOS = {"exclusive_consumer": exclusive_consumer, "rpc_close": rpc_close}


def main():
    faulthandler.dump_traceback_later(25, exit=True)
    if len(sys.argv) != 3 or sys.argv[2] not in SCENARIOS:
        fail("usage: %s URL {%s}" % (sys.argv[0], "|".join(SCENARIOS)))
    asyncio.run(SCENARIOS[sys.argv[2]](sys.argv[1]))


main()
