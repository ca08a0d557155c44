# Connects over TLS (amqps) with pika, optionally presenting a client
# certificate, and round-trips one message. Prints "ok" or the failure.
import ssl
import sys

import pika

host, port, ca, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.create_default_context(cafile=ca)
if cert != "-":
    ctx.load_cert_chain(cert, key)
params = pika.ConnectionParameters(
    "localhost", port, ssl_options=pika.SSLOptions(ctx, "localhost"), socket_timeout=5, blocked_connection_timeout=5
)
try:
    conn = pika.BlockingConnection(params)
except Exception as e:  # noqa: BLE001 - the test reads the outcome
    print("refused", type(e).__name__)
    sys.exit(3)
ch = conn.channel()
ch.queue_declare("tls-hello", auto_delete=False)
ch.basic_publish("", "tls-hello", b"over tls")
method, props, body = ch.basic_get("tls-hello", auto_ack=True)
conn.close()
if body != b"over tls":
    print("wrong body", body)
    sys.exit(1)
print("ok")
