#!/usr/bin/env bash
# A vector dataset with a real model, on this machine: the example Kinesis reader chained
# into the example SagemakerVectorsInterface (examples/data/vectors-dataset.json, the
# shape of the official dataset2.json), vectorized by all-MiniLM-L6-v2 behind a
# feature-extraction endpoint on 127.0.0.1 (scripts/minilm-server.py). Heavy: the first
# run installs torch and sentence-transformers into a virtualenv (scripts/setup-minilm.sh).
#   scripts/demo-minilm.sh [BUILD_DIR] [DOCUMENTS]    (default build, 2000)
# Prints documents/s of the run beside the model's own rate on the same texts in the same
# run (the server times its inference), the embedding size, and cosine similarities that
# show the vectors are semantic.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
count=${2:-2000}
python=$(scripts/setup-minilm.sh)
scripts/install-deps.sh
[ -f "$build/build.ninja" ] || meson setup "$build" --werror >/dev/null
ninja -C "$build" >/dev/null
runtime="$build/cli/letsdata-runtime"
handlers="$build/examples/libletsdata-examples.so"
work=$(mktemp -d /tmp/letsdata-minilm.XXXXXX)
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

"$python" scripts/minilm-server.py --port-file "$work/port" >/dev/null 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 600); do [ -s "$work/port" ] && break; sleep 0.2; done
[ -s "$work/port" ] || { cat "$work/server.log" >&2; echo "demo-minilm: the model server did not start" >&2; exit 1; }
port=$(cat "$work/port")
url="http://127.0.0.1:$port/invocations"
echo "== all-MiniLM-L6-v2 at $url"

# Upstream documents as the WET parser writes them (dataset 1), then a Kinesis replay.
python3 - "$count" > "$work/documents.jsonl" <<'PY'
import json, sys
count = int(sys.argv[1])
subjects = ["The city council", "A small bakery", "The football team", "Our research group",
            "The new smartphone", "A local farmer", "The central bank", "The museum"]
verbs = ["announced", "celebrated", "criticised", "postponed", "described", "questioned"]
objects = ["a plan to rebuild the old bridge", "record sales of sourdough bread",
           "a dramatic win in the final minute", "results on protein folding",
           "a battery that lasts three days", "an early harvest after the rain",
           "a cut in interest rates", "an exhibition of medieval maps"]
probes = ["A cat is sitting on the mat.", "A kitten rests on a rug.",
          "The stock market crashed on Monday."]
for i in range(count):
    if i < len(probes):
        text = probes[i]
    else:
        text = " ".join("%s %s %s." % (subjects[(i + k) % 8], verbs[(i * 3 + k) % 6],
                                        objects[(i * 5 + k) % 8]) for k in range(1 + i % 4))
    url = "http://site%d.example/page" % i
    print(json.dumps({"docText": text, "url": url, "docId": url, "partitionKey": url,
                      "language": "eng", "documentId": url, "recordType": "Content",
                      "documentMetadata": {}}))
PY
python3 scripts/to-kinesis-records.py "$work/documents.jsonl" > "$work/stream.jsonl"

# The bound: the time the model itself spends on the run's texts (the server counts it).
stats() { python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' "http://127.0.0.1:$port/stats"; }
stats_before=$(stats)

echo "== letsdata-runtime run --dataset examples/data/vectors-dataset.json --vectorizer $url ($count documents)"
"$runtime" --handler "$handlers" run --dataset examples/data/vectors-dataset.json \
  --vectorizer "$url" --vector-batch 32 --output "$work/out" "$work/stream.jsonl"

stats_after=$(stats)

python3 - "$work" "$stats_before" "$stats_after" <<'PY'
import json, math, sys
work, before, after = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
summary = json.load(open(work + "/out/summary.json"))
docs = [json.loads(l) for l in open(work + "/out/documents.jsonl")]
texts = [json.loads(l)["docText"] for l in open(work + "/documents.jsonl")]
vectors = [d["vectors"]["docText"] for d in docs]
in_model = after["seconds"] - before["seconds"]
bound = (after["texts"] - before["texts"]) / in_model
runner = summary["records"] / summary["seconds"]
cos = lambda a, b: sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))
print("documents: %d vector documents, %d errors" % (summary["success"], summary["error"]))
print("embedding size: %d" % len(vectors[0]))
print("runner: %.1f documents/s; the model alone on the same texts in the same run: %.1f "
      "texts/s (%.1f s of inference); ratio %.2f" % (runner, bound, in_model, runner / bound))
print("cosine('%s', '%s') = %.3f" % (texts[0], texts[1], cos(vectors[0], vectors[1])))
print("cosine('%s', '%s') = %.3f" % (texts[0], texts[2], cos(vectors[0], vectors[2])))
PY
