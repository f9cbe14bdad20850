#!/usr/bin/env bash
# The whole test suite under valgrind memcheck: no invalid access, no definite or
# indirect leak. Children forked by the isolation tests die on purpose (SIGSEGV, abort);
# --child-silent-after-fork keeps their reports out (docs/reliability.md).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-ci-valgrind
[ -f "$build/build.ninja" ] || meson setup "$build" --werror >/dev/null
ninja -C "$build"
LD_UNDER_VALGRIND=1 meson test -C "$build" --num-processes 2 --print-errorlogs --timeout-multiplier 4 \
  --wrap='valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect --child-silent-after-fork=yes'
