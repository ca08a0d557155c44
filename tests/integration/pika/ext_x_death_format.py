"""The x-death header "exactly as RabbitMQ writes them", down to
field types and order, as observed on RabbitMQ 3.10.8:

- x-death is an array ('A') of tables, the most recent death first; one
  entry per (queue, reason), whose count grows instead of a new entry;
- a first death's table is [count, reason, queue, time, exchange,
  routing-keys(, original-expiration)]; count is a signed 64-bit 'l', time a
  'T' timestamp in seconds, routing-keys an array of longstrs;
- whenever RabbitMQ rewrites an existing x-death array it writes the changed
  or added entry with its fields sorted by name;
- an updated entry keeps its first time, queue and routing-keys;
- x-first-death-reason/-queue/-exchange are longstrs set once.
"""
from common import Cleanup, check, check_eq, connect, ok, setup, uniq
from ext_common import check_long, check_recent_timestamp, get_eventually, props

host, port = setup()
cleanup = Cleanup(host, port)

FIRST_ORDER = ["count", "reason", "queue", "time", "exchange", "routing-keys"]
SORTED_ORDER = ["count", "exchange", "queue", "reason", "routing-keys", "time"]

try:
    connection = connect(host, port)
    ch = connection.channel()
    work = cleanup.queue(uniq("xd-work"))
    retry = cleanup.queue(uniq("xd-retry"))
    ch.queue_declare(work, arguments={
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": retry})
    ch.queue_declare(retry, arguments={
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": work,
        "x-message-ttl": 100})
    ch.basic_publish("", work, b"job", props(expiration="60000"))

    m, p, _ = get_eventually(ch, work, auto_ack=False)
    ch.basic_reject(m.delivery_tag, requeue=False)
    # rejected from work, expired from retry, back in work
    m, p, _ = get_eventually(ch, work, auto_ack=False)
    deaths = p.headers["x-death"]
    check(isinstance(deaths, list) and len(deaths) == 2, "two entries: %r" % deaths)
    latest, first = deaths
    check_eq(list(first.keys()), FIRST_ORDER + ["original-expiration"],
             "field order of the first death's entry")
    check_eq(list(latest.keys()), SORTED_ORDER,
             "field order of an entry added to an existing x-death")
    for entry in deaths:
        check_long(entry["count"], "count")
        check_recent_timestamp(entry["time"], "time")
        check(all(isinstance(k, str) for k in entry["routing-keys"]), "routing-keys strings")
    check_eq([(d["queue"], d["reason"], d["count"]) for d in deaths],
             [(retry, "expired", 1), (work, "rejected", 1)], "most recent first")
    check_eq(first["original-expiration"], "60000", "original-expiration on the first death")
    first_time = first["time"]

    ch.basic_reject(m.delivery_tag, requeue=False)
    m, p, _ = get_eventually(ch, work, auto_ack=False)
    deaths = p.headers["x-death"]
    check_eq([(d["queue"], d["reason"], d["count"]) for d in deaths],
             [(retry, "expired", 2), (work, "rejected", 2)], "counts grow, no new entries")
    check_eq(list(deaths[0].keys()), SORTED_ORDER, "rewritten entries are sorted")
    for entry in deaths:
        check_long(entry["count"], "count after update")
    rejected = deaths[1]
    check_eq(list(rejected.keys()),
             ["count", "exchange", "original-expiration", "queue", "reason",
              "routing-keys", "time"], "sorted with original-expiration")
    check_eq(rejected["time"], first_time, "an updated entry keeps its first time")
    check_eq(rejected["routing-keys"], [work], "and its routing keys")
    check_eq((p.headers["x-first-death-reason"], p.headers["x-first-death-queue"],
              p.headers["x-first-death-exchange"]), ("rejected", work, ""),
             "x-first-death-* unchanged")
    ch.basic_ack(m.delivery_tag)
    ok("x-death format")
    connection.close()
finally:
    cleanup.run()
