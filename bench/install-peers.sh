#!/usr/bin/env bash
# Installs the peers the benchmark measures hookhost against (Celery with Redis, and
# adnanh/webhook), from Debian, only those missing, so a second run costs nothing.
# Needs root (or sudo) on Debian 12.
set -euo pipefail

packages=(python3-celery python3-redis redis-server webhook)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
echo "installing: ${missing[*]}" >&2
"${sudo_cmd[@]}" apt-get update -qq
# The bench starts its own redis on a free loopback port, so a system redis the package
# may start as a service is not in the way.
DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
