#!/usr/bin/env python3
"""End-to-end test of a Lambda package under the real AWS Lambda Runtime Interface
Emulator (see tests/deploy/rie.py for how the zip and the image are run).

    test_rie.py zip|image BOOTSTRAP [--conformance DIR]

Packages BOOTSTRAP (the example handlers' static bootstrap) with the project's own tool
(letsdata-package-lambda or letsdata-package-image), checks the artifact's glibc needs,
then sends through POST /2015-03-31/functions/function/invocations:
  - every conformance example request (examples/ and examples-more/, read at test time,
    handlers' ERROR and SKIP paths included), compared with its expected response;
  - every malformed request of bad-requests.jsonl: the EXCEPTION envelope, naming the
    field;
  - a request over Lambda's 6 MB limit (which the RIE truncates rather than refuses):
    the invocation error Runtime.RequestTooLarge, and the function answers afterwards;
  - 20 invocations in a row;
and reads the RIE's REPORT lines: one per invocation, the first with an Init Duration.
Exit 77 (skipped) only when the RIE is not installed (scripts/install-rie.sh).
"""
import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import rie  # noqa: E402

SIX_MB = 6 * 1024 * 1024


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = []

    def check(self, ok, name, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed.append(name)
            print(f"FAIL {name}: {detail}", flush=True)


def json_match(expected_path, actual_bytes):
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        f.write(actual_bytes)
        f.flush()
        r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "json-match.py"),
                            expected_path, f.name], capture_output=True, text=True)
        return r.returncode == 0, (r.stdout + r.stderr).strip()


def vectors(conformance):
    found = []
    for folder in ("examples", "examples-more"):
        d = os.path.join(conformance, folder)
        for name in sorted(os.listdir(d)):
            if name.endswith(".request.json"):
                found.append((f"{folder}/{name[:-13]}", os.path.join(d, name),
                              os.path.join(d, name[:-13] + ".response.json")))
    return found


def envelope_exception(body, mention):
    """@return None if @p body is the EXCEPTION envelope (mentioning @p mention)."""
    try:
        answer = json.loads(body)
    except ValueError:
        return f"not JSON: {body[:200]!r}"
    if answer.get("StatusCode") != 500:
        return f"StatusCode {answer.get('StatusCode')!r}, not 500: {body[:200]!r}"
    inner = answer.get("body")
    if isinstance(inner, str):
        inner = json.loads(inner)
    message = json.dumps(inner)
    if mention and mention not in message:
        return f"the error does not mention {mention!r}: {message[:300]}"
    return None


def sanitized(bootstrap):
    """True for a bootstrap built with ASan/UBSan (the CI sanitizer gate's build)."""
    listing = subprocess.run(["ldd", bootstrap], capture_output=True, text=True).stdout
    return "libasan" in listing or "libubsan" in listing


def package(kind, bootstrap, workdir, max_glibc):
    out = os.path.join(workdir, "function.zip" if kind == "zip" else "image.tar")
    tool = "package-lambda.sh" if kind == "zip" else "package-image.sh"
    argv = [os.path.join(ROOT, "scripts", tool)]
    argv += [bootstrap, out] if kind == "zip" else ["--bootstrap", bootstrap, "--output", out]
    subprocess.run(argv + ["--max-glibc", max_glibc], check=True)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["zip", "image"])
    parser.add_argument("bootstrap")
    parser.add_argument("--conformance",
                        default=os.environ.get("LD_CONFORMANCE_DIR",
                                               os.path.join(ROOT, "..", "shared", "conformance")))
    args = parser.parse_args()

    binary = rie.find_rie()
    if binary is None and os.environ.get("LD_REQUIRE_RIE"):
        print("FAIL: LD_REQUIRE_RIE is set but the AWS Lambda Runtime Interface Emulator is "
              "not installed (scripts/install-rie.sh)")
        return 1
    if binary is None:
        print("SKIP: the AWS Lambda Runtime Interface Emulator is not installed; "
              "scripts/install-rie.sh installs it (.ci/run does)")
        return 77

    if os.environ.get("LD_UNDER_VALGRIND"):
        # The wrapper would watch this Python driver, not the bootstrap the RIE starts.
        print("SKIP: under valgrind this test would check the Python driver, not the "
              "bootstrap; the plain and sanitizer builds run it")
        return 77
    # A sanitizer build's bootstrap carries libasan and Debian's libstdc++ (glibc 2.36):
    # it runs under the RIE all the same (ASan then checks the Lambda loop), but it is not
    # a package for Lambda, so the glibc bound is checked in the plain build only.
    max_glibc = "none" if sanitized(args.bootstrap) else "2.34"

    results = Results()
    with tempfile.TemporaryDirectory(prefix="letsdata-rie-test.") as work:
        artifact = package(args.kind, args.bootstrap, work, max_glibc)
        size = os.path.getsize(artifact)
        if args.kind == "zip" and max_glibc != "none":
            check = subprocess.run([os.path.join(ROOT, "scripts", "check-glibc.sh"), artifact],
                                   capture_output=True, text=True)
            results.check(check.returncode == 0, "zip glibc <= 2.34", check.stdout + check.stderr)
        if args.kind == "zip":
            emulator, root = rie.zip_emulator(binary, artifact, work)
        else:
            emulator, root = rie.image_emulator(binary, artifact, work)

        invocations = 0
        with emulator:
            for name, request, expected in vectors(args.conformance):
                with open(request, "rb") as f:
                    status, body = emulator.invoke(f.read())
                invocations += 1
                ok, why = json_match(expected, body) if status == 200 else (False, f"HTTP {status}")
                results.check(ok, name, f"{why}; answer {body[:300]!r}")

            with open(os.path.join(args.conformance, "bad-requests.jsonl")) as f:
                bad = [json.loads(line) for line in f if line.strip()]
            for item in bad:
                status, body = emulator.invoke(base64.b64decode(item["body_b64"]))
                invocations += 1
                problem = envelope_exception(body, item["mention"]) if status == 200 else f"HTTP {status}"
                results.check(problem is None, f"bad request {item['name']}", problem)

            # Over 6 MB: the RIE cuts the event; the function must answer an error (not
            # hang, not crash) and keep serving.
            big = json.dumps({"requestId": "big", "interface": "SingleFileParser",
                              "function": "parseDocument", "data": {"content": "x" * (SIX_MB + 1024)}})
            status, body = emulator.invoke(big.encode())
            invocations += 1
            text = body.decode("utf-8", "replace")
            results.check(status == 200 and '"Runtime.RequestTooLarge"' in text and "6291456" in text,
                          "a request over 6 MB gets Runtime.RequestTooLarge naming the limit",
                          f"HTTP {status}: {text[:300]}")

            first = vectors(args.conformance)[0]
            with open(first[1], "rb") as f:
                payload = f.read()
            in_a_row = 0
            for _ in range(20):
                status, body = emulator.invoke(payload)
                invocations += 1
                ok, _why = json_match(first[2], body) if status == 200 else (False, "")
                in_a_row += ok
            results.check(in_a_row == 20, "20 invocations in a row", f"{in_a_row} of 20 matched")

            # The function's process loads nothing from outside the package (zip: its
            # lib/ and the system's glibc, as on Lambda; image: nothing but its root).
            for pid in emulator.function_pids():
                try:
                    with open(f"/proc/{pid}/maps") as f:
                        mapped = {line.split()[-1] for line in f if ".so" in line}
                except OSError:
                    continue
                if args.kind == "zip":
                    outside = [m for m in mapped if not m.startswith(root + "/")
                               and not any(g in os.path.basename(m) for g in
                                           ("libc.so", "libm.so", "ld-linux", "libdl.so",
                                            "libpthread.so", "librt.so", "libresolv.so"))]
                else:  # seen from the host, the image's files lie under its root
                    outside = [m for m in mapped if not m.startswith(root + "/")]
                results.check(not outside, "libraries from the package only", f"{outside}")

            reports = emulator.reports(invocations)
            results.check(len(reports) == invocations, "a REPORT line per invocation",
                          f"{len(reports)} REPORT lines for {invocations} invocations")
            results.check(bool(reports) and reports[0][1] is not None,
                          "the first REPORT has an Init Duration", f"{reports[:1]}")
            if results.failed:
                print(emulator.log()[-3000:])

        if reports:
            later = [r[2] for r in reports[1:]]
            print(f"{args.kind}: {size} bytes; RIE Duration: first invocation {reports[0][2]:.2f} ms "
                  f"(Init Duration {reports[0][1]} ms), later median "
                  f"{statistics.median(later):.2f} ms over {len(later)}")
    print(f"{results.passed} passed, {len(results.failed)} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
