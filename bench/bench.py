"""Side-by-side benchmark of hookhost against Celery and adnanh/webhook (issue 8), and of
hookhost on PostgreSQL with one and with two hosts (issue 7).

Run it through bench/run.sh, which installs the peers, builds hookhost and the load
generator, then calls: bench.py --hookhost BIN --loadgen BIN [--quick] [--json FILE].
Prints one table of absolute figures, one of ratios hookhost / peer, the targets, and one
of the PostgreSQL columns against each other and against SQLite.
Exits 1 only when the harness could not measure (a system did not start, work was lost);
a missed target is a figure, not a failure.
"""

import argparse
import datetime
import importlib.util
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import client_peer  # noqa: E402
import hookhost_peer  # noqa: E402
import postgres_store  # noqa: E402
from procs import BenchError  # noqa: E402

FULL = {
    "python": {"warmup": 200, "events": 3000, "latency": 300, "cold": 5, "connections": 24},
    "plugin-isolated": {"warmup": 200, "events": 5000, "latency": 300, "connections": 24},
    "plugin-inproc": {"warmup": 200, "events": 10000, "latency": 300, "connections": 24},
    "plugin-inproc-filter": {"warmup": 200, "events": 10000, "latency": 300, "connections": 24},
    "pg-1host": {"warmup": 200, "events": 3000, "latency": 300, "cross_host": 100, "connections": 24},
    "pg-2hosts": {"warmup": 200, "events": 3000, "latency": 300, "cross_host": 100, "connections": 24},
    "celery": {"warmup": 100, "events": 2000, "latency": 300},
    "webhook": {"warmup": 8, "events": 200, "latency": 50, "connections": 8},
    "python-client": {"warmup": 200, "events": 3000, "latency": 300},
    "celery-client": {"warmup": 100, "events": 2000, "latency": 300},
}
QUICK = {
    "python": {"warmup": 20, "events": 100, "latency": 20, "cold": 1, "connections": 8},
    "plugin-isolated": {"warmup": 20, "events": 100, "latency": 20, "connections": 8},
    "plugin-inproc": {"warmup": 20, "events": 200, "latency": 20, "connections": 8},
    "plugin-inproc-filter": {"warmup": 20, "events": 200, "latency": 20, "connections": 8},
    "pg-1host": {"warmup": 20, "events": 200, "latency": 20, "cross_host": 10, "connections": 8},
    "pg-2hosts": {"warmup": 20, "events": 200, "latency": 20, "cross_host": 10, "connections": 8},
    "celery": {"warmup": 10, "events": 100, "latency": 20},
    "webhook": {"warmup": 2, "events": 20, "latency": 5, "connections": 4},
    "python-client": {"warmup": 20, "events": 200, "latency": 20},
    "celery-client": {"warmup": 10, "events": 100, "latency": 20},
}
PG_COLUMNS = [("pg-1host", "hookhost in-process, PostgreSQL, 1 host"),
              ("pg-2hosts", "hookhost in-process, PostgreSQL, 2 hosts")]
HOOKHOST_COLUMNS = [("python", "hookhost python"), ("plugin-isolated", "hookhost plugin isolated"),
                    ("plugin-inproc", "hookhost plugin in-process"),
                    ("plugin-inproc-filter", "hookhost plugin in-process, filtered")] + PG_COLUMNS
# The Python clients (issue 22, client_peer.py): hookhost's in batches, Celery's.
CLIENT_COLUMNS = [("python-client", "hookhost Python client, batches"), ("celery-client", "Celery Python client")]
COLUMNS = HOOKHOST_COLUMNS + [("celery", "Celery"), ("webhook", "webhook")] + CLIENT_COLUMNS


def missing_peer(name):
    if name in ("celery", "celery-client"):
        if not shutil.which("redis-server"):
            return "redis-server is not installed"
        for module in ("celery", "redis"):
            # Once imported (by an earlier column), celery's module has no __spec__ to look up.
            if module not in sys.modules and importlib.util.find_spec(module) is None:
                return f"python3-{module} is not installed"
    if name == "webhook" and not shutil.which("webhook"):
        return "webhook is not installed"
    if name in hookhost_peer.POSTGRES_HOSTS:
        return postgres_store.missing()
    return None


def measure_all(args, sizes, workdir):
    import celery_peer
    import webhook_peer

    results, skipped = {}, {}
    cores = os.cpu_count() or 1
    postgres = None  # one server for the PostgreSQL columns, started when the first one comes
    try:
        for name, _ in COLUMNS:
            if args.only and name not in args.only.split(","):
                continue
            why = missing_peer(name)
            if why:
                if not args.quick:
                    raise BenchError(f"{name}: {why} (bench/install-peers.sh installs it)")
                skipped[name] = why
                print(f"skipping {name}: {why}", flush=True)
                continue
            print(f"measuring {name} …", flush=True)
            begin = time.monotonic()
            if name == "celery":
                results[name] = celery_peer.measure(workdir, cores, sizes[name])
            elif name == "python-client":
                results[name] = client_peer.measure_hookhost(args.hookhost, workdir, sizes[name])
            elif name == "celery-client":
                results[name] = client_peer.measure_celery(workdir, cores, sizes[name])
            elif name == "webhook":
                results[name] = webhook_peer.measure(args.loadgen, workdir, sizes[name])
            elif name in hookhost_peer.POSTGRES_HOSTS:
                if postgres is None:
                    postgres = postgres_store.PostgresServer(workdir)
                    postgres.start()
                results[name] = hookhost_peer.measure_postgres(args.hookhost, args.loadgen, workdir, name,
                                                               sizes[name], postgres)
            else:
                results[name] = hookhost_peer.measure(args.hookhost, args.loadgen, workdir, name, sizes[name])
            print(f"  done in {time.monotonic() - begin:.1f} s: {json.dumps(results[name])}", flush=True)
    finally:
        if postgres is not None:
            postgres.stop()
    results["bare_import_dill_ms"] = hookhost_peer.bare_python_import_dill_ms(5 if args.quick else 11)
    return results, skipped


def cell(value, digits=1):
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def figures_table(results):
    rows = [
        ("throughput, first fire → last completion (events/s)", "throughput", 0),
        ("throughput with a Celery group (events/s)", "group_throughput", 0),
        ("events in the throughput run", "events", 0),
        ("fire rate, all accepted (events/s)", "fire_rate", 0),
        ("mails: last completion → last mail spooled (s)", "mail_lag_s", 2),
        ("latency p50, one at a time (ms)", "p50_ms", 2),
        ("latency p99, one at a time (ms)", "p99_ms", 2),
        ("cold start, register → first result (ms)", "cold_start_ms", 0),
        ("load generator / client CPU in the throughput run (s)", "client_cpu_s", 2),
        ("peak RSS, host / server (MiB)", "rss_host_mb", 1),
        ("peak RSS, one warm worker (MiB)", "rss_worker_mb", 1),
    ]
    present = [(key, title) for key, title in COLUMNS if key in results]
    lines = ["| figure | " + " | ".join(title for _, title in present) + " |",
             "|---|" + "---:|" * len(present)]
    for label, field, digits in rows:
        lines.append(f"| {label} | " + " | ".join(cell(results[key].get(field), digits) for key, _ in present) + " |")
    return "\n".join(lines)


def ratio(results, variant, peer, field):
    if variant not in results or peer not in results:
        return None
    mine, theirs = results[variant].get(field), results[peer].get(field)
    return None if not mine or not theirs else mine / theirs


def targets(results):
    """(text, measured, goal, met) for each target of issue 8, and issue 17's cross-host start."""
    out = []

    def add(text, value, goal, higher_is_better):
        met = None if value is None else (value >= goal if higher_is_better else value <= goal)
        out.append((text, value, goal, met))

    add("python throughput / Celery ≥ 3×", ratio(results, "python", "celery", "throughput"), 3, True)
    add("python p50 latency / Celery ≤ 0.5×", ratio(results, "python", "celery", "p50_ms"), 0.5, False)
    add("python throughput / webhook ≥ 30×", ratio(results, "python", "webhook", "throughput"), 30, True)
    inproc = results.get("plugin-inproc", {})
    add("plugin in-process throughput ≥ 10,000 events/s", inproc.get("throughput"), 10000, True)
    add("plugin in-process p50 latency ≤ 1 ms", inproc.get("p50_ms"), 1, False)
    add("plugin in-process throughput with filters / without ≥ 0.9×",
        ratio(results, "plugin-inproc-filter", "plugin-inproc", "throughput"), 0.9, True)
    add("plugin isolated throughput / Celery ≥ 3×", ratio(results, "plugin-isolated", "celery", "throughput"), 3, True)
    cold = results.get("python", {}).get("cold_start_ms")
    bare = results.get("bare_import_dill_ms")
    add(f"python cold start / bare `python3 -c \"import dill\"` ({cell(bare, 0)} ms) ≤ 1.5×",
        cold / bare if cold and bare else None, 1.5, False)
    add("PostgreSQL 2 hosts: cross-host start p50 ≤ 5 ms (issue 17)",
        results.get("pg-2hosts", {}).get("cross_host_start_p50_ms"), 5, False)
    if any(key in results for key, _ in CLIENT_COLUMNS):
        out += client_peer.targets(results, cell)
    return out


def postgres_table(results):
    """The PostgreSQL columns against each other and against SQLite in the same run."""
    present = [(key, title) for key, title in PG_COLUMNS if key in results]
    if not present:
        return []
    pg = results[present[0][0]]["postgres"]

    def split(values):
        return " / ".join(f"{value:,}" for value in values) if values else "—"

    def times(value):
        return "—" if value is None else f"{value:,.2f}×"

    rows = [
        ("throughput / SQLite in-process (same run)",
         lambda key: times(ratio(results, key, "plugin-inproc", "throughput"))),
        ("p50 latency / SQLite in-process",
         lambda key: times(ratio(results, key, "plugin-inproc", "p50_ms"))),
        ("throughput / 1 host (the hosts' ratio)",
         lambda key: times(ratio(results, key, "pg-1host", "throughput"))),
        ("p50 latency / 1 host", lambda key: times(ratio(results, key, "pg-1host", "p50_ms"))),
        ("events fired through each host's API (throughput run)",
         lambda key: split(results[key].get("fired_per_host"))),
        ("jobs run by each host (throughput run, each exactly once)",
         lambda key: split(results[key].get("jobs_run_per_host"))),
        ("one-at-a-time events run by another host than the one fired to",
         lambda key: f"{results[key]['latency_run_elsewhere']:,} of {results[key]['latency_events']:,}"),
        ("cross-host start p50: fired to a host without workers → started by another (ms)",
         lambda key: cell(results[key].get("cross_host_start_p50_ms"), 2)),
        ("cross-host start, slowest of the one-at-a-time events (ms)",
         lambda key: cell(results[key].get("cross_host_start_max_ms"), 1)),
        ("host log lines at Warning or worse (all hosts, whole column)",
         lambda key: cell(results[key].get("host_log_problems"), 0)),
        ("WAL fsyncs per event (throughput run)", lambda key: cell(results[key].get("wal_syncs_per_event"), 2)),
        ("WAL writes per event", lambda key: cell(results[key].get("wal_writes_per_event"), 2)),
        ("WAL records per event", lambda key: cell(results[key].get("wal_records_per_event"), 1)),
        ("WAL bytes per event", lambda key: cell(results[key].get("wal_bytes_per_event"), 0)),
    ]
    lines = ["", f"PostgreSQL {pg['server_version']} on loopback, durable: fsync={pg['fsync']}, "
                 f"synchronous_commit={pg['synchronous_commit']}, wal_sync_method={pg['wal_sync_method']}; "
                 "the trusted plugin in-process on every host, a fresh database per column", "",
             "| PostgreSQL | " + " | ".join(title for _, title in present) + " |", "|---|" + "---:|" * len(present)]
    for label, value in rows:
        lines.append(f"| {label} | " + " | ".join(value(key) for key, _ in present) + " |")
    return lines


def report(results, skipped, sizes_name):
    lines = [f"hookhost bench ({sizes_name}), {datetime.datetime.now().isoformat(timespec='seconds')}, "
             f"{os.cpu_count()} cores, Linux {platform.release()}, load average at the end "
             f"{os.getloadavg()[0]:.1f} (other work on the machine slows every column alike)", "", figures_table(results), ""]
    lines += ["| ratio hookhost / peer | vs Celery | vs webhook |", "|---|---:|---:|"]
    for variant, title in HOOKHOST_COLUMNS:
        if variant not in results:
            continue
        for field, what in (("throughput", "throughput"), ("p50_ms", "p50 latency")):
            lines.append(f"| {title}, {what} | {cell(ratio(results, variant, 'celery', field), 2)}× | "
                         f"{cell(ratio(results, variant, 'webhook', field), 2)}× |")
    lines += ["", "| target | measured | met |", "|---|---:|---|"]
    for text, value, _, met in targets(results):
        lines.append(f"| {text} | {cell(value, 2)} | {'—' if met is None else ('yes' if met else 'NO')} |")
    lines += postgres_table(results)
    for name, why in skipped.items():
        lines.append(f"\nskipped {name}: {why}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hookhost", required=True, help="the hookhost binary")
    parser.add_argument("--loadgen", required=True, help="the hh-loadgen binary (bench/loadgen.cpp)")
    parser.add_argument("--quick", action="store_true", help="smoke run: small counts, skip missing peers")
    parser.add_argument("--json", help="also write the raw figures here")
    parser.add_argument("--only", help="measure only these, comma-separated: " + ",".join(k for k, _ in COLUMNS))
    args = parser.parse_args()
    unknown = set(args.only.split(",")) - {key for key, _ in COLUMNS} if args.only else set()
    if unknown:
        parser.error(f"--only: unknown {', '.join(sorted(unknown))}; known: {','.join(k for k, _ in COLUMNS)}")
    sizes = QUICK if args.quick else FULL
    # SIGTERM unwinds like ctrl-C, so every `finally` stops what the bench started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = tempfile.mkdtemp(prefix="hookhost-bench-")
    # The sandbox user (nobody) must reach the plugin copies the host keeps in its data dir.
    os.chmod(workdir, 0o755)
    try:
        results, skipped = measure_all(args, sizes, workdir)
    except Exception as error:  # noqa: BLE001  any failure to measure is the harness failing
        traceback.print_exc()
        print(f"bench failed: {error}\n(logs kept in {workdir})", file=sys.stderr)
        return 1
    print()
    print(report(results, skipped, "quick smoke run: counts too small to judge speed" if args.quick else "full run"))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"sizes": sizes, "results": results, "skipped": skipped}, f, indent=2)
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
