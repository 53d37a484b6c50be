#!/usr/bin/env bash
# Installs the peers the benchmark measures hookhost against (Celery with Redis, and
# adnanh/webhook), and the PostgreSQL server of its PostgreSQL columns, from Debian, only
# those missing.
set -euo pipefail

packages=(python3-celery python3-redis redis-server webhook postgresql)

exec "$(dirname "$0")/../scripts/install-missing.sh" "${packages[@]}"
