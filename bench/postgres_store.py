"""A local PostgreSQL server for the bench's pg columns, durable as shipped.

Started once per bench invocation with the tests' own script (tests/support/postgres_server.sh:
initdb into a temporary directory as an unprivileged user, a loopback port) and
HOOKHOST_PG_DURABLE=1, so PostgreSQL keeps its defaults fsync=on and synchronous_commit=on:
the bench refuses to measure if either is off. Each column gets a fresh database; stop()
removes the server and its data (bench.py calls it in a `finally`, so also on failure and
ctrl-C), keeping the server's log next to the other logs.
"""

import glob
import os
import shutil
import subprocess
import time

from procs import BenchError

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SCRIPT = os.path.join(ROOT, "tests", "support", "postgres_server.sh")


def bin_dir():
    """The newest /usr/lib/postgresql/*/bin that has a server, or None."""
    found = [path for path in glob.glob("/usr/lib/postgresql/*/bin")
             if os.access(os.path.join(path, "pg_ctl"), os.X_OK) and os.access(os.path.join(path, "psql"), os.X_OK)]
    return max(found, key=lambda path: [int(part) for part in path.split("/")[-2].split(".") if part.isdigit()],
               default=None)


def missing():
    if bin_dir() is None:
        return ("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl; "
                "scripts/install-deps.sh --test installs postgresql)")
    return None


class PostgresServer:
    def __init__(self, workdir):
        self.workdir = workdir
        self.state_dir = os.path.join(workdir, "postgres")
        self.psql_binary = os.path.join(bin_dir(), "psql")
        self.admin_url = None
        self.settings = {}

    def start(self):
        """Starts the server (stop() cleans up even when this fails half-way)."""
        env = dict(os.environ, HOOKHOST_PG_DURABLE="1")
        started = subprocess.run([SCRIPT, "start", self.state_dir], capture_output=True, text=True, env=env,
                                 timeout=180)
        if started.returncode != 0:
            raise BenchError(f"PostgreSQL did not start: {started.stderr.strip()}")
        with open(os.path.join(self.state_dir, "url"), encoding="utf-8") as f:
            self.admin_url = f.read().strip()
        self.settings = {name: self.query(self.admin_url, f"SHOW {name}")
                         for name in ("server_version", "fsync", "synchronous_commit", "wal_sync_method",
                                      "full_page_writes")}
        if self.settings["fsync"] != "on" or self.settings["synchronous_commit"] != "on":
            raise BenchError(f"PostgreSQL is not durable: {self.settings}")

    def query(self, url, sql):
        done = subprocess.run([self.psql_binary, "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                              capture_output=True, text=True, timeout=120, cwd="/")
        if done.returncode != 0:
            raise BenchError(f"psql {sql!r}: {done.stderr.strip()}")
        return done.stdout.strip()

    def create_database(self, name):
        """A fresh database `name`; returns its URL, what data.url takes."""
        self.query(self.admin_url, f"DROP DATABASE IF EXISTS {name}")
        self.query(self.admin_url, f"CREATE DATABASE {name}")
        return self.admin_url.rsplit("/", 1)[0] + "/" + name

    def wal_counters(self, settle_s=2.0):
        """pg_stat_wal's cumulative counters (the whole server; only the bench uses it). Backends
        publish their statistics at most once a second once idle, hence the pause before."""
        time.sleep(settle_s)
        row = self.query(self.admin_url, "SELECT wal_records, wal_bytes, wal_write, wal_sync FROM pg_stat_wal")
        records, wal_bytes, writes, syncs = (int(value) for value in row.split("|"))
        return {"records": records, "bytes": wal_bytes, "writes": writes, "syncs": syncs}

    def stop(self):
        datadir_file = os.path.join(self.state_dir, "datadir")
        if os.path.exists(datadir_file):
            with open(datadir_file, encoding="utf-8") as f:
                log = os.path.join(f.read().strip(), "server.log")
            if os.path.exists(log):
                shutil.copyfile(log, os.path.join(self.workdir, "postgres-server.log"))
        stopped = subprocess.run([SCRIPT, "stop", self.state_dir], capture_output=True, text=True, timeout=180)
        if stopped.returncode != 0:
            print(f"warning: stopping PostgreSQL: {stopped.stderr.strip()}", flush=True)
