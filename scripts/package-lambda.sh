#!/usr/bin/env bash
# Package a LetsData handler `bootstrap` for AWS Lambda's custom runtime
# (provided.al2023): a zip holding bootstrap at its root and, under lib/, every shared
# library it needs that is not part of the base system (glibc stays: the runtime
# provides it), in the spirit of aws-lambda-cpp's packager. The bootstrap is given an
# rpath of $ORIGIN/lib so it finds them.
#
#   scripts/package-lambda.sh BOOTSTRAP [OUTPUT.zip] [--module LIB.so]...
#
# --module adds a library the handler loads on demand (dlopen) to lib/, with the
# libraries it needs: e.g. build/examples/libletsdata-examples-spark.so, which brings
# libletsdata-spark and DuckDB's libduckdb.so for the Spark examples.
#
# Example: scripts/package-lambda.sh build/examples/bootstrap letsdata-examples.zip
set -euo pipefail

bootstrap=${1:?usage: package-lambda.sh BOOTSTRAP [OUTPUT.zip] [--module LIB.so]...}
output=lambda.zip
[ $# -ge 2 ] && [ "$2" != "--module" ] && { output=$2; shift; }
shift
modules=()
while [ $# -gt 0 ]; do
  case "$1" in
    --module) [ -f "${2:-}" ] || { echo "package-lambda: --module needs a library, got '${2:-}'" >&2; exit 1; }
              modules+=("$2"); shift 2 ;;
    *) echo "package-lambda: unknown argument $1" >&2; exit 1 ;;
  esac
done
[ -x "$bootstrap" ] || { echo "package-lambda: $bootstrap is not an executable" >&2; exit 1; }
command -v zip >/dev/null || { echo "package-lambda: needs zip (apt-get install zip)" >&2; exit 1; }
command -v patchelf >/dev/null || { echo "package-lambda: needs patchelf (apt-get install patchelf)" >&2; exit 1; }

stage=$(mktemp -d /tmp/letsdata-lambda.XXXXXX)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/lib"
cp "$bootstrap" "$stage/bootstrap"

# glibc and the dynamic loader come with every Lambda runtime; everything else goes in.
is_system() {
  case "$(basename "$1")" in
    ld-linux*|libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|libresolv.so*|libutil.so*|libnss_*|libanl.so*) return 0 ;;
    *) return 1 ;;
  esac
}

copied=0
while read -r path; do
  [ -n "$path" ] || continue
  is_system "$path" && continue
  cp -L "$path" "$stage/lib/"
  copied=$((copied + 1))
done < <(ldd "$bootstrap" | awk '/=> \// {print $3} /^\s*\// {print $1}')

# Handlers loaded on demand (the network transports) travel too, if the bootstrap uses
# the shared runtime: they are looked up next to libletsdata-runtime.so.
runtime_so=$(ldd "$bootstrap" | awk '/libletsdata-runtime/ {print $3}')
if [ -n "$runtime_so" ]; then
  net=$(dirname "$runtime_so")/letsdata/libletsdata-runtime-net.so
  [ -f "$net" ] || net=$(dirname "$runtime_so")/libletsdata-runtime-net.so
  if [ -f "$net" ]; then
    mkdir -p "$stage/lib/letsdata"
    cp -L "$net" "$stage/lib/letsdata/"
    while read -r path; do
      [ -n "$path" ] && ! is_system "$path" && [ ! -f "$stage/lib/$(basename "$path")" ] && cp -L "$path" "$stage/lib/"
    done < <(ldd "$net" | awk '/=> \// {print $3}')
  fi
fi

# Modules loaded on demand, and what they link (libduckdb for Spark handlers).
for module in "${modules[@]}"; do
  cp -L "$module" "$stage/lib/"
  while read -r path; do
    [ -n "$path" ] && ! is_system "$path" && [ ! -f "$stage/lib/$(basename "$path")" ] && cp -L "$path" "$stage/lib/"
  done < <(ldd "$module" | awk '/=> \// {print $3}')
done

patchelf --set-rpath '$ORIGIN/lib' "$stage/bootstrap"
for lib in "$stage"/lib/*.so*; do
  [ -f "$lib" ] && patchelf --set-rpath '$ORIGIN' "$lib"
done
case "$output" in /*) ;; *) output="$PWD/$output" ;; esac
rm -f "$output"
(cd "$stage" && zip -q -r -y "$output" bootstrap lib)
echo "package-lambda: $output: bootstrap + $(find "$stage/lib" -name '*.so*' | wc -l) libraries ($(du -h "$output" | cut -f1))"
