#!/usr/bin/env python3
"""Differential test: the C Spark examples against real Spark.

The same generated WET file (multi-member gzip, with the records where Spark's
semantics are easy to miss: casts, time zones, Java's white space and `$`, invalid
UTF-8, duplicate and odd header lines) goes through
  - the C mapper and reducer (`letsdata-runtime --handler libletsdata-examples.so
    invoke`), and
  - pyspark_wet.py: the same transformations written in PySpark from the spec, run by
    pyspark in local mode (scripts/install-pyspark.sh's virtualenv).
Both write JSON (gzip); the rows must be equal as values (timestamps compared as
instants, numbers as numbers), as multisets, and the reducers' rows in the same
"# of Samples" order.

Runs only with LETSDATA_PYSPARK_TESTS=1 (.ci/run sets it after installing pyspark);
otherwise exits 77 (skipped), as pyspark takes a JVM and half a minute.
"""
import argparse
import datetime
import glob
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


def read_rows(directory):
    if not os.path.exists(os.path.join(directory, "_SUCCESS")):
        raise AssertionError("%s has no _SUCCESS" % directory)
    rows = []
    parts = sorted(glob.glob(os.path.join(directory, "part-*")))
    if not parts:
        raise AssertionError("%s has no part files" % directory)
    for part in parts:
        opener = gzip.open if part.endswith(".gz") else open
        with opener(part, "rt", encoding="utf-8") as f:
            rows.extend(json.loads(line) for line in f if line.strip())
    return rows


def instant(text):
    # Spark writes 2023-12-12T01:40:15.000Z; compare the instant, not the spelling.
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def normalise(row, timestamp_keys):
    out = {}
    for key, value in row.items():
        if value is None:
            continue  # a null field and a missing one are the same row
        if key in timestamp_keys:
            value = instant(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            value = float(value)
        out[key] = value
    return out


def canonical(rows, timestamp_keys):
    return sorted(json.dumps(normalise(r, timestamp_keys), sort_keys=True, ensure_ascii=False)
                  for r in rows)


def compare(name, ours, theirs, timestamp_keys):
    a, b = canonical(ours, timestamp_keys), canonical(theirs, timestamp_keys)
    if a == b:
        print("%s: %d rows equal" % (name, len(a)))
        return True
    only_ours = sorted(set(a) - set(b))
    only_theirs = sorted(set(b) - set(a))
    print("%s: rows differ (C %d rows, Spark %d rows)" % (name, len(a), len(b)))
    for row in only_ours[:10]:
        print("  only in C:     " + row)
    for row in only_theirs[:10]:
        print("  only in Spark: " + row)
    return False


def request(interface, function, data):
    return {
        "requestId": "65fff00b-460c-4055-a171-f0a8c2e4ae22",
        "interface": interface,
        "function": function,
        "letsdataAuth": {"tenantId": "t", "userId": "u", "datasetName": "CommonCrawlSpark",
                         "datasetId": "d"},
        "data": data,
    }


def invoke(args, work, name, body):
    path = os.path.join(work, name + ".request.json")
    with open(path, "w") as f:
        json.dump(body, f)
    env = dict(os.environ, LETSDATA_EXAMPLES_SPARK_MODULE="")
    done = subprocess.run([args.runtime, "--handler", args.handler, "invoke", path],
                          capture_output=True, text=True, env=env)
    response = json.loads(done.stdout) if done.stdout.strip() else None
    if done.returncode != 0 or not response or response.get("StatusCode") != 200:
        raise AssertionError("%s failed (%d): %s %s" % (name, done.returncode, done.stdout,
                                                         done.stderr))


def common(read_format, read_options, write_uri, write_format, write_options):
    return {
        "appName": "letsdata-differential",
        "readDestination": "S3",
        "readFormat": read_format,
        "readOptions": read_options,
        "writeDestination": "S3",
        "writeUri": write_uri,
        "writeFormat": write_format,
        "writeMode": "overwrite",
        "writeOptions": write_options,
        "sparkCredentialsSecretArn": "arn:aws:secretsmanager:us-east-1:1:secret:s",
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runtime", required=True)
    parser.add_argument("--handler", required=True)
    parser.add_argument("--gen-wet", required=True)
    parser.add_argument("--install-script", required=True)
    parser.add_argument("--reference", required=True)
    parser.add_argument("--records", type=int, default=200)
    args = parser.parse_args()

    if os.environ.get("LETSDATA_PYSPARK_TESTS") != "1":
        print("skipped: set LETSDATA_PYSPARK_TESTS=1 (after scripts/install-pyspark.sh)")
        return SKIP
    found = subprocess.run([args.install_script, "--check"], capture_output=True, text=True)
    if found.returncode != 0:
        print("pyspark is not installed: run %s first" % args.install_script)
        return 1
    python = found.stdout.strip()

    work = tempfile.mkdtemp(prefix="letsdata-pyspark-diff-")
    try:
        wet = os.path.join(work, "CC-MAIN-differential.warc.wet.gz")
        subprocess.run([args.gen_wet, "--gzip", "--edge-cases", "--records", str(args.records),
                        "--seed", "7", wet], check=True)
        text_options = {"lineSep": "\n\r\n\r\n"}
        gzip_options = {"compression": "gzip"}
        ok = True

        # The C side: mapper (json), reducer over its output twice (every input counts),
        # mapper to parquet (LetsData's intermediate format), reducer over the parquet.
        c_mapped = os.path.join(work, "c-mapped")
        invoke(args, work, "mapper", request("SparkMapperInterface", "mapper", dict(
            common("text", text_options, c_mapped, "json", gzip_options), readUri=wet)))
        c_reduced = os.path.join(work, "c-reduced")
        invoke(args, work, "reducer", request("SparkReducerInterface", "reducer", dict(
            common("json", {}, c_reduced, "json", gzip_options),
            readUris=[c_mapped, c_mapped])))
        c_parquet = os.path.join(work, "c-parquet")
        invoke(args, work, "mapper-parquet", request("SparkMapperInterface", "mapper", dict(
            common("text", text_options, c_parquet, "parquet", gzip_options), readUri=wet)))
        c_from_parquet = os.path.join(work, "c-from-parquet")
        invoke(args, work, "reducer-parquet", request("SparkReducerInterface", "reducer", dict(
            common("parquet", {}, c_from_parquet, "json", gzip_options), readUris=[c_parquet])))

        # The Spark side, in one session: the same steps; its last reducer reads the C
        # mapper's parquet, so types must survive that round trip.
        py_mapped = os.path.join(work, "py-mapped")
        py_reduced = os.path.join(work, "py-reduced")
        py_from_parquet = os.path.join(work, "py-from-parquet")
        steps = [
            {"step": "mapper", "out": py_mapped, "inputs": [wet], "writeOptions": gzip_options},
            {"step": "reducer", "out": py_reduced, "inputs": [py_mapped, py_mapped],
             "readFormat": "json", "writeOptions": gzip_options},
            {"step": "reducer", "out": py_from_parquet, "inputs": [c_parquet],
             "readFormat": "parquet", "writeOptions": gzip_options},
        ]
        steps_file = os.path.join(work, "steps.json")
        with open(steps_file, "w") as f:
            json.dump(steps, f)
        subprocess.run([python, args.reference, "steps", steps_file, "--threads", "2"],
                       check=True)

        ok &= compare("mapper", read_rows(c_mapped), read_rows(py_mapped), {"warcDate"})
        ours, theirs = read_rows(c_reduced), read_rows(py_reduced)
        ok &= compare("reducer", ours, theirs, set())
        counts = [r["# of Samples"] for r in ours]
        if counts != sorted(counts, reverse=True):
            print("reducer: C rows are not ordered by '# of Samples' descending: %s" % counts)
            ok = False
        ok &= compare("reducer over the C mapper's parquet", read_rows(c_from_parquet),
                      read_rows(py_from_parquet), set())
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
