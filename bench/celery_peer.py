"""Celery in the bench: redis-server (broker and result backend) on a free loopback port, and a
prefork worker with concurrency = cores running the workload as a task (celery_tasks.py).

Redis runs with its packaged defaults (snapshots, no append-only file): a task Celery has
accepted is not on disk when delay() returns, unlike an event hookhost has accepted.
"""

import datetime
import importlib
import gc
import json
import multiprocessing
import os
import time

from procs import BenchError, Process, descendants, eventually, free_port, median, peak_rss_mb, percentile

HERE = os.path.dirname(os.path.abspath(__file__))


def _firer(count, ready, go, results):
    """A client process: connects (one task and its result), waits for `go`, then puts
    (start, end, CPU seconds, task ids) of `count` delay() calls on `results`."""
    import celery_tasks
    import workload

    payload = workload.sample_payload()
    celery_tasks.summarise.delay(payload).get(timeout=30)
    ready.release()
    if not go.wait(60):
        return
    start, cpu = time.time(), time.process_time()
    ids = [celery_tasks.summarise.delay(payload).id for _ in range(count)]
    results.put((start, time.time(), time.process_time() - cpu, ids))
    celery_tasks.app.close()


class Celery:
    def __init__(self, workdir, cores):
        redis_dir = os.path.join(workdir, "redis")
        os.makedirs(redis_dir)
        self.redis_port = free_port()
        self.redis = Process("redis", ["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port),
                                       "--dir", redis_dir, "--daemonize", "no"], workdir)
        self.url = f"redis://127.0.0.1:{self.redis_port}/0"
        os.environ["BENCH_REDIS_URL"] = self.url
        import celery_tasks  # noqa: E402  (reads BENCH_REDIS_URL)

        if celery_tasks.app.conf.broker_url != self.url:
            # A second Celery in one run (the client columns): an app of its own on this broker.
            celery_tasks = importlib.reload(celery_tasks)

        from celery.exceptions import TimeoutError as CeleryTimeout

        self.task = celery_tasks.summarise
        self.app = celery_tasks.app
        env = dict(os.environ, BENCH_REDIS_URL=self.url, PYTHONPATH=HERE)
        self.worker = Process("celery", ["/usr/bin/python3", "-m", "celery", "-A", "celery_tasks", "worker",
                                         "--pool=prefork", f"--concurrency={cores}", "--loglevel=WARNING",
                                         "--without-gossip", "--without-mingle", "--without-heartbeat"],
                              workdir, env=env, cwd=HERE)
        import workload

        self.payload = workload.sample_payload()
        self.expected = workload.EXPECTED

        def ready():
            if not self.worker.alive() or not self.redis.alive():
                raise BenchError(f"celery or redis exited at start:\n{self.worker.text()[-2000:]}"
                                 f"\n{self.redis.text('out')[-1000:]}")
            try:
                return self.task.delay(self.payload).get(timeout=5) == self.expected
            except CeleryTimeout:
                return False  # a worker starting on a loaded machine: ask again while `eventually` allows

        eventually(ready, 60, interval=0.1, what="the celery worker to answer")

    def burst(self, events, firers):
        """`events` delay() calls from `firers` client processes (each returns at once: they
        are all in flight together), then the time from the first delay() to the last task's
        date_done, read from the result backend. Client processes, so that the Python client
        is not what limits the figure."""
        context = multiprocessing.get_context("spawn")
        ready, go, results = context.Semaphore(0), context.Event(), context.Queue()
        shares = [events // firers + (1 if i < events % firers else 0) for i in range(firers)]
        firing = [context.Process(target=_firer, args=(share, ready, go, results)) for share in shares]
        for process in firing:
            process.start()
        try:
            for _ in firing:
                if not ready.acquire(timeout=60):
                    raise BenchError("a celery client process did not connect within 60 s")
            go.set()
            parts = [results.get(timeout=max(60, events / 100)) for _ in firing]
        finally:
            for process in firing:
                process.join(timeout=30)
                if process.is_alive():
                    process.kill()
        start = min(part[0] for part in parts)
        fire_end = max(part[1] for part in parts)
        ids = [task_id for part in parts for task_id in part[3]]
        metas = self._await_results(ids, max(60, events / 10))
        last = max(datetime.datetime.fromisoformat(meta["date_done"]) for meta in metas)
        if last.tzinfo is None:
            last = last.replace(tzinfo=datetime.timezone.utc)
        elapsed = last.timestamp() - start
        return {"events": events, "elapsed_s": elapsed, "throughput": events / elapsed,
                "fire_rate": events / (fire_end - start), "client_cpu_s": sum(part[2] for part in parts)}

    def _await_results(self, ids, within):
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.redis_port)
        waiting = {f"celery-task-meta-{task_id}" for task_id in ids}
        metas = []

        def collect():
            keys = list(waiting)
            for first in range(0, len(keys), 1000):
                chunk = keys[first:first + 1000]
                for key, raw in zip(chunk, client.mget(chunk)):
                    if raw is None:
                        continue
                    meta = json.loads(raw)
                    if meta["status"] != "SUCCESS" or meta["result"] != self.expected:
                        raise BenchError(f"celery {key}: {meta}")
                    metas.append(meta)
                    waiting.discard(key)
            return not waiting

        eventually(collect, within, interval=0.02, what=f"{len(ids)} celery results")
        client.close()
        return metas

    def latency(self, events):
        times = []
        for _ in range(events):
            begin = time.monotonic()
            if self.task.delay(self.payload).get(timeout=30) != self.expected:
                raise BenchError("celery task returned the wrong text")
            times.append((time.monotonic() - begin) * 1000)
        return {"p50_ms": median(times), "p99_ms": percentile(times, 0.99)}

    def rss(self):
        """(peak RSS of the worker's main process, of its largest prefork child)."""
        children = [peak_rss_mb(pid) for pid, _ in descendants(self.worker.pid)]
        children = [c for c in children if c is not None]
        return peak_rss_mb(self.worker.pid), max(children) if children else None

    def stop(self):
        # Pending AsyncResults unsubscribe from redis when collected: let them while it runs.
        gc.collect()
        self.app.close()
        self.worker.stop(grace=15)
        self.redis.stop(grace=10)


def measure(workdir, cores, sizes):
    peer = Celery(workdir, cores)
    try:
        # Twice as many client processes as cores, so that the Python client's own cost
        # (a redis round trip or two per delay()) does not cap what the worker can show.
        peer.burst(sizes["warmup"], 2 * cores)
        figures = peer.burst(sizes["events"], 2 * cores)
        figures.update(peer.latency(sizes["latency"]))
        figures["rss_host_mb"], figures["rss_worker_mb"] = peer.rss()
        return figures
    finally:
        peer.stop()
