"""hookhost in the bench: one fresh host (own data dir, port 0) per variant.

Variants: "python" (the workload as a sandboxed Python handler, warm workers), "plugin-isolated"
(the bundled comtrade_summary plugin in the sandboxed plugin worker) and "plugin-inproc" (the
same plugin trusted, run in the host's process). Everything stays durable: SQLite with the
host's own settings, and every handler has notify addresses, so every job queues a mail.
"""

import datetime
import json
import os
import re
import subprocess
import time

import workload
from procs import BenchError, Process, RssSampler, eventually, http_json, median, peak_rss_mb, run_loadgen

PLUGIN = "comtrade_summary"
SUCCEEDED = '"state":"SUCCEEDED"'


def _epoch(rfc3339):
    return datetime.datetime.strptime(rfc3339, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


class Hookhost:
    def __init__(self, binary, workdir, variant):
        self.variant = variant
        self.workdir = workdir
        data_dir = os.path.join(workdir, f"hookhost-{variant}")
        os.makedirs(data_dir)
        env = {k: v for k, v in os.environ.items() if not k.startswith("HOOKHOST_")}
        env.update(HOOKHOST_HTTP_PORT="0", HOOKHOST_DATA_DIR=data_dir)
        if variant == "plugin-inproc":
            env["HOOKHOST_PLUGINS_TRUSTED"] = PLUGIN
        self.process = Process(f"hookhost-{variant}", [binary, "serve"], workdir, env=env)

        def started():
            if not self.process.alive():
                raise BenchError(f"hookhost exited at start:\n{self.process.text()[-2000:]}")
            port = re.search(r"listening on http://127\.0\.0\.1:(\d+)", self.process.text())
            key = re.search(r"(hh_[0-9a-f]+_[0-9a-f]+)", self.process.text("out"))
            return port and key and (int(port.group(1)), key.group(1))

        self.port, key = eventually(started, 30, what="hookhost to listen")
        self.auth = f"Authorization: Bearer {key}"
        self.headers = {"Authorization": f"Bearer {key}"}

    def request(self, method, path, body=None, timeout=60):
        return http_json(self.port, method, path, body, self.headers, timeout)

    def register(self, name, tag, salt=""):
        body = {"name": name, "hook": "ctingress.on_complete", "tags": [tag],
                "notify_on_success": "bench-ok@example.com", "notify_on_failure": "bench-failed@example.com"}
        if self.variant == "python":
            body.update(runtime="python", code=workload.pickled_handler(salt))
        else:
            body.update(runtime="plugin", plugin=f"{PLUGIN}/summary")
        status, reply = self.request("POST", "/v1/handlers", body)
        if status not in (200, 201):
            raise BenchError(f"registering {name}: {status} {reply}")

    def event_file(self, tag):
        path = os.path.join(self.workdir, f"event-{self.variant}-{tag}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"hook": "ctingress.on_complete", "payload": workload.sample_payload(), "tags": [tag]}, f)
        return path

    def jobs_after(self, cursor):
        """Every job with an id above `cursor`, paged through the API."""
        jobs = []
        for _ in range(100000):
            status, page = self.request("GET", f"/v1/jobs?limit=1000&after={cursor}")
            if status != 200:
                raise BenchError(f"GET /v1/jobs: {status} {page}")
            jobs += page["jobs"]
            if not page["jobs"] or page["next"] is None:
                return jobs
            cursor = page["next"]
        raise BenchError("GET /v1/jobs did not end")

    def idle(self):
        for state in ("QUEUED", "RUNNING"):
            status, page = self.request("GET", f"/v1/jobs?state={state}&limit=1")
            if status != 200 or page["jobs"]:
                return False
        return True

    def burst(self, loadgen, events, connections, tag="bench"):
        """Fires `events` at once over `connections` and waits for all: first fire to last
        completion, taken from the jobs' own finished_at."""
        jobs = self.jobs_after(0)
        cursor = max((job["job_id"] for job in jobs), default=0)
        fired = run_loadgen(loadgen, self.port, "/v1/events", self.event_file(tag), events, connections,
                            [self.auth], '"event_id"')
        if fired["good"] != events:
            raise BenchError(f"hookhost {self.variant}: {fired['good']} of {events} fires accepted: "
                             f"{fired['statuses']} {fired['first_bad_body']}")
        eventually(self.idle, max(60, events / 20), interval=0.1, what=f"{events} jobs to finish")
        jobs = self.jobs_after(cursor)
        done = [job for job in jobs if job["state"] == "SUCCEEDED"]
        if len(jobs) != events or len(done) != events:
            raise BenchError(f"hookhost {self.variant}: {len(done)} of {events} jobs succeeded "
                             f"({len(jobs)} created); e.g. {next((j for j in jobs if j['state'] != 'SUCCEEDED'), None)}")
        last = max(_epoch(job["finished_at"]) for job in done)
        elapsed = last - fired["start_real"]
        return {"events": events, "elapsed_s": elapsed, "throughput": events / elapsed,
                "fire_rate": events / fired["elapsed_s"], "client_cpu_s": fired["cpu_s"]}

    def latency(self, loadgen, events):
        """Events fired one at a time, each answered when its job is done (?wait=30)."""
        waited = run_loadgen(loadgen, self.port, "/v1/events?wait=30", self.event_file("bench"), events, 1,
                             [self.auth], SUCCEEDED)
        if waited["good"] != events:
            raise BenchError(f"hookhost {self.variant}: {waited['good']} of {events} waited fires succeeded: "
                             f"{waited['statuses']} {waited['first_bad_body']}")
        return {"p50_ms": waited["p50_ms"], "p99_ms": waited["p99_ms"]}

    def cold_start(self, repeats):
        """Register a new Python handler, then fire its first event and wait for the result."""
        times = []
        for i in range(repeats):
            tag = f"cold{i}"
            event = self.event_file(tag)
            with open(event, encoding="utf-8") as f:
                body = f.read()
            begin = time.monotonic()
            self.register(f"cold-{i}", tag, salt=f"cold-{i}-{time.time()}")
            status, reply = self.request("POST", "/v1/events?wait=30", body)
            times.append((time.monotonic() - begin) * 1000)
            if status != 202 or not reply.get("done") or reply["jobs"][0]["state"] != "SUCCEEDED":
                raise BenchError(f"cold start {i}: {status} {reply}")
        return median(times)

    def worker_sampler(self):
        """Samples the sandboxed workers (python3 or the plugin worker) below the host."""
        return RssSampler(self.process.pid, ("python3",) if self.variant == "python" else ("hookhost-plugin",))

    def stop(self):
        code = self.process.stop()
        if code != 0:
            print(f"warning: hookhost {self.variant} exited {code} on SIGTERM", flush=True)
        return code


def bare_python_import_dill_ms(repeats):
    times = []
    for _ in range(repeats):
        begin = time.monotonic()
        subprocess.run(["/usr/bin/python3", "-c", "import dill"], check=True, timeout=60)
        times.append((time.monotonic() - begin) * 1000)
    return median(times)


def measure(binary, loadgen, workdir, variant, sizes):
    host = Hookhost(binary, workdir, variant)
    try:
        host.register("bench", "bench")
        # Warm: the first burst starts the sandboxed workers, which the measured runs reuse.
        host.burst(loadgen, sizes["warmup"], sizes["connections"])
        sampler = host.worker_sampler()
        try:
            figures = host.burst(loadgen, sizes["events"], sizes["connections"])
            figures.update(host.latency(loadgen, sizes["latency"]))
        finally:
            worker_peak = sampler.stop()
        figures["rss_worker_mb"] = None if variant == "plugin-inproc" else worker_peak
        if variant == "python":
            figures["cold_start_ms"] = host.cold_start(sizes["cold"])
        figures["rss_host_mb"] = peak_rss_mb(host.process.pid)
        return figures
    finally:
        host.stop()
