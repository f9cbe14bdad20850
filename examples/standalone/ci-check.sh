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

# Deploy with the installed commands: the bootstrap (linked to the installed shared
# runtime) as a Lambda zip, run from the zip with its bundled libraries only; and as a
# container image of letsdata-runtime + the handler library, run inside its own bare root.
echo "$request" > request.json
LD_LIBRARY_PATH="$prefix/lib" "$prefix/bin/letsdata-package-lambda" ./bootstrap function.zip
"$prefix/bin/letsdata-test-lambda-zip" function.zip request.json '"words":3'
"$prefix/bin/letsdata-package-image" --runtime "$prefix/bin/letsdata-runtime" \
  --handler build/libword_count_handler.so --output image.tar
mkdir image && tar -xf image.tar -C image
layer=$(python3 -c 'import json,sys; i=json.load(open("image/index.json")); m=i["manifests"][0]["digest"].split(":")[1]; print(json.load(open("image/blobs/sha256/"+m))["layers"][0]["digest"].split(":")[1])')
mkdir rootfs && tar -xzf "image/blobs/sha256/$layer" -C rootfs && cp request.json rootfs/tmp/
unshare_user=()
[ "$(id -u)" -eq 0 ] || unshare_user=(--user --map-root-user)
out=$(env -i LD_LIBRARY_PATH=/var/runtime/lib unshare ${unshare_user[@]+"${unshare_user[@]}"} --mount --fork \
  unshare --root="$PWD/rootfs" --wd=/var/task /var/runtime/letsdata-runtime \
  --handler /var/task/libword_count_handler.so invoke /tmp/request.json)
echo "$out" | grep -q '"words":3' || { echo "standalone: unexpected answer from the image: $out" >&2; exit 1; }
echo "standalone: meson and Makefile builds pass their tests; handler answers via the installed runtime and bootstrap, from a Lambda zip and from an image's bare root"
