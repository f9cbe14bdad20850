#!/usr/bin/env python3
"""First-invocation Duration of the Lambda zip and the OCI image under the AWS Lambda
Runtime Interface Emulator, as its REPORT lines give it (issue #16: <= 5 ms).

    bench_first_invocation.py BOOTSTRAP [COLD_STARTS]

Packages BOOTSTRAP both ways, then starts the function COLD_STARTS times (default 15):
each start is a new RIE and a new bootstrap process, one first invocation and 5 later
ones. The RIE counts a first invocation from the moment it has the request until the
answer: it includes starting the bootstrap (loading its libraries) up to its first
GET /next. Prints, for each package, the median and p90 of the first invocations beside
the 5 ms bound, and the median of the later invocations beside them (the same run, so
the same machine load). The peer row, "zip+curl", is the same zip with libcurl and
libmicrohttpd preloaded: what the bootstrap loaded before its Runtime API client stopped
using libcurl (32 libraries). Fails only when it cannot run.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "deploy"))
import rie  # noqa: E402

BOUND_MS = 5.0
CONFORMANCE = os.environ.get("LD_CONFORMANCE_DIR", os.path.join(ROOT, "..", "shared", "conformance"))
REQUEST = os.path.join(CONFORMANCE, "examples", "01-SingleFileParser-parseDocument.request.json")


def p90(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def main():
    bootstrap = sys.argv[1]
    starts = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    binary = rie.find_rie()
    if binary is None:
        print("SKIP: the AWS Lambda RIE is not installed (scripts/install-rie.sh)")
        return 77
    with open(REQUEST, "rb") as f:
        payload = f.read()
    with tempfile.TemporaryDirectory(prefix="letsdata-bench-deploy.") as work:
        artifacts = {"zip": os.path.join(work, "function.zip"), "image": os.path.join(work, "image.tar")}
        subprocess.run([os.path.join(ROOT, "scripts", "package-lambda.sh"), bootstrap,
                        artifacts["zip"]], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([os.path.join(ROOT, "scripts", "package-image.sh"), "--bootstrap", bootstrap,
                        "--output", artifacts["image"]], check=True, stdout=subprocess.DEVNULL)
        first = {k: [] for k in artifacts}
        later = {k: [] for k in artifacts}
        unpacked = {}
        for kind, artifact in artifacts.items():
            d = os.path.join(work, kind)
            os.makedirs(d)
            unpacked[kind] = (rie.zip_emulator if kind == "zip" else rie.image_emulator)(binary, artifact, d)[0]
        # The peer: the same zip paying for the libraries the old bootstrap linked.
        preload = [p for p in ("/lib/x86_64-linux-gnu/libcurl.so.4",
                               "/lib/x86_64-linux-gnu/libmicrohttpd.so.12") if os.path.exists(p)]
        if preload:
            z = unpacked["zip"]
            unpacked["zip+curl"] = rie.Emulator(z.rie, z.command, z.cwd,
                                                dict(z.env, LD_PRELOAD=":".join(preload)))
            artifacts["zip+curl"] = artifacts["zip"]
            first["zip+curl"], later["zip+curl"] = [], []
        for _ in range(starts):
            for kind in artifacts:  # interleaved, so all see the same load
                e = unpacked[kind]
                with rie.Emulator(e.rie, e.command, e.cwd, e.env, e.root) as emulator:
                    # The RIE accepts connections before its own start-up is over; let it
                    # settle so the figure is the function's cold start, not the RIE's.
                    time.sleep(0.3)
                    for _ in range(6):
                        status, _body = emulator.invoke(payload)
                        if status != 200:
                            raise RuntimeError(f"{kind}: HTTP {status}\n{emulator.log()}")
                    reports = emulator.reports(6)
                if len(reports) != 6:
                    raise RuntimeError(f"{kind}: {len(reports)} REPORT lines for 6 invocations")
                first[kind].append(reports[0][2])
                later[kind].extend(r[2] for r in reports[1:])
        for kind, artifact in artifacts.items():
            m = statistics.median(first[kind])
            print(f"{kind} ({os.path.getsize(artifact) / 1024:.0f} KiB): first invocation Duration "
                  f"median {m:.2f} ms, p90 {p90(first[kind]):.2f} ms over {starts} cold starts "
                  f"(bound {BOUND_MS:.0f} ms: {m / BOUND_MS:.2f}x the bound, "
                  f"{'within' if m <= BOUND_MS else 'OVER'}); later invocations median "
                  f"{statistics.median(later[kind]):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
