#!/usr/bin/env bash
# Check a Lambda zip the only way possible without Docker or AWS: unpack it into an
# empty directory and run its bootstrap in one-shot mode with nothing but the bundled
# libraries (and glibc) on the library path.
#   scripts/test-lambda-zip.sh BOOTSTRAP REQUEST.json EXPECTED-SUBSTRING [--module LIB.so]...
# (--module: passed to package-lambda.sh; the module's libraries are checked too.)
set -euo pipefail
bootstrap=${1:?}; request=${2:?}; expect=${3:?}
shift 3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/letsdata-zip.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$here/package-lambda.sh" "$bootstrap" "$work/function.zip" "$@"
mkdir "$work/task"
(cd "$work/task" && unzip -q ../function.zip)
# LD_LIBRARY_PATH names only the bundle: a library missing from it cannot be found
# elsewhere through the path (the system directories hold glibc, which Lambda has too).
out=$(cd "$work/task" && env -i LD_LIBRARY_PATH="$work/task/lib" ./bootstrap invoke "$request")
echo "$out" | grep -qF "$expect" || { echo "test-lambda-zip: unexpected answer: $out" >&2; exit 1; }
# Every non-glibc library the bootstrap resolves must come from the bundle.
outside=$(cd "$work/task" && for f in ./bootstrap lib/*.so*; do env -i LD_LIBRARY_PATH="$work/task/lib" ldd "$f"; done | awk '/=> \// {print $3}' | grep -v "^$work/task/lib/" | grep -vE '/(libc|libm|libdl|libpthread|librt|libresolv|ld-linux)[^/]*$' || true)
[ -z "$outside" ] || { echo "test-lambda-zip: libraries resolved outside the zip: $outside" >&2; exit 1; }
echo "test-lambda-zip: bootstrap from the zip answered with its bundled libraries only"
