#!/usr/bin/env bash
# Build the SDK (with -Werror) and run the whole test suite: the README's test command.
#   scripts/test.sh [BUILD_DIR] [extra meson test arguments...]
# Installs missing Debian packages first (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build}
shift || true
scripts/install-deps.sh
[ -f "$build/build.ninja" ] || meson setup "$build" --werror >/dev/null
ninja -C "$build"
status=0
meson test -C "$build" --num-processes 2 --print-errorlogs "$@" || status=$?
python3 scripts/test-summary.py "$build/meson-logs/testlog.json" || true
exit $status
