#!/usr/bin/env bash
# Install the AWS Lambda Runtime Interface Emulator (RIE) - the real Runtime API that AWS
# ships for testing custom runtimes - from the Go module proxy into the cache directory,
# and print the path of the aws-lambda-rie binary. Built with CGO_ENABLED=0 so that the
# binary is static and runs inside an unpacked image root as well as on the host.
#   scripts/install-rie.sh            install if missing, print the binary's path
#   scripts/install-rie.sh --check    print the path if installed, else exit 1
# Cache: $LETSDATA_CACHE_DIR (default ${XDG_CACHE_HOME:-$HOME/.cache}/letsdata).
# Needs Go >= 1.26 (the module's go.mod asks for 1.26.6); /usr/local/go is used when
# `go` is not on PATH.
set -euo pipefail

# The module has no release tag on the proxy (v1.23.0 is not served): pin the
# pseudo-version of the commit it serves.
rie_module=github.com/aws/aws-lambda-runtime-interface-emulator
rie_version=v0.0.0-20261030222936-bef5c4ba774d
cache=${LETSDATA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/letsdata}
dir="$cache/rie-$rie_version"
binary="$dir/aws-lambda-rie"

if [ -x "$binary" ]; then
  echo "$binary"
  exit 0
fi
[ "${1:-}" = "--check" ] && exit 1

go=$(command -v go || true)
[ -n "$go" ] || { [ -x /usr/local/go/bin/go ] && go=/usr/local/go/bin/go; }
[ -n "$go" ] || { echo "install-rie: needs the Go toolchain (>= 1.26) to build $rie_module" >&2; exit 1; }
mkdir -p "$dir"
echo "install-rie: go install $rie_module/cmd/aws-lambda-rie@$rie_version" >&2
# A private GOPATH module cache under the cache dir keeps the user's own untouched.
CGO_ENABLED=0 GOBIN="$dir" GOFLAGS=-mod=mod GOPATH="$cache/go" \
  "$go" install "$rie_module/cmd/aws-lambda-rie@$rie_version" >&2
[ -x "$binary" ] || { echo "install-rie: go install did not produce $binary" >&2; exit 1; }
echo "$binary"
