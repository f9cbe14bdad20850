#!/usr/bin/env bash
# Build everything with gcc and with clang, -Werror, and run the tests with clang too
# (gcc is the default build of scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
duckdb_dir=$(scripts/install-duckdb.sh --print-dir)
for cc in gcc clang; do
  build=build-ci-$cc
  [ -f "$build/build.ninja" ] || CC=$cc meson setup "$build" --werror -Dspark=enabled \
    "-Dduckdb_dir=$duckdb_dir" >/dev/null
  ninja -C "$build"
  echo "ci-compilers: $cc: built with -Werror"
done
meson test -C build-ci-clang --num-processes 2 --print-errorlogs
