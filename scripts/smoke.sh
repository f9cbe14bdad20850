#!/usr/bin/env bash
# The official packages' smoke test, for the C examples: start the local endpoint with
# the example handlers, POST every example request with curl to the AWS emulator's path,
# and check each answer against its expected response.
#   scripts/smoke.sh [BUILD_DIR] [PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
port=${2:-9000}
vectors=${LD_CONFORMANCE_DIR:-../shared/conformance}
runtime="$build/cli/letsdata-runtime"
module="$build/examples/libletsdata-examples.so"
[ -x "$runtime" ] && [ -f "$module" ] || { echo "smoke: build first (ninja -C $build)" >&2; exit 1; }

"$runtime" --handler "$module" serve --port "$port" --quiet &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.1
done

passed=0 failed=0
for request in "$vectors"/examples/*.request.json "$vectors"/examples-more/*.request.json; do
  expected=${request%.request.json}.response.json
  answer=$(curl -s -XPOST "http://127.0.0.1:$port/2015-03-31/functions/function/invocations" -d @"$request")
  if python3 scripts/json-match.py "$expected" <(printf '%s' "$answer"); then
    passed=$((passed + 1))
  else
    echo "smoke: FAIL $(basename "$request")" >&2
    failed=$((failed + 1))
  fi
done
echo "smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
