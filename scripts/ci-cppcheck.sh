#!/usr/bin/env bash
# Static analysis with cppcheck over the library, runtime, runner, testing kit and
# examples; any finding fails.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cppcheck >/dev/null || { echo "ci-cppcheck: cppcheck is not installed" >&2; exit 1; }
cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability,performance \
  --inline-suppr --suppress=missingIncludeSystem -D__GNUC__ -D_GNU_SOURCE \
  -I include -I lib -I runtime -I runner -I cli -I examples -I aws -I spark \
  lib runtime runner cli testing examples aws $( [ -d spark ] && echo spark)
echo "ci-cppcheck: no findings"
