#!/usr/bin/env bash
# The Lambda zip of the examples' bootstrap with the Spark examples module: unpacked
# into an empty directory, its bootstrap runs the example mapper over a WET file with
# only the bundled libraries (libletsdata-spark, libduckdb) on the library path.
#   test_spark_lambda_zip.sh BOOTSTRAP SPARK_MODULE GEN_WET
set -euo pipefail
bootstrap=${1:?}; module=${2:?}; gen_wet=${3:?}
here=$(cd "$(dirname "$0")/../../scripts" && pwd)
work=$(mktemp -d /tmp/letsdata-spark-zip.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$gen_wet" --gzip --records 50 "$work/in.warc.wet.gz" 2>/dev/null
cat > "$work/mapper.json" <<JSON
{"requestId": "r", "interface": "SparkMapperInterface", "function": "mapper",
 "letsdataAuth": {"tenantId": "t", "userId": "u", "datasetName": "n", "datasetId": "d"},
 "data": {"appName": "zip", "readDestination": "S3", "readUri": "$work/in.warc.wet.gz",
          "readFormat": "text", "readOptions": {"lineSep": "\n\r\n\r\n"},
          "writeDestination": "S3", "writeUri": "$work/out", "writeFormat": "json",
          "writeMode": "overwrite", "writeOptions": {"compression": "gzip"},
          "sparkCredentialsSecretArn": ""}}
JSON
# --max-glibc none: libduckdb itself needs only GLIBC_2.25, but the Debian 12 libstdc++
# and libgcc_s it brings need GLIBC_2.36, newer than Lambda's 2.34. The zip runs here; on
# Lambda, Spark handlers built on Debian 12 go as a container image (docs/deploy.md).
"$here/test-lambda-zip.sh" "$bootstrap" "$work/mapper.json" '"SUCCESS"' --module "$module" \
  --max-glibc none
[ -f "$work/out/_SUCCESS" ] || { echo "test_spark_lambda_zip: no $work/out/_SUCCESS" >&2; exit 1; }
rows=$(zcat "$work"/out/part-*.json.gz | wc -l)
[ "$rows" -gt 0 ] || { echo "test_spark_lambda_zip: the mapper wrote no rows" >&2; exit 1; }
echo "test_spark_lambda_zip: the zipped bootstrap mapped $rows rows with its bundled DuckDB"
