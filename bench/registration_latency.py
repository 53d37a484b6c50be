"""Registration latency with the load check (issue 20), measured with its peer in one run:
the registration of a Python handler loads its pickle in a new sandboxed worker, so it should
cost about one cold start; the bound is 2 x a warm run's p50 plus one cold start.

    build/bin/hookhost must exist;  /usr/bin/python3 bench/registration_latency.py [build/bin/hookhost]

Prints one JSON object: register_p50_ms, warm_run_p50_ms, cold_run_p50_ms, cold_start_ms
(cold run minus warm run), bound_ms and within_bound. A fresh host (own data dir, port 0);
cold runs use a host whose idle workers are reaped after 1 s.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import workload  # noqa: E402
from procs import Process, eventually, http_json, median  # noqa: E402

HOOK = "ctingress.on_complete"
ROUNDS = 9


def start_host(binary, workdir, env_extra):
    env = dict(os.environ, HOOKHOST_HTTP_PORT="0", HOOKHOST_DATA_DIR=os.path.join(workdir, "var"), **env_extra)
    key = subprocess.run([binary, "user", "add", "bench", "--email", "b@example.com", "--role", "admin"],
                         env=env, capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    host = Process("hookhost", [binary, "serve"], workdir, env=env)
    port = eventually(lambda: re.search(r"listening on http://127\.0\.0\.1:(\d+)", host.text()), 30,
                      what="hookhost listening")
    return host, int(port.group(1)), {"Authorization": "Bearer " + key}


def register(port, auth, name, salt):
    body = {"name": name, "hook": HOOK, "runtime": "python", "notify_on_success": "", "notify_on_failure": "",
            "tags": [name], "python_version": "%d.%d" % sys.version_info[:2], "code": workload.pickled_handler(salt)}
    began = time.monotonic()
    status, answer = http_json(port, "POST", "/v1/handlers", body, auth)
    elapsed = time.monotonic() - began
    assert status == 201, answer
    return elapsed


def run_once(port, auth, tag):
    fire = {"hook": HOOK, "payload": workload.sample_payload(), "tags": [tag]}
    began = time.monotonic()
    status, answer = http_json(port, "POST", "/v1/events?wait=60", fire, auth)
    elapsed = time.monotonic() - began
    assert status == 202 and all(job["state"] == "SUCCEEDED" for job in answer["jobs"]), answer
    return elapsed


def measure(binary):
    with tempfile.TemporaryDirectory() as workdir:
        host, port, auth = start_host(binary, workdir, {})
        try:
            registrations = [register(port, auth, "reg-%d" % i, "reg-%d-%f" % (i, time.time())) for i in range(ROUNDS)]
            run_once(port, auth, "reg-0")
            warm = [run_once(port, auth, "reg-0") for _ in range(ROUNDS)]
        finally:
            host.stop()
    with tempfile.TemporaryDirectory() as workdir:
        host, port, auth = start_host(binary, workdir, {"HOOKHOST_SANDBOX_IDLE_TIMEOUT_S": "1"})
        try:
            cold = []
            for i in range(ROUNDS):
                register(port, auth, "cold-%d" % i, "cold-%d-%f" % (i, time.time()))
                time.sleep(2.5)  # the reaper stops the warm worker the check left (idle 1 s)
                cold.append(run_once(port, auth, "cold-%d" % i))
        finally:
            host.stop()
    ms = lambda seconds: round(seconds * 1000, 1)  # noqa: E731
    cold_start = max(0.0, median(cold) - median(warm))
    bound = 2 * median(warm) + cold_start
    return {"register_p50_ms": ms(median(registrations)), "warm_run_p50_ms": ms(median(warm)),
            "cold_run_p50_ms": ms(median(cold)), "cold_start_ms": ms(cold_start), "bound_ms": ms(bound),
            "within_bound": median(registrations) <= bound}


if __name__ == "__main__":
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "build", "bin", "hookhost")
    print(json.dumps(measure(os.path.abspath(binary))))
