#!/usr/bin/env bash
# Build the SDK (with -Werror) and run the whole test suite: the README's test command.
#   scripts/test.sh [BUILD_DIR] [extra meson test arguments...]
# Installs missing Debian packages first (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build}
shift || true
scripts/install-deps.sh
# libletsdata-spark's engine: DuckDB, pinned and checksummed, from the npm registry.
duckdb_dir=$(scripts/install-duckdb.sh --print-dir)
spark_options=(-Dspark=enabled "-Dduckdb_dir=$duckdb_dir")
if [ -f "$build/build.ninja" ]; then
  # --reconfigure, not `meson configure`: a build directory made before an option
  # existed must still take it.
  meson setup --reconfigure "$build" --werror "${spark_options[@]}" >/dev/null
else
  meson setup "$build" --werror "${spark_options[@]}" >/dev/null
fi
ninja -C "$build"
status=0
meson test -C "$build" --num-processes 2 --print-errorlogs "$@" || status=$?
python3 scripts/test-summary.py "$build/meson-logs/testlog.json" || true
exit $status
