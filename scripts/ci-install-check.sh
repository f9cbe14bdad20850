#!/usr/bin/env bash
# Install the SDK into a temporary prefix and check what a customer gets from it:
# exported symbols, sonames, pkg-config files, an out-of-tree consumer built with strict
# flags from pkg-config alone, and the examples/standalone project.
#   scripts/ci-install-check.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
prefix=$(mktemp -d /tmp/letsdata-prefix.XXXXXX)
work=$(mktemp -d /tmp/letsdata-consumer.XXXXXX)
trap 'rm -rf "$prefix" "$work"' EXIT

meson setup "$build" --werror >/dev/null 2>&1 || true
meson configure "$build" --prefix "$prefix" --libdir lib >/dev/null
meson install -C "$build" --quiet >/dev/null

fail() { echo "install-check: $*" >&2; exit 1; }
libs="letsdata letsdata-runtime"
[ -e "$prefix/lib/libletsdata-aws.so" ] && libs="$libs letsdata-aws"
for lib in $libs; do
  so="$prefix/lib/lib$lib.so"
  [ -e "$so" ] || fail "$so not installed"
  soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
  [ "$soname" = "lib$lib.so.0" ] || fail "lib$lib.so has soname '$soname', expected lib$lib.so.0"
  others=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^ld_' | grep -v '^LETSDATA' || true)
  [ -z "$others" ] || fail "lib$lib.so exports symbols outside ld_: $others"
  echo "install-check: lib$lib.so soname $soname, $(nm -D --defined-only "$so" | grep -c ' ld_') ld_ symbols, nothing else"
done

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cc -std=c11 -Wall -Wextra -Werror -pedantic tests/install/consumer.c -o "$work/consumer" \
  $(pkg-config --cflags --libs letsdata)
LD_LIBRARY_PATH="$prefix/lib" "$work/consumer"
if [ -e "$prefix/lib/libletsdata-aws.so" ]; then
  # libletsdata-aws from pkg-config alone: its headers compile strictly, and it links.
  printf '#include <letsdata/aws.h>\n#include <letsdata/aws_s3.h>\n#include <letsdata/aws_secrets.h>\n#include <letsdata/aws_sagemaker.h>\nint main(void) { ld_aws_client_options o = LD_AWS_CLIENT_OPTIONS_INIT; o.region = "us-east-1"; ld_aws_client *c = ld_aws_client_new(&o, 0); ld_aws_client_free(c); return c == 0; }\n' > "$work/aws.c"
  cc -std=c11 -Wall -Wextra -Werror -pedantic "$work/aws.c" -o "$work/aws" $(pkg-config --cflags --libs letsdata-aws)
  LD_LIBRARY_PATH="$prefix/lib" "$work/aws" || fail "the letsdata-aws consumer failed"
  echo "install-check: letsdata-aws consumer built from pkg-config and ran"
fi

if [ -x examples/standalone/ci-check.sh ]; then
  examples/standalone/ci-check.sh "$prefix"
fi
# Leave the build directory installing to the default prefix again.
meson configure "$build" --prefix /usr/local >/dev/null
echo "install-check: OK"
