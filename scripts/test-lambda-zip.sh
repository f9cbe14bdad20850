#!/usr/bin/env bash
# letsdata-test-lambda-zip: check a Lambda zip without AWS or Docker. Unpacks it into an
# empty directory, runs its bootstrap in one-shot mode on REQUEST.json with an empty
# environment and only the zip's lib/ on the library path, and checks that
#   - the answer contains EXPECTED (a substring of the response envelope),
#   - every library the bootstrap and the zip's libraries load comes from the zip
#     (glibc excepted: Lambda provides it),
#   - every object in the zip needs at most GLIBC_2.34 (Amazon Linux 2023).
#
#   letsdata-test-lambda-zip FUNCTION.zip|BOOTSTRAP REQUEST.json EXPECTED [--module LIB.so]...
#                            [--max-glibc X.Y|none]
#
# Given a BOOTSTRAP instead of a zip, packages it first with letsdata-package-lambda
# (passing it the --module and --max-glibc options).
# For the whole Runtime API round trip, run the zip under the AWS Lambda Runtime
# Interface Emulator (docs/deploy.md).
set -euo pipefail
prog=letsdata-test-lambda-zip
[ $# -ge 3 ] || { echo "usage: $prog FUNCTION.zip|BOOTSTRAP REQUEST.json EXPECTED [--module LIB.so]..." >&2; exit 2; }
input=$1 request=$2 expect=$3
shift 3
max_glibc=2.34
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[$i]}" = --max-glibc ] && max_glibc=${args[$((i + 1))]:-2.34}
done
here=$(cd "$(dirname "$0")" && pwd)
sibling() { for n in "$@"; do [ -x "$here/$n" ] && { echo "$here/$n"; return; }; done; echo "$prog: cannot find $1 beside $0" >&2; exit 2; }
[ -f "$request" ] || { echo "$prog: $request: no such file" >&2; exit 2; }
case "$request" in /*) ;; *) request="$PWD/$request" ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/letsdata-zip.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [[ "$input" == *.zip ]]; then
  [ -f "$input" ] || { echo "$prog: $input: no such file" >&2; exit 2; }
  for a in "$@"; do [ "$a" != --module ] || { echo "$prog: --module goes with a BOOTSTRAP, not a zip" >&2; exit 2; }; done
  cp "$input" "$work/function.zip"
else
  "$(sibling letsdata-package-lambda package-lambda.sh)" "$input" "$work/function.zip" "$@"
fi
mkdir "$work/task"
(cd "$work/task" && unzip -q ../function.zip)
[ -x "$work/task/bootstrap" ] || { echo "$prog: the zip has no executable bootstrap at its root" >&2; exit 1; }
# LD_LIBRARY_PATH names only the bundle: a library missing from it cannot be found
# elsewhere through the path (the system directories hold glibc, which Lambda has too).
out=$(cd "$work/task" && env -i LD_LIBRARY_PATH="$work/task/lib" ./bootstrap invoke "$request")
echo "$out" | grep -qF "$expect" || { echo "$prog: the answer lacks '$expect': $out" >&2; exit 1; }
outside=$(cd "$work/task" && for f in ./bootstrap lib/*.so*; do env -i LD_LIBRARY_PATH="$work/task/lib" ldd "$f"; done | awk '/=> \// {print $3}' | grep -v "^$work/task/lib/" | grep -vE '/(libc|libm|libdl|libpthread|librt|libresolv|ld-linux)[^/]*$' || true)
[ -z "$outside" ] || { echo "$prog: libraries resolved outside the zip: $outside" >&2; exit 1; }
[ "$max_glibc" = none ] || "$(sibling letsdata-check-glibc check-glibc.sh)" --max "$max_glibc" "$work/function.zip"
echo "$prog: the bootstrap from the zip answered with its bundled libraries only"
