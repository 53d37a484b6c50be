#!/usr/bin/env bash
# A throwaway PostgreSQL server on a loopback port for the tests: the `postgres` CTest
# fixture runs `postgres_server.sh start|stop STATE_DIR`. `start` writes STATE_DIR/url
# (postgresql://hookhost@127.0.0.1:PORT/postgres) and STATE_DIR/datadir; `stop` removes
# the server, its data and the state files.
#
# The tests run with fsync=off (a throwaway server need not survive a crash). The bench
# measures a durable store: HOOKHOST_PG_DURABLE=1 keeps PostgreSQL's defaults (fsync=on,
# synchronous_commit=on).
set -euo pipefail

usage() { echo "usage: $0 start|stop STATE_DIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
action=$1
state_dir=$2

fail() { echo "postgres_server.sh: $*" >&2; exit 1; }

# PostgreSQL refuses to run as root, so root hands the server to an unprivileged user.
run_as=()
if [[ $(id -u) -eq 0 ]]; then
  user=nobody
  id -u postgres >/dev/null 2>&1 && user=postgres
  run_as=(runuser -u "$user" --)
fi
# The server user may not be able to enter the caller's working directory.
cd /

bin_dir=$(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
[[ -x "$bin_dir/pg_ctl" ]] || fail "no PostgreSQL server under /usr/lib/postgresql/*/bin; install it with scripts/install-deps.sh --test"

pg_ctl() { "${run_as[@]}" "$bin_dir/pg_ctl" "$@"; }

running() { [[ -d "$1" ]] && pg_ctl status -D "$1" >/dev/null 2>&1; }

stop_server() {
  local data_dir=""
  [[ -f "$state_dir/datadir" ]] && data_dir=$(<"$state_dir/datadir")
  if [[ -n "$data_dir" && -d "$data_dir" ]]; then
    # fast first; immediate if a backend ignores it, so no server outlives the fixture.
    pg_ctl stop -D "$data_dir" -m fast -w -t 30 >/dev/null 2>&1 ||
      pg_ctl stop -D "$data_dir" -m immediate -w -t 30 >/dev/null 2>&1 || true
    rm -rf -- "$data_dir"
  fi
  rm -f -- "$state_dir/url" "$state_dir/datadir"
}

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_server() {
  if [[ -f "$state_dir/datadir" ]] && running "$(<"$state_dir/datadir")" && [[ -f "$state_dir/url" ]]; then
    echo "PostgreSQL already running: $(<"$state_dir/url")"
    return
  fi
  stop_server  # a stale state from a server that died: start over
  mkdir -p -- "$state_dir"

  local data_dir
  data_dir=$(mktemp -d /tmp/hookhost-pg.XXXXXX)
  [[ ${#run_as[@]} -gt 0 ]] && chown "$user:" "$data_dir"
  if ! "${run_as[@]}" "$bin_dir/initdb" -D "$data_dir" -A trust -U hookhost --no-sync -E UTF8 --locale=C \
      >"$data_dir.initdb.log" 2>&1; then
    cat "$data_dir.initdb.log" >&2
    rm -rf -- "$data_dir" "$data_dir.initdb.log"
    fail "initdb failed"
  fi
  rm -f -- "$data_dir.initdb.log"
  # Written now so that `stop` cleans up even when the start below fails.
  echo "$data_dir" >"$state_dir/datadir"

  # The port is free when picked but may be taken before the server binds it: retry.
  local durability="-c fsync=off"
  [[ "${HOOKHOST_PG_DURABLE:-0}" == 1 ]] && durability=""
  local port
  for _ in 1 2 3; do
    port=$(free_port)
    if pg_ctl start -D "$data_dir" -w -t 60 -l "$data_dir/server.log" \
        -o "-h 127.0.0.1 -p $port -k $data_dir $durability -c max_connections=300" >/dev/null; then
      echo "postgresql://hookhost@127.0.0.1:$port/postgres" >"$state_dir/url"
      echo "PostgreSQL started: $(<"$state_dir/url") (data in $data_dir)"
      return
    fi
    running "$data_dir" && break  # up but not answering in time: not a port clash
  done
  echo "--- server log ($data_dir/server.log) ---" >&2
  tail -n 40 "$data_dir/server.log" >&2 || true
  stop_server
  fail "the PostgreSQL server did not start"
}

case "$action" in
  start) start_server ;;
  stop) stop_server ;;
  *) usage ;;
esac
