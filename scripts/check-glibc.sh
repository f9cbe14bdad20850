#!/usr/bin/env bash
# letsdata-check-glibc: check that every ELF executable and library in a Lambda package
# runs on the glibc that AWS Lambda has (Amazon Linux 2023: glibc 2.34). An object
# built on a newer system may reference a newer symbol version (GLIBC_2.35, ...), which
# the loader on Lambda refuses at start with "version `GLIBC_2.xx' not found".
#
#   letsdata-check-glibc [--max X.Y] PATH...
#
# PATH: files, directories (searched) or .zip files (unpacked to a temporary directory).
# glibc's own objects (libc.so.6, ld-linux, libm, ...) are skipped: an image that ships
# them brings its own glibc. Prints one line per offending object and version, and
# exits 1 if there is any; 0 when every object needs at most GLIBC_X.Y.
set -euo pipefail

max=2.34
[ "${1:-}" = "--max" ] && { max=${2:?--max needs a version}; shift 2; }
[ $# -gt 0 ] || { echo "usage: letsdata-check-glibc [--max X.Y] PATH..." >&2; exit 2; }
command -v objdump >/dev/null || { echo "letsdata-check-glibc: needs objdump (apt-get install binutils)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/letsdata-glibc.XXXXXX")
trap 'rm -rf "$work"' EXIT

is_glibc() {
  case "$(basename "$1")" in
    ld-linux*|libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|libresolv.so*|libutil.so*|libnss_*|libanl.so*|libmvec.so*) return 0 ;;
    *) return 1 ;;
  esac
}
is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' \n')" = '177ELF' ]; }

paths=()
n=0
for p in "$@"; do
  if [ -f "$p" ] && [[ "$p" == *.zip ]]; then
    n=$((n + 1)); mkdir -p "$work/$n"
    unzip -q "$p" -d "$work/$n" || { echo "letsdata-check-glibc: cannot unzip $p" >&2; exit 2; }
    paths+=("$work/$n")
  elif [ -e "$p" ]; then
    paths+=("$p")
  else
    echo "letsdata-check-glibc: $p: no such file or directory" >&2; exit 2
  fi
done

checked=0 bad=0
while IFS= read -r -d '' f; do
  is_elf "$f" || continue
  is_glibc "$f" && continue
  checked=$((checked + 1))
  for v in $(objdump -p "$f" | awk '/^Version References:/ {on=1; next} /^$/ {on=0} on' |
             grep -o 'GLIBC_[0-9][0-9.]*' | sort -uV); do
    version=${v#GLIBC_}
    if [ "$(printf '%s\n%s\n' "$version" "$max" | sort -V | tail -1)" != "$max" ]; then
      echo "letsdata-check-glibc: ${f#$work/*/} needs $v (newer than GLIBC_$max)"
      bad=$((bad + 1))
    fi
  done
done < <(find "${paths[@]}" -type f -print0 | sort -z)
[ "$checked" -gt 0 ] || { echo "letsdata-check-glibc: no ELF object found in $*" >&2; exit 2; }
[ "$bad" -eq 0 ] || exit 1
echo "letsdata-check-glibc: $checked objects need at most GLIBC_$max"
