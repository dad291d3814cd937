#!/usr/bin/env python3
"""Traffic for driftcheck-collector's tests and benchmark: hosts that enroll and push signed reports, and hostile
clients. Speaks the collector's wire protocol over plain sockets (HTTP/1.1, keep-alive; https with --cacert or
--insecure), signs with Ed25519 (python `cryptography`, imported only when a subcommand needs it).

    collector-traffic.py enroll --url URL --token TOKEN --hosts N --prefix P --keys DIR [--concurrency C]
    collector-traffic.py push --url URL --template REPORT.json --keys DIR --prefix P --hosts N
                              [--reports-per-host K] [--concurrency C] [--start-time ISO] [--tamper] [--acked-log FILE]
    collector-traffic.py hostile --url URL [--slow N] [--garbage N] [--seconds S]
    collector-traffic.py oversized --url URL [--mib 65]
    collector-traffic.py concurrent --url URL --template REPORT.json --keys DIR --prefix P --hosts N [--start-time ISO]

Hosts are named P0000, P0001, …; host i's private key is DIR/P000i.pem (PKCS#8 PEM), made by enroll once and reused.
Each subcommand prints one JSON object with its figures on stdout. Exit 0 when the run was carried out (whatever the
collector answered: the figures tell); 1 with a one-line message on stderr when it could not be (bad arguments, no
template or keys, the collector unreachable at the start), and for enroll also when a host was not enrolled.

push: report k of host i is the template's bytes with the top-level "host" and "generated" string values replaced in
place (every other byte kept), generated = start + k hours + i seconds; the default start is now − K hours − 1 hour −
N seconds, so every report is in the past. Host i's reports go out in k order on one connection (a later one never
overtakes an earlier one, which the collector would refuse as a replay). --tamper signs the report, then sends it with
one space added after its opening brace: still the same JSON, no longer the signed bytes (expect 403).
--acked-log appends "HOST GENERATED STATUS" for each response as soon as it is read (one write(2) per line, O_APPEND).
The work is shared among --processes processes (default: the CPU count) of threads, one connection each.
"""
import argparse
import base64
import datetime
import hashlib
import json
import os
import random
import resource
import selectors
import socket
import ssl
import sys
import threading
import time
import urllib.parse

USER_AGENT = "driftcheck-collector-traffic"


class Failure(Exception):
    """A run that cannot be carried out: one line on stderr, exit 1."""


def crypto():
    """The cryptography modules (imported lazily, so --help works without the package)."""
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError as error:
        raise Failure(f"needs the python package cryptography (pip install cryptography): {error}")
    return serialization, ed25519


# ---------------------------------------------------------------------------------------------------------------
# Time

def utc(seconds):
    return datetime.datetime.fromtimestamp(int(seconds), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text):
    try:
        value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Failure(f"--start-time {text!r} is not an ISO 8601 time (e.g. 2026-11-29T00:00:00Z)")
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.timestamp()


# ---------------------------------------------------------------------------------------------------------------
# HTTP over sockets

class Target:
    def __init__(self, url, cacert=None, insecure=False, timeout=60.0):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Failure(f"--url {url!r} is not an http:// or https:// URL")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")
        default_port = self.port == (443 if parts.scheme == "https" else 80)
        name = f"[{self.host}]" if ":" in self.host else self.host
        self.authority = name if default_port else f"{name}:{self.port}"
        self.timeout = timeout
        self.context = None
        if self.scheme == "https":
            self.context = ssl.create_default_context(cafile=cacert)
            if insecure:
                self.context.check_hostname = False
                self.context.verify_mode = ssl.CERT_NONE

    def connect(self, timeout=None):
        sock = socket.create_connection((self.host, self.port), timeout=timeout or self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.context is not None:
            sock = self.context.wrap_socket(sock, server_hostname=self.host)
        return sock

    def request(self, method, path, headers=(), body=b"", close=False):
        """The bytes of one request."""
        lines = [f"{method} {self.prefix}{path} HTTP/1.1", f"Host: {self.authority}", f"User-Agent: {USER_AGENT}"]
        lines += [f"{name}: {value}" for name, value in headers]
        if body or method in ("POST", "PUT"):
            lines.append(f"Content-Length: {len(body)}")
        if close:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Closed(Exception):
    """The server closed the connection before a whole response was read (`before` when nothing of it was)."""

    def __init__(self, message, before):
        super().__init__(message)
        self.before = before


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def first_line(self):
        return self.body.decode("utf-8", "replace").strip().split("\n", 1)[0][:200]


class Connection:
    """One HTTP/1.1 connection: send a request's bytes, read its response (Content-Length, chunked or to EOF)."""

    def __init__(self, target):
        self.target = target
        self.sock = None
        self.buffer = b""
        self.used = False

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock, self.buffer, self.used = None, b"", False

    def _more(self, got_any):
        try:
            chunk = self.sock.recv(262144)
        except (ConnectionResetError, ConnectionAbortedError) as error:
            raise Closed(f"connection reset ({error})", not got_any)
        if not chunk:
            raise Closed("connection closed by the server", not got_any)
        self.buffer += chunk

    def _read_exact(self, count):
        while len(self.buffer) < count:
            self._more(True)
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def _read_line(self):
        while b"\r\n" not in self.buffer:
            self._more(True)
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def roundtrip(self, data):
        if self.sock is None:
            self.sock = self.target.connect()
        reused = self.used
        self.used = True
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError) as error:
            raise Closed(f"send failed ({error})", True) if reused else error
        while True:
            while b"\r\n\r\n" not in self.buffer:
                self._more(bool(self.buffer))
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            parts = lines[0].split(" ", 2)
            if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
                raise Closed(f"not an HTTP response: {lines[0][:80]!r}", False)
            status = int(parts[1])
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if 100 <= status < 200:
                continue
            break
        if status in (204, 304):
            body = b""
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            body = b""
            while True:
                size = int(self._read_line().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self._read_line():
                        pass
                    break
                body += self._read_exact(size)
                self._read_exact(2)
        elif "content-length" in headers:
            body = self._read_exact(int(headers["content-length"]))
        else:
            while True:
                try:
                    self._more(True)
                except Closed:
                    break
            body, self.buffer = self.buffer, b""
            headers["connection"] = "close"
        connection = headers.get("connection", "").lower()
        if "close" in connection or (parts[0] == "HTTP/1.0" and "keep-alive" not in connection):
            self.close()
        return Response(status, headers, body)


def send(connection, data, keepalive=True):
    """(response, None) or (None, error text). A request whose reused keep-alive connection turns out closed before
    any of the response was read is sent once more on a new connection (the server may close idle connections)."""
    for attempt in (0, 1):
        try:
            response = connection.roundtrip(data)
            if not keepalive:
                connection.close()
            return response, None
        except Closed as error:
            connection.close()
            if attempt == 0 and error.before:
                continue
            return None, str(error)
        except (OSError, ValueError) as error:
            connection.close()
            return None, f"{type(error).__name__}: {error}"
    return None, "unreachable"


# ---------------------------------------------------------------------------------------------------------------
# Keys and reports

def host_name(prefix, index):
    return f"{prefix}{index:04d}"


class HostKey:
    def __init__(self, private_key):
        serialization, _ = crypto()
        self.private_key = private_key
        public = private_key.public_key()
        der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.key_id = hashlib.sha256(der).hexdigest()
        self.public_pem = public.public_bytes(serialization.Encoding.PEM,
                                              serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")

    def signature(self, data):
        return base64.b64encode(self.private_key.sign(data)).decode("ascii")


def load_key(directory, name, create=False):
    serialization, ed25519 = crypto()
    path = os.path.join(directory, name + ".pem")
    try:
        with open(path, "rb") as file:
            key = serialization.load_pem_private_key(file.read(), password=None)
    except FileNotFoundError:
        if not create:
            raise Failure(f"no key {path} (run enroll with the same --keys and --prefix first)")
        key = ed25519.Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        temporary = f"{path}.{os.getpid()}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
        os.replace(temporary, path)
    except ValueError as error:
        raise Failure(f"{path} is not a PEM private key: {error}")
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise Failure(f"{path} is not an Ed25519 private key")
    return HostKey(key)


def top_level_strings(data):
    """{key: (start, end)} of the top-level members of a JSON object whose values are strings; the span covers the
    value with its quotes. A small scanner, so that the template's other bytes are kept as they are."""
    spans = {}
    i, n, depth = 0, len(data), 0
    key, expect_key, pending = None, False, None

    def string_end(start):  # data[start] == '"'; the index after the closing quote
        j = start + 1
        while j < n:
            c = data[j]
            if c == 0x5C:
                j += 2
                continue
            if c == 0x22:
                return j + 1
            j += 1
        raise Failure("the template is not JSON: a string is not closed")

    while i < n:
        c = data[i]
        if c == 0x22:
            end = string_end(i)
            if depth == 1:
                if expect_key:
                    pending, expect_key = json.loads(data[i:end]), False
                elif key is not None:
                    spans.setdefault(key, (i, end))
                    key = None
            i = end
            continue
        if c in (0x7B, 0x5B):  # { [
            if depth == 0 and c == 0x7B:
                expect_key = True
            elif depth == 1:
                key = None
            depth += 1
        elif c in (0x7D, 0x5D):
            depth -= 1
        elif depth == 1 and c == 0x3A:  # :
            key, pending = pending, None
        elif depth == 1 and c == 0x2C:  # ,
            expect_key, key = True, None
        elif depth == 1 and c not in (0x20, 0x09, 0x0A, 0x0D):
            key = None  # a number, true, false or null value
        i += 1
    return spans


class Template:
    def __init__(self, path):
        try:
            with open(path, "rb") as file:
                self.data = file.read()
        except OSError as error:
            raise Failure(f"cannot read the template {path}: {error.strerror}")
        try:
            parsed = json.loads(self.data)
        except ValueError as error:
            raise Failure(f"the template {path} is not JSON: {error}")
        if not isinstance(parsed, dict):
            raise Failure(f"the template {path} is not a JSON object")
        spans = top_level_strings(self.data)
        for field in ("host", "generated"):
            if field not in spans:
                raise Failure(f"the template {path} has no top-level string field {field!r}")
        (first, (a, b)), (second, (c, d)) = sorted(((f, spans[f]) for f in ("host", "generated")), key=lambda x: x[1])
        self.order = (first, second)
        self.pieces = (self.data[:a], self.data[b:c], self.data[d:])

    def render(self, host, generated):
        values = {"host": json.dumps(host).encode(), "generated": json.dumps(generated).encode()}
        p = self.pieces
        return p[0] + values[self.order[0]] + p[1] + values[self.order[1]] + p[2]


def push_request(target, template, key, host, generated, tamper=False, close=False):
    body = template.render(host, generated)
    signature = key.signature(body)
    if tamper:
        brace = body.index(b"{")
        body = body[:brace + 1] + b" " + body[brace + 1:]
    headers = [("Content-Type", "application/json"), ("Driftcheck-Signature", signature),
               ("Driftcheck-Key-Id", key.key_id)]
    return target.request("POST", "/api/v1/reports", headers, body, close=close)


def enroll_request(target, token, key, host, close=False):
    body = json.dumps({"host": host, "public_key": key.public_pem, "time": utc(time.time())},
                      separators=(",", ":")).encode()
    headers = [("Authorization", f"Bearer {token}"), ("Content-Type", "application/json"),
               ("Driftcheck-Signature", key.signature(body))]
    return target.request("POST", "/api/v1/enroll", headers, body, close=close)


# ---------------------------------------------------------------------------------------------------------------
# The load engine: processes of threads, each thread with its own hosts and connection

class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.sent = 0
        self.status = {}
        self.errors = 0
        self.samples = {}  # status or "error" -> first line seen
        self.end = 0.0

    def add(self, response, error):
        with self.lock:
            self.sent += 1
            if response is None:
                self.errors += 1
                self.samples.setdefault("error", error)
            else:
                key = str(response.status)
                self.status[key] = self.status.get(key, 0) + 1
                if not 200 <= response.status < 300:
                    self.samples.setdefault(key, response.first_line())

    def as_dict(self):
        return {"sent": self.sent, "status": self.status, "errors": self.errors, "samples": self.samples,
                "end": self.end}


def merge(results):
    total = {"sent": 0, "status": {}, "errors": 0, "samples": {}, "end": 0.0}
    for result in results:
        total["sent"] += result["sent"]
        total["errors"] += result["errors"]
        for key, count in result["status"].items():
            total["status"][key] = total["status"].get(key, 0) + count
        for key, sample in result["samples"].items():
            total["samples"].setdefault(key, sample)
        total["end"] = max(total["end"], result["end"])
    total["status"] = dict(sorted(total["status"].items()))
    return total


def worker_process(args, kind, groups, ready, results):
    """Runs in a child process: loads its hosts' keys, waits for the common start, runs one thread per group."""
    try:
        target = make_target(args)
        keys = {}
        for group in groups:
            for index in group:
                name = host_name(args.prefix, index)
                keys[index] = load_key(args.keys, name, create=(kind == "enroll"))
        template = Template(args.template) if kind == "push" else None
        acked = None
        if kind == "push" and args.acked_log:
            acked = os.open(args.acked_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        tally = Tally()
        keepalive = not args.fresh_connections

        def run(group):
            connection = Connection(target)
            rounds = args.reports_per_host if kind == "push" else 1
            for k in range(rounds):
                for index in group:
                    name = host_name(args.prefix, index)
                    if kind == "enroll":
                        data = enroll_request(target, args.token, keys[index], name, close=not keepalive)
                        generated = "-"
                    else:
                        generated = utc(args.start + k * 3600 + index)
                        data = push_request(target, template, keys[index], name, generated, args.tamper,
                                            close=not keepalive)
                    response, error = send(connection, data, keepalive)
                    if acked is not None and response is not None:
                        os.write(acked, f"{name} {generated} {response.status}\n".encode())
                    tally.add(response, error)
            connection.close()

        ready.wait()
        threads = [threading.Thread(target=run, args=(group,), daemon=True) for group in groups]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        tally.end = time.time()
        results.put(("ok", tally.as_dict()))
    except Failure as error:
        results.put(("failure", str(error)))
        ready.abort()
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which exits 1
        results.put(("failure", f"{type(error).__name__}: {error}"))
        ready.abort()


def run_load(args, kind, hosts):
    import multiprocessing
    context = multiprocessing.get_context("fork")
    concurrency = max(1, min(args.concurrency, len(hosts)))
    processes = max(1, min(args.processes or os.cpu_count() or 1, concurrency))
    groups = [hosts[t::concurrency] for t in range(concurrency)]  # thread t's hosts
    per_process = [groups[p::processes] for p in range(processes)]
    ready = context.Barrier(processes + 1)
    results = context.Queue()
    children = [context.Process(target=worker_process, args=(args, kind, mine, ready, results), daemon=True)
                for mine in per_process]
    for child in children:
        child.start()
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        pass
    start = time.time()
    collected = []
    for _ in children:
        state, value = results.get()
        if state != "ok":
            for child in children:
                child.terminate()
            raise Failure(value)
        collected.append(value)
    for child in children:
        child.join()
    total = merge(collected)
    seconds = max(total["end"] - start, 1e-9)
    return total, seconds, processes, concurrency


def make_target(args):
    return Target(args.url, getattr(args, "cacert", None), getattr(args, "insecure", False), args.timeout)


def check_reachable(target):
    try:
        target.connect(timeout=10).close()
    except OSError as error:
        raise Failure(f"cannot connect to {target.host}:{target.port}: {error.strerror or error}")


# ---------------------------------------------------------------------------------------------------------------
# Subcommands

def command_enroll(args):
    os.makedirs(args.keys, exist_ok=True)
    crypto()
    target = make_target(args)
    check_reachable(target)
    total, seconds, processes, concurrency = run_load(args, "enroll", list(range(args.hosts)))
    enrolled = total["status"].get("200", 0)
    result = {"enrolled": enrolled, "failed": args.hosts - enrolled, "seconds": round(seconds, 3),
              "status": total["status"], "errors": total["errors"], "samples": total["samples"],
              "processes": processes, "concurrency": concurrency}
    print(json.dumps(result))
    if result["failed"]:
        raise Failure(f"{result['failed']} of {args.hosts} hosts not enrolled: {json.dumps(total['samples'])}")


def command_push(args):
    crypto()
    Template(args.template)  # fails early on a bad template
    if not os.path.isdir(args.keys):
        raise Failure(f"no key directory {args.keys}")
    if args.start_time:
        args.start = parse_time(args.start_time)
    else:
        args.start = time.time() - args.reports_per_host * 3600 - 3600 - args.hosts
    target = make_target(args)
    check_reachable(target)
    total, seconds, processes, concurrency = run_load(args, "push", list(range(args.hosts)))
    answered = total["sent"] - total["errors"]
    print(json.dumps({"sent": total["sent"], "status": total["status"], "errors": total["errors"],
                      "seconds": round(seconds, 3), "per_second": round(answered / seconds, 1),
                      "samples": total["samples"], "processes": processes, "concurrency": concurrency,
                      "first": utc(args.start),
                      "last": utc(args.start + (args.reports_per_host - 1) * 3600 + args.hosts - 1)}))


def command_concurrent(args):
    crypto()
    template = Template(args.template)
    target = make_target(args)
    if args.start_time:
        start = parse_time(args.start_time)
    else:
        start = time.time() - 60 - args.hosts  # newer than push's default reports, still in the past
    raise_file_limit(args.hosts + 64)
    requests = []
    for index in range(args.hosts):
        name = host_name(args.prefix, index)
        key = load_key(args.keys, name)
        requests.append(push_request(target, template, key, name, utc(start + index), close=True))
    barrier = threading.Barrier(args.hosts + 1)
    threading.stack_size(512 * 1024)
    tally = Tally()
    ends = []

    def run(data):
        connection = Connection(target)
        try:
            connection.sock = target.connect()
        except OSError as error:
            connection.sock = None
            opened = f"connect: {error}"
        else:
            opened = None
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        if opened is not None:
            tally.add(None, opened)
            return
        try:
            response, error = connection.roundtrip(data), None
        except (Closed, OSError, ValueError) as problem:
            response, error = None, str(problem)
        connection.close()
        tally.add(response, error)
        ends.append(time.time())

    threads = [threading.Thread(target=run, args=(data,), daemon=True) for data in requests]
    for thread in threads:
        thread.start()
    barrier.wait()
    start_time = time.time()
    for thread in threads:
        thread.join()
    seconds = (max(ends) if ends else time.time()) - start_time
    print(json.dumps({"sent": tally.sent, "status": dict(sorted(tally.status.items())), "errors": tally.errors,
                      "seconds": round(seconds, 3), "samples": tally.samples}))


def raise_file_limit(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        if wanted < needed:
            raise Failure(f"needs {needed} open files, the hard limit is {hard}")


def health_poller(target, stop, state):
    """GET /healthz every 0.5 s on a new connection until stop is set; the worst latency and any failure."""
    data = target.request("GET", "/healthz", close=True)
    while not stop.is_set():
        began = time.monotonic()
        connection = Connection(target)
        try:
            connection.sock = target.connect(timeout=10)
            connection.sock.settimeout(10)
            response = connection.roundtrip(data)
            ok = response.status == 200
            detail = f"status {response.status}"
        except (Closed, OSError, ValueError) as error:
            ok, detail = False, str(error)
        connection.close()
        elapsed = (time.monotonic() - began) * 1000
        state["checks"] += 1
        state["worst_ms"] = max(state["worst_ms"], elapsed)
        if not ok:
            state["failures"] += 1
            state.setdefault("first_failure", detail)
        stop.wait(max(0.0, 0.5 - elapsed / 1000))


GARBAGE_KINDS = ("random bytes", "printable noise", "endless header line", "bad content-length",
                 "bad chunked body", "binary request line")


def garbage_payload(kind, target):
    if kind == "random bytes":
        return os.urandom(random.randint(1, 8192))
    if kind == "printable noise":
        alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz0123456789:/\r\n"
        return bytes(random.choice(alphabet) for _ in range(4096))
    if kind == "endless header line":
        return f"GET /healthz HTTP/1.1\r\nHost: {target.authority}\r\nX-Long: ".encode() + b"a" * (1 << 20)
    if kind == "bad content-length":
        return (f"POST /api/v1/reports HTTP/1.1\r\nHost: {target.authority}\r\nContent-Type: application/json\r\n"
                "Content-Length: -5\r\nContent-Length: 12abc\r\n\r\n{}").encode()
    if kind == "bad chunked body":
        return (f"POST /api/v1/reports HTTP/1.1\r\nHost: {target.authority}\r\nContent-Type: application/json\r\n"
                "Transfer-Encoding: chunked\r\n\r\nzzzz\r\n{}\r\nffffffffffffffffff\r\n").encode()
    return b"\x00\xffGET\x01/ HTTP/9.9\r\n\r\n"


def garbage_client(target, kind, deadline, state, lock):
    """Sends one kind of garbage, then reads until the server closes, for at most 10 s and not much past the run's
    deadline (1 s at least)."""
    try:
        sock = target.connect(timeout=5)
    except OSError as error:
        with lock:
            state["garbage_connect_failed"] += 1
            state.setdefault("garbage_first_error", str(error))
        return
    closed, status = False, None
    received = b""
    try:
        try:
            sock.sendall(garbage_payload(kind, target))
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed while we sent: read what it said, if anything
        deadline = time.monotonic() + max(1.0, min(10.0, deadline - time.monotonic()))
        while time.monotonic() < deadline:
            sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            except (ConnectionResetError, ConnectionAbortedError):
                closed = True
                break
            if not chunk:
                closed = True
                break
            received += chunk
    finally:
        sock.close()
    if received.startswith(b"HTTP/"):
        parts = received.split(b" ", 2)
        status = parts[1].decode("latin-1", "replace") if len(parts) > 1 else "?"
    with lock:
        state["garbage_sent"] += 1
        if closed:
            state["garbage_closed_by_server"] += 1
        key = status or ("no answer" if not received else "not HTTP")
        answers = state["garbage_answers"].setdefault(kind, {})
        answers[key] = answers.get(key, 0) + 1


def command_hostile(args):
    target = make_target(args)
    check_reachable(target)
    raise_file_limit(args.slow + args.garbage + 256)
    stop = threading.Event()
    health = {"checks": 0, "failures": 0, "worst_ms": 0.0}
    poller = threading.Thread(target=health_poller, args=(target, stop, health), daemon=True)
    poller.start()

    state = {"garbage_sent": 0, "garbage_closed_by_server": 0, "garbage_connect_failed": 0, "garbage_answers": {}}
    lock = threading.Lock()
    garbage_threads = []
    began = time.monotonic()
    deadline = began + args.seconds
    if args.garbage:
        def garbage_runner(indices):
            for i in indices:
                garbage_client(target, GARBAGE_KINDS[i % len(GARBAGE_KINDS)], deadline, state, lock)

        workers = min(args.garbage, 64)
        for w in range(workers):
            thread = threading.Thread(target=garbage_runner, args=(list(range(w, args.garbage, workers)),), daemon=True)
            thread.start()
            garbage_threads.append(thread)

    # slowloris: a request that never ends, one byte every ~2 s per connection, over one selector
    stream = f"POST /api/v1/reports HTTP/1.1\r\nHost: {target.authority}\r\nContent-Type: application/json\r\nX-Slow: "
    selector = selectors.DefaultSelector()
    slow = {}
    connect_failed, first_error = 0, None
    for i in range(args.slow):
        if time.monotonic() >= deadline:
            break
        try:
            sock = target.connect(timeout=3)
        except OSError as error:
            connect_failed += 1
            first_error = first_error or str(error)
            continue
        sock.setblocking(False)
        slow[sock] = {"sent": 0, "next": began + random.uniform(0, 2.0), "closed": None}
        selector.register(sock, selectors.EVENT_READ)
    opened = len(slow)
    closed_at = []
    while time.monotonic() < deadline and any(s["closed"] is None for s in slow.values()):
        now = time.monotonic()
        for sock, s in slow.items():
            if s["closed"] is None and now >= s["next"]:
                byte = (stream[s["sent"]] if s["sent"] < len(stream) else "a").encode()
                try:
                    sock.send(byte)
                    s["sent"] += 1
                except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                    pass
                except OSError:
                    s["closed"] = now
                s["next"] = now + 2.0
        timeout = max(0.0, min([s["next"] for s in slow.values() if s["closed"] is None] + [deadline]) - now)
        for key, _ in selector.select(timeout=min(timeout, 0.5)):
            sock = key.fileobj
            s = slow[sock]
            try:
                chunk = sock.recv(65536)
            except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                continue  # nothing yet (with TLS: a record that is not application data, e.g. a session ticket)
            except OSError:
                chunk = b""
            if not chunk and s["closed"] is None:
                s["closed"] = time.monotonic()
            if not chunk:
                selector.unregister(sock)
        for sock, s in slow.items():
            if s["closed"] is not None and s["closed"] is not True:
                closed_at.append(s["closed"] - began)
                s["closed"] = True
                try:
                    selector.unregister(sock)
                except (KeyError, ValueError):
                    pass
    remaining = deadline - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)
    for sock in slow:
        sock.close()
    for thread in garbage_threads:
        thread.join()
    stop.set()
    poller.join()
    result = {
        "slow_requested": args.slow,
        "slow_opened": opened,
        "slow_closed_by_server": len(closed_at),
        "slow_closed_after_s": {"first": round(min(closed_at), 1), "last": round(max(closed_at), 1)} if closed_at
        else None,
        "slow_connect_failed": connect_failed,
        "garbage_sent": state["garbage_sent"],
        "garbage_closed_by_server": state["garbage_closed_by_server"],
        "garbage_connect_failed": state["garbage_connect_failed"],
        "garbage_answers": state["garbage_answers"],
        "health_ok": health["checks"] > 0 and health["failures"] == 0,
        "health_checks": health["checks"],
        "health_failures": health["failures"],
        "health_worst_ms": round(health["worst_ms"], 1),
        "seconds": round(time.monotonic() - began, 1),
    }
    if "first_failure" in health:
        result["health_first_failure"] = health["first_failure"]
    if first_error:
        result["slow_first_error"] = first_error
    print(json.dumps(result))


def command_oversized(args):
    target = make_target(args)
    size = args.mib << 20
    headers = [("Content-Type", "application/json"),
               ("Driftcheck-Signature", base64.b64encode(bytes(64)).decode()),
               ("Driftcheck-Key-Id", "0" * 64)]
    head = target.request("POST", "/api/v1/reports", headers)[:-4]  # without the blank line
    head = head.replace(b"Content-Length: 0", f"Content-Length: {size}".encode())
    head += b"\r\n\r\n"
    try:
        sock = target.connect(timeout=args.timeout)
    except OSError as error:
        raise Failure(f"cannot connect to {target.host}:{target.port}: {error.strerror or error}")
    began = time.monotonic()
    chunk = b'{"schema":"' + b" " * ((1 << 20) - 11)
    sent, send_error = 0, None
    received = b""

    try:
        sock.sendall(head)
        while sent < size:
            if _select_one(sock, 0):
                break  # the server answered (or closed) before the body's end
            piece = chunk[:min(len(chunk), size - sent)]
            sock.sendall(piece)
            sent += len(piece)
    except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout) as error:
        send_error = str(error)
    # read the answer, if any
    sock.settimeout(min(args.timeout, 30))
    try:
        while b"\r\n\r\n" not in received or not _whole(received):
            data = sock.recv(65536)
            if not data:
                break
            received += data
    except (ConnectionResetError, ConnectionAbortedError, socket.timeout, OSError):
        pass
    sock.close()
    status, body = 0, "reset"
    if received.startswith(b"HTTP/"):
        line, _, rest = received.partition(b"\r\n")
        parts = line.split(b" ", 2)
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        body_bytes = rest.partition(b"\r\n\r\n")[2]
        body = body_bytes.decode("utf-8", "replace").strip().split("\n", 1)[0][:200]
    elif received:
        body = "not HTTP: " + received[:60].decode("latin-1")
    print(json.dumps({"status": status, "body": body, "body_bytes_sent": sent, "declared": size,
                      "send_error": send_error, "seconds": round(time.monotonic() - began, 3)}))


def _select_one(sock, timeout):
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_READ)
        return bool(selector.select(timeout))


def _whole(received):
    """Whether a response with a Content-Length has all of its body (else read on to EOF or the timeout)."""
    head, _, body = received.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return len(body) >= int(value.strip())
    return False


# ---------------------------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    commands = parser.add_subparsers(dest="command", required=True)

    def common(sub):
        sub.add_argument("--url", required=True, help="the collector's base URL, e.g. http://127.0.0.1:8080")
        sub.add_argument("--timeout", type=float, default=60.0, help="socket timeout, seconds (default 60)")
        sub.add_argument("--cacert", help="https: the CA certificate to verify the collector's with")
        sub.add_argument("--insecure", action="store_true", help="https: do not verify the collector's certificate")

    def hosts(sub):
        sub.add_argument("--hosts", type=int, required=True, help="hosts P0000 … P(N-1)")
        sub.add_argument("--prefix", required=True, help="host name prefix")
        sub.add_argument("--keys", required=True, help="directory of the hosts' private keys, NAME.pem")

    def load(sub):
        sub.add_argument("--concurrency", type=int, default=32, help="connections at once (default 32)")
        sub.add_argument("--processes", type=int, default=0, help="worker processes (default: the CPU count)")
        sub.add_argument("--fresh-connections", action="store_true",
                         help="one connection per request (Connection: close) instead of keep-alive")

    sub = commands.add_parser("enroll", help="make the hosts' keys (once) and enroll them")
    common(sub)
    hosts(sub)
    load(sub)
    sub.add_argument("--token", required=True, help="an enrollment token (driftcheck-collector token create)")
    sub.set_defaults(func=command_enroll)

    sub = commands.add_parser("push", help="push K signed reports per host")
    common(sub)
    hosts(sub)
    load(sub)
    sub.add_argument("--template", required=True, help="a real driftcheck report (JSON)")
    sub.add_argument("--reports-per-host", type=int, default=1, help="K (default 1)")
    sub.add_argument("--start-time", help="generated time of report 0 of host 0 (ISO 8601, UTC)")
    sub.add_argument("--tamper", action="store_true", help="send bytes other than the signed ones (expect 403)")
    sub.add_argument("--acked-log", help="append 'HOST GENERATED STATUS' per response to this file")
    sub.set_defaults(func=command_push)

    sub = commands.add_parser("hostile", help="slowloris and garbage connections while /healthz is watched")
    common(sub)
    sub.add_argument("--slow", type=int, default=100, help="slowloris connections (default 100)")
    sub.add_argument("--garbage", type=int, default=100, help="garbage connections (default 100)")
    sub.add_argument("--seconds", type=float, default=30.0, help="how long (default 30)")
    sub.set_defaults(func=command_hostile)

    sub = commands.add_parser("oversized", help="stream a body of --mib MiB with a dummy signature")
    common(sub)
    sub.add_argument("--mib", type=int, default=65, help="body size, MiB (default 65)")
    sub.set_defaults(func=command_oversized)

    sub = commands.add_parser("concurrent", help="one push per host, all sent at the same moment")
    common(sub)
    hosts(sub)
    sub.add_argument("--template", required=True, help="a real driftcheck report (JSON)")
    sub.add_argument("--start-time", help="generated time of host 0's report (default: now − 60 s − N s)")
    sub.set_defaults(func=command_concurrent)

    args = parser.parse_args()
    for name in ("hosts", "concurrency", "reports_per_host", "slow", "garbage", "mib"):
        value = getattr(args, name, None)
        if value is not None and value < (0 if name in ("slow", "garbage") else 1):
            parser.error(f"--{name.replace('_', '-')} must be positive")
    try:
        args.func(args)
    except Failure as error:
        print(f"collector-traffic: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("collector-traffic: interrupted", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
