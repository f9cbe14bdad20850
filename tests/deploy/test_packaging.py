#!/usr/bin/env python3
"""The packaging tools without the emulator: letsdata-package-image (OCI and docker
archives, reproducible digests, the Lambda layout, a self-sufficient root, --runtime
with handler libraries, --lib/--file/--env, bad arguments), letsdata-package-lambda
(reproducible zip, only what the bootstrap loads) and letsdata-check-glibc (refuses an
object that needs a newer glibc).

    test_packaging.py BOOTSTRAP LETSDATA-RUNTIME HANDLER-MODULE [SPARK-MODULE GEN-WET]

With the Spark examples module, also an image of the bootstrap with --module
SPARK-MODULE (libletsdata-spark, libduckdb and Debian's libstdc++, which a Lambda zip
cannot carry: they need glibc 2.36) whose mapper runs inside the image's bare root.
"""
import glob
import gzip
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SCRIPTS = os.path.join(ROOT, "scripts")
sys.path.insert(0, HERE)
import rie  # noqa: E402

CONFORMANCE = os.environ.get("LD_CONFORMANCE_DIR", os.path.join(ROOT, "..", "shared", "conformance"))
REQUEST = os.path.join(CONFORMANCE, "examples", "07-DynamoDBTableItemReader-parseDynamoDBItem.request.json")
EXPECT = '"documentId":"value1|value2"'

passed, failed = 0, []


def check(ok, name, detail=""):
    global passed
    if ok:
        passed += 1
    else:
        failed.append(name)
        print(f"FAIL {name}: {detail}", flush=True)


def run(argv, env=None):
    return subprocess.run(argv, capture_output=True, text=True, env=env)


def image(work, name, *args, env=None):
    out = os.path.join(work, name)
    r = run([os.path.join(SCRIPTS, "package-image.sh"), "--output", out, *args], env=env)
    if r.returncode != 0:
        raise RuntimeError(f"package-image {args} failed: {r.stderr}")
    return out


def run_in_root(rootfs, argv, env):
    """Run @p argv inside @p rootfs (a private mount namespace, nothing of the host)."""
    prefix = ["unshare", "--mount", "--fork"] if os.geteuid() == 0 else \
        ["unshare", "--user", "--map-root-user", "--mount", "--fork"]
    return subprocess.run(prefix + ["unshare", f"--root={rootfs}", "--wd=/var/task"] + argv,
                          capture_output=True, text=True, env=env)


def spark_image(work, bootstrap, spark_module, gen_wet):
    """The Spark mapper from an image: DuckDB and its C++ runtime travel with it."""
    archive = image(work, "spark.tar", "--bootstrap", bootstrap, "--module", spark_module)
    unpacked = os.path.join(work, "spark")
    os.makedirs(unpacked)
    rootfs, config = rie.unpack_oci_archive(archive, unpacked)
    libs = os.listdir(os.path.join(rootfs, "var/runtime/lib"))
    check(any(n.startswith("libduckdb") for n in libs), "--module brings libduckdb", f"{libs}")
    subprocess.run([gen_wet, "--gzip", "--records", "40", os.path.join(rootfs, "tmp/in.warc.wet.gz")],
                   check=True, capture_output=True)
    request = {"requestId": "r", "interface": "SparkMapperInterface", "function": "mapper",
               "letsdataAuth": {"tenantId": "t", "userId": "u", "datasetName": "n", "datasetId": "d"},
               "data": {"appName": "image", "readDestination": "S3", "readUri": "/tmp/in.warc.wet.gz",
                        "readFormat": "text", "readOptions": {"lineSep": "\n\r\n\r\n"},
                        "writeDestination": "S3", "writeUri": "/tmp/out", "writeFormat": "json",
                        "writeMode": "overwrite", "writeOptions": {"compression": "gzip"},
                        "sparkCredentialsSecretArn": ""}}
    with open(os.path.join(rootfs, "tmp/mapper.json"), "w") as f:
        json.dump(request, f)
    env = dict(e.split("=", 1) for e in config["config"].get("Env", []))
    r = run_in_root(rootfs, ["/var/runtime/bootstrap", "invoke", "/tmp/mapper.json"], env)
    rows = 0
    for part in glob.glob(os.path.join(rootfs, "tmp/out/part-*.json.gz")):
        with gzip.open(part, "rt") as f:
            rows += sum(1 for _ in f)
    check(r.returncode == 0 and '"SUCCESS"' in r.stdout and rows > 0,
          "the Spark mapper runs inside the bare image with its bundled DuckDB",
          f"{rows} rows; {r.stdout[:300]} {r.stderr[-600:]}")


def main():
    bootstrap, runtime, module = sys.argv[1:4]
    listing = run(["ldd", bootstrap]).stdout
    if os.environ.get("LD_UNDER_VALGRIND") or "libasan" in listing or "libubsan" in listing:
        print("SKIP: the packaging tools are checked in the plain build (a sanitizer build's "
              "objects carry libasan; under valgrind this would check the Python driver)")
        return 77
    with tempfile.TemporaryDirectory(prefix="letsdata-pkg-test.") as work:
        # Reproducible: same inputs, same bytes; another date, another digest.
        a = image(work, "a.tar", "--bootstrap", bootstrap)
        b = image(work, "b.tar", "--bootstrap", bootstrap)
        with open(a, "rb") as fa, open(b, "rb") as fb:
            check(fa.read() == fb.read(), "the same inputs give the same OCI archive")
        c = image(work, "c.tar", "--bootstrap", bootstrap,
                  env=dict(os.environ, SOURCE_DATE_EPOCH="1700000000"))
        with tarfile.open(a) as ta, tarfile.open(c) as tc:
            ia = json.load(ta.extractfile("index.json"))
            ic = json.load(tc.extractfile("index.json"))
        check(ia["manifests"][0]["digest"] != ic["manifests"][0]["digest"],
              "SOURCE_DATE_EPOCH changes the digest")
        check(ia["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] == "latest",
              "the OCI archive is tagged latest", f"{ia}")

        # The layout and the configuration LetsData's Lambda needs.
        unpacked = os.path.join(work, "a")
        os.makedirs(unpacked)
        rootfs, config = rie.unpack_oci_archive(a, unpacked)
        cfg = config["config"]
        check(cfg.get("Entrypoint") == ["/var/runtime/bootstrap"], "ENTRYPOINT the bootstrap", f"{cfg}")
        check(cfg.get("WorkingDir") == "/var/task", "WORKDIR /var/task", f"{cfg}")
        env = dict(e.split("=", 1) for e in cfg.get("Env", []))
        check(env.get("LAMBDA_TASK_ROOT") == "/var/task", "LAMBDA_TASK_ROOT", f"{env}")
        check(config.get("architecture") == "amd64" and config.get("os") == "linux", "linux/amd64")
        for path in ("var/runtime/bootstrap", "lib64/ld-linux-x86-64.so.2",
                     "etc/ssl/certs/ca-certificates.crt", "var/task", "tmp"):
            check(os.path.lexists(os.path.join(rootfs, path)), f"the image has /{path}")
        libs = sorted(os.listdir(os.path.join(rootfs, "var/runtime/lib")))
        check(not any(n.startswith(("libcurl", "libgnutls", "libmicrohttpd", "libssl", "libkrb5"))
                      for n in libs), "no network or TLS library in the image", f"{libs}")

        # It runs with nothing from the host: one-shot invoke inside its own root.
        with open(REQUEST, "rb") as f, open(os.path.join(rootfs, "tmp/request.json"), "wb") as g:
            g.write(f.read())
        r = run_in_root(rootfs, ["/var/runtime/bootstrap", "invoke", "/tmp/request.json"], env)
        check(r.returncode == 0 and EXPECT in r.stdout, "the bootstrap runs inside the bare image",
              r.stdout + r.stderr)

        # letsdata-runtime with a handler library, plus --lib, --file and --env.
        notes = os.path.join(work, "notes.txt")
        with open(notes, "w") as f:
            f.write("hello\n")
        d = image(work, "d.tar", "--runtime", runtime, "--handler", module, "--lib", module,
                  "--file", f"{notes}:/var/task/notes.txt", "--env", "GREETING=hi")
        unpacked = os.path.join(work, "d")
        os.makedirs(unpacked)
        rootfs_d, config_d = rie.unpack_oci_archive(d, unpacked)
        cfg_d = config_d["config"]
        base = os.path.basename(module)
        check(cfg_d.get("Entrypoint") == ["/var/runtime/letsdata-runtime", "--handler",
                                          f"/var/task/{base}", "lambda"],
              "--runtime: ENTRYPOINT letsdata-runtime --handler ... lambda", f"{cfg_d}")
        check("GREETING=hi" in cfg_d.get("Env", []), "--env reaches the image", f"{cfg_d}")
        check(os.path.exists(os.path.join(rootfs_d, "var/task/notes.txt")), "--file lands at DEST")
        check(os.path.exists(os.path.join(rootfs_d, "var/runtime/lib", base)), "--lib lands in /var/runtime/lib")
        with open(REQUEST, "rb") as f, open(os.path.join(rootfs_d, "tmp/request.json"), "wb") as g:
            g.write(f.read())
        env_d = dict(e.split("=", 1) for e in cfg_d.get("Env", []))
        r = run_in_root(rootfs_d, ["/var/runtime/letsdata-runtime", "--handler", f"/var/task/{base}",
                                   "invoke", "/tmp/request.json"], env_d)
        check(r.returncode == 0 and EXPECT in r.stdout,
              "letsdata-runtime and its handler run inside the bare image", r.stdout + r.stderr)

        if len(sys.argv) > 5:
            spark_image(work, bootstrap, sys.argv[4], sys.argv[5])

        # A docker archive for `docker load`.
        e = image(work, "e.tar", "--bootstrap", bootstrap, "--format", "docker", "--name", "my-handler:v1")
        with tarfile.open(e) as te:
            manifest = json.load(te.extractfile("manifest.json"))
        # skopeo writes the normalised name, which `docker load` shows as my-handler:v1.
        check(manifest[0].get("RepoTags") in (["my-handler:v1"], ["docker.io/library/my-handler:v1"]),
              "docker archive named --name", f"{manifest}")

        # Bad arguments are refused with a message naming the problem.
        for args, says in ((["--bootstrap", bootstrap], "--output"),
                           (["--bootstrap", "/nonexistent", "--output", "x.tar"], "/nonexistent"),
                           (["--runtime", runtime, "--output", "x.tar"], "--handler"),
                           (["--bootstrap", bootstrap, "--output", "x.tar", "--format", "zip"], "oci or docker"),
                           (["--bootstrap", bootstrap, "--output", "x.tar", "--file", "a:relative"], "SRC:/ABSOLUTE/DEST")):
            r = run([os.path.join(SCRIPTS, "package-image.sh"), *args])
            check(r.returncode != 0 and says in r.stderr, f"package-image refuses {args}", r.stderr)

        # The zip: reproducible, only what the bootstrap loads, glibc checked.
        z1, z2 = os.path.join(work, "1.zip"), os.path.join(work, "2.zip")
        for z in (z1, z2):
            r = run([os.path.join(SCRIPTS, "package-lambda.sh"), bootstrap, z])
            check(r.returncode == 0, "package-lambda", r.stderr)
        with open(z1, "rb") as f1, open(z2, "rb") as f2:
            check(f1.read() == f2.read(), "the same inputs give the same zip")
        names = zipfile.ZipFile(z1).namelist()
        loaded = {line.split()[0] for line in run(["ldd", bootstrap]).stdout.splitlines() if "=>" in line}
        shipped = {os.path.basename(n) for n in names if n.startswith("lib/") and ".so" in n}
        glibc = {"libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1"}
        check(shipped == loaded - glibc - {"linux-vdso.so.1"},
              "the zip ships exactly the non-glibc libraries the bootstrap loads",
              f"shipped {sorted(shipped)}, loaded {sorted(loaded)}")

        r = run([os.path.join(SCRIPTS, "check-glibc.sh"), "--max", "2.30", bootstrap])
        check(r.returncode == 1 and "needs GLIBC_2.34 (newer than GLIBC_2.30)" in r.stdout,
              "check-glibc refuses an object needing a newer glibc", r.stdout + r.stderr)
        r = run([os.path.join(SCRIPTS, "check-glibc.sh"), z1])
        check(r.returncode == 0, "the zip needs at most GLIBC_2.34", r.stdout + r.stderr)
        r = run([os.path.join(SCRIPTS, "package-lambda.sh"), bootstrap, os.path.join(work, "3.zip"),
                 "--max-glibc", "2.30"])
        check(r.returncode != 0 and "newer glibc" in r.stderr, "package-lambda refuses a too-new glibc",
              r.stderr)

    print(f"{passed} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
