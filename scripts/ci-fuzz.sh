#!/usr/bin/env bash
# Build the libFuzzer targets with clang (ASan+UBSan) and run each for FUZZ_SECONDS
# (default 60), seeded from the conformance vectors. Fails on any crash or report.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
vectors=${LD_CONFORMANCE_DIR:-$PWD/../shared/conformance}
build=build-ci-fuzz
[ -f "$build/build.ninja" ] || CC=clang meson setup "$build" -Dfuzzing=true -Dtests=disabled \
  -Db_lundef=false --buildtype=debugoptimized >/dev/null
ninja -C "$build" fuzz/fuzz_dispatch fuzz/fuzz_document fuzz/fuzz_matcher fuzz/fuzz_text >/dev/null

corpus=$(mktemp -d /tmp/letsdata-fuzz.XXXXXX)
trap 'rm -rf "$corpus"' EXIT
mkdir -p "$corpus/dispatch" "$corpus/document" "$corpus/matcher" "$corpus/text"
# Seeds: every request and response of the vectors, and the bad requests' bodies.
for dir in skeleton examples examples-more; do
  for f in "$vectors/$dir"/*.request.json; do cp "$f" "$corpus/dispatch/$dir-$(basename "$f")"; done
  for f in "$vectors/$dir"/*.response.json; do cp "$f" "$corpus/document/$dir-$(basename "$f")"; done
done
python3 - "$vectors/bad-requests.jsonl" "$corpus/dispatch" <<'PY'
import base64, json, sys
for i, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    with open(f"{sys.argv[2]}/bad-{i}", "wb") as f:
        f.write(base64.b64decode(json.loads(line)["body_b64"]))
PY
printf '\x0aWARC/1.0\r\nWARC/1.0\r\nxWARC/1.0\r\n' > "$corpus/matcher/seed"
printf '\x14\xaeG\xe1z\x14\x1b@caf\xc3\xa9 \xe2\x82 \xed\xa0\x80 \xf0\x9f\x98\x80' > "$corpus/text/seed"

total=0
for target in dispatch document matcher text; do
  log="$corpus/$target.log"
  if ! "$build/fuzz/fuzz_$target" -max_total_time="$seconds" -dict=fuzz/json.dict \
        -max_len=16384 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$corpus/$target" >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "ci-fuzz: fuzz_$target FAILED" >&2
    exit 1
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{print $2}' | tail -1 || true)
  [ -n "$execs" ] || execs=$(grep -oE '#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
  echo "ci-fuzz: fuzz_$target: ${execs:-?} executions in ${seconds}s, no crash"
  total=$((total + ${execs:-0}))
done
echo "ci-fuzz: $total executions in all"
