#!/usr/bin/env python3
"""Turn documents.jsonl (what a runner's write destination received) into a Kinesis
stream replay for the next dataset: one JSON Lines record per document, with the
`data` members of a KinesisRecordReader request (the document's JSON as `data`).
    scripts/to-kinesis-records.py OUT/documents.jsonl > stream.jsonl
"""
import json
import sys

STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/crawl-documents"

with open(sys.argv[1], encoding="utf-8") as documents:
    for n, line in enumerate(documents):
        document = json.loads(line)
        print(json.dumps({
            "streamArn": STREAM,
            "shardId": "shardId-000000000000",
            "partitionKey": document.get("partitionKey") or str(n),
            "sequenceNumber": "%056d" % n,
            "approximateArrivalTimestamp": 1700000000000 + n,
            "data": json.dumps(document, ensure_ascii=False),
        }, ensure_ascii=False))
