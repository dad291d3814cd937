#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target (Scripts/fuzz.sh) into OUT/TARGET/, from the test fixtures and from
this machine's own files. Collector targets take `PATH NUL CONTENT NUL` records (see Sources/DriftCheckFuzz/FuzzRoot.swift);
password hashes from /etc/shadow never enter a seed."""
import os
import sqlite3
import subprocess
import sys

out = sys.argv[1]
repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
fixtures = os.path.join(repo, "Tests", "DriftCheckTests", "Fixtures")


def read(path, limit=64 * 1024):
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except OSError:
        return b""


def seed(target, name, data):
    directory = os.path.join(out, target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as handle:
        handle.write(data)


def records(*pairs):
    return b"".join(path.encode() + b"\0" + content + b"\0" for path, content in pairs)


def stanzas(data, count):
    return b"\n\n".join(data.split(b"\n\n")[:count]) + b"\n"


# Collector roots.
status = read(os.path.join(fixtures, "dpkg", "status"), 1 << 22)
for index, count in enumerate([1, 3, 8]):
    part = stanzas(status, count)
    first = part.split(b"\n")[0].split(b": ", 1)[-1].decode()
    seed("dpkg", f"status-{count}", records(
        ("var/lib/dpkg/status", part),
        (f"var/lib/dpkg/info/{first}.list", b"/.\n/usr\n/usr/bin\n/usr/bin/" + first.encode() + b"\n"),
        (f"var/lib/dpkg/info/{first}.md5sums", b"d41d8cd98f00b204e9800998ecf8427e  usr/bin/" + first.encode() + b"\n"),
        (f"var/lib/dpkg/info/{first}.conffiles", b"/etc/" + first.encode() + b".conf\n"),
        ("bin@", b"usr/bin"),
    ))
# A package with its maintainer script and dpkg.log: the evidence readers (accounts, paths, windows).
seed("dpkg", "tcpdump-evidence", records(
    ("var/lib/dpkg/status", b"Package: tcpdump\nStatus: install ok installed\nVersion: 4.99.3-1\nArchitecture: amd64\n"),
    ("var/lib/dpkg/info/tcpdump.list", b"/.\n/usr\n/usr/bin\n/usr/bin/tcpdump\n"),
    ("var/lib/dpkg/info/tcpdump.postinst", read(os.path.join(fixtures, "dpkg", "tcpdump.postinst"), 1 << 20)),
    ("var/log/dpkg.log", read(os.path.join(fixtures, "dpkg", "dpkg.log"), 1 << 20)),
    ("etc/passwd", b"root:x:0:0:root:/root:/bin/bash\ntcpdump:x:102:105::/nonexistent:/usr/sbin/nologin\n"),
    ("etc/localtime@", b"/usr/share/zoneinfo/Etc/UTC"),
))
apk = read(os.path.join(fixtures, "apk", "installed"), 1 << 22)
seed("apk", "installed-2", records(("lib/apk/db/installed", stanzas(apk, 2))))
seed("apk", "installed-6", records(("lib/apk/db/installed", stanzas(apk, 6))))

shadow = b"\n".join(
    b":".join(fields[:1] + [b"$6$salt$hash" if fields[1:2] and fields[1].startswith(b"$") else fields[1]] + fields[2:])
    for fields in (line.split(b":") for line in read("/etc/shadow").splitlines() if line.count(b":") >= 2)
) + b"\n"
seed("accounts", "etc", records(("etc/passwd", read("/etc/passwd")), ("etc/group", read("/etc/group")),
                                ("etc/shadow", shadow)))
seed("cron", "crontabs", records(
    ("etc/crontab", read("/etc/crontab") or b"17 * * * * root cd / && run-parts --report /etc/cron.hourly\n"),
    ("etc/cron.d/job", b"MAILTO=root\n*/5 * * * * root /usr/local/bin/beacon >/dev/null 2>&1\n@reboot root true\n"),
    ("var/spool/cron/crontabs/root", b"# m h dom mon dow command\n0 3 * * * /usr/bin/backup\n"),
    ("etc/cron.daily/logrotate", b"#!/bin/sh\nexec true\n"),
))
seed("services", "systemd", records(
    ("lib/systemd/systemd", b""),
    ("lib/systemd/system/ssh.service", b"[Unit]\nDescription=ssh\n[Service]\nExecStart=/usr/sbin/sshd -D\n[Install]\nWantedBy=multi-user.target\nAlias=sshd.service\n"),
    ("lib/systemd/system/getty@.service", b"[Service]\nExecStart=-/sbin/agetty %I\n"),
    ("etc/systemd/system/multi-user.target.wants/ssh.service@", b"/lib/systemd/system/ssh.service"),
    ("etc/systemd/system/getty.target.wants/getty@tty1.service@", b"/lib/systemd/system/getty@.service"),
    ("etc/systemd/system/sshd.service@", b"/lib/systemd/system/ssh.service"),
    ("etc/systemd/system/cron.service@", b"/dev/null"),
    ("etc/systemd/system/ssh.service.d/override.conf", b"[Service]\nRestart=always\n"),
    ("etc/driftcheck/image-id", b"debian-12-2026.11\n"),
))
seed("services", "sysv", records(
    ("etc/init.d/foo", b"#!/bin/sh\n### BEGIN INIT INFO\n# Provides: foo\n### END INIT INFO\n"),
    ("etc/rc2.d/S01foo@", b"../init.d/foo"),
    ("etc/rc0.d/K01foo@", b"../init.d/foo"),
))
seed("services", "list-units", b"  UNIT LOAD ACTIVE SUB DESCRIPTION\n  ssh.service loaded active running OpenBSD Secure Shell server\n\xe2\x97\x8f foo.service loaded failed failed Foo\n")

# Parsers fed directly.
database = os.path.join(fixtures, "rpm", "rpmdb.sqlite")
if os.path.exists(database):
    connection = sqlite3.connect(f"file:{database}?mode=ro&immutable=1", uri=True)
    for number, (blob,) in enumerate(connection.execute("SELECT blob FROM Packages LIMIT 4")):
        seed("rpm", f"header-{number}", bytes(blob))
for name in ["tcp", "tcp6", "udp", "udp6"]:
    seed("procfs", name, read(f"/proc/self/net/{name}"))
seed("procfs", "modules", read("/proc/modules", 8192))

seed("policy", "allowlist", b"# ports a live host may have\nport tcp/0.0.0.0:22\nport udp/*:123\nmodule nf_*\n")
seed("policy", "rules", b"""rules:
  - path: /var/log/**
    ignore: true
  - path: /etc/ssh/sshd_config
    severity: critical
  - kind: package
    name: "linux-image-*"
    changes: [upgraded]
    severity: low
allow:
  ports: ["tcp/*:9100"]
  modules: ["overlay"]
rebuild:
  on: high
  max_age_days: 30
  when_superseded: true
full_rehash:
  every_runs: 24
  every_days: 7
""")

for kind in ["ed25519"]:
    private = subprocess.run(["openssl", "genpkey", "-algorithm", kind], capture_output=True, check=True).stdout
    public = subprocess.run(["openssl", "pkey", "-pubout"], input=private, capture_output=True, check=True).stdout
    seed("keys", f"{kind}-private.pem", private)
    seed("keys", f"{kind}-public.pem", public)
rsa = subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
                     capture_output=True, check=True).stdout
seed("keys", "rsa-private.pem", rsa)
