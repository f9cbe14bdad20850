"""Run a Lambda package under the AWS Lambda Runtime Interface Emulator (RIE).

Shared by tests/deploy/test_rie.py and bench/deploy/bench_first_invocation.py.

- A zip is unpacked into an empty directory and its `bootstrap` runs on the host, with an
  empty environment (as Lambda's custom runtime: glibc comes from the system, everything
  else from the zip).
- An OCI image archive is unpacked by reading its index, manifest and config here (no
  image tool: this checks the archive itself), its layers extracted into a root
  directory, and the RIE runs the image's ENTRYPOINT inside that root (a private mount
  namespace with /proc and /dev/null, then unshare --root), with the image's Env and
  WorkingDir. Nothing from the host is visible to the function.

The RIE always listens on 127.0.0.1 with ports picked at run time (its default is
0.0.0.0:8080), and so does its Runtime API (default 127.0.0.1:9001), so that parallel
runs never collide.
"""
import gzip
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zipfile

INVOKE_PATH = "/2015-03-31/functions/function/invocations"
REPORT = re.compile(r"^REPORT RequestId: (\S+)\t(?:Init Duration: ([0-9.]+) ms\t)?Duration: ([0-9.]+) ms")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_rie():
    """The aws-lambda-rie binary: $LD_RIE, else what scripts/install-rie.sh installed."""
    explicit = os.environ.get("LD_RIE")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    here = os.path.dirname(os.path.abspath(__file__))
    script = os.path.join(here, "..", "..", "scripts", "install-rie.sh")
    result = subprocess.run([script, "--check"], capture_output=True, text=True)
    path = result.stdout.strip()
    return path if result.returncode == 0 and os.access(path, os.X_OK) else None


def unpack_zip(zip_path, into):
    task = os.path.join(into, "task")
    os.makedirs(task)
    with zipfile.ZipFile(zip_path) as z:
        for info in z.infolist():
            z.extract(info, task)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(os.path.join(task, info.filename), mode)
    return task


def _blob(layout, digest):
    algorithm, hexdigest = digest.split(":", 1)
    path = os.path.join(layout, "blobs", algorithm, hexdigest)
    with open(path, "rb") as f:
        data = f.read()
    if hashlib.sha256(data).hexdigest() != hexdigest:
        raise ValueError(f"blob {digest} does not match its digest")
    return data


def unpack_oci_archive(archive, into, tag="latest"):
    """Extract an OCI archive's image into into/rootfs. @return (rootfs, config dict)."""
    layout = os.path.join(into, "layout")
    with tarfile.open(archive) as t:
        t.extractall(layout)
    with open(os.path.join(layout, "oci-layout")) as f:
        if json.load(f).get("imageLayoutVersion") != "1.0.0":
            raise ValueError("not an OCI image layout 1.0.0")
    with open(os.path.join(layout, "index.json")) as f:
        index = json.load(f)
    manifests = [m for m in index["manifests"]
                 if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag]
    if len(manifests) != 1:
        raise ValueError(f"the archive has {len(manifests)} manifests tagged {tag!r}")
    manifest = json.loads(_blob(layout, manifests[0]["digest"]))
    config = json.loads(_blob(layout, manifest["config"]["digest"]))
    rootfs = os.path.join(into, "rootfs")
    os.makedirs(rootfs)
    for layer in manifest["layers"]:
        data = _blob(layout, layer["digest"])
        if layer["mediaType"].endswith("+gzip"):
            data = gzip.decompress(data)
        tar_path = os.path.join(into, "layer.tar")
        with open(tar_path, "wb") as f:
            f.write(data)
        # GNU tar keeps modes, symlinks and devices as the image says.
        subprocess.run(["tar", "-xpf", tar_path, "-C", rootfs, "--numeric-owner"], check=True)
        os.unlink(tar_path)
    return rootfs, config


class Emulator:
    """The RIE running a function; use as a context manager."""

    def __init__(self, rie, command, cwd, env, root=None):
        self.rie, self.command, self.cwd, self.env, self.root = rie, command, cwd, env, root
        self.port = None
        self.log_path = None
        self.process = None

    def __enter__(self):
        for _ in range(5):
            self.port, api_port = free_port(), free_port()
            if self.port == api_port:
                continue
            self._start(api_port)
            if self._wait_listening():
                return self
            self.stop()
        raise RuntimeError(f"the RIE did not start; its log:\n{self.log()}")

    def _start(self, api_port):
        args = ["--runtime-interface-emulator-address", f"127.0.0.1:{self.port}",
                "--runtime-api-address", f"127.0.0.1:{api_port}"]
        fd, self.log_path = tempfile.mkstemp(prefix="letsdata-rie-", suffix=".log")
        if self.root is None:
            argv = [self.rie] + args + self.command
            self.process = subprocess.Popen(argv, cwd=self.cwd, env=self.env, stdout=fd,
                                            stderr=subprocess.STDOUT)
        else:
            # A private mount namespace (so the mounts vanish with it) with /proc and
            # /dev/null in the image root, then the RIE inside that root. Only the
            # network namespace is shared, so that the test reaches the RIE on loopback.
            inside = "/usr/local/bin/aws-lambda-rie"
            os.makedirs(self.root + "/usr/local/bin", exist_ok=True)
            if not os.path.exists(self.root + inside):  # (a previous run may still hold it)
                shutil.copy(self.rie, self.root + inside)
            os.makedirs(self.root + "/proc", exist_ok=True)
            os.makedirs(self.root + "/dev", exist_ok=True)
            open(self.root + "/dev/null", "a").close()
            # A PID namespace too: when the RIE (its init) dies, so does the function.
            prefix = ["unshare", "--mount", "--pid", "--fork", "--kill-child"]
            if os.geteuid() != 0:
                prefix[1:1] = ["--user", "--map-root-user"]
            script = ('mount --make-rprivate / && mount -t proc proc "$1/proc" && '
                      'mount --bind /dev/null "$1/dev/null" && '
                      'root=$1 && wd=$2 && shift 2 && exec unshare --root="$root" --wd="$wd" "$@"')
            argv = prefix + ["sh", "-c", script, "sh", self.root, self.cwd, inside] + args + self.command
            self.process = subprocess.Popen(argv, env=self.env, stdout=fd, stderr=subprocess.STDOUT)
        os.close(fd)

    def _wait_listening(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return True
            except OSError:
                time.sleep(0.02)
        return False

    def invoke(self, body, timeout=60):
        """POST @body. @return (HTTP status, response bytes)."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{INVOKE_PATH}", data=body,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def log(self):
        if not self.log_path:
            return ""
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def reports(self, expected=0, timeout=5.0):
        """[(request id, init duration or None, duration)] from the RIE's REPORT lines,
        waiting up to @p timeout for @p expected of them (the RIE prints a REPORT just
        after it has sent the answer)."""
        deadline = time.monotonic() + timeout
        found = self._reports()
        while len(found) < expected and time.monotonic() < deadline:
            time.sleep(0.02)
            found = self._reports()
        return found

    def _reports(self):
        found = []
        for line in self.log().splitlines():
            m = REPORT.match(line)
            if m:
                found.append((m.group(1), float(m.group(2)) if m.group(2) else None,
                              float(m.group(3))))
        return found

    def function_pids(self):
        """Processes the RIE started (the bootstrap and its children)."""
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{entry}/comm") as f:
                    comm = f.read().strip()
            except OSError:
                continue
            ppid = int(fields[1])
            try:
                with open(f"/proc/{ppid}/comm") as f:
                    parent = f.read().strip()
            except OSError:
                continue
            if parent.startswith("aws-lambda-rie") and not comm.startswith("aws-lambda-rie"):
                if self._descends_from_us(ppid):
                    pids.append(int(entry))
        return pids

    def _descends_from_us(self, pid):
        while pid > 1:
            if pid == self.process.pid:
                return True
            try:
                with open(f"/proc/{pid}/stat") as f:
                    pid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                return False
        return False

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            if self.root is not None:
                # `unshare --fork` ignores SIGTERM and the RIE is the namespace's init:
                # SIGKILL the outer unshare; --kill-child takes the namespace with it.
                self.process.kill()
            else:
                self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __exit__(self, *exc):
        self.stop()
        if self.log_path and os.path.exists(self.log_path):
            os.unlink(self.log_path)


def zip_emulator(rie, zip_path, workdir):
    task = unpack_zip(zip_path, workdir)
    # Lambda gives a custom runtime a clean environment; the RIE adds the AWS_* ones.
    env = {"PATH": "/usr/bin:/bin", "LAMBDA_TASK_ROOT": task}
    return Emulator(rie, [os.path.join(task, "bootstrap")], task, env), task


def image_emulator(rie, archive, workdir):
    rootfs, config = unpack_oci_archive(archive, workdir)
    cfg = config.get("config", {})
    env = dict(e.split("=", 1) for e in cfg.get("Env", []))
    entrypoint = cfg.get("Entrypoint") or []
    if not entrypoint:
        raise ValueError("the image has no Entrypoint")
    # One PATH for both sides: the host's unshare, mount and sh find their tools, and
    # the function (the RIE forwards its environment) gets the image's PATH after them.
    env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin:" + env.get("PATH", "")
    emulator = Emulator(rie, entrypoint + (cfg.get("Cmd") or []), cfg.get("WorkingDir") or "/",
                        env, root=rootfs)
    return emulator, rootfs
