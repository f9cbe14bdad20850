#!/usr/bin/env bash
# The README's handler, as printed: its C code is built with the README's `cc` command and
# run with the README's `letsdata-runtime ... run` command (issue 12: the minimal parser
# must run with `run` as printed). pkg-config answers for the build tree instead of an
# installed SDK; everything else is the README's text.
#   readme_handler.sh SOURCE_ROOT BUILD_ROOT
set -euo pipefail
src=$1
build=$2
work=$(mktemp -d /tmp/letsdata-readme-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

# The first C block and the first sh block after "## A handler in C".
awk '/^## A handler in C/{f=1} f&&/^```c$/{c=1;next} c&&/^```$/{exit} c{print}' \
  "$src/README.md" > mine.c
awk '/^## A handler in C/{f=1} f&&/^```sh$/{c=1;next} c&&/^```$/{exit} c{print}' \
  "$src/README.md" > commands.sh
[ -s mine.c ] || { echo "no C block under '## A handler in C' in README.md"; exit 1; }

pkg-config() {
  if [ "$*" = "--cflags --libs letsdata" ]; then
    echo "-I$src/include -I$build/include -L$build/lib -Wl,-rpath,$build/lib -lletsdata" \
         "$(command pkg-config --cflags --libs jansson)"
  else
    command pkg-config "$@"
  fi
}
export PATH="$build/cli:$PATH"

# The build line, the input and the run line, exactly as printed.
ran=0
while IFS= read -r line; do
  case "$line" in
    cc\ *|printf\ *|letsdata-runtime\ *\ run\ *)
      echo "+ $line"
      eval "$line"
      case "$line" in letsdata-runtime*) ran=1 ;; esac ;;
  esac
done < commands.sh
[ "$ran" = 1 ] || { echo "the README shows no 'letsdata-runtime ... run' command"; exit 1; }

# The run did what the README says: one document per line of lines.txt.
python3 - lines.txt out <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
out = sys.argv[2]
summary = json.load(open(out + "/summary.json"))
docs = [json.loads(l) for l in open(out + "/documents.jsonl")]
assert summary["status"] == "COMPLETED", summary
assert summary["records"] == summary["success"] == len(lines) == len(docs), summary
assert summary["bytesOutsideRecords"] == 0, summary
assert [d["text"] for d in docs] == lines, docs
print("README handler: %d lines -> %d documents" % (len(lines), len(docs)))
PY
