#!/usr/bin/env bash
# Installs the peers the benchmark measures hookhost against (Celery with Redis, and
# adnanh/webhook), from Debian, only those missing.
set -euo pipefail

packages=(python3-celery python3-redis redis-server webhook)

exec "$(dirname "$0")/../scripts/install-missing.sh" "${packages[@]}"
