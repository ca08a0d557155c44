"""A Celery application for the end-to-end test (tests/e2e/celery.test.ts):
the broker URL and the queue name come from the environment, results travel
back over Celery's rpc:// backend (replies published to a per-client queue
that Celery declares with x-expires; the worker's remote-control queues use
x-message-ttl and x-expires too)."""
import os

from celery import Celery

app = Celery(
    "warren_e2e",
    broker=os.environ["WARREN_CELERY_BROKER_URL"],
    backend="rpc://",
)
app.conf.update(
    task_default_queue=os.environ.get("WARREN_CELERY_QUEUE", "celery"),
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
    broker_connection_max_retries=3,
    # a hung broker fails the test instead of hanging it
    broker_transport_options={"max_retries": 3},
    worker_prefetch_multiplier=1,
)


@app.task
def add(x, y):
    return x + y


@app.task
def fail(message):
    raise ValueError(message)
