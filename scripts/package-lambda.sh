#!/usr/bin/env bash
# letsdata-package-lambda: package a LetsData handler `bootstrap` as an AWS Lambda zip for
# the custom runtime provided.al2023 (Amazon Linux 2023, glibc 2.34).
#
#   letsdata-package-lambda BOOTSTRAP [OUTPUT.zip] [--module FILE]... [--max-glibc X.Y]
#
# The zip holds `bootstrap` at its root and, under lib/, exactly the shared libraries the
# loader resolves for it, glibc excepted (Lambda provides it). --module FILE (alias
# --lib) adds a library the handler loads on demand (dlopen) with the libraries it
# needs: e.g. build/examples/libletsdata-examples-spark.so, which brings
# libletsdata-spark and DuckDB's libduckdb.so for the Spark examples. The bootstrap and the libraries get the rpath
# $ORIGIN/lib ($ORIGIN) so that they find each other. The Lambda loop needs no network
# library (it speaks HTTP/1.1 to the Runtime API itself), so a bootstrap built with
# LD_RUNTIME_MAIN() ships only jansson, zlib, libdeflate and libuuid besides our own.
# Every object must need at most GLIBC_2.34 (--max-glibc none skips the check): one
# built against a newer glibc would fail on Lambda with "GLIBC_2.xx not found".
# The zip is reproducible: sorted, dated $SOURCE_DATE_EPOCH (at least 1980, zip's epoch).
#
# Example: letsdata-package-lambda build/bootstrap function.zip
set -euo pipefail

prog=letsdata-package-lambda
here=$(cd "$(dirname "$0")" && pwd)
die() { echo "$prog: $*" >&2; exit 1; }

positional=() libs=() max_glibc=2.34
while [ $# -gt 0 ]; do
  case "$1" in
    --module|--lib) libs+=("${2:?$1 needs a library file}"); shift 2 ;;
    --max-glibc) max_glibc=${2:?--max-glibc needs a version or none}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
    -*) die "unknown option '$1'" ;;
    *) positional+=("$1"); shift ;;
  esac
done
[ ${#positional[@]} -ge 1 ] && [ ${#positional[@]} -le 2 ] ||
  die "usage: $prog BOOTSTRAP [OUTPUT.zip] [--module FILE]... [--max-glibc X.Y]"
bootstrap=${positional[0]}
output=${positional[1]:-lambda.zip}
[ -f "$bootstrap" ] && [ -x "$bootstrap" ] || die "$bootstrap is not an executable"
for l in ${libs[@]+"${libs[@]}"}; do [ -f "$l" ] || die "--module $l: no such file"; done
command -v zip >/dev/null || die "needs zip (apt-get install zip)"
command -v patchelf >/dev/null || die "needs patchelf (apt-get install patchelf)"

stage=$(mktemp -d "${TMPDIR:-/tmp}/letsdata-lambda.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/lib"
cp "$bootstrap" "$stage/bootstrap"

# glibc and the dynamic loader come with every Lambda runtime; everything else goes in.
is_glibc() {
  case "$(basename "$1")" in
    ld-linux*|libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|libresolv.so*|libutil.so*|libnss_*|libanl.so*|libmvec.so*) return 0 ;;
    *) return 1 ;;
  esac
}

ship_deps() { # copy what the loader resolves for ELF file $1 into lib/
  local listing path
  listing=$(ldd "$1" 2>&1) || die "ldd $1 failed: $listing"
  if grep -q "not found" <<<"$listing"; then
    die "$1 needs libraries that are not found: $(grep 'not found' <<<"$listing" | awk '{print $1}' | tr '\n' ' ')(set LD_LIBRARY_PATH as you would to run it)"
  fi
  while read -r path; do
    [ -n "$path" ] || continue
    is_glibc "$path" && continue
    [ -f "$stage/lib/$(basename "$path")" ] || cp -L "$path" "$stage/lib/"
  done < <(awk '/=> \// {print $3}' <<<"$listing")
}

ship_deps "$bootstrap"
for l in ${libs[@]+"${libs[@]}"}; do
  cp -L "$l" "$stage/lib/$(basename "$l")"
  ship_deps "$l"
done

patchelf --set-rpath '$ORIGIN/lib' "$stage/bootstrap"
for lib in "$stage"/lib/*.so*; do
  [ -f "$lib" ] && patchelf --set-rpath '$ORIGIN' "$lib"
done

if [ "$max_glibc" != none ]; then
  checker="$here/letsdata-check-glibc"
  [ -x "$checker" ] || checker="$here/check-glibc.sh"
  "$checker" --max "$max_glibc" "$stage" >/dev/null ||
    { "$checker" --max "$max_glibc" "$stage" >&2 || true
      die "the zip would need a newer glibc than Lambda's $max_glibc: build on an older system, or ship a container image (letsdata-package-image brings its own glibc)"; }
fi

epoch=${SOURCE_DATE_EPOCH:-315532800}
[ "$epoch" -ge 315532800 ] || epoch=315532800 # 1980-01-01, the first date zip can store
find "$stage" -exec touch -h -d "@$epoch" {} +
case "$output" in /*) ;; *) output="$PWD/$output" ;; esac
rm -f "$output"
(cd "$stage" && find bootstrap lib | LC_ALL=C sort | TZ=UTC zip -q -X -y "$output" -@)
echo "$prog: $output: bootstrap + $(find "$stage/lib" -name '*.so*' | wc -l) libraries ($(du -h "$output" | cut -f1))"
