#!/usr/bin/env bash
# letsdata-package-image: build an OCI container image of a LetsData handler for AWS
# Lambda (and so for a LetsData dataset's interfaceECRImagePath), without Docker.
#
#   letsdata-package-image --bootstrap BOOTSTRAP --output IMAGE.tar [options]
#   letsdata-package-image --runtime LETSDATA-RUNTIME --handler MODULE.so [--handler ...]
#                          --output IMAGE.tar [options]
#
# The image starts from nothing (no base image): it holds the bootstrap (or
# letsdata-runtime and the handler libraries), every shared library they load - glibc
# and the dynamic loader included - and the CA certificates, in the Lambda layout:
#   /var/runtime/bootstrap       the ENTRYPOINT (Runtime API loop)
#   /var/runtime/lib/            the libraries (LD_LIBRARY_PATH, as on Lambda)
#   /var/task/                   the handler libraries; WORKDIR and LAMBDA_TASK_ROOT
#   /lib64/ld-linux-x86-64.so.2, /lib/x86_64-linux-gnu/  glibc, where binaries look for it
#   /etc/ssl/certs/ca-certificates.crt (also /etc/pki/tls/certs/ca-bundle.crt), /tmp
#
# Options:
#   --output FILE        the archive to write (required)
#   --format oci|docker  oci (default): a tar of an OCI image layout, tagged `latest`
#                        (skopeo copy oci-archive:FILE ...); docker: a `docker load`
#                        archive named --name
#   --name NAME:TAG      the image name in a docker archive (default letsdata-handler:latest)
#   --module FILE        one more library to ship, with its dependencies, in
#                        /var/runtime/lib (alias --lib): a module your code dlopens, e.g.
#                        build/examples/libletsdata-examples-spark.so, which brings
#                        libletsdata-spark and libduckdb; may be repeated
#   --file SRC:DEST      copy file SRC to absolute path DEST in the image; may be repeated
#   --env NAME=VALUE     set an environment variable in the image; may be repeated
#   --no-ca-certs        do not ship /etc/ssl/certs/ca-certificates.crt
#   --max-glibc X.Y      fail if a shipped object needs a newer glibc than X.Y (default:
#                        the glibc the image ships, which is what it runs with; 2.34
#                        also keeps every object fit for a Lambda zip); `none` skips it
# Reproducible: files are sorted and dated $SOURCE_DATE_EPOCH (default 0), so the same
# inputs give the same image digest. Needs umoci (and skopeo for --format docker).
set -euo pipefail

prog=letsdata-package-image
here=$(cd "$(dirname "$0")" && pwd)
die() { echo "$prog: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

bootstrap="" runtime="" output="" format=oci name=letsdata-handler:latest
max_glibc=shipped ca_certs=1
handlers=() libs=() files=() envs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --bootstrap) bootstrap=${2:?--bootstrap needs a file}; shift 2 ;;
    --runtime) runtime=${2:?--runtime needs a file}; shift 2 ;;
    --handler) handlers+=("${2:?--handler needs a file}"); shift 2 ;;
    --output) output=${2:?--output needs a file}; shift 2 ;;
    --format) format=${2:?--format needs oci or docker}; shift 2 ;;
    --name) name=${2:?--name needs NAME:TAG}; shift 2 ;;
    --lib|--module) libs+=("${2:?$1 needs a library file}"); shift 2 ;;
    --file) files+=("${2:?--file needs SRC:DEST}"); shift 2 ;;
    --env) envs+=("${2:?--env needs NAME=VALUE}"); shift 2 ;;
    --no-ca-certs) ca_certs=0; shift ;;
    --max-glibc) max_glibc=${2:?--max-glibc needs a version or none}; shift 2 ;;
    -h|--help) usage ;;
    *) echo "$prog: unknown argument '$1'" >&2; usage ;;
  esac
done

[ -n "$output" ] || die "--output IMAGE.tar is required"
case "$format" in oci|docker) ;; *) die "--format must be oci or docker, not '$format'" ;; esac
if [ -n "$bootstrap" ] && [ -n "$runtime" ]; then die "give --bootstrap or --runtime, not both"; fi
[ -n "$bootstrap$runtime" ] || die "give --bootstrap BOOTSTRAP, or --runtime LETSDATA-RUNTIME --handler MODULE.so"
[ -z "$runtime" ] || [ ${#handlers[@]} -gt 0 ] || die "--runtime needs at least one --handler MODULE.so"
[ -z "$bootstrap" ] || [ ${#handlers[@]} -eq 0 ] || die "--handler goes with --runtime; a bootstrap has its handlers linked in"
for f in $bootstrap $runtime; do [ -f "$f" ] && [ -x "$f" ] || die "$f is not an executable file"; done
for f in ${handlers[@]+"${handlers[@]}"} ${libs[@]+"${libs[@]}"}; do [ -f "$f" ] || die "$f: no such file"; done
command -v umoci >/dev/null || die "needs umoci (apt-get install umoci)"
[ "$format" = oci ] || command -v skopeo >/dev/null || die "--format docker needs skopeo (apt-get install skopeo)"
epoch=${SOURCE_DATE_EPOCH:-0}
case "$epoch" in ''|*[!0-9]*) die "SOURCE_DATE_EPOCH must be a number of seconds, not '$epoch'" ;; esac
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)

stage=$(mktemp -d "${TMPDIR:-/tmp}/letsdata-image.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root="$stage/rootfs"
mkdir -p "$root"/{var/runtime/lib,var/task,tmp,etc/ssl/certs,lib64,proc,dev}

# glibc's own objects (and the loader) go where every binary looks for them; everything
# else goes to /var/runtime/lib, on LD_LIBRARY_PATH as in Lambda's own images.
is_glibc() {
  case "$(basename "$1")" in
    ld-linux*|libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|libresolv.so*|libutil.so*|libnss_*|libanl.so*|libmvec.so*) return 0 ;;
    *) return 1 ;;
  esac
}

shipped=()
ship_deps() { # ELF file: copy what the loader resolves for it
  local elf=$1 line path
  local listing
  listing=$(ldd "$elf" 2>&1) || die "ldd $elf failed: $listing"
  if grep -q "not found" <<<"$listing"; then
    die "$elf needs libraries that are not found: $(grep 'not found' <<<"$listing" | awk '{print $1}' | tr '\n' ' ')(set LD_LIBRARY_PATH as you would to run it)"
  fi
  while read -r path; do
    [ -n "$path" ] || continue
    if is_glibc "$path"; then
      [ -e "$root$path" ] || { mkdir -p "$root$(dirname "$path")"; cp -L "$path" "$root$path"; }
    else
      [ -e "$root/var/runtime/lib/$(basename "$path")" ] || {
        cp -L "$path" "$root/var/runtime/lib/"; shipped+=("$root/var/runtime/lib/$(basename "$path")"); }
    fi
  done < <(awk '/=> \// {print $3} /^[ \t]*\/[^ ]*ld-linux/ {print $1}' <<<"$listing")
}

entrypoint=()
if [ -n "$bootstrap" ]; then
  cp "$bootstrap" "$root/var/runtime/bootstrap"
  ship_deps "$bootstrap"
  entrypoint=(/var/runtime/bootstrap)
else
  cp "$runtime" "$root/var/runtime/letsdata-runtime"
  ln -s letsdata-runtime "$root/var/runtime/bootstrap"
  ship_deps "$runtime"
  entrypoint=(/var/runtime/letsdata-runtime)
  for h in "${handlers[@]}"; do
    cp "$h" "$root/var/task/$(basename "$h")"
    ship_deps "$h"
    entrypoint+=(--handler "/var/task/$(basename "$h")")
  done
  entrypoint+=(lambda)
fi
for l in ${libs[@]+"${libs[@]}"}; do
  cp -L "$l" "$root/var/runtime/lib/$(basename "$l")"
  shipped+=("$root/var/runtime/lib/$(basename "$l")")
  ship_deps "$l"
done
for spec in ${files[@]+"${files[@]}"}; do
  src=${spec%%:*} dest=${spec#*:}
  [ "$src" != "$spec" ] && [ "${dest#/}" != "$dest" ] || die "--file takes SRC:/ABSOLUTE/DEST, not '$spec'"
  [ -f "$src" ] || die "--file $src: no such file"
  mkdir -p "$root$(dirname "$dest")"
  cp -L "$src" "$root$dest"
done

if [ "$ca_certs" = 1 ]; then
  ca=/etc/ssl/certs/ca-certificates.crt
  [ -f "$ca" ] || die "$ca is missing (apt-get install ca-certificates), or pass --no-ca-certs"
  cp -L "$ca" "$root$ca"
  mkdir -p "$root/etc/pki/tls/certs"
  ln -s ../../../ssl/certs/ca-certificates.crt "$root/etc/pki/tls/certs/ca-bundle.crt"
fi
# Name lookups (AWS endpoints) need these; glibc >= 2.34 has files and dns built in.
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' >"$root/etc/group"

if [ "$max_glibc" = shipped ]; then
  # The newest version the bundled libc defines: no object may need more.
  libc=$(find "$root" -name 'libc.so.6' | head -1)
  [ -n "$libc" ] || die "no libc.so.6 among the libraries: is $bootstrap a dynamic executable?"
  max_glibc=$(objdump -T "$libc" | grep -o 'GLIBC_[0-9][0-9.]*' | sort -uV | tail -1)
  max_glibc=${max_glibc#GLIBC_}
fi
if [ "$max_glibc" != none ]; then
  checker="$here/letsdata-check-glibc"
  [ -x "$checker" ] || checker="$here/check-glibc.sh"
  "$checker" --max "$max_glibc" "$root" || die "the image needs a newer glibc than $max_glibc (see above)"
fi

# Fixed modes, owners and dates: nothing of the build machine's moment gets in.
chmod 0755 "$root" && find "$root" -type d -exec chmod 0755 {} +
chmod 1777 "$root/tmp"
find "$root" -exec touch -h -d "@$epoch" {} +

layout="$stage/layout"
umoci_quiet() { umoci --log error "$@"; }
umoci_quiet init --layout "$layout"
umoci_quiet new --image "$layout:latest"
rootless=()
[ "$(id -u)" -eq 0 ] || rootless=(--rootless)
umoci_quiet unpack ${rootless[@]+"${rootless[@]}"} --image "$layout:latest" "$stage/bundle"
cp -a "$root/." "$stage/bundle/rootfs/"
touch -h -d "@$epoch" "$stage/bundle/rootfs"
umoci_quiet repack ${rootless[@]+"${rootless[@]}"} --image "$layout:latest" \
  --history.created "$created" --history.created_by "$prog" "$stage/bundle"
config_args=(--image "$layout:latest" --no-history --created "$created" --os linux --architecture amd64
  --config.workingdir /var/task
  --config.env LAMBDA_TASK_ROOT=/var/task --config.env LAMBDA_RUNTIME_DIR=/var/runtime
  --config.env LD_LIBRARY_PATH=/var/runtime/lib:/var/task/lib:/var/task
  --config.env PATH=/var/runtime:/usr/local/bin:/usr/bin:/bin
  --config.env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt)
for e in ${envs[@]+"${envs[@]}"}; do
  [ "${e%%=*}" != "$e" ] || die "--env takes NAME=VALUE, not '$e'"
  config_args+=(--config.env "$e")
done
for arg in "${entrypoint[@]}"; do config_args+=(--config.entrypoint "$arg"); done
umoci_quiet config "${config_args[@]}"
umoci_quiet gc --layout "$layout"
find "$layout" -exec touch -h -d "@$epoch" {} +

case "$output" in /*) ;; *) output="$PWD/$output" ;; esac
mkdir -p "$(dirname "$output")"
rm -f "$output"
if [ "$format" = oci ]; then
  (cd "$layout" && tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner \
     --format=ustar -cf "$output" oci-layout index.json blobs)
else
  skopeo copy --quiet "oci:$layout:latest" "docker-archive:$output:$name"
fi
digest=$(grep -o '"digest":"sha256:[0-9a-f]*"' "$layout/index.json" | head -1 | cut -d'"' -f4)
echo "$prog: $output ($format, $(du -h "$output" | cut -f1)): manifest $digest," \
  "$(find "$root" -name '*.so*' -type f | wc -l) libraries, entrypoint ${entrypoint[*]}"
