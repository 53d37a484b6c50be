#!/usr/bin/env bash
# The side-by-side benchmark of issue 8 (and hookhost on PostgreSQL with one and two hosts,
# issue 7), in one command:
#
#   bench/run.sh            install the peers if missing, build hookhost (Release) and the load
#                           generator, measure hookhost (on SQLite, and on PostgreSQL with one and
#                           with two hosts), Celery and webhook, print the table
#   bench/run.sh --quick    smoke run (what scripts/test.sh runs): small counts, skips a peer
#                           whose package is missing, uses an already built tree if there is one
#
# Options: --build DIR (the hookhost build tree; default build-bench, or for --quick the
# first of build, build-bench that has bin/hookhost), --json FILE (raw figures), --only LIST
# (some of python,plugin-isolated,plugin-inproc,plugin-inproc-filter,pg-1host,pg-2hosts,celery,webhook,python-client,celery-client).
# Exits non-zero only when the harness itself fails, never for a missed target.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

quick=0
build=""
json=""
only=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --build) build=$2; shift ;;
    --json) json=$2; shift ;;
    --only) only=$2; shift ;;
    *) echo "usage: bench/run.sh [--quick] [--build DIR] [--json FILE] [--only LIST]" >&2; exit 2 ;;
  esac
  shift
done

if [[ -z "$build" ]]; then
  build="$root/build-bench"
  if [[ $quick -eq 1 ]]; then
    for candidate in "$root/build" "$root/build-bench"; do
      if [[ -x "$candidate/bin/hookhost" ]]; then build=$candidate; break; fi
    done
  fi
fi

if [[ $quick -eq 0 ]]; then
  "$root/bench/install-peers.sh"
fi

if [[ $quick -eq 0 || ! -x "$build/bin/hookhost" ]]; then
  "$root/scripts/install-deps.sh"
  if [[ ! -f "$build/CMakeCache.txt" ]]; then
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DHOOKHOST_TESTS=OFF > "$build.configure.log" 2>&1 || {
      cat "$build.configure.log" >&2
      exit 1
    }
  fi
  cmake --build "$build" -j "$(nproc)" --target hookhost
fi

loadgen="$build/bench/hh-loadgen"
if [[ ! -x "$loadgen" || "$root/bench/loadgen.cpp" -nt "$loadgen" ]]; then
  mkdir -p "$build/bench"
  g++ -std=c++20 -O2 -Wall -Wextra -pthread "$root/bench/loadgen.cpp" -o "$loadgen"
fi

args=(--hookhost "$build/bin/hookhost" --loadgen "$loadgen")
[[ $quick -eq 1 ]] && args+=(--quick)
[[ -n "$json" ]] && args+=(--json "$json")
[[ -n "$only" ]] && args+=(--only "$only")
exec /usr/bin/python3 "$root/bench/bench.py" "${args[@]}"
