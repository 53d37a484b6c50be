"""Fixtures for the Python client's tests.

`server` starts the real hookhost (HOOKHOST_BIN) on a free loopback port with a fresh data
directory, creates users through `hookhost user add`, and stops it at the end. Tests that
need it are skipped when HOOKHOST_BIN is not set (the ctest registration always sets it).
"""

import json
import os
import queue
import re
import subprocess
import sys
import threading
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "plugin-sdk", "python"))

START_TIMEOUT_S = 30
LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")


class Server:
    def __init__(self, binary, workdir):
        self.binary = binary
        self.workdir = workdir
        self.config = os.path.join(workdir, "hookhost.json")
        self.data_dir = os.path.join(workdir, "var")
        os.makedirs(self.data_dir)
        with open(self.config, "w") as f:
            json.dump({}, f)
        self.env = dict(os.environ, HOOKHOST_HTTP_PORT="0", HOOKHOST_DATA_DIR=self.data_dir)
        self.process = None
        self.endpoint = None
        self.lines = []

    def add_user(self, name, role):
        done = subprocess.run(
            [self.binary, "user", "add", name, "--email", name + "@example.com", "--role", role,
             "--config", self.config],
            env=self.env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, "user add failed: %s %s" % (done.stdout, done.stderr)
        key = done.stdout.strip()
        assert key and "\n" not in key, "user add printed more than a key: %r" % done.stdout
        return key

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "serve", "--config", self.config], env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines = queue.Queue()
        for stream in (self.process.stdout, self.process.stderr):
            threading.Thread(target=self._pump, args=(stream, lines), daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while self.endpoint is None:
            left = deadline - time.monotonic()
            if left <= 0 or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("hookhost did not report listening within %ss:\n%s"
                                   % (START_TIMEOUT_S, "".join(self.lines[-50:])))
            try:
                line = lines.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            match = LISTENING.search(line)
            if match:
                self.endpoint = match.group(1)

    def _pump(self, stream, lines):
        for line in stream:
            self.lines.append(line)
            lines.put(line)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def started_server(tmp_path_factory, env=None):
    """A started Server with one user per role; `env` adds settings (HOOKHOST_…)."""
    binary = os.environ.get("HOOKHOST_BIN")
    if not binary:
        pytest.skip("HOOKHOST_BIN is not set (the path of the hookhost executable)")
    if not os.access(binary, os.X_OK):
        pytest.fail("HOOKHOST_BIN=%s is not an executable" % binary)
    server = Server(binary, str(tmp_path_factory.mktemp("hookhost")))
    server.env.update(env or {})
    server.keys = {
        "admin": server.add_user("admin", "admin"),
        "alice": server.add_user("alice", "user"),
        "bob": server.add_user("bob", "user"),
        "publisher": server.add_user("publisher", "publisher"),
    }
    server.start()
    return server


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    server = started_server(tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def server_with(tmp_path_factory):
    """server_with(env) -> a server of the module's own with those settings."""
    servers = []

    def make(env):
        servers.append(started_server(tmp_path_factory, env))
        return servers[-1]
    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def connect(server):
    """connect(user) -> a Connection to the test server with that user's key."""
    from hookhost import Connection

    def make(user="alice"):
        return Connection(server.endpoint, server.keys[user])
    return make
