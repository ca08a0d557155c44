"""Queue expiry: x-expires deletes a queue nobody uses (no
consumers, no basic.get, no redeclare) after the period, messages and all;
a consumer keeps it alive; a passive redeclare restarts the period as in
RabbitMQ (so this script never polls while it waits)."""
import time

from common import Cleanup, check_eq, connect, ok, setup, uniq
from ext_common import queue_gone

host, port = setup()
cleanup = Cleanup(host, port)

try:
    connection = connect(host, port)
    ch = connection.channel()
    idle = cleanup.queue(uniq("expires-idle"))
    used = cleanup.queue(uniq("expires-used"))
    durable = cleanup.queue(uniq("expires-durable"))
    ch.queue_declare(queue=idle, arguments={"x-expires": 300})
    ch.queue_declare(queue=durable, durable=True, arguments={"x-expires": 300})
    ch.queue_declare(queue=used, arguments={"x-expires": 300})
    ch.basic_publish("", idle, b"does not count as use")
    tag = ch.basic_consume(used, lambda *a: None, auto_ack=True)
    time.sleep(1.0)
    check_eq(queue_gone(connection, idle), True, "unused queue deleted")
    check_eq(queue_gone(connection, durable), True, "unused durable queue deleted")
    check_eq(queue_gone(connection, used), False, "a queue with a consumer stays")
    ch.basic_cancel(tag)
    time.sleep(1.0)
    check_eq(queue_gone(connection, used), True, "deleted after its consumer left")
    ok("x-expires")

    touched = cleanup.queue(uniq("expires-touched"))
    ch.queue_declare(queue=touched, arguments={"x-expires": 500})
    for _ in range(8):
        time.sleep(0.2)
        ch.queue_declare(queue=touched, passive=True)
    time.sleep(1.2)
    check_eq(queue_gone(connection, touched), True, "deleted once left alone")
    ok("redeclare restarts the period")
    connection.close()
finally:
    cleanup.run()
