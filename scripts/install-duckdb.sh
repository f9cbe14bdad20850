#!/usr/bin/env bash
# Fetch DuckDB 1.4.4 (the engine of libletsdata-spark) from the npm registry and unpack
# the two files the build needs into a cache directory:
#   DIR/include/duckdb.h   from duckdb@1.4.4 (package/src/duckdb/src/include/duckdb.h)
#   DIR/lib/libduckdb.so   from @duckdb/node-bindings-linux-x64@1.4.4-r.4 (package/libduckdb.so)
# Uses `npm pack` (downloads the tarballs, runs nothing from them), never `npm install`,
# and checks the pinned sha256 of both tarballs before unpacking anything.
#   scripts/install-duckdb.sh [--print-dir]
# DIR is $LETSDATA_DUCKDB_DIR, else ${XDG_CACHE_HOME:-~/.cache}/letsdata/duckdb-1.4.4.
# --print-dir prints DIR on stdout (progress goes to stderr). Nothing is done when DIR
# already holds the checked files.
set -euo pipefail

version=1.4.4
bindings_version=1.4.4-r.4
header_tgz_sha256=5bb967dcbcd517670ba5f169f238fb9d6787e53752c60ebe24386169d76941ed
lib_tgz_sha256=732fac4dc6b8f198870b9c4bb6ddf13544466daca00ad28ba2f1d80de5d7aa4b

dir=${LETSDATA_DUCKDB_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/letsdata/duckdb-$version}
print_dir=0
[ "${1:-}" = "--print-dir" ] && print_dir=1
done_marker="$dir/.checked-$header_tgz_sha256-$lib_tgz_sha256"

say() { echo "install-duckdb: $*" >&2; }
finish() { [ $print_dir -eq 1 ] && echo "$dir"; exit 0; }

if [ -f "$done_marker" ] && [ -f "$dir/include/duckdb.h" ] && [ -f "$dir/lib/libduckdb.so" ]; then
  finish
fi

if ! command -v npm >/dev/null; then
  say "npm is missing; installing Debian's npm package"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q >&2
  $sudo apt-get install -y -q --no-install-recommends npm >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/letsdata-duckdb.XXXXXX")
trap 'rm -rf "$work"' EXIT
say "fetching duckdb@$version and @duckdb/node-bindings-linux-x64@$bindings_version with npm pack"
(cd "$work" && npm pack --silent "duckdb@$version" "@duckdb/node-bindings-linux-x64@$bindings_version" >/dev/null)

check() { # FILE SHA256
  local got
  got=$(sha256sum "$1" | cut -d' ' -f1)
  if [ "$got" != "$2" ]; then
    say "checksum mismatch for $(basename "$1"): got $got, expected $2"
    exit 1
  fi
}
check "$work/duckdb-$version.tgz" "$header_tgz_sha256"
check "$work/duckdb-node-bindings-linux-x64-$bindings_version.tgz" "$lib_tgz_sha256"

tar -xzf "$work/duckdb-$version.tgz" -C "$work" package/src/duckdb/src/include/duckdb.h
tar -xzf "$work/duckdb-node-bindings-linux-x64-$bindings_version.tgz" -C "$work" package/libduckdb.so package/LICENSE

mkdir -p "$dir/include" "$dir/lib"
# Install side by side, then rename: a reader never sees a half-written file.
install -m 644 "$work/package/src/duckdb/src/include/duckdb.h" "$dir/include/duckdb.h.new"
install -m 755 "$work/package/libduckdb.so" "$dir/lib/libduckdb.so.new"
install -m 644 "$work/package/LICENSE" "$dir/LICENSE"
mv -f "$dir/include/duckdb.h.new" "$dir/include/duckdb.h"
mv -f "$dir/lib/libduckdb.so.new" "$dir/lib/libduckdb.so"
rm -f "$dir"/.checked-*
touch "$done_marker"
say "DuckDB $version in $dir"
finish
