"""The Python clients side by side (issue 22): what a data engineer firing from Python sees.

"python-client": hookhost's own client (plugin-sdk/python, hookhost.eventproc) against a
fresh host with the workload as a sandboxed Python handler (as the "python" column). One
client thread fires the throughput run in batches of 100 with fire_many, then waits for all
the jobs with wait_all (GET /v1/jobs?ids=…&wait=, 1,000 ids a call); one at a time it calls
fire(…, wait=30) (POST /v1/events?wait=), which answers once the job is done.

"celery-client": Celery's client in one process against the same Celery set-up as the
"celery" column: a delay() loop then the results joined (ResultSet.get), a group
(group(…).apply_async().get()), and one at a time delay().get().

Both throughputs are taken by the client: first call → all results in hand.
"""

import os
import sys
import time

import workload
from hookhost_peer import Hookhost
from procs import BenchError, median, percentile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "plugin-sdk", "python"))

BATCH = 100
HOOK = "ctingress.on_complete"


def _client_burst(conn, events, payload):
    from hookhost.eventproc import fire_many, wait_all

    start, cpu = time.monotonic(), time.process_time()
    ids = []
    for first in range(0, events, BATCH):
        fired = fire_many(conn, HOOK, [payload] * min(BATCH, events - first), tags=["bench"])
        ids += [job["job_id"] for event in fired for job in event["jobs"]]
    fired_at = time.monotonic()
    jobs = wait_all(conn, ids, timeout=max(60, events / 20))
    end = time.monotonic()
    wrong = [job for job in jobs if job["state"] != "SUCCEEDED" or job["result"] != workload.EXPECTED]
    if len(jobs) != events or wrong:
        raise BenchError(f"python client: {len(jobs)} jobs for {events} events, e.g. {wrong[:1]}")
    return {"events": events, "elapsed_s": end - start, "throughput": events / (end - start),
            "fire_rate": events / (fired_at - start), "client_cpu_s": time.process_time() - cpu}


def _client_latency(conn, events, payload):
    from hookhost.eventproc import fire

    times = []
    for _ in range(events):
        begin = time.monotonic()
        answer = fire(conn, HOOK, payload, tags=["bench"], wait=30)
        times.append((time.monotonic() - begin) * 1000)
        if not answer.get("done") or answer["jobs"][0]["result"] != workload.EXPECTED:
            raise BenchError(f"python client: fire(wait=30) answered {answer}")
    return {"p50_ms": median(times), "p99_ms": percentile(times, 0.99)}


def measure_hookhost(binary, workdir, sizes):
    from hookhost import Connection

    # Its own folder: the python column's host uses workdir/hookhost-python in the same run.
    clientdir = os.path.join(workdir, "python-client")
    os.makedirs(clientdir, exist_ok=True)
    host = Hookhost(binary, clientdir, "python")
    try:
        host.register("bench", "bench")
        conn = Connection(f"127.0.0.1:{host.port}", host.key)
        payload = workload.sample_payload()
        _client_burst(conn, sizes["warmup"], payload)  # starts the warm workers
        figures = _client_burst(conn, sizes["events"], payload)
        figures.update(_client_latency(conn, sizes["latency"], payload))
        figures["batch"] = BATCH
        return figures
    finally:
        host.stop()


def _celery_burst(peer, events, as_group):
    from celery import group
    from celery.result import ResultSet

    start, cpu = time.monotonic(), time.process_time()
    if as_group:
        pending = group(peer.task.s(peer.payload) for _ in range(events)).apply_async()
    else:
        pending = ResultSet([peer.task.delay(peer.payload) for _ in range(events)])
    fired_at = time.monotonic()
    results = pending.get(timeout=max(60, events / 20))
    end = time.monotonic()
    if len(results) != events or any(result != peer.expected for result in results):
        raise BenchError(f"celery client: {len(results)} results for {events} tasks")
    return {"throughput": events / (end - start), "fire_rate": events / (fired_at - start),
            "client_cpu_s": time.process_time() - cpu}


def measure_celery(workdir, cores, sizes):
    import celery_peer

    own = os.path.join(workdir, "celery-client")  # beside the "celery" column's redis dir
    os.makedirs(own)
    peer = celery_peer.Celery(own, cores)
    try:
        _celery_burst(peer, sizes["warmup"], as_group=False)
        figures = _celery_burst(peer, sizes["events"], as_group=False)
        figures["events"] = sizes["events"]
        figures["group_throughput"] = _celery_burst(peer, sizes["events"], as_group=True)["throughput"]
        figures.update(peer.latency(sizes["latency"]))
        return figures
    finally:
        peer.stop()


def targets(results, cell):
    """(text, measured, goal, met) for the targets of issue 22."""
    mine, theirs = results.get("python-client", {}), results.get("celery-client", {})
    best = max((theirs.get(k) or 0 for k in ("throughput", "group_throughput")), default=0)
    through = mine.get("throughput") / best if mine.get("throughput") and best else None
    p50 = mine.get("p50_ms") / theirs["p50_ms"] if mine.get("p50_ms") and theirs.get("p50_ms") else None
    return [
        (f"Python client in batches of {BATCH} throughput / Celery's Python client "
         f"(the better of delay() loop and group, {cell(best or None, 0)} events/s) ≥ 5×", through, 5,
         None if through is None else through >= 5),
        ("Python client fire(wait=) p50 / Celery delay().get() ≤ 1×", p50, 1, None if p50 is None else p50 <= 1),
    ]
