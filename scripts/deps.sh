#!/usr/bin/env bash
# Installs the Debian 12 packages raftsim builds with, and nothing when all are present.
# Idempotent: `apt-get update` runs only when something is missing. Extra package names given as
# arguments are installed too (scripts/test adds what only the tests need).
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  libboost-dev                                   # Boost.Asio (header-only)
  zlib1g-dev                                     # CRC-32 of log records
  libprotobuf-dev protobuf-compiler              # wire types
  libgrpc++-dev protobuf-compiler-grpc           # real-world transport
  libssl-dev openssl                             # TLS: certificate checks; test certificates
  libfmt-dev libyaml-cpp-dev libcli11-dev nlohmann-json3-dev
  libabsl-dev                                    # flat hash sets (exploration's coverage)
  libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
  python3                                        # the example external node and its tests
)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "raftsim: installing missing Debian packages: ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
