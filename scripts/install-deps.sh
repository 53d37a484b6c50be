#!/usr/bin/env bash
# Installs the Debian packages hookhost builds, runs and tests with; installs only what is
# missing, so a second run costs nothing. Needs root (or sudo) on Debian 12.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libpoco-dev libboost-dev libboost-filesystem-dev nlohmann-json3-dev libvalijson-dev
  libpq-dev libsqlite3-dev libseccomp-dev libgtest-dev
  bubblewrap python3 python3-dill python3-requests
)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(python3-pytest python3-aiosmtpd sqlite3 openssl)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
echo "installing: ${missing[*]}" >&2
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
