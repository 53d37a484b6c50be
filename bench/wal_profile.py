#!/usr/bin/env python3
"""Where the WAL of the bench's PostgreSQL column comes from (issue 17).

Runs the "pg-1host" workload as bench/hookhost_peer.py does (one host, the in-process plugin,
a fresh durable server from postgres_store.py, a warm-up whose mail is sent first), then reads
the WAL of the measured burst and its mail with pg_waldump and prints it per event: by record
kind, and by relation (table or index) and record kind. `--checkpoint` runs a CHECKPOINT just
before the burst, so the burst pays the full-page images a checkpoint costs in a long run;
`--sql STATEMENT` (repeatable) runs a statement before it, to try a schema change.

    python3 bench/wal_profile.py --hookhost build/bin/hookhost --loadgen build/bench/hh-loadgen
"""

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hookhost_peer  # noqa: E402
import postgres_store  # noqa: E402
from procs import eventually  # noqa: E402

RECORD = re.compile(r"rmgr: (\S+)\s+len \(rec/tot\):\s*(\d+)/\s*(\d+),.*?desc: (\S+)(.*)$")
BLOCK = re.compile(r"blkref #\d+: rel \d+/\d+/(\d+)(?: fork \S+)? blk \d+( FPW)?")


def relation_names(server, url):
    rows = server.query(url, "SELECT pg_relation_filenode(oid), relname FROM pg_class "
                             "WHERE pg_relation_filenode(oid) IS NOT NULL")
    return dict(line.split("|", 1) for line in rows.splitlines() if line)


def profile(records, names, events):
    by_kind, by_relation = collections.Counter(), collections.Counter()
    count_kind, count_relation = collections.Counter(), collections.Counter()
    fpi = 0
    for line in records.splitlines():
        match = RECORD.search(line)
        if not match:
            continue
        rmgr, total, desc, rest = match.group(1), int(match.group(3)), match.group(4), match.group(5)
        blocks = BLOCK.findall(rest)
        fpi += sum(1 for _, image in blocks if image)
        relation = names.get(blocks[0][0], blocks[0][0]) if blocks else "-"
        kind = f"{rmgr}/{desc}"
        by_kind[kind] += total
        count_kind[kind] += 1
        by_relation[(relation, kind)] += total
        count_relation[(relation, kind)] += 1
    total = sum(by_kind.values())
    print(f"{sum(count_kind.values()) / events:.1f} records, {total / events:.0f} bytes per event; "
          f"{fpi / events:.2f} full-page images per event")
    print("\nby record kind: records/event bytes/event")
    for kind, size in by_kind.most_common():
        print(f"  {kind:32} {count_kind[kind] / events:6.2f} {size / events:8.1f}")
    print("\nby relation and kind: records/event bytes/event")
    for (relation, kind), size in by_relation.most_common(40):
        print(f"  {relation:28} {kind:24} {count_relation[(relation, kind)] / events:6.2f} {size / events:8.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hookhost", required=True)
    parser.add_argument("--loadgen", required=True)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--checkpoint", action="store_true")
    parser.add_argument("--sql", action="append", default=[],
                        help="a statement run on the database before the burst, to try a schema change")
    parser.add_argument("--dump", help="also write pg_waldump's records of the burst to this file")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="hookhost-wal-")
    server = postgres_store.PostgresServer(workdir)
    try:
        server.start()
        url = server.create_database("hookhost_wal_profile")
        host = hookhost_peer.Hookhost(os.path.abspath(args.hookhost), workdir, "pg-1host", data_url=url)
        try:
            host.register("bench", "bench")
            loadgen = os.path.abspath(args.loadgen)
            host.burst(loadgen, 200, 24)

            def mails_sent():
                return server.query(url, "SELECT count(*) FROM notifications WHERE state = 'PENDING'") == "0"

            eventually(mails_sent, 60, interval=0.2, what="the warm-up's mails to be sent")
            for statement in args.sql:
                server.query(url, statement)
            if args.checkpoint:
                server.query(server.admin_url, "CHECKPOINT")
            start = server.query(url, "SELECT pg_current_wal_insert_lsn()")
            host.burst(loadgen, args.events, 24)
            eventually(mails_sent, 60, interval=0.2, what="the burst's mails to be sent")
            end = server.query(url, "SELECT pg_current_wal_insert_lsn()")
        finally:
            host.stop()
        with open(os.path.join(server.state_dir, "datadir"), encoding="utf-8") as f:
            wal = os.path.join(f.read().strip(), "pg_wal")
        dump = subprocess.run([os.path.join(postgres_store.bin_dir(), "pg_waldump"), "-p", wal, "-s", start, "-e", end],
                              capture_output=True, text=True, timeout=300, check=True)
        names = relation_names(server, url)
        if args.dump:
            with open(args.dump, "w", encoding="utf-8") as f:
                f.write("".join(f"{node} {name}\n" for node, name in names.items()) + dump.stdout)
        profile(dump.stdout, names, args.events)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
