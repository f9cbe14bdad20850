#!/usr/bin/env bash
# Build and test this project against an SDK installed under PREFIX, both with meson and
# with the Makefile, then run its handler through the installed runtime and its
# bootstrap. Used by scripts/ci-install-check.sh.
#   examples/standalone/ci-check.sh PREFIX
set -euo pipefail
prefix=${1:?usage: ci-check.sh PREFIX}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/letsdata-standalone.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r "$here"/*.c "$here"/*.h "$here"/meson.build "$here"/Makefile "$work"/
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cd "$work"

meson setup build >/dev/null
meson compile -C build >/dev/null
LD_LIBRARY_PATH="$prefix/lib" meson test -C build --print-errorlogs
LD_LIBRARY_PATH="$prefix/lib" make -s check

request='{"requestId":"r","interface":"KinesisRecordReader","function":"parseMessage","letsdataAuth":{"tenantId":"t","userId":"u","datasetName":"d","datasetId":"i"},"data":{"streamArn":"arn:aws:kinesis:us-east-1:1:stream/s","shardId":"s","partitionKey":"pk","sequenceNumber":"1","approximateArrivalTimestamp":1,"data":"hello standalone world"}}'
# The installed command needs no LD_LIBRARY_PATH (RUNPATH $ORIGIN/../lib).
out=$(echo "$request" | env -u LD_LIBRARY_PATH "$prefix/bin/letsdata-runtime" --handler ./build/libword_count_handler.so invoke)
echo "$out" | grep -q '"words":3' || { echo "standalone: unexpected answer: $out" >&2; exit 1; }
out=$(echo "$request" | LD_LIBRARY_PATH="$prefix/lib" ./bootstrap invoke)
echo "$out" | grep -q '"words":3' || { echo "standalone: unexpected bootstrap answer: $out" >&2; exit 1; }
echo "standalone: meson and Makefile builds pass their tests; handler answers via the installed runtime and bootstrap"
