#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the GoogleTest suites through
# ctest (unit, integration against the real binary, sandbox, plugins, SMTP), the same
# unit and integration suites again under AddressSanitizer + UndefinedBehaviorSanitizer,
# the Python client's pytest suite against the real server, and the benchmark's smoke run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh" --test

jobs=$(nproc)
status=0
step() { echo; echo "==> $*"; }

step "build"
"$root/scripts/build.sh" "$root/build"

step "ctest"
(cd "$root/build" && ctest --output-on-failure -j "$jobs" --timeout 600) || status=1

step "pytest: the Python client against the real server"
if [[ -d "$root/tests/python" ]]; then
  HOOKHOST_BIN="$root/build/bin/hookhost" PYTHONPATH="$root/plugin-sdk/python" \
    /usr/bin/python3 -m pytest -q "$root/tests/python" || status=1
fi

step "sanitizers: unit and integration tests under ASan + UBSan"
"$root/scripts/build.sh" "$root/build-asan" -DHOOKHOST_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug > /dev/null
(cd "$root/build-asan" && ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j "$jobs" --timeout 900 -L sanitize) || status=1

if [[ -x "$root/bench/run.sh" ]]; then
  step "benchmark smoke run"
  "$root/bench/run.sh" --quick || status=1
fi

echo
if [[ $status -eq 0 ]]; then echo "all test steps passed"; else echo "some test steps FAILED"; fi
exit $status
