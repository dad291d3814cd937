#!/usr/bin/env python3
# auth.log (RFC 3339 lines) -> systemd journal export format, sshd and sudo lines only.
import sys, re, datetime
BOOT = "5c1e0d7a9f4b4e3c8a2d6b1f0e9c7a35"; MACHINE = "3f2a9c8e7d6b4a5f9e8d7c6b5a4f3e2d"
BOOT_T = datetime.datetime(2026, 11, 27, 7, 59, 0, tzinfo=datetime.timezone.utc)
FAC = {"auth": 4, "authpriv": 10}
out = sys.stdout
for line in open(sys.argv[1]):
    m = re.match(r"(\S+) (\S+) (sshd|sudo)(?:\[(\d+)\])?: (.*)", line.rstrip("\n"))
    if not m: continue
    ts, host, ident, pid, msg = m.groups()
    t = datetime.datetime.fromisoformat(ts)
    rt = int(t.timestamp()) * 1000000 + t.microsecond
    mono = int((t - BOOT_T).total_seconds() * 1000000)
    if ident == "sudo":
        pid = {"10:02": "1262", "10:05": "1271"}[ts[11:16]]; uid = "1000"; fac = 10
        prio = "5" if "COMMAND=" in msg else "6"
        cmd = "/usr/bin/vi /etc/ssh/sshd_config" if ts[11:16] == "10:02" else "/usr/bin/apt-get install tcpdump"
        cmdline = "sudo " + cmd.split("/")[-1] if False else "sudo " + cmd.replace("/usr/bin/", "")
        exe = "/usr/bin/sudo"
    else:
        uid = "0"; fac = 10 if msg.startswith("pam_unix") else 4
        prio = "5" if "pam_unix(sshd:auth)" in msg else "6"
        exe = "/usr/sbin/sshd"
        cmdline = {"1239": "sshd: admin@pts/0"}.get(pid, "sshd: %s [priv]" % ("admin" if pid == "1234" else "deploy" if pid == "1301" else "unknown"))
        if pid in ("1101", "1102", "1103"): cmdline = "sshd: oracle [priv]" if False else "sshd: unknown [priv]"
    fields = [
        ("__CURSOR", "s=0;i=%x" % rt), ("__REALTIME_TIMESTAMP", str(rt)), ("__MONOTONIC_TIMESTAMP", str(mono)),
        ("_BOOT_ID", BOOT), ("_MACHINE_ID", MACHINE), ("_HOSTNAME", host), ("_TRANSPORT", "syslog"),
        ("PRIORITY", prio), ("SYSLOG_FACILITY", str(fac)), ("SYSLOG_IDENTIFIER", ident)]
    if ident == "sshd": fields.append(("SYSLOG_PID", pid))
    fields += [("SYSLOG_TIMESTAMP", t.strftime("%b %d %H:%M:%S ").replace(" 0", "  ", 1) if False else t.strftime("%b %e %H:%M:%S ")),
        ("MESSAGE", msg), ("_PID", pid), ("_UID", uid), ("_GID", "1000" if ident == "sudo" else "0"),
        ("_COMM", ident), ("_EXE", exe), ("_CMDLINE", cmdline),
        ("_SYSTEMD_CGROUP", "/system.slice/ssh.service" if ident == "sshd" else "/user.slice/user-1000.slice/session-3.scope"),
        ("_SYSTEMD_UNIT", "ssh.service" if ident == "sshd" else "session-3.scope"),
        ("_SOURCE_REALTIME_TIMESTAMP", str(rt))]
    for k, v in fields:
        if k == "__CURSOR": continue
        out.write("%s=%s\n" % (k, v))
    out.write("\n")
