#!/usr/bin/env python3
"""A stand-in for S3 (path-style), Secrets Manager and the SageMaker runtime that judges
requests like the real services, for the libletsdata-aws tests and benchmark.

Every request's Signature Version 4 is recomputed with botocore's own signer (from the
canonical form real AWS uses: the query decoded, re-encoded per RFC 3986 and sorted;
the path re-encoded) and compared; the payload hash is checked against the body, the
session token against the key's, the scope's region against ours. S3 answers like S3:
ETags (MD5, multipart "md5-of-md5s-N"), ranges, If-Match, part lists (order, ETags,
sizes >= 5 MiB but the last), ListObjectsV2 pages, DeleteObjects with Content-MD5.

Faults are injected on request (500, 503 SlowDown, connection reset mid-body) and
every attempt is logged; the test reads both through the unsigned /__admin/ API.

    fake_aws.py --key AKID:SECRET[:TOKEN] ... [--region R] [--bucket B] ... [--fast]

prints "PORT <n>" once listening on 127.0.0.1:<n> (port chosen by the kernel), then
serves until stdin closes or SIGTERM. --fast skips the per-byte digests of bodies
(signatures are still checked) so a benchmark measures the client, not Python hashing.
"""
import argparse
import base64
import datetime
import hashlib
import json
import os
import re
import shutil
import socket
import struct
import sys
import tempfile
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote, urlsplit
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

CHUNK = 1 << 20
MIN_PART = 5 * 1024 * 1024
S3NS = "http://s3.amazonaws.com/doc/2006-03-01/"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def unlink_quiet(path):
    try:
        os.unlink(path)
    except FileNotFoundError:  # --fast keeps no bytes
        pass


def remove_object(meta):
    for path, _ in meta["path"]:
        unlink_quiet(path)


class AwsError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def rfc3986(text):
    return quote(text, safe="-_.~")


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.keys = {}  # access key -> (secret, token or None)
        for spec in args.key:
            parts = spec.split(":", 2)
            self.keys[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else None)
        self.region = args.region
        self.fast = args.fast
        self.dir = tempfile.mkdtemp(prefix="fake-aws-")
        self.buckets = {b: {} for b in args.bucket}  # bucket -> key -> meta
        self.uploads = {}  # upload id -> {bucket, key, parts: {n: (path, etag, size)}}
        self.secrets = {}  # name -> {arn, string}
        self.faults = []  # [{method, path (regex), action, count, after}]
        self.log = []

    def new_path(self):
        return os.path.join(self.dir, uuid.uuid4().hex)

    def take_fault(self, method, path, query):
        with self.lock:
            for fault in self.faults:
                if fault.get("method") not in (None, method):
                    continue
                if not re.search(fault.get("path", ""), path):
                    continue
                if fault.get("query") is not None and fault["query"] not in query:
                    continue
                if fault["count"] <= 0:
                    continue
                fault["count"] -= 1
                return dict(fault)
        return None


STATE = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeAWS/1.0"

    def log_message(self, format, *args):  # noqa: A002 - quiet; the log is structured
        pass

    # ---------------------------------------------------------------- plumbing
    def do_GET(self):
        self.dispatch("GET")

    def do_HEAD(self):
        self.dispatch("HEAD")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        split = urlsplit(self.path)
        self.raw_path, self.raw_query = split.path, split.query
        self.entry = {"method": method, "path": unquote(self.raw_path),
                      "query": self.raw_query, "range": self.headers.get("Range"),
                      "if_match": self.headers.get("If-Match"),
                      "sha256": self.headers.get("X-Amz-Content-SHA256"), "status": 0, "code": ""}
        self.body_read = False
        try:
            if self.raw_path.startswith("/__admin/"):
                self.body = self.read_body()
                return self.admin(method)
            with STATE.lock:
                STATE.log.append(self.entry)
            self.service, self.access_key = self.check_auth(method)
            fault = STATE.take_fault(method, unquote(self.raw_path), self.raw_query)
            self.fault = fault
            if fault and fault["action"] in ("500", "503"):
                self.drain()
                if fault["action"] == "500":
                    raise AwsError(500, "InternalError", "We encountered an internal error. Please try again.")
                raise AwsError(503, "SlowDown", "Please reduce your request rate.")
            if self.service == "s3":
                self.s3(method)
            elif self.service == "secretsmanager":
                self.secretsmanager(method)
            elif self.service == "sagemaker":
                self.sagemaker(method)
            else:
                raise AwsError(400, "InvalidSignatureException", "unknown service " + self.service)
        except AwsError as e:
            self.drain()
            self.send_error_doc(e)
        except (ConnectionError, BrokenPipeError):
            self.close_connection = True

    def drain(self):
        if not self.body_read:
            length = int(self.headers.get("Content-Length") or 0)
            while length > 0:
                got = self.rfile.read(min(length, CHUNK))
                if not got:
                    break
                length -= len(got)
            self.body_read = True

    def read_body(self):
        self.body_read = True
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send_error_doc(self, e):
        self.entry["status"], self.entry["code"] = e.status, e.code
        request_id = uuid.uuid4().hex[:16].upper()
        if getattr(self, "service", "s3") in ("secretsmanager", "sagemaker"):
            body = json.dumps({"__type": e.code, "message": e.message}).encode()
            ctype = "application/x-amz-json-1.1"
            id_header = "x-amzn-RequestId"
        else:
            body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{e.code}</Code>'
                    f"<Message>{escape(e.message)}</Message><RequestId>{request_id}</RequestId>"
                    "</Error>").encode()
            ctype = "application/xml"
            id_header = "x-amz-request-id"
        self.send_response(e.status)
        self.send_header("Content-Type", ctype)
        self.send_header(id_header, request_id)
        self.send_header("Content-Length", str(len(body) if self.command != "HEAD" else 0))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def reply(self, status, body=b"", headers=None, ctype="application/xml"):
        self.entry["status"] = status
        self.send_response(status)
        self.send_header("x-amz-request-id", uuid.uuid4().hex[:16].upper())
        self.send_header("x-amzn-RequestId", uuid.uuid4().hex[:16].upper())
        if body or status != 204:
            self.send_header("Content-Type", ctype)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 204:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    # ---------------------------------------------------------------- signatures
    def check_auth(self, method):
        auth = self.headers.get("Authorization", "")
        m = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request,"
                     r" ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$", auth)
        if not m:
            raise AwsError(403, "AccessDenied" if not auth else "AuthorizationHeaderMalformed",
                           "missing or malformed Authorization header: " + auth[:80])
        access_key, date, region, service, signed, signature = m.groups()
        self.entry["service"] = service
        self.service = service
        if access_key not in STATE.keys:
            raise AwsError(403, "InvalidAccessKeyId",
                           "The AWS Access Key Id you provided does not exist in our records.")
        secret, token = STATE.keys[access_key]
        if region != STATE.region:
            raise AwsError(400 if service == "s3" else 403, "AuthorizationHeaderMalformed",
                           f"the region '{region}' is wrong; expecting '{STATE.region}'")
        amz_date = self.headers.get("X-Amz-Date", "")
        try:
            when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
        except ValueError:
            raise AwsError(403, "AccessDenied", "missing or bad X-Amz-Date")
        if abs((datetime.datetime.utcnow() - when).total_seconds()) > 900 or amz_date[:8] != date:
            raise AwsError(403, "RequestTimeTooSkewed", "The difference between the request "
                           "time and the current time is too large.")
        sent_token = self.headers.get("X-Amz-Security-Token")
        if token != sent_token:
            raise AwsError(403, "InvalidToken" if service == "s3" else "UnrecognizedClientException",
                           "The provided token is malformed or otherwise invalid.")
        names = signed.split(";")
        if "host" not in names:
            raise AwsError(403, "AccessDenied", "host must be signed")
        if token is not None and "x-amz-security-token" not in names:
            raise AwsError(403, "AccessDenied", "x-amz-security-token must be signed")
        headers = {}
        for name in names:
            value = self.headers.get(name)
            if value is None:
                raise AwsError(403, "AccessDenied", f"signed header {name} is missing")
            headers[name] = value
        # The canonical form AWS computes: path and query decoded, re-encoded, sorted.
        path = quote(unquote(self.raw_path), safe="/~")
        pairs = []
        for pair in self.raw_query.split("&") if self.raw_query else []:
            k, _, v = pair.partition("=")
            pairs.append((rfc3986(unquote(k)), rfc3986(unquote(v))))
        query = "&".join(f"{k}={v}" for k, v in pairs)
        url = f"http://{headers['host']}{path}" + (f"?{query}" if query else "")
        payload_hash = self.headers.get("X-Amz-Content-SHA256")
        if service == "s3" and payload_hash is None:
            raise AwsError(400, "InvalidRequest", "Missing required header for this request: "
                           "x-amz-content-sha256")
        self.payload_hash = payload_hash
        body = b""
        if service != "s3":
            body = self.read_body()
            self.body = body
        request = AWSRequest(method=method, url=url, headers=headers, data=body)
        request.context["timestamp"] = amz_date
        signer_class = S3SigV4Auth if service == "s3" else SigV4Auth
        signer = signer_class(Credentials(access_key, secret, token), service, region)
        canonical = signer.canonical_request(request)
        expected = signer.signature(signer.string_to_sign(request, canonical), request)
        if expected != signature:
            raise AwsError(403, "SignatureDoesNotMatch" if service == "s3"
                           else "InvalidSignatureException",
                           "The request signature we calculated does not match the signature "
                           "you provided. Check your key and signing method.")
        return service, access_key

    def receive_to_file(self, path):
        """Stream the body to @path; check it against x-amz-content-sha256 and
        Content-MD5; return (md5 hex, size). Honours a reset fault mid-body."""
        length = self.headers.get("Content-Length")
        if length is None:
            raise AwsError(411, "MissingContentLength", "You must provide the Content-Length HTTP header.")
        length = int(length)
        check_sha = self.payload_hash not in ("UNSIGNED-PAYLOAD",) and not STATE.fast
        sha = hashlib.sha256() if check_sha else None
        md5 = hashlib.md5() if not STATE.fast else None
        left = length
        buffer = bytearray(CHUNK)
        view = memoryview(buffer)
        if STATE.fast:
            # Bytes counted, not kept (the benchmark GETs a registered file instead), read
            # straight from the socket once what the reader buffered is taken.
            buffered = len(self.rfile.peek(0)) if hasattr(self.rfile, "peek") else 0
            if buffered:
                left -= len(self.rfile.read(min(buffered, left)))
            sock = self.connection
            while left > 0:
                n = sock.recv_into(view, min(left, CHUNK))
                if not n:
                    raise ConnectionError("client closed")
                left -= n
            self.body_read = True
            return hashlib.md5(f"{length}:{uuid.uuid4()}".encode()).hexdigest(), length
        with open(path, "wb", buffering=0) as f:
            while left > 0:
                n = self.rfile.readinto(view[:min(left, CHUNK)])
                if not n:
                    raise ConnectionError("client closed")
                left -= n
                got = view[:n]
                f.write(got)
                if sha:
                    sha.update(got)
                if md5:
                    md5.update(got)
        self.body_read = True
        if sha and sha.hexdigest() != self.payload_hash:
            unlink_quiet(path)
            raise AwsError(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' "
                           "header does not match what was computed.")
        if md5 is None:
            digest = hashlib.md5(f"{length}:{uuid.uuid4()}".encode()).hexdigest()
        else:
            digest = md5.hexdigest()
            sent = self.headers.get("Content-MD5")
            if sent and base64.b64encode(md5.digest()).decode() != sent:
                unlink_quiet(path)
                raise AwsError(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
        return digest, length

    # ---------------------------------------------------------------- S3
    def s3(self, method):
        parts = self.raw_path.lstrip("/").split("/", 1)
        bucket = unquote(parts[0])
        key = unquote(parts[1]) if len(parts) > 1 else ""
        query = {}
        for pair in self.raw_query.split("&") if self.raw_query else []:
            k, _, v = pair.partition("=")
            query[unquote(k)] = unquote(v)
        if not bucket:
            raise AwsError(400, "InvalidRequest", "ListBuckets is not supported here")
        if key == "":
            if method == "PUT":
                self.drain()
                STATE.buckets.setdefault(bucket, {})
                return self.reply(200)
            objects = self.bucket(bucket)
            if method == "GET" and query.get("list-type") == "2":
                return self.list_v2(bucket, objects, query)
            if method == "POST" and "delete" in query:
                return self.delete_objects(bucket, objects)
            if method == "GET" and "uploads" in query:
                return self.list_uploads(bucket)
            raise AwsError(400, "InvalidRequest", f"unsupported bucket operation {method} ?{self.raw_query}")
        objects = self.bucket(bucket)
        if method in ("GET", "HEAD") and not query:
            return self.get_object(bucket, key, objects, method)
        if method == "PUT" and "uploadId" in query:
            return self.upload_part(bucket, key, query)
        if method == "PUT" and not query:
            return self.put_object(bucket, key, objects)
        if method == "POST" and "uploads" in query:
            self.drain()
            upload_id = uuid.uuid4().hex
            with STATE.lock:
                STATE.uploads[upload_id] = {"bucket": bucket, "key": key, "parts": {}}
            body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<InitiateMultipartUploadResult xmlns="{S3NS}">'
                    f"<Bucket>{escape(bucket)}</Bucket><Key>{escape(key)}</Key><UploadId>{upload_id}</UploadId>"
                    "</InitiateMultipartUploadResult>").encode()
            return self.reply(200, body)
        if method == "POST" and "uploadId" in query:
            return self.complete_upload(bucket, key, query, objects)
        if method == "DELETE" and "uploadId" in query:
            self.drain()
            with STATE.lock:
                upload = STATE.uploads.pop(query["uploadId"], None)
            if upload is None:
                raise AwsError(404, "NoSuchUpload", "The specified upload does not exist.")
            for path, _, _ in upload["parts"].values():
                unlink_quiet(path)
            return self.reply(204)
        if method == "DELETE" and not query:
            self.drain()
            with STATE.lock:
                meta = objects.pop(key, None)
            if meta:
                remove_object(meta)
            return self.reply(204)
        raise AwsError(400, "InvalidRequest", f"unsupported object operation {method} ?{self.raw_query}")

    def bucket(self, name):
        objects = STATE.buckets.get(name)
        if objects is None:
            raise AwsError(404, "NoSuchBucket", "The specified bucket does not exist")
        return objects

    def get_object(self, bucket, key, objects, method):
        self.drain()
        meta = objects.get(key)
        if meta is None:
            raise AwsError(404, "NoSuchKey", "The specified key does not exist.")
        if_match = self.headers.get("If-Match")
        if if_match and if_match != meta["etag"]:
            raise AwsError(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
        size = meta["size"]
        start, end = 0, size - 1
        status = 200
        rng = self.headers.get("Range")
        if rng:
            m = re.match(r"bytes=(\d+)-(\d*)$", rng)
            if not m:
                raise AwsError(400, "InvalidArgument", "bad Range " + rng)
            start = int(m.group(1))
            end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
            if start >= size:
                raise AwsError(416, "InvalidRange", "The requested range is not satisfiable")
            status = 206
        length = end - start + 1 if size else 0
        self.entry["status"] = status
        self.send_response(status)
        self.send_header("x-amz-request-id", uuid.uuid4().hex[:16].upper())
        self.send_header("Content-Type", meta["type"])
        self.send_header("ETag", meta["etag"])
        self.send_header("Last-Modified", meta["modified_http"])
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(length))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if method == "HEAD" or length == 0:
            return
        self.wfile.flush()
        cut = length
        if self.fault and self.fault["action"] == "reset":
            cut = min(length, int(self.fault.get("after", length // 2)))
        sock = self.connection
        sent, at = 0, start
        for segment, segment_size in meta["path"]:
            if sent >= cut:
                break
            if at >= segment_size:
                at -= segment_size
                continue
            want = min(segment_size - at, cut - sent)
            with open(segment, "rb") as f:
                got = sock.sendfile(f, offset=at, count=want)
            sent += got
            at = 0
            if got < want:
                break
        if cut < length or sent < cut:
            self.entry["status"] = f"{status} reset after {cut}"
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            sock.close()

    def put_object(self, bucket, key, objects):
        path = STATE.new_path()
        digest, size = self.receive_to_file(path)
        etag = f'"{digest}"'
        self.store(objects, key, path, size, etag)
        return self.reply(200, headers={"ETag": etag})

    def store(self, objects, key, path, size, etag):
        now = datetime.datetime.utcnow()
        if isinstance(path, str):
            path = [(path, size)]
        meta = {"path": path, "size": size, "etag": etag,
                "type": self.headers.get("Content-Type") or "binary/octet-stream",
                "modified_http": now.strftime("%a, %d %b %Y %H:%M:%S GMT"),
                "modified_iso": now.strftime("%Y-%m-%dT%H:%M:%S.000Z")}
        with STATE.lock:
            old = objects.get(key)
            objects[key] = meta
        if old:
            remove_object(old)

    def upload_part(self, bucket, key, query):
        with STATE.lock:
            upload = STATE.uploads.get(query["uploadId"])
        if upload is None or upload["bucket"] != bucket or upload["key"] != key:
            self.drain()
            raise AwsError(404, "NoSuchUpload", "The specified upload does not exist.")
        number = int(query.get("partNumber", "0"))
        if not 1 <= number <= 10000:
            self.drain()
            raise AwsError(400, "InvalidArgument", "Part number must be an integer between 1 and 10000")
        path = STATE.new_path()
        digest, size = self.receive_to_file(path)
        etag = f'"{digest}"'
        with STATE.lock:
            old = upload["parts"].get(number)
            upload["parts"][number] = (path, etag, size)
        if old:
            unlink_quiet(old[0])
        return self.reply(200, headers={"ETag": etag})

    def complete_upload(self, bucket, key, query, objects):
        body = self.read_body()
        with STATE.lock:
            upload = STATE.uploads.get(query["uploadId"])
        if upload is None:
            raise AwsError(404, "NoSuchUpload", "The specified upload does not exist.")
        try:
            root = ElementTree.fromstring(body)
        except ElementTree.ParseError:
            raise AwsError(400, "MalformedXML", "The XML you provided was not well-formed")
        listed = []
        for part in root.iter():
            if part.tag.split("}")[-1] != "Part":
                continue
            fields = {c.tag.split("}")[-1]: (c.text or "") for c in part}
            listed.append((int(fields.get("PartNumber", "0")), fields.get("ETag", "")))
        if not listed:
            raise AwsError(400, "MalformedXML", "no parts listed")
        if [n for n, _ in listed] != sorted(n for n, _ in listed) or len({n for n, _ in listed}) != len(listed):
            raise AwsError(400, "InvalidPartOrder", "The list of parts was not in ascending order.")
        files, digests = [], b""
        for i, (number, etag) in enumerate(listed):
            part = upload["parts"].get(number)
            if part is None or part[1] != etag:
                raise AwsError(400, "InvalidPart", f"part {number}: one or more of the specified parts could not be found or its ETag did not match")
            if i < len(listed) - 1 and part[2] < MIN_PART:
                raise AwsError(400, "EntityTooSmall", f"part {number} is {part[2]} bytes; parts but the last must be at least 5 MiB")
            files.append((part[0], part[2]))
            digests += bytes.fromhex(part[1].strip('"'))
        # The object is its parts' files, in order (no copy); unlisted parts go.
        segments = files
        size = sum(n for _, n in segments)
        etag = f'"{hashlib.md5(digests).hexdigest()}-{len(listed)}"'
        with STATE.lock:
            STATE.uploads.pop(query["uploadId"], None)
        for p, _, _ in upload["parts"].values():
            if p not in [f for f, _ in files]:
                unlink_quiet(p)
        self.store(objects, key, segments, size, etag)
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult xmlns="{S3NS}">'
                f"<Bucket>{escape(bucket)}</Bucket><Key>{escape(key)}</Key><ETag>{escape(etag)}</ETag>"
                "</CompleteMultipartUploadResult>").encode()
        return self.reply(200, body)

    def list_v2(self, bucket, objects, query):
        self.drain()
        prefix = query.get("prefix", "")
        delimiter = query.get("delimiter", "")
        max_keys = int(query.get("max-keys", "1000"))
        after = query.get("continuation-token") or query.get("start-after") or ""
        if query.get("continuation-token"):
            after = base64.b64decode(after).decode()
        entries = []  # (name, meta or None for prefix)
        seen_prefixes = set()
        for key in sorted(objects):
            if not key.startswith(prefix):
                continue
            if delimiter:
                cut = key.find(delimiter, len(prefix))
                if cut >= 0:
                    common = key[:cut + len(delimiter)]
                    if common not in seen_prefixes:
                        seen_prefixes.add(common)
                        entries.append((common, None))
                    continue
            entries.append((key, objects[key]))
        entries = [e for e in entries if e[0] > after]
        page, rest = entries[:max_keys], entries[max_keys:]
        out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="{S3NS}">',
               f"<Name>{escape(bucket)}</Name><Prefix>{escape(prefix)}</Prefix>",
               f"<KeyCount>{len(page)}</KeyCount><MaxKeys>{max_keys}</MaxKeys>",
               f"<IsTruncated>{'true' if rest else 'false'}</IsTruncated>"]
        if rest:
            token = base64.b64encode(page[-1][0].encode()).decode()
            out.append(f"<NextContinuationToken>{token}</NextContinuationToken>")
        for name, meta in page:
            if meta is None:
                out.append(f"<CommonPrefixes><Prefix>{escape(name)}</Prefix></CommonPrefixes>")
            else:
                out.append(f"<Contents><Key>{escape(name)}</Key><LastModified>{meta['modified_iso']}</LastModified>"
                           f"<ETag>{escape(meta['etag'])}</ETag><Size>{meta['size']}</Size>"
                           "<StorageClass>STANDARD</StorageClass></Contents>")
        out.append("</ListBucketResult>")
        return self.reply(200, "".join(out).encode())

    def list_uploads(self, bucket):
        self.drain()
        with STATE.lock:
            mine = [(i, u) for i, u in STATE.uploads.items() if u["bucket"] == bucket]
        out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult xmlns="{S3NS}"><Bucket>{escape(bucket)}</Bucket>']
        for upload_id, u in mine:
            out.append(f"<Upload><Key>{escape(u['key'])}</Key><UploadId>{upload_id}</UploadId></Upload>")
        out.append("</ListMultipartUploadsResult>")
        return self.reply(200, "".join(out).encode())

    def delete_objects(self, bucket, objects):
        body = self.read_body()
        md5 = self.headers.get("Content-MD5")
        if md5 is None:
            raise AwsError(400, "InvalidRequest", "Missing required header for this request: Content-MD5")
        if base64.b64encode(hashlib.md5(body).digest()).decode() != md5:
            raise AwsError(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
        if not STATE.fast and self.payload_hash != hashlib.sha256(body).hexdigest():
            raise AwsError(400, "XAmzContentSHA256Mismatch", "x-amz-content-sha256 does not match")
        try:
            root = ElementTree.fromstring(body)
        except ElementTree.ParseError:
            raise AwsError(400, "MalformedXML", "The XML you provided was not well-formed")
        keys = [c.text or "" for c in root.iter() if c.tag.split("}")[-1] == "Key"]
        if len(keys) > 1000:
            raise AwsError(400, "MalformedXML", "more than 1000 keys")
        out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult xmlns="{S3NS}">']
        for key in keys:
            with STATE.lock:
                meta = objects.pop(key, None)
            if meta:
                remove_object(meta)
            out.append(f"<Deleted><Key>{escape(key)}</Key></Deleted>")
        out.append("</DeleteResult>")
        return self.reply(200, "".join(out).encode())

    # ---------------------------------------------------------------- Secrets Manager
    def secretsmanager(self, method):
        target = self.headers.get("X-Amz-Target", "")
        if method != "POST" or self.raw_path != "/":
            raise AwsError(400, "UnknownOperationException", f"{method} {self.raw_path}")
        if target != "secretsmanager.GetSecretValue":
            raise AwsError(400, "UnknownOperationException", "unsupported target " + target)
        try:
            request = json.loads(self.body)
        except ValueError:
            raise AwsError(400, "SerializationException", "body is not JSON")
        secret_id = request.get("SecretId")
        if not isinstance(secret_id, str) or not secret_id:
            raise AwsError(400, "ValidationException", "SecretId is required")
        with STATE.lock:
            found = None
            for name, secret in STATE.secrets.items():
                if secret_id in (name, secret["arn"]):
                    found = (name, secret)
        if found is None:
            raise AwsError(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
        name, secret = found
        answer = {"ARN": secret["arn"], "Name": name, "VersionId": secret["version"],
                  "VersionStages": ["AWSCURRENT"], "CreatedDate": 1.7e9}
        if secret.get("binary") is not None:
            answer["SecretBinary"] = secret["binary"]
        else:
            answer["SecretString"] = secret["string"]
        return self.reply(200, json.dumps(answer).encode(), ctype="application/x-amz-json-1.1")

    # ---------------------------------------------------------------- SageMaker runtime
    def sagemaker(self, method):
        m = re.match(r"^/endpoints/([^/]+)/invocations$", unquote(self.raw_path))
        if method != "POST" or not m:
            raise AwsError(404, "UnknownOperationException", f"{method} {self.raw_path}")
        if m.group(1) == "missing":
            raise AwsError(400, "ValidationError", f"Endpoint {m.group(1)} of account 123456789012 not found.")
        try:
            request = json.loads(self.body)
        except ValueError:
            raise AwsError(424, "ModelError", "Received client error (400) from primary: body is not JSON")
        if m.group(1).startswith("feature-extraction"):
            return self.feature_extraction(request)
        answer = {"endpoint": m.group(1), "contentType": self.headers.get("Content-Type"),
                  "accept": self.headers.get("Accept"), "echo": request}
        return self.reply(200, json.dumps(answer).encode(), ctype="application/json")

    def feature_extraction(self, request):
        """A HuggingFace feature-extraction model, for the runner's sagemaker: vectorizer:
        token vectors [[n, 1, 2, 3], [n + 2, 3, 4, 5]] for a text of n UTF-8 bytes (their
        mean is [n + 1, 2, 3, 4]); a text holding "#model-error" fails the invocation the
        way a model's exception does (424 ModelError)."""
        inputs = request.get("inputs") if isinstance(request, dict) else None
        texts = inputs if isinstance(inputs, list) else [inputs]
        if not all(isinstance(t, str) for t in texts):
            raise AwsError(424, "ModelError", "Received client error (400) from primary with "
                           "message \"inputs must be a string or a list of strings\"")
        if any("#model-error" in t for t in texts):
            raise AwsError(424, "ModelError", "Received server error (500) from primary with "
                           "message \"CUDA out of memory\"")
        vectors = [[[len(t.encode()), 1, 2, 3], [len(t.encode()) + 2, 3, 4, 5]] for t in texts]
        body = vectors if isinstance(inputs, list) else [vectors[0]]
        return self.reply(200, json.dumps(body).encode(), ctype="application/json")

    # ---------------------------------------------------------------- admin (unsigned)
    def admin(self, method):
        what = self.raw_path[len("/__admin/"):]
        if what == "log" and method == "GET":
            with STATE.lock:
                body = json.dumps(STATE.log).encode()
            return self.reply(200, body, ctype="application/json")
        if what == "log" and method == "DELETE":
            with STATE.lock:
                STATE.log.clear()
            return self.reply(204)
        if what == "fault" and method == "POST":
            fault = json.loads(self.body)
            fault.setdefault("count", 1)
            with STATE.lock:
                STATE.faults.append(fault)
            return self.reply(204)
        if what == "fault" and method == "DELETE":
            with STATE.lock:
                STATE.faults.clear()
            return self.reply(204)
        if what == "secret" and method == "POST":
            secret = json.loads(self.body)
            name = secret["name"]
            arn = secret.get("arn") or (f"arn:aws:secretsmanager:{STATE.region}:123456789012:"
                                        f"secret:{name}-AbCdEf")
            with STATE.lock:
                STATE.secrets[name] = {"arn": arn, "string": secret.get("string"),
                                       "binary": secret.get("binary"), "version": uuid.uuid4().hex}
            return self.reply(200, json.dumps({"arn": arn}).encode(), ctype="application/json")
        if what == "uploads" and method == "GET":
            with STATE.lock:
                body = json.dumps({i: {"bucket": u["bucket"], "key": u["key"],
                                       "parts": sorted(u["parts"])} for i, u in STATE.uploads.items()})
            return self.reply(200, body.encode(), ctype="application/json")
        if what == "container-credentials" and method == "GET":
            # The ECS/Fargate container credentials endpoint, for the credentials chain.
            if self.headers.get("Authorization") != "Bearer container-token":
                raise AwsError(403, "AccessDenied", "bad container authorization token")
            access_key = next(k for k, v in STATE.keys.items() if v[1] is not None)
            secret, token = STATE.keys[access_key]
            body = {"AccessKeyId": access_key, "SecretAccessKey": secret, "Token": token,
                    "Expiration": "2099-01-01T00:00:00Z", "RoleArn": "arn:aws:iam::123456789012:role/test"}
            return self.reply(200, json.dumps(body).encode(), ctype="application/json")
        if what == "object" and method == "POST":
            # Serve a local file as an object (the benchmark's GET source in --fast mode).
            spec = json.loads(self.body)
            size = os.path.getsize(spec["file"])
            keep = STATE.new_path()
            os.link(spec["file"], keep) if os.stat(spec["file"]).st_dev == os.stat(STATE.dir).st_dev \
                else shutil.copyfile(spec["file"], keep)
            self.store(STATE.buckets.setdefault(spec["bucket"], {}), spec["key"], keep, size,
                       f'"{uuid.uuid4().hex}"')
            return self.reply(204)
        if what == "bucket" and method == "POST":
            with STATE.lock:
                STATE.buckets.setdefault(self.body.decode(), {})
            return self.reply(204)
        raise AwsError(404, "NoSuchAdmin", what)


def main():
    global STATE
    parser = argparse.ArgumentParser()
    parser.add_argument("--key", action="append", default=[], help="AKID:SECRET[:TOKEN]")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--bucket", action="append", default=[])
    parser.add_argument("--fast", action="store_true")
    args = parser.parse_args()
    STATE = State(args)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)

    def watch_stdin():  # the parent's end closing means it is gone: stop
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except OSError:
            pass
        server.shutdown()

    threading.Thread(target=watch_stdin, daemon=True).start()
    import signal
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        shutil.rmtree(STATE.dir, ignore_errors=True)


if __name__ == "__main__":
    main()
