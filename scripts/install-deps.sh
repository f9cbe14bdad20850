#!/usr/bin/env bash
# Install the Debian 12 packages the SDK needs to build, test and run its demo.
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --ci     also the CI gates' tools (clang, valgrind, cppcheck, ...)
# Does nothing when everything is already installed; uses sudo when not root.
# DuckDB (for libletsdata-spark) is not a Debian package: scripts/install-duckdb.sh
# fetches it with npm pack (installing Debian's npm only when no npm is on PATH).
set -euo pipefail

packages=(
  gcc libc6-dev meson ninja-build pkg-config python3
  libjansson-dev libcurl4-openssl-dev libmicrohttpd-dev libcmocka-dev zlib1g-dev uuid-dev
  libdeflate-dev libisal-dev libzstd-dev
  curl zip unzip patchelf binutils
  umoci skopeo ca-certificates util-linux
  libssl-dev libexpat1-dev python3-botocore
)
if [ "${1:-}" = "--ci" ]; then
  packages+=(clang libclang-rt-14-dev valgrind cppcheck cmake)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get -o DPkg::Lock::Timeout=600 update -q
$sudo apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
