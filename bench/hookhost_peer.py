"""hookhost in the bench: one fresh host (own data dir, port 0) per variant.

Variants: "python" (the workload as a sandboxed Python handler, warm workers), "plugin-isolated"
(the bundled comtrade_summary plugin in the sandboxed plugin worker) and "plugin-inproc" (the
same plugin trusted, run in the host's process). Everything stays durable: SQLite with the
host's own settings, and every handler has notify addresses, so every job queues a mail.

"plugin-inproc-filter" is "plugin-inproc" whose handler has a content filter the sample payload
matches, beside a second handler whose filter it does not match: each fire evaluates both
filters and makes one job, as in "plugin-inproc".

"pg-1host" and "pg-2hosts" are "plugin-inproc" with the store on PostgreSQL (postgres_store.py,
fsync=on, synchronous_commit=on), a fresh database each: one host, or two hosts sharing it.
With two, the load generator alternates its requests between both hosts' APIs, and the jobs
are read back through both.
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
TERMINAL = ("SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED")
POSTGRES_HOSTS = {"pg-1host": 1, "pg-2hosts": 2}
IN_PROCESS = ("plugin-inproc", "plugin-inproc-filter") + tuple(POSTGRES_HOSTS)
# The "plugin-inproc-filter" handlers' filters: one the sample payload (a failed data set)
# matches, one it does not (it is a .zip).
MATCHING_FILTER = {"DataSets": {"Success": [False], "Error": [{"prefix": "cfg"}]}, "File": [{"suffix": ".zip"}]}
MISSING_FILTER = {"File": [{"suffix": ".tar"}], "DataSets": {"Success": [False]}}


def _epoch(rfc3339):
    return datetime.datetime.strptime(rfc3339, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


class Hookhost:
    def __init__(self, binary, workdir, variant, data_url=None, key=None, index=0, settings=None):
        """`data_url`: a PostgreSQL store (else SQLite in the data dir). A host that joins a store
        which already has users prints no admin key: pass the first host's as `key`. `settings`:
        more HOOKHOST_* variables."""
        self.variant = variant
        self.workdir = workdir
        # Further hosts sharing this one's store: fires and reads go to all of them.
        self.others = []
        name = f"hookhost-{variant}" + (f"-{index + 1}" if variant in POSTGRES_HOSTS else "")
        data_dir = os.path.join(workdir, name)
        os.makedirs(data_dir)
        env = {k: v for k, v in os.environ.items() if not k.startswith("HOOKHOST_")}
        env.update(HOOKHOST_HTTP_PORT="0", HOOKHOST_DATA_DIR=data_dir)
        if data_url:
            env["HOOKHOST_DATA_URL"] = data_url
        if variant in IN_PROCESS:
            env["HOOKHOST_PLUGINS_TRUSTED"] = PLUGIN
        env.update(settings or {})
        self.process = Process(name, [binary, "serve"], workdir, env=env)

        def started():
            if not self.process.alive():
                raise BenchError(f"{name} exited at start:\n{self.process.text()[-2000:]}")
            port = re.search(r"listening on http://127\.0\.0\.1:(\d+)", self.process.text())
            printed = re.search(r"(hh_[0-9a-f]+_[0-9a-f]+)", self.process.text("out"))
            found = key or (printed and printed.group(1))
            return port and found and (int(port.group(1)), found)

        try:
            self.port, self.key = eventually(started, 30, what=f"{name} to listen")
        except BaseException:
            self.process.stop()
            raise
        self.auth = f"Authorization: Bearer {self.key}"
        self.headers = {"Authorization": f"Bearer {self.key}"}

    @property
    def hosts(self):
        return [self] + self.others

    @property
    def ports(self):
        return [host.port for host in self.hosts]

    def request(self, method, path, body=None, timeout=60):
        return http_json(self.port, method, path, body, self.headers, timeout)

    def register(self, name, tag, salt="", filter=None):
        body = {"name": name, "hook": "ctingress.on_complete", "tags": [tag],
                "notify_on_success": "bench-ok@example.com", "notify_on_failure": "bench-failed@example.com"}
        if filter is not None:
            body["filter"] = filter
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
        for turn in range(100000):
            host = self.hosts[turn % len(self.hosts)]  # the pages come from every host in turn
            status, page = host.request("GET", f"/v1/jobs?limit=1000&after={cursor}")
            if status != 200:
                raise BenchError(f"GET /v1/jobs: {status} {page}")
            jobs += page["jobs"]
            if not page["jobs"] or page["next"] is None:
                return jobs
            cursor = page["next"]
        raise BenchError("GET /v1/jobs did not end")

    def idle(self):
        for host in self.hosts:
            for state in ("QUEUED", "RUNNING"):
                status, page = host.request("GET", f"/v1/jobs?state={state}&limit=1")
                if status != 200 or page["jobs"]:
                    return False
        return True

    def mails_sent(self):
        """Mails sent (spooled) by all hosts since they started, from /metrics."""
        total = 0
        for host in self.hosts:
            status, text = http_json(host.port, "GET", "/metrics")
            # Counted per channel since webhooks (issue 19; the bench's handlers mail), without
            # a label before: the bench also measures older builds beside the current one.
            found = re.search(r'^hookhost_notifications_sent_total(?:\{channel="mail"\})? (\d+)',
                              text if status == 200 else "", re.M)
            if not found:
                raise BenchError(f"GET /metrics: {status}, no hookhost_notifications_sent_total{{channel=\"mail\"}}")
            total += int(found.group(1))
        return total

    def burst(self, loadgen, events, connections, tag="bench"):
        """Fires `events` at once over `connections` and waits for all: first fire to last
        completion, taken from the jobs' own finished_at; then for their mails, whose lag
        behind the last completion is reported too (each job's mail is part of its work)."""
        mails_before = self.mails_sent()
        jobs = self.jobs_after(0)
        cursor = max((job["job_id"] for job in jobs), default=0)
        fired = run_loadgen(loadgen, self.ports, "/v1/events", self.event_file(tag), events, connections,
                            [self.auth], '"event_id"')
        if fired["good"] != events:
            raise BenchError(f"hookhost {self.variant}: {fired['good']} of {events} fires accepted: "
                             f"{fired['statuses']} {fired['first_bad_body']}")
        jobs = []

        def finished():
            # The state filters are separate reads, between which a job can move (a retry puts
            # RUNNING back to QUEUED): they only tell when to page through the run's jobs,
            # whose terminal states are final.
            nonlocal jobs
            if not self.idle():
                return False
            jobs = self.jobs_after(cursor)
            return all(job["state"] in TERMINAL for job in jobs)
        eventually(finished, max(60, events / 20), interval=0.1, what=f"{events} jobs to finish")
        done = [job for job in jobs if job["state"] == "SUCCEEDED"]
        if len(jobs) != events or len(done) != events:
            raise BenchError(f"hookhost {self.variant}: {len(done)} of {events} jobs succeeded "
                             f"({len(jobs)} created); e.g. {next((j for j in jobs if j['state'] != 'SUCCEEDED'), None)}")
        retried = [job for job in done if job.get("attempt") != 1]
        if self.variant in POSTGRES_HOSTS and retried:
            raise BenchError(f"hookhost {self.variant}: {len(retried)} of {events} jobs ran more than once, "
                             f"e.g. {retried[0]}")
        last = max(_epoch(job["finished_at"]) for job in done)
        eventually(lambda: self.mails_sent() >= mails_before + events, 120, interval=0.05,
                   what=f"the mails of {events} jobs")
        mail_lag = max(0.0, time.time() - last)
        elapsed = last - fired["start_real"]
        self.last_burst = {"first_job": cursor + 1, "fired_per_host": fired["good_per_port"]}
        return {"events": events, "elapsed_s": elapsed, "throughput": events / elapsed,
                "fire_rate": events / fired["elapsed_s"], "client_cpu_s": fired["cpu_s"], "mail_lag_s": mail_lag}

    def latency(self, loadgen, events):
        """Events fired one at a time, each answered when its job is done (?wait=30)."""
        waited = run_loadgen(loadgen, self.ports, "/v1/events?wait=30", self.event_file("bench"), events, 1,
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
            print(f"warning: {self.process.name} exited {code} on SIGTERM", flush=True)
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
        if variant == "plugin-inproc-filter":
            host.register("bench", "bench", filter=MATCHING_FILTER)
            host.register("bench-filtered-out", "bench", filter=MISSING_FILTER)
        else:
            host.register("bench", "bench")
        # Warm: the first burst starts the sandboxed workers, which the measured runs reuse.
        host.burst(loadgen, sizes["warmup"], sizes["connections"])
        sampler = host.worker_sampler()
        try:
            figures = host.burst(loadgen, sizes["events"], sizes["connections"])
            figures.update(host.latency(loadgen, sizes["latency"]))
        finally:
            worker_peak = sampler.stop()
        figures["rss_worker_mb"] = None if variant in IN_PROCESS else worker_peak
        if variant == "python":
            figures["cold_start_ms"] = host.cold_start(sizes["cold"])
        figures["rss_host_mb"] = peak_rss_mb(host.process.pid)
        return figures
    finally:
        host.stop()


def measure_postgres(binary, loadgen, workdir, variant, sizes, postgres):
    """The in-process plugin with the store on PostgreSQL, on POSTGRES_HOSTS[variant] hosts
    sharing one fresh database. Besides the usual figures: which host ran how many jobs of
    the throughput run (every job exactly once, from the jobs' RUN history), PostgreSQL's WAL
    writes and fsyncs per event in that run and its mails (pg_stat_wal), which host ran each
    one-at-a-time event, and the hosts' log lines at Warning or worse."""
    count = POSTGRES_HOSTS[variant]
    url = postgres.create_database("hookhost_bench_" + variant.replace("-", "_"))
    first = Hookhost(binary, workdir, variant, data_url=url)

    def host_of(owner):
        """The host whose id (hostname:pid) is `owner`."""
        return next((host for host in first.hosts if owner.endswith(f":{host.process.pid}")), None)

    try:
        # One after the other: the first start of an empty store creates the admin whose key
        # every host then accepts.
        for index in range(1, count):
            first.others.append(Hookhost(binary, workdir, variant, data_url=url, key=first.key, index=index))

        def all_hosts_live():
            status, health = first.request("GET", "/health")
            return status == 200 and len(health.get("hosts", [])) == count

        eventually(all_hosts_live, 30, interval=0.2, what=f"/health to list {count} live hosts")
        first.register("bench", "bench")
        first.burst(loadgen, sizes["warmup"], sizes["connections"])

        def mails_sent():
            # Each job's mail is part of its work: the WAL it costs counts for the event.
            return postgres.query(url, "SELECT count(*) FROM notifications WHERE state = 'PENDING'") == "0"

        eventually(mails_sent, 60, interval=0.2, what="the warm-up's mails to be sent")
        before = postgres.wal_counters()
        figures = first.burst(loadgen, sizes["events"], sizes["connections"])
        eventually(mails_sent, 60, interval=0.2, what="the throughput run's mails to be sent")
        after = postgres.wal_counters()
        events = sizes["events"]
        figures.update({f"wal_{name}_per_event": (after[name] - before[name]) / events for name in before})

        ran = postgres.query(url, "SELECT (data::json)->>'host', count(*) FROM job_history WHERE kind = 'RUN' "
                                  f"AND job_id >= {first.last_burst['first_job']} GROUP BY 1")
        per_owner = dict(line.rsplit("|", 1) for line in ran.splitlines() if line)
        jobs_per_host = [sum(int(n) for owner, n in per_owner.items() if host_of(owner) == host)
                         for host in first.hosts]
        if sum(int(n) for n in per_owner.values()) != events or sum(jobs_per_host) != events:
            raise BenchError(f"hookhost {variant}: {events} jobs, but their RUN history says {per_owner}")
        figures.update(hosts=count, jobs_run_per_host=jobs_per_host,
                       fired_per_host=first.last_burst["fired_per_host"], postgres=postgres.settings)

        last_job = int(postgres.query(url, "SELECT coalesce(max(id), 0) FROM jobs"))
        figures.update(first.latency(loadgen, sizes["latency"]))
        # One connection, one event at a time, one job each: the i-th job was fired through
        # host i mod count. A `?wait` learns of another host's completion only when it polls.
        ran = postgres.query(url, "SELECT (data::json)->>'host' FROM job_history WHERE kind = 'RUN' "
                                  f"AND job_id > {last_job} ORDER BY job_id")
        owners = [host_of(owner) for owner in ran.splitlines() if owner]
        if len(owners) != sizes["latency"]:
            raise BenchError(f"hookhost {variant}: {sizes['latency']} events fired one at a time, "
                             f"{len(owners)} jobs ran")
        figures["latency_events"] = len(owners)
        figures["latency_run_elsewhere"] = sum(1 for i, owner in enumerate(owners)
                                               if owner is not first.hosts[i % count])
        figures["rss_worker_mb"] = None
        figures["rss_host_mb"] = max((peak_rss_mb(host.process.pid) or 0) for host in first.hosts)
        figures.update(cross_host_start(first, binary, loadgen, workdir, url, sizes["cross_host"], postgres))
    finally:
        for host in first.hosts:
            host.stop()
    # After the stop, so that what the hosts log while draining counts too.
    problems = [line for host in first.hosts for line in host.process.text().splitlines()
                if re.match(r"\S+ (Warning|Error|Critical|Fatal) ", line)]
    for line in problems[:5]:
        print(f"  {variant} host log: {line}", flush=True)
    figures["host_log_problems"] = len(problems)
    return figures


def cross_host_start(first, binary, loadgen, workdir, url, events, postgres):
    """Events fired one at a time (each waited for) to one more host on the store, which runs
    no jobs (dispatch.workers 0), so that the column's hosts run them: the p50 of created_at
    (the fire's transaction) to started_at (the claim's), both on the database's clock. It is
    how soon a host starts work another host committed (issue 17): at its next idle poll
    (dispatch.poll_interval), or when the commit's NOTIFY wakes it. The extra host joins
    `first.others`, so it stops, and its log is read, with the column's hosts."""
    api_only = Hookhost(binary, workdir, first.variant, data_url=url, key=first.key, index=len(first.hosts),
                        settings={"HOOKHOST_DISPATCH_WORKERS": "0"})
    first.others.append(api_only)
    last_job = int(postgres.query(url, "SELECT coalesce(max(id), 0) FROM jobs"))
    waited = run_loadgen(loadgen, [api_only.port], "/v1/events?wait=30", first.event_file("bench"), events, 1,
                         [first.auth], SUCCEEDED)
    if waited["good"] != events:
        raise BenchError(f"hookhost {first.variant}: {waited['good']} of {events} events fired to the host "
                         f"without workers succeeded: {waited['statuses']} {waited['first_bad_body']}")
    delays = postgres.query(url, f"SELECT started_at - created_at FROM jobs WHERE id > {last_job} ORDER BY id")
    delays_ms = [int(micros) / 1000 for micros in delays.splitlines() if micros]
    if len(delays_ms) != events:
        raise BenchError(f"hookhost {first.variant}: {events} events fired to the host without workers, "
                         f"{len(delays_ms)} jobs")
    return {"cross_host_events": events, "cross_host_start_p50_ms": median(delays_ms),
            "cross_host_start_max_ms": max(delays_ms)}
