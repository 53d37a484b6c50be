#!/usr/bin/env bash
# Installs the Debian packages hookhost builds, runs and tests with; installs only what is
# missing, so a second run costs nothing. Needs root (or sudo) on Debian 12.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libpoco-dev libboost-dev libboost-filesystem-dev nlohmann-json3-dev libvalijson-dev
  libpq-dev libsqlite3-dev libseccomp-dev libgtest-dev
  bubblewrap python3 python3-dill python3-requests
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc  # the btrdbextras gRPC service
)
if [[ "${1:-}" == "--test" ]]; then
  # python3-numpy: the sandbox test of a handler that imports numpy (issue 20)
  packages+=(python3-pytest python3-aiosmtpd sqlite3 openssl postgresql python3-numpy)
  # python3-grpcio, python3-grpc-tools: the gRPC service's test client (issue 21)
  packages+=(python3-grpcio python3-grpc-tools)
  # the web console's tests in a real browser (issue 16)
  packages+=(chromium chromium-driver python3-selenium)
fi

exec "$(dirname "$0")/install-missing.sh" "${packages[@]}"
