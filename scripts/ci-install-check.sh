#!/usr/bin/env bash
# Install the SDK into a temporary (clean) prefix and check what a customer gets from it:
# exported symbols, sonames, the default layout (PREFIX/lib, PREFIX/lib/pkgconfig,
# PREFIX/lib/cmake/letsdata), RUNPATHs that let the installed letsdata-runtime start
# without LD_LIBRARY_PATH (also after the prefix is moved), an out-of-tree consumer built
# with strict flags from pkg-config alone, one built with CMake's find_package(letsdata)
# alone, and the examples/standalone project.
#   scripts/ci-install-check.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
prefix=$(mktemp -d /tmp/letsdata-prefix.XXXXXX)
work=$(mktemp -d /tmp/letsdata-consumer.XXXXXX)
trap 'rm -rf "$prefix" "$work"' EXIT

meson setup "$build" --werror >/dev/null 2>&1 || true
# No --libdir: the project's default must give the documented layout.
meson configure "$build" --prefix "$prefix" >/dev/null
meson install -C "$build" --quiet >/dev/null

fail() { echo "install-check: $*" >&2; exit 1; }
for f in lib/pkgconfig/letsdata.pc lib/pkgconfig/letsdata-runtime.pc \
         lib/pkgconfig/letsdata-testing.pc lib/cmake/letsdata/letsdataConfig.cmake \
         lib/cmake/letsdata/letsdataConfigVersion.cmake bin/letsdata-runtime; do
  [ -e "$prefix/$f" ] ||
    fail "PREFIX/$f not installed (the documented layout; a build directory set up before libdir defaulted to 'lib' keeps its old libdir: set it up again)"
done

# RUNPATHs: the command finds its libraries in PREFIX/lib, the libraries each other.
runpath() { readelf -d "$1" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p'; }
[ "$(runpath "$prefix/bin/letsdata-runtime")" = '$ORIGIN/../lib' ] ||
  fail "bin/letsdata-runtime RUNPATH is '$(runpath "$prefix/bin/letsdata-runtime")', expected \$ORIGIN/../lib"
[ "$(runpath "$prefix/lib/libletsdata-runtime.so")" = '$ORIGIN' ] ||
  fail "libletsdata-runtime.so RUNPATH is '$(runpath "$prefix/lib/libletsdata-runtime.so")'"
version=$(env -u LD_LIBRARY_PATH "$prefix/bin/letsdata-runtime" --version) ||
  fail "the installed letsdata-runtime does not start without LD_LIBRARY_PATH"
moved="$prefix.moved"
mv "$prefix" "$moved"
env -u LD_LIBRARY_PATH "$moved/bin/letsdata-runtime" --version >/dev/null ||
  { mv "$moved" "$prefix"; fail "letsdata-runtime does not start from a moved prefix"; }
mv "$moved" "$prefix"
echo "install-check: $version starts from PREFIX/bin without LD_LIBRARY_PATH (and from a moved prefix)"
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

# CMake: find_package(letsdata) with the imported targets, nothing else; the program runs
# without LD_LIBRARY_PATH (the targets carry the library locations).
if command -v cmake >/dev/null; then
  cmake -S tests/install/cmake -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null ||
    fail "find_package(letsdata) failed"
  cmake --build "$work/cmake" >/dev/null || fail "the CMake consumer does not build"
  env -u LD_LIBRARY_PATH "$work/cmake/consumer_cmake"
  # A required component that was not built is refused with a message naming it.
  mkdir -p "$work/cmake-missing"
  printf 'cmake_minimum_required(VERSION 3.13)\nproject(p C)\nfind_package(letsdata REQUIRED COMPONENTS nosuch)\n' \
    > "$work/cmake-missing/CMakeLists.txt"
  if out=$(cmake -S "$work/cmake-missing" -B "$work/cmake-missing/b" -DCMAKE_PREFIX_PATH="$prefix" 2>&1); then
    fail "find_package(letsdata COMPONENTS nosuch) succeeded"
  fi
  echo "$out" | grep -q "component 'nosuch' is not a letsdata component" ||
    fail "unclear message for a missing component: $out"
  echo "install-check: CMake consumer (letsdata::letsdata, ::runtime, ::testing) builds and runs"
elif [ "${CI:-}" = true ]; then
  fail "cmake is missing (scripts/install-deps.sh --ci installs it)"
else
  echo "install-check: cmake not installed, CMake consumer skipped"
fi
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
