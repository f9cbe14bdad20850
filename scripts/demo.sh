#!/usr/bin/env bash
# The README's demo: install what is missing, build, and run the example Common Crawl
# WET parser over the sample crawl file with the local runner, then serve one request
# the way LetsData invokes a handler on AWS Lambda.
#   scripts/demo.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
scripts/install-deps.sh
# libletsdata-spark's engine: DuckDB, pinned and checksummed, from the npm registry.
duckdb_dir=$(scripts/install-duckdb.sh --print-dir)
spark_options=(-Dspark=enabled "-Dduckdb_dir=$duckdb_dir")
if [ -f "$build/build.ninja" ]; then
  meson configure "$build" "${spark_options[@]}" >/dev/null
else
  meson setup "$build" --werror "${spark_options[@]}" >/dev/null
fi
ninja -C "$build" >/dev/null

runtime="$build/cli/letsdata-runtime"
handlers="$build/examples/libletsdata-examples.so"
out=$(mktemp -d /tmp/letsdata-demo.XXXXXX)

echo "== 1. The example WET parser over examples/data/sample.warc.wet.gz (two gzip members,"
echo "      one warcinfo record, five conversion records; one has no text)"
echo "\$ letsdata-runtime --handler libletsdata-examples.so run --continue-on-error --output $out examples/data/sample.warc.wet.gz"
"$runtime" --handler "$handlers" run --continue-on-error --output "$out" examples/data/sample.warc.wet.gz 2>&1
echo
echo "-- documents.jsonl (what the write destination receives), first two, shortened:"
head -n 2 "$out/documents.jsonl" | cut -c1-220
echo "-- errors.jsonl (what the error destination receives):"
cut -c1-300 "$out/errors.jsonl"
echo
echo "== 2. One invocation as on AWS Lambda: getRecordStartPattern"
request='{"requestId":"demo-1","interface":"SingleFileParser","function":"getRecordStartPattern","letsdataAuth":{"tenantId":"t","userId":"u","datasetName":"demo","datasetId":"d"},"data":{"s3FileType":"WET"}}'
echo "\$ echo '$request' | letsdata-runtime --handler libletsdata-examples.so invoke"
echo "$request" | "$runtime" --handler "$handlers" invoke
echo
echo "Results are in $out. Next: docs/getting-started.md; run the tests with scripts/test.sh."
