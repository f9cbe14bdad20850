#!/usr/bin/env bash
# Install pyspark (the differential oracle for the Spark examples and the Spark
# benchmark's peer) into a virtualenv under the cache directory, and print the
# virtualenv's python. Never touches the system python.
#   scripts/install-pyspark.sh            install if missing, print the python path
#   scripts/install-pyspark.sh --check    print the python path if installed, else exit 1
# Cache: $LETSDATA_CACHE_DIR (default ${XDG_CACHE_HOME:-$HOME/.cache}/letsdata).
# Needs a Java runtime (17 here); installs Debian's headless JRE when none is found.
set -euo pipefail

# Spark 3.5: the line the official examples were written against. Spark 4 turns ANSI
# mode on by default (casts and out-of-range indexes fail instead of giving null),
# which is not what LetsData's Python handlers see.
pyspark_version=3.5.7
cache=${LETSDATA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/letsdata}
venv="$cache/pyspark-$pyspark_version"
python="$venv/bin/python"

installed() {
  [ -x "$python" ] && "$python" -c "import pyspark, sys; sys.exit(pyspark.__version__ != '$pyspark_version')" 2>/dev/null
}

if [ "${1:-}" = "--check" ]; then
  installed && { echo "$python"; exit 0; }
  exit 1
fi

if ! command -v java >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "install-pyspark: installing a Java runtime (openjdk-17-jre-headless)" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q >&2
  $sudo apt-get install -y -q --no-install-recommends openjdk-17-jre-headless >&2
fi

if ! installed; then
  mkdir -p "$cache"
  # One installer at a time (parallel test suites may all ask for it).
  exec 9>"$cache/.pyspark.lock"
  flock 9
  if ! installed; then
    echo "install-pyspark: installing pyspark $pyspark_version into $venv" >&2
    rm -rf "$venv.tmp"
    if ! python3 -m venv "$venv.tmp" >&2; then
      # Debian's python3 keeps venv in a package of its own.
      echo "install-pyspark: installing python3-venv" >&2
      sudo=""
      [ "$(id -u)" -ne 0 ] && sudo=sudo
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends python3-venv >&2
      rm -rf "$venv.tmp"
      python3 -m venv "$venv.tmp" >&2
    fi
    "$venv.tmp/bin/pip" install -q --disable-pip-version-check "pyspark==$pyspark_version" >&2
    rm -rf "$venv"
    mv "$venv.tmp" "$venv"
    # Entry-point scripts carry the temporary path in their #! lines; we only use python.
  fi
fi
echo "$python"
