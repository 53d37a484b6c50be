#!/usr/bin/env bash
# Installs what is missing, builds, and runs the host on its embedded defaults: SQLite in
# ./var, mail spooled to ./var/mail, the bundled hook catalog and plugins. The first start
# prints the URL and an admin API key (shown once). Extra arguments go to `hookhost serve`
# (e.g. --config conf/hookhost.json).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
# Its own build folder, without the tests, so it never waits for the test build (build/).
"$root/scripts/build.sh" "$root/build-run" -DHOOKHOST_TESTS=OFF
cd "$root"
exec "$root/build-run/bin/hookhost" serve "$@"
