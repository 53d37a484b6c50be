"""adnanh/webhook in the bench: one hook that runs `python3 webhook_handler.py '<payload>'`
and answers with the command's output, so an HTTP answer means the work is done."""

import json
import os

import workload
from procs import BenchError, Process, eventually, free_port, peak_rss_mb, port_open, run_loadgen

HERE = os.path.dirname(os.path.abspath(__file__))


class Webhook:
    def __init__(self, workdir):
        hooks = [{
            "id": "summary",
            "execute-command": "/usr/bin/python3",
            "command-working-directory": HERE,
            "include-command-output-in-response": True,
            "pass-arguments-to-command": [
                {"source": "string", "name": os.path.join(HERE, "webhook_handler.py")},
                {"source": "entire-payload"},
            ],
        }]
        hooks_file = os.path.join(workdir, "webhook-hooks.json")
        with open(hooks_file, "w", encoding="utf-8") as f:
            json.dump(hooks, f)
        self.payload_file = os.path.join(workdir, "webhook-payload.json")
        with open(self.payload_file, "w", encoding="utf-8") as f:
            json.dump(workload.sample_payload(), f)
        self.port = free_port()
        self.process = Process("webhook", ["webhook", "-hooks", hooks_file, "-ip", "127.0.0.1",
                                           "-port", str(self.port)], workdir)

        def ready():
            if not self.process.alive():
                raise BenchError(f"webhook exited at start:\n{self.process.text()[-2000:]}")
            return port_open(self.port)

        eventually(ready, 30, what="webhook to listen")

    def run(self, loadgen, events, connections):
        result = run_loadgen(loadgen, self.port, "/hooks/summary", self.payload_file, events, connections,
                             expect=workload.EXPECTED)
        if result["good"] != events:
            raise BenchError(f"webhook: {result['good']} of {events} calls answered with the summary: "
                             f"{result['statuses']} {result['first_bad_body']}")
        return result

    def stop(self):
        self.process.stop(grace=10)


def measure(loadgen, workdir, sizes):
    peer = Webhook(workdir)
    try:
        peer.run(loadgen, sizes["warmup"], sizes["connections"])
        burst = peer.run(loadgen, sizes["events"], sizes["connections"])
        figures = {"events": sizes["events"], "elapsed_s": burst["elapsed_s"],
                   "throughput": sizes["events"] / burst["elapsed_s"], "client_cpu_s": burst["cpu_s"]}
        waited = peer.run(loadgen, sizes["latency"], 1)
        figures.update(p50_ms=waited["p50_ms"], p99_ms=waited["p99_ms"])
        figures["rss_host_mb"] = peak_rss_mb(peer.process.pid)
        figures["rss_worker_mb"] = None  # a process per call; nothing stays warm
        return figures
    finally:
        peer.stop()
