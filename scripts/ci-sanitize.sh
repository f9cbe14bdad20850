#!/usr/bin/env bash
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer, with
# libletsdata-spark (DuckDB from scripts/install-duckdb.sh; the engine itself is not
# instrumented, our code around it is).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-ci-asan
duckdb_dir=$(scripts/install-duckdb.sh --print-dir)
[ -f "$build/build.ninja" ] || meson setup "$build" --werror -Db_sanitize=address,undefined \
  -Db_lundef=false -Dspark=enabled "-Dduckdb_dir=$duckdb_dir" >/dev/null
ninja -C "$build"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
meson test -C "$build" --num-processes 2 --print-errorlogs
