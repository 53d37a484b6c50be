#!/usr/bin/env bash
# Installs those of the given Debian packages that are missing, so a second run costs
# nothing: `scripts/install-missing.sh PACKAGE…`. Needs root (or sudo) on Debian 12.
set -euo pipefail

missing=()
for package in "$@"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
echo "installing: ${missing[*]}" >&2
"${sudo_cmd[@]}" apt-get update -qq
# RUNLEVEL=1: a package that ships a service (redis-server) is installed, not started; what
# needs a server here starts its own on a loopback port.
DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
