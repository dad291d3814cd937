#!/usr/bin/env bash
# Run the README's operator blocks for real, in throw-away overlays of the cached Debian 12 minbase rootfs.
#
#   bash Packaging/test-readme.sh [DEB]          (root; DEB defaults to the newest dist/driftcheck_*_amd64.deb)
#
# The blocks are read from README.md: each is the fenced block right after a marker line
# `<!-- exercised by Packaging/test-readme.sh: NAME -->`, so what the README shows is what runs here (a README edit
# that breaks a block fails this test; a marker this script does not know fails it too). The Packer template
# Packaging/packer/driftcheck.pkr.hcl is interpreted, not paraphrased: its provisioners run in order, as Packer runs
# them (an SSH user uploads and downloads, the script runs with sudo, with Packer's .Vars).
#
#   1. install-deb, install-static: on a fresh "host".
#   2. build-key: outside the chroot, in a scratch "pipeline checkout" ($work/ci, Packaging/ linked in).
#   3. packer: the README block is part of the template; the template's provisioners build an "image" (a fresh
#      overlay, /run and /dev/shm on tmpfs as on a real machine): install, schedule, stamp, baseline /, shred the key,
#      download baselines/web-2026.11.jsonl(.sig) into $work/ci. Checked: the baseline verifies with build.pub, the
#      key is nowhere in the image, on the tmpfs or in the baseline (by name and content). Once with the static
#      binary (cron file, first boot, a clean cron run), then with the .deb, whose image goes on:
#   4. "reboot" (fresh tmpfs), hostname web-01: first-boot; the units pass `systemd-analyze verify`; the unit's
#      ExecStart and the cron block's command run as the timer and cron would (exit 0); prometheus (validated by
#      prometheus_client's parser when installed); gate, outside the chroot, on the host's newest manifest (exit 0).
#   5. the claim that enabling the timer on a running host is drift (systemctl --root enable; check → 1; disable → 0).
#   6. drift (a setuid copy of a binary, critical): ExecStart, cron → 1; the feed still written, critical 1; gate → 1.
#
# ROOTFS: $DRIFTCHECK_ROOTFS, else /var/cache/driftcheck-ci/bookworm-minbase (made by Packaging/rootfs.sh's
# debootstrap when missing; only read). Everything is undone on exit.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "test-readme: FAIL: $*" >&2; exit 1; }
step() { echo "test-readme: $*" >&2; }
# shellcheck source=lib/chroot.sh
. "$repo/Packaging/lib/chroot.sh"

image_id=web-2026.11
host_name=web-01
ssh_user=builder
readme=$repo/README.md
template=$repo/Packaging/packer/driftcheck.pkr.hcl
known_blocks="build-key packer install-deb install-static first-boot cron prometheus gate"

work=
extra_mounts=()
cleanup() {
    unmount_all extra_mounts
    chroot_cleanup
    if [ -n "$work" ]; then rm -rf --one-file-system "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || die "needs root (mount, chroot)"
[ $# -le 1 ] || die "usage: test-readme.sh [DEB]"
if [ $# -eq 1 ]; then
    deb=$(realpath -e "$1") || die "no such package: $1"
else
    deb=$(ls -t "$repo"/dist/driftcheck_*_amd64.deb 2>/dev/null | head -n 1) || true
    [ -n "$deb" ] || die "no dist/driftcheck_*_amd64.deb: run Packaging/build-static.sh and build-deb.sh, or give DEB"
fi
command -v python3 >/dev/null 2>&1 || die "python3 is needed (README blocks, the Packer template, the reports)"
command -v unshare >/dev/null 2>&1 || die "unshare (util-linux) is needed"
rootfs=${DRIFTCHECK_ROOTFS:-$DRIFTCHECK_ROOTFS_DEFAULT}
ensure_rootfs "$rootfs"
started=$(date +%s)

work=$(mktemp -d "${TMPDIR:-/var/tmp}/driftcheck-readme.XXXXXX")
mkdir -p "$work/blocks" "$work/ci" "$work/deb" "$work/bin"

# --- the README's blocks ----------------------------------------------------------------------------------------------
python3 - "$readme" "$work/blocks" "$known_blocks" <<'PY' || die "README.md: the marked blocks are not as expected"
import re, sys
readme, outdir, known = sys.argv[1], sys.argv[2], set(sys.argv[3].split())
lines = open(readme, encoding="utf-8").read().split("\n")
marker = re.compile(r"^<!-- exercised by Packaging/test-readme\.sh: ([a-z0-9-]+) -->$")
seen = {}
for i, line in enumerate(lines):
    m = marker.match(line)
    if not m:
        continue
    name = m.group(1)
    if name not in known:
        sys.exit(f"README.md:{i + 1}: marker for unknown block '{name}' (known: {' '.join(sorted(known))})")
    if name in seen:
        sys.exit(f"README.md:{i + 1}: block '{name}' is marked twice")
    j = i + 1
    if j >= len(lines) or not lines[j].startswith("```"):
        sys.exit(f"README.md:{i + 1}: marker '{name}' is not directly followed by a fenced block")
    body = []
    j += 1
    while j < len(lines) and not lines[j].startswith("```"):
        body.append(lines[j])
        j += 1
    if j >= len(lines):
        sys.exit(f"README.md:{i + 1}: block '{name}' is not closed")
    seen[name] = "\n".join(body) + "\n"
missing = known - set(seen)
if missing:
    sys.exit(f"README.md: no marked block for: {' '.join(sorted(missing))}")
for name, body in seen.items():
    open(f"{outdir}/{name}", "w", encoding="utf-8").write(body)
PY
block() { cat "$work/blocks/$1"; }
step "README.md: blocks $(cd "$work/blocks" && echo *)"

# The README's Packer block is a verbatim part of the template that runs below.
python3 - "$work/blocks/packer" "$template" <<'PY' || die "the README's Packer block is not a verbatim part of $template"
import sys
block, template = (open(p, encoding="utf-8").read() for p in sys.argv[1:3])
sys.exit(0 if block.strip() and block in template else 1)
PY

# --- driftcheck outside the chroot (the pipeline's), from the package ----------------------------------------------------
dpkg-deb -x "$deb" "$work/deb"
ln -s "$work/deb/usr/bin/driftcheck" "$work/bin/driftcheck"
static_binary=$work/deb/usr/bin/driftcheck # the .deb's binary is the static one (build-deb.sh only strips it)
ci_path=$work/bin:$PATH
"$work/bin/driftcheck" --version >/dev/null || die "the package's binary does not run here"

# run_ci NAME: a README block in the pipeline checkout, outside the chroot; prints its exit status.
run_ci() {
    local status=0
    (cd "$work/ci" && PATH=$ci_path bash -e -o pipefail -c "$(block "$1")") >"$work/$1.out" 2>&1 || status=$?
    echo "$status"
}
# run_on HOSTNAME CMD...: CMD as root in the working root, in its own network and UTS namespaces, the host name set,
# in /root, with a clean environment.
run_on() {
    local name=$1
    shift
    unshare --net --uts chroot "$WORK_ROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LC_ALL=C.UTF-8 /bin/sh -c 'hostname "$0" && cd /root && exec "$@"' "$name" "$@"
}
# run_block HOSTNAME NAME: a README block as root on the host; prints its exit status.
run_block() {
    local status=0
    run_on "$1" bash -e -o pipefail -c "$(block "$2")" >"$work/$2.out" 2>&1 || status=$?
    echo "$status"
}
expect() { # STATUS EXPECTED WHAT OUTPUT-FILE
    if [ "$1" != "$2" ]; then
        [ -z "${4:-}" ] || sed 's/^/    | /' "$4" >&2
        die "$3: exit $1, expected $2"
    fi
    step "$3: exit $1 as expected"
}
mount_tmpfs() { # DIR (inside the working root)
    mkdir -p "$WORK_ROOT$1"
    mount -t tmpfs -o "mode=${2:-0755}" tmpfs "$WORK_ROOT$1"
    extra_mounts+=("$WORK_ROOT$1")
}
unmount_extra() {
    local i
    for ((i = ${#extra_mounts[@]} - 1; i >= 0; i--)); do umount "${extra_mounts[i]}"; done
    extra_mounts=()
}

# === 1. Install on a host: the .deb, then the static binary ==============================================================
make_work_root "$rootfs"
[ ! -e "$WORK_ROOT/usr/bin/swift" ] || die "$rootfs has a Swift toolchain"
cp "$deb" "$WORK_ROOT/root/"
expect "$(run_block "$host_name" install-deb)" 0 "install-deb" "$work/install-deb.out"
[ "$(run_on "$host_name" dpkg-query -W -f='${Status}' driftcheck)" = "install ok installed" ] || die "install-deb: not installed"
run_on "$host_name" /usr/bin/driftcheck --version >/dev/null || die "install-deb: /usr/bin/driftcheck does not run"
run_on "$host_name" dpkg --purge driftcheck >/dev/null
rm -f "$WORK_ROOT/root/$(basename "$deb")"
install -m 0755 "$static_binary" "$WORK_ROOT/root/driftcheck"
expect "$(run_block "$host_name" install-static)" 0 "install-static" "$work/install-static.out"
run_on "$host_name" driftcheck --version >/dev/null || die "install-static: driftcheck is not on PATH"
unmount_extra
chroot_cleanup

# === 2. The build key, made in the pipeline =================================================================================
ln -s "$repo/Packaging" "$work/ci/Packaging"
expect "$(run_ci build-key)" 0 "build-key (outside the chroot)" "$work/build-key.out"
[ -f "$work/ci/build.key" ] && [ -f "$work/ci/build.pub" ] || die "build-key made no build.key and build.pub"

# === 3. The image: the Packer template's provisioners ========================================================================
# build_image PACKAGE: a fresh working root, the template's provisioners run on it as Packer runs them (with
# -var driftcheck_package=PACKAGE), the download checked. Sets root.
build_image() {
make_work_root "$rootfs"
root=$WORK_ROOT
rm -rf "$work/ci/baselines"
mount_tmpfs /run
mount_tmpfs /dev/shm 1777
# What the template's "your provisioners" stand for: the SSH user Packer logs in as, and node_exporter's textfile
# directory (the dashboard feed writes there).
run_on packer-build useradd -m -s /bin/bash "$ssh_user"
install -d -m 0755 "$root/var/lib/node_exporter" "$root/var/lib/node_exporter/textfile_collector"
# Packer's shell provisioner runs `sudo`; minbase has none. A stand-in on /run (tmpfs, gone at the "reboot") does what
# sudo does for the step: run the command as root with SUDO_USER set.
mkdir -p "$root/run/packer-test/bin"
cat >"$root/run/packer-test/bin/sudo" <<EOF
#!/bin/sh
SUDO_USER=$ssh_user SUDO_UID=\$(id -u $ssh_user) SUDO_GID=\$(id -g $ssh_user) SUDO_COMMAND="\$*"
export SUDO_USER SUDO_UID SUDO_GID SUDO_COMMAND
exec "\$@"
EOF
chmod 0755 "$root/run/packer-test/bin/sudo"

# The plan: the template's provisioners in order, interpolated as `packer build -var image_id=... -var ...` would.
# Packer runs from the repository root: relative paths (Packaging/..., baselines/) are from the pipeline checkout.
cd "$work/ci"
python3 - "$template" "$work/plan" "$work/scripts" "image_id=$image_id" "driftcheck_package=$1" \
    "build_key=$work/ci/build.key" "build_pub=$work/ci/build.pub" <<'PY' || die "cannot interpret $template"
import os, re, sys
template, plan_path, scripts = sys.argv[1:4]
given = dict(a.split("=", 1) for a in sys.argv[4:])
text = "\n".join(l for l in open(template, encoding="utf-8").read().split("\n") if not l.lstrip().startswith("#"))

def block_end(s, start, opening="{", closing="}"):  # index after the bracket closing the one at start (strings skipped)
    depth, i, in_str = 0, start, False
    while i < len(s):
        c = s[i]
        if in_str:
            if c == "\\": i += 1
            elif c == '"': in_str = False
        elif c == '"': in_str = True
        elif c == opening: depth += 1
        elif c == closing:
            depth -= 1
            if depth == 0: return i + 1
        i += 1
    sys.exit("unbalanced " + opening + closing)

def blocks(s, pattern):
    for m in re.finditer(pattern, s):
        open_at = s.index("{", m.end() - 1)
        yield m, s[open_at + 1:block_end(s, open_at) - 1]

def attributes(body):  # name = "string" | [ list ] | expression, at the top level of a block
    out, i = {}, 0
    for m in re.finditer(r'^\s*(\w+)\s*=\s*', body, re.M):
        rest = body[m.end():]
        if rest.startswith("["):
            j = block_end(rest, 0, "[", "]") - 1
            items = re.findall(r'"(?:[^"\\]|\\.)*"|[\w.()]+', rest[1:j])
            out[m.group(1)] = items
        else:
            out[m.group(1)] = re.match(r'"(?:[^"\\]|\\.)*"|[^\n]+', rest).group(0).strip()
    return out

variables = {}
for m, body in blocks(text, r'variable\s+"(\w+)"\s*\{'):
    default = attributes(body).get("default")
    variables[m.group(1)] = given.get(m.group(1), default[1:-1] if default else None)
local_values = {}
for _, body in blocks(text, r'locals\s*\{'):
    for name, value in attributes(body).items(): local_values[name] = value

def expression(e):
    e = e.strip()
    if m := re.fullmatch(r'basename\((.+)\)', e): return os.path.basename(expression(m.group(1)))
    if m := re.fullmatch(r'var\.(\w+)', e):
        if variables.get(m.group(1)) is None: sys.exit(f"variable {m.group(1)} has no value")
        return variables[m.group(1)]
    if m := re.fullmatch(r'local\.(\w+)', e): return value(local_values[m.group(1)])
    sys.exit(f"cannot evaluate {e}")

def value(v):
    if v.startswith('"'):
        return re.sub(r'\$\{([^}]+)\}', lambda m: expression(m.group(1)), v[1:-1].replace('\\"', '"'))
    return expression(v)

builds = list(blocks(text, r'(?m)^build\s*\{'))
if len(builds) != 1: sys.exit("expected one build block")
build = builds[0][1]
provisioners = list(blocks(build, r'provisioner\s+"(\w+)"\s*\{'))
source = attributes(build.split("provisioner", 1)[0])["sources"][0].strip('"')  # source.amazon-ebs.web
builder_type, build_name = source.split(".")[1:3]
os.makedirs(scripts, exist_ok=True)
plan = []
for n, (m, body) in enumerate(provisioners):
    kind, a = m.group(1), attributes(body)
    if kind == "shell":
        env = [f"PACKER_BUILDER_TYPE={builder_type}", f"PACKER_BUILD_NAME={build_name}"]
        env += [value(v) for v in a.get("environment_vars", [])]
        vars_ = "".join("%s='%s' " % tuple(e.split("=", 1)) for e in env)  # Packer's env_var_format
        if "inline" in a:
            local = f"{scripts}/inline-{n}.sh"
            with open(local, "w") as f:  # Packer's inline_shebang
                f.write("#!/bin/sh -e\n" + "".join(value(v) + "\n" for v in a["inline"]))
        else:
            local = os.path.abspath(value(a["script"]))
        remote = f"/tmp/script_{1000 + n}.sh"
        command = value(a.get("execute_command", '"chmod +x {{ .Path }}; {{ .Vars }} {{ .Path }}"'))
        command = command.replace("{{ .Path }}", remote).replace("{{ .Vars }}", vars_.strip())
        plan.append(("script", local, remote, command))
    elif kind == "file":
        sources = [value(v) for v in a["sources"]] if "sources" in a else [value(a["source"])]
        destination = value(a["destination"])
        direction = value(a["direction"]) if "direction" in a else "upload"
        for s in sources:
            target = destination + os.path.basename(s) if destination.endswith("/") else destination
            if direction == "upload": plan.append(("upload", os.path.abspath(s), target))
            else: plan.append(("download", s, target))
    else:
        sys.exit(f"provisioner {kind} is not interpreted")
with open(plan_path, "w") as f:
    for entry in plan: f.write("\t".join(entry) + "\n")
PY

step "packer: $(cut -f1 "$work/plan" | uniq -c | awk '{printf "%s %s, ", $1, $2}')from $(basename "$template")"
while IFS=$'\t' read -r kind a b c; do
    case $kind in
    upload) # as the SSH user; scp writes 0644
        run_on packer-build runuser -u "$ssh_user" -- sh -c 'umask 022 && cat >"$1"' sh "$b" <"$a" ||
            die "packer upload $a -> $b failed"
        ;;
    download) # as the SSH user
        mkdir -p "$(dirname "$b")"
        run_on packer-build runuser -u "$ssh_user" -- cat "$a" >"$b" || die "packer download $a failed (as $ssh_user)"
        ;;
    script) # uploaded by the SSH user to /tmp, run with the execute_command, removed afterwards
        run_on packer-build runuser -u "$ssh_user" -- sh -c 'umask 022 && cat >"$1"' sh "$b" <"$a"
        status=0
        if [[ $c == *sudo* ]]; then
            run_on packer-build env PATH=/run/packer-test/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
                sh -c "$c" >"$work/packer-script.out" 2>&1 || status=$?
        else
            run_on packer-build runuser -u "$ssh_user" -- sh -c "$c" >"$work/packer-script.out" 2>&1 || status=$?
        fi
        sed 's/^/    | /' "$work/packer-script.out" >&2
        [ "$status" -eq 0 ] || die "packer shell provisioner ($(basename "$a")) exited $status"
        rm -f "$root$b"
        ;;
    esac
done <"$work/plan"
cd "$repo"

baseline=$work/ci/baselines/$image_id.jsonl
[ -s "$baseline" ] && [ -s "$baseline.sig" ] || die "the download brought back no baselines/$image_id.jsonl and .sig"
"$work/bin/driftcheck" verify "$baseline" --pubkey "$work/ci/build.pub" --quiet || die "the downloaded baseline does not verify"
[ "$(cat "$root/etc/driftcheck/image-id")" = "$image_id" ] || die "the image is not stamped with $image_id"
[ -f "$root/var/lib/driftcheck/baselines/$image_id.jsonl" ] || die "the baseline is not in the image's baselines directory"
# The build key: not in the baseline, not in the image (its disk is the overlay's upper layer), not on the tmpfs —
# looked for by name and by content.
if grep -q 'build.key' "$baseline"; then die "the baseline records a build key file"; fi
key_body=$(grep -v '^-----' "$work/ci/build.key")
[ -n "$key_body" ] || die "cannot read the build key's PEM body"
written=$_chroot_work/upper # what the build wrote; without overlayfs, the whole copy
mountpoint -q "$root" || written=$root
key_files=$( (find "$written" "$root/run" "$root/dev/shm" -path "$root/proc" -prune -o -name '*build*key*' -print
    grep -rlF --exclude-dir=proc -- "$key_body" "$written" "$root/run" "$root/dev/shm") 2>/dev/null || true)
[ -z "$key_files" ] || die "the build key is left behind: $key_files"
if compgen -G "$root/tmp/script_*.sh" >/dev/null; then die "a provisioner script was left in /tmp"; fi
step "image $image_id from $(basename "$1"): stamped, baselined ($(wc -l <"$baseline") lines), build key gone"
}
# reboot: /run and /dev/shm are tmpfs; what the build left there is gone.
reboot() {
    unmount_extra
    mount_tmpfs /run
    mount_tmpfs /dev/shm 1777
}

# The static binary: installed as /usr/local/bin/driftcheck, scheduled by cron (no systemd), checks clean after boot.
build_image "$static_binary"
diff <(block cron | sed 's| /usr/bin/driftcheck | /usr/local/bin/driftcheck |') "$root/etc/cron.d/driftcheck" >&2 ||
    die "/etc/cron.d/driftcheck (static binary) differs from the README's cron block"
reboot
expect "$(run_block "$host_name" first-boot)" 0 "first-boot (static binary)" "$work/first-boot.out"
cron_line=$(grep -v '^#' "$root/etc/cron.d/driftcheck" | grep .)
read -r -a cron_fields <<<"$cron_line"
status=0
run_on "$host_name" "${cron_fields[@]:6}" >"$work/cron.out" 2>&1 || status=$?
expect "$status" 0 "cron line (static binary) on the clean host" "$work/cron.out"
unmount_extra
chroot_cleanup

# The .deb: the main path, on to the host's life below.
build_image "$deb"
# Without systemd (minbase) the step writes the cron file: it must be the README's cron block.
diff <(block cron) "$root/etc/cron.d/driftcheck" >&2 || die "/etc/cron.d/driftcheck differs from the README's cron block"
step "/etc/cron.d/driftcheck is the README's cron block"

# === 4. The host boots ===================================================================================================
reboot
expect "$(run_block "$host_name" first-boot)" 0 "first-boot" "$work/first-boot.out"

# The units from the .deb: systemd-analyze verify in a root made of this machine's systemd units and the package's
# (the minbase rootfs has no systemd). Any message fails: unknown keys are only warnings there.
if command -v systemd-analyze >/dev/null 2>&1 && [ -d /lib/systemd/system ]; then
    vroot=$work/verify-root
    mkdir -p "$vroot/lib/systemd" "$vroot/usr/bin" "$vroot/etc"
    cp -a /lib/systemd/system "$vroot/lib/systemd/"
    cp "$root"/lib/systemd/system/driftcheck-check.* "$vroot/lib/systemd/system/"
    cp "$root/usr/bin/driftcheck" "$vroot/usr/bin/"
    messages=$(systemd-analyze verify --root="$vroot" --man=no driftcheck-check.service driftcheck-check.timer 2>&1) ||
        die "systemd-analyze verify: $messages"
    [ -z "$messages" ] || die "systemd-analyze verify: $messages"
    step "systemd-analyze verify driftcheck-check.service driftcheck-check.timer: clean"
else
    step "systemd-analyze is not available: the units are not verified"
fi

# What the timer runs (the unit's ExecStart, continuation lines joined) and what cron runs (the README's cron line).
exec_start=$(unit_exec_start "$root/lib/systemd/system/driftcheck-check.service")
read -r -a timer_command <<<"$exec_start"
cron_line=$(grep -v '^#' "$work/blocks/cron" | grep .)
read -r -a cron_fields <<<"$cron_line"
[ "${cron_fields[5]}" = root ] || die "the cron block's line does not run as root: $cron_line"
cron_command=("${cron_fields[@]:6}")
run_timer() { # expected label
    local status=0
    run_on "$host_name" "${timer_command[@]}" >"$work/timer.out" 2>&1 || status=$?
    expect "$status" "$1" "timer (ExecStart) $2" "$work/timer.out"
}
run_cron() {
    local status=0
    run_on "$host_name" "${cron_command[@]}" >"$work/cron.out" 2>&1 || status=$?
    expect "$status" "$1" "cron line $2" "$work/cron.out"
}
# gate_round: the host's newest manifest and its public key to the pipeline, then the gate block.
gate_round() { # expected label
    local manifest
    manifest=$(ls -t "$root"/var/lib/driftcheck/reports/"$host_name"-*.manifest.jsonl | head -n 1)
    cp "$manifest" "$work/ci/$host_name.manifest.jsonl"
    cp "$manifest.sig" "$work/ci/$host_name.manifest.jsonl.sig"
    cp "$root/etc/driftcheck/host.pub" "$work/ci/$host_name.pub"
    cp "$repo/Packaging/packer/policy.yaml" "$work/ci/policy.yaml"
    rm -f "$work/ci/drift-junit.xml"
    expect "$(run_ci gate)" "$1" "gate (outside the chroot) $2" "$work/gate.out"
    python3 - "$work/ci/drift-junit.xml" "$1" <<'PY' || die "drift-junit.xml: not the expected JUnit report"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
failures = int(root.get("failures", "0"))
print(f"test-readme: drift-junit.xml: {root.get('tests')} cases, {failures} failures", file=sys.stderr)
sys.exit(0 if (failures > 0) == (sys.argv[2] == "1") else 1)
PY
}
# feed_round: the prometheus block, then the exposition checked by prometheus_client's parser (when installed).
feed_round() { # expected-critical expected-investigate label
    expect "$(run_block "$host_name" prometheus)" 0 "prometheus $3" "$work/prometheus.out"
    local prom=$root/var/lib/node_exporter/textfile_collector/driftcheck.prom
    [ -s "$prom" ] || die "prometheus: no $prom"
    [ "$(stat -c %a "$prom")" = 644 ] || die "prometheus: $prom is mode $(stat -c %a "$prom"); node_exporter cannot read it"
    python3 - "$prom" "$1" "$2" "$host_name" "$image_id" <<'PY' || die "driftcheck.prom: not the expected exposition"
import re, sys
path, critical, investigate, host, image = sys.argv[1:6]
text = open(path).read()
try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    print("test-readme: prometheus_client is not installed: checked with a regular expression", file=sys.stderr)
    samples = {}
    for line in text.splitlines():
        if line.startswith("#"): continue
        m = re.fullmatch(r'(\w+)\{([^}]*)\} (\S+)', line) or sys.exit(f"bad line: {line}")
        labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2)))
        samples[(m.group(1), labels.get("severity"))] = (labels, float(m.group(3)))
else:
    samples = {(s.name, s.labels.get("severity")): (s.labels, s.value)
               for family in text_string_to_metric_families(text) for s in family.samples}
def get(name, severity=None):
    labels, value = samples.get((name, severity)) or sys.exit(f"no {name} {severity or ''}")
    if labels.get("host") != host or labels.get("image") != image: sys.exit(f"{name}: labels {labels}")
    return value
got = (get("driftcheck_drift_items", "critical"), get("driftcheck_investigate_recommended"))
get("driftcheck_last_scan_timestamp_seconds")
if got != (float(critical), float(investigate)):
    sys.exit(f"critical, investigate = {got}, expected {critical}, {investigate}")
print(f"test-readme: driftcheck.prom: critical {got[0]:g}, investigate {got[1]:g}", file=sys.stderr)
PY
}

run_timer 0 "on the clean host"
compgen -G "$root/var/lib/driftcheck/reports/$host_name-*.report.json" >/dev/null || die "check wrote no report"
run_cron 0 "on the clean host"
feed_round 0 0 "on the clean host"
run_timer 0 "with the dashboard feed written"
gate_round 0 "on the clean host"

# === 5. Enabling the timer on a running host is drift (the README says so: the step enables it in the image) ============
if command -v systemctl >/dev/null 2>&1; then
    systemctl --root="$root" enable driftcheck-check.timer >/dev/null 2>&1
    run_timer 1 "after systemctl enable on the host"
    grep -q 'driftcheck-check.timer' "$work/timer.out" || die "the report does not name driftcheck-check.timer"
    grep -qE '^Summary: .*[ (][1-9][0-9]* high' "$work/timer.out" || { cat "$work/timer.out" >&2; die "enabling the timer is not high"; }
    grep -E '^Summary' "$work/timer.out" | sed 's/^/    /' >&2
    systemctl --root="$root" disable driftcheck-check.timer >/dev/null 2>&1
    run_timer 0 "after systemctl disable"
fi

# === 6. Drift: a setuid copy of a binary (critical) =====================================================================
run_on "$host_name" sh -c 'cp /usr/bin/env /usr/local/bin/env-copy && chmod 4755 /usr/local/bin/env-copy'
run_timer 1 "after a setuid copy of /usr/bin/env"
grep -q '/usr/local/bin/env-copy' "$work/timer.out" || die "the report does not name /usr/local/bin/env-copy"
grep -E '^(Summary|Recommendation)' "$work/timer.out" | sed 's/^/    /' >&2 || true
run_cron 1 "after the setuid copy"
feed_round 1 1 "after the setuid copy (the feed is still written)"
gate_round 1 "after the setuid copy"
grep -q '/usr/local/bin/env-copy' "$work/ci/drift-junit.xml" || die "drift-junit.xml does not name /usr/local/bin/env-copy"

echo "test-readme: OK: the README's blocks ran as written ($(($(date +%s) - started)) s, $(basename "$deb"))"
