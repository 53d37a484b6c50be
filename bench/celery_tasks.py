"""The bench's Celery app: the workload as a task, Redis as broker and result backend
(BENCH_REDIS_URL). Started as `celery -A celery_tasks worker --pool=prefork`."""

import os

from celery import Celery

import workload

app = Celery("bench", broker=os.environ["BENCH_REDIS_URL"], backend=os.environ["BENCH_REDIS_URL"])
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                worker_hijack_root_logger=False, broker_connection_retry_on_startup=True)


@app.task(name="bench.summarise")
def summarise(payload):
    return workload.summarise(**payload)
