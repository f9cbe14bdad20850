#!/usr/bin/env python3
"""The example WET mapper and reducer in real Spark (pyspark, local mode): the oracle
that the C ports (examples/spark_mapper.c, spark_reducer.c) are compared with.

Written from ../shared/spec/spark.md ("The official example handlers"), not copied:

  mapper:  text with lineSep "\\n\\r\\n\\r\\n"; trim with Java's ^\\s+|\\s+$; split on
           "\\r\\n\\r\\n" (piece 0 header, piece 1 payload); header split on ": |\\r\\n"
           into [version, k1, v1, ...] and made a map by a UDF from index 1; select
           the twelve columns; keep warcType == "conversion"; write.
  reducer: read every input; group by language; percentile(contentLength, 0.9) as
           "90th Percentile ContentLength", count(contentLength) as "# of Samples";
           order by "# of Samples" descending; write.

Usage (run with the virtualenv of scripts/install-pyspark.sh):
  pyspark_wet.py mapper  OUT_DIR INPUT [--write-format json] [--write-options JSON]
  pyspark_wet.py reducer OUT_DIR INPUT... [--read-format json] [--write-format json]
  pyspark_wet.py steps   STEPS.json    several steps in one session (one JVM start):
                         [{"step": "mapper"|"reducer", "out": DIR, "inputs": [...],
                           "readFormat": F, "writeFormat": F, "writeOptions": {...}}, ...]
Prints one JSON line per step on stdout: {"rows": N, "seconds": S} (the job's own time,
the session's start-up excluded).
"""
import argparse
import json
import os
import sys
import time


def session(threads):
    # The workers run this very interpreter (the virtualenv's).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    return (SparkSession.builder.appName("letsdata-pyspark-oracle")
            .master("local[%d]" % threads)
            .config("spark.ui.enabled", "false")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.session.timeZone", "UTC")
            # Spark 3.5's default, stated: casts give null, s[1] past the end is null.
            .config("spark.sql.ansi.enabled", "false")
            .config("spark.sql.shuffle.partitions", str(threads))
            .config("spark.driver.memory", "1g")
            .getOrCreate())


def header_map(parts):
    """[version, k1, v1, k2, v2, ...] -> {k1: v1, ...}; an unpaired last key is dropped
    (the official UDF stops at the IndexError), a repeated key keeps its last value."""
    result = {}
    if parts is None:
        return result
    for i in range(1, len(parts) - 1, 2):
        result[parts[i]] = parts[i + 1]
    return result


def mapper(spark, read_uri):
    from pyspark.sql.functions import col, expr, lit, regexp_replace, split, udf
    from pyspark.sql.types import MapType, StringType

    to_map = udf(header_map, MapType(StringType(), StringType()))
    df = spark.read.format("text").option("lineSep", "\n\r\n\r\n").load(read_uri)
    df = df.select(regexp_replace(col("value"), r"^\s+|\s+$", "").alias("value"))
    df = df.select(split(col("value"), "\r\n\r\n").alias("s"))
    df = df.select(expr("s[0]").alias("header"), expr("s[1]").alias("payload"))
    df = df.select(to_map(split(col("header"), ": |\r\n")).alias("m"), col("payload"))

    def field(name):
        return col("m").getItem(name)

    df = df.select(
        field("Content-Length").cast("integer").alias("contentLength"),
        expr("to_timestamp(m['WARC-Date'])").alias("warcDate"),
        field("WARC-Record-ID").alias("warcRecordId"),
        field("Content-Type").alias("contentType"),
        field("WARC-Type").alias("warcType"),
        field("WARC-Refers-To").alias("warcRefersTo"),
        field("WARC-Identified-Content-Language").alias("language"),
        field("WARC-Block-Digest").alias("blockDigest"),
        field("WARC-Target-URI").alias("url"),
        field("WARC-Target-URI").alias("docId"),
        field("WARC-Target-URI").alias("partitionKey"),
        col("payload").alias("docText"),
    )
    return df.where(col("warcType") == lit("conversion"))


def reducer(spark, read_uris, read_format):
    from pyspark.sql.functions import count, desc, percentile

    frame = None
    for uri in read_uris:  # every input, unlike the official example's lost union
        one = spark.read.format(read_format).load(uri)
        frame = one if frame is None else frame.unionByName(one, allowMissingColumns=True)
    return (frame.groupBy("language")
            .agg(percentile("contentLength", 0.90).alias("90th Percentile ContentLength"),
                 count("contentLength").alias("# of Samples"))
            .orderBy(desc("# of Samples")))


def run_step(spark, step):
    started = time.monotonic()
    if step["step"] == "mapper":
        frame = mapper(spark, step["inputs"][0])
    else:
        frame = reducer(spark, step["inputs"], step.get("readFormat", "json"))
    write_format = step.get("writeFormat", "json")
    writer = frame.write.mode("overwrite").format(write_format)
    for key, value in step.get("writeOptions", {}).items():
        writer = writer.option(key, value)
    writer.save(step["out"])
    seconds = time.monotonic() - started
    rows = spark.read.format(write_format).load(step["out"]).count()
    print(json.dumps({"rows": rows, "seconds": seconds}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["mapper", "reducer", "steps"])
    parser.add_argument("out")
    parser.add_argument("inputs", nargs="*")
    parser.add_argument("--read-format", default="json")
    parser.add_argument("--write-format", default="json")
    parser.add_argument("--write-options", default='{"compression": "gzip"}')
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    if args.step == "steps":
        with open(args.out) as f:
            steps = json.load(f)
    else:
        steps = [{"step": args.step, "out": args.out, "inputs": args.inputs,
                  "readFormat": args.read_format, "writeFormat": args.write_format,
                  "writeOptions": json.loads(args.write_options)}]
    spark = session(args.threads)
    spark.sparkContext.setLogLevel("ERROR")
    for step in steps:
        run_step(spark, step)
    spark.stop()


if __name__ == "__main__":
    main()
