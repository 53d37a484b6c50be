"""Processes for the bench: start one on loopback, wait for it, measure its memory, stop it.

Every wait is bounded in time; every process the bench starts gets its own session so that
stopping it also stops the children it started (prefork workers, sandboxes), and nothing
else.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import time


class BenchError(Exception):
    """The harness could not do what it set out to (a peer did not start, a run lost work)."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def eventually(condition, within, interval=0.01, what="condition"):
    """Polls `condition` until it returns a truthy value, for at most `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise BenchError(f"timed out after {within:.0f} s waiting for {what}")
        time.sleep(interval)


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Process:
    """One started program; its stdout and stderr go to files in `logdir`."""

    def __init__(self, name, argv, logdir, env=None, cwd=None):
        self.name = name
        self.out_path = os.path.join(logdir, f"{name}.out")
        self.err_path = os.path.join(logdir, f"{name}.err")
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.popen = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                          env=env, cwd=cwd, start_new_session=True)

    @property
    def pid(self):
        return self.popen.pid

    def text(self, which="err"):
        with open(self.err_path if which == "err" else self.out_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def alive(self):
        return self.popen.poll() is None

    def stop(self, grace=30):
        """SIGTERM, then SIGKILL to its session after `grace` seconds. Returns the exit code."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)  # its session: children it left behind
        except (ProcessLookupError, PermissionError):
            pass
        return self.popen.wait(timeout=10)


def _status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def peak_rss_mb(pid):
    """VmHWM, the peak resident set of a live process, in MiB (None once it is gone)."""
    kb = _status_kb(pid, "VmHWM")
    return None if kb is None else kb / 1024


def descendants(pid):
    """(pid, comm) of every live process below `pid`."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        parent = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(parent, []).append((int(entry), comm))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child[0])
    return found


class RssSampler:
    """Tracks the largest VmHWM among the live descendants of `root` whose name starts with
    one of `names`, sampled every `interval` seconds until stop(): workers come and go
    (recycled, reaped when idle), so one look at the end could find none."""

    def __init__(self, root, names, interval=0.2):
        import threading

        self.peak = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(root, tuple(names), interval), daemon=True)
        self._thread.start()

    def _run(self, root, names, interval):
        while True:
            for pid, comm in descendants(root):
                if comm.startswith(names):
                    mb = peak_rss_mb(pid)
                    if mb is not None and (self.peak is None or mb > self.peak):
                        self.peak = mb
            if self._stop.wait(interval):
                return

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=10)
        return self.peak


def http_json(port, method, path, body=None, headers=None, timeout=60):
    """One request on a fresh loopback connection: (status, parsed JSON or text)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = None if body is None else (body if isinstance(body, (bytes, str)) else json.dumps(body))
        connection.request(method, path, body=data,
                           headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        raw = response.read().decode("utf-8", "replace")
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, raw
    finally:
        connection.close()


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def run_loadgen(binary, port, path, body_file, requests, connections, headers=(), expect=None, timeout_s=60):
    """Runs hh-loadgen (loadgen.cpp) and returns its JSON summary. `port` may be a list: the
    requests then alternate between those ports (several hosts sharing one store)."""
    argv = [binary]
    for one in port if isinstance(port, (list, tuple)) else [port]:
        argv += ["--port", str(one)]
    argv += ["--path", path, "--body-file", body_file,
             "--requests", str(requests), "--connections", str(connections), "--timeout-s", str(timeout_s)]
    for header in headers:
        argv += ["--header", header]
    if expect:
        argv += ["--expect", expect]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s * 4 + 60)
    if done.returncode != 0:
        raise BenchError(f"hh-loadgen failed ({done.returncode}): {done.stderr.strip()}")
    return json.loads(done.stdout)
