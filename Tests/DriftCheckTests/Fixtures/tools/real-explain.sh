#!/usr/bin/env bash
# The explain scenario of issue 15 on a real Debian 12 server image (real-host.sh's cached rootfs): the image, with a
# world-readable PEM private key planted at /etc/app/tls.pem, is baselined; a host copied from it is first-booted
# and checked; then, at the current time, admin (the image's operator account) logs in over ssh (wtmp, auth.log),
# adds the account deploy with useradd through sudo, has tcpdump
# installed through sudo (apt-get from the image's cache) and edits /etc/ssh/sshd_config as an editor does; a second
# copy of the key goes to /etc/ssl/private/host.key; the host is checked again. The drift is rendered as text, JSON
# and HTML and baked; the bake is applied to a fresh copy of the image, which is baselined as explain-2 and compared
# with the host again.
#
#   bash real-explain.sh DRIFTCHECK OUT
#
# Leaves OUT/report.{json,txt,html}, OUT/bake, OUT/after.json, OUT/planted.txt (the key's base64 body line), and
# OUT/{baselines,baselines-next,keys,reports,image,host,next}, the tools' output in OUT/real-explain.log.
# Needs root and Debian's package mirror. OUT is removed first; undoes its mounts on exit.
set -euo pipefail
dc=$(realpath "$1")
out=$(realpath -m "$2")
repo=$(cd "$(dirname "$0")/../../../.." && pwd)
die() { echo "real-explain: $*" >&2; exit 1; }
# shellcheck source=../../../../Packaging/lib/chroot.sh
. "$repo/Packaging/lib/chroot.sh"
# shellcheck source=lib/real-root.sh
. "$(dirname "$0")/lib/real-root.sh"
api_mounts=()
cleanup() { unmount_all api_mounts; chroot_cleanup; }
trap cleanup EXIT
trap 'exit 130' INT TERM
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, mount, chroot)"
[ -x "$dc" ] || die "$dc is not executable"

name=web-01
image=$out/image
host=$out/host
next=$out/next
log=$out/real-explain.log
path=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

for root in "$image" "$host" "$next"; do
    for m in "$root/dev/pts" "$root/proc"; do
        if mountpoint -q "$m" 2>/dev/null; then umount "$m" 2>/dev/null || umount -l "$m"; fi
    done
done
rm -rf --one-file-system "$out"
ensure_rootfs "$server_rootfs" "$server_packages"
mkdir -p "$out"/{baselines,baselines-next,keys,reports,host,next}
chmod 0750 "$out/reports"
: >"$log"

# dc_ok CMD…: run driftcheck; exit 1 (drift found) is not a failure.
dc_ok() {
    echo "+ $dc $*" >>"$log"
    local status=0
    "$dc" "$@" >>"$log" 2>&1 || status=$?
    [ "$status" -le 1 ] || { tail -n 20 "$log" >&2; die "failed (exit $status): driftcheck $* (log: $log)"; }
}
check() {
    dc_ok check --root "$host" --image explain-1 --host "$name" --key "$out/keys/$name.key" \
        --reports "$out/reports" --baselines "$out/baselines" --baseline-pubkey "$out/keys/build.pub" \
        --host-pubkey "$out/keys/$name.pub" --quiet
}
# auth LINE: append LINE to the host's auth.log at the current time, as rsyslog writes it on Debian 12.
auth() { printf '%s %s %s\n' "$(date +%Y-%m-%dT%H:%M:%S.%6N%:z)" "$name" "$1" >>"$host/var/log/auth.log"; }

# 1. The image (lib/real-root.sh's build), with the image's operator account.
build_image "$image"
quietly in_chroot "$image" useradd -m -u 1000 -s /bin/bash admin
# A real private key, world-readable on purpose: only its PEM block tells the content scanner what it is.
mkdir -p "$image/etc/app"
openssl genpkey -algorithm ed25519 -out "$image/etc/app/tls.pem" 2>>"$log"
chmod 0644 "$image/etc/app/tls.pem"
[ "$(wc -l <"$image/etc/app/tls.pem")" -eq 3 ] || die "unexpected PEM layout"
sed -n 2p "$image/etc/app/tls.pem" >"$out/planted.txt"
[ -s "$out/planted.txt" ] || die "no planted line"
quietly "$dc" keygen --out "$out/keys/build"
quietly "$dc" keygen --out "$out/keys/$name"
quietly "$dc" baseline --root "$image" --image explain-1 --key "$out/keys/build.key" \
    --out "$out/baselines/explain-1.jsonl" --quiet

# 2. The host: a copy of the image, first-booted (machine id, SSH host keys; apt-daily's apt-get update, which
# the install below needs), then checked once.
cp -a "$image/." "$host/"
with_api "$host"
quietly in_chroot "$host" systemd-machine-id-setup
quietly in_chroot "$host" ssh-keygen -A
quietly in_chroot "$host" apt-get -q update
without_api
check

# 3. Drift, at the current time.
with_api "$host"
# a. admin's ssh login two minutes ago: wtmp (OpenSSH's record: id is the
# line's last 4 characters, pid the session's child) and auth.log (created as rsyslog does).
login_wtmp=$(date -u -d '-2 min' +%Y-%m-%dT%H:%M:%S,%6N+00:00)
login_log=$(date -d "${login_wtmp/,/.}" +%Y-%m-%dT%H:%M:%S.%6N%:z)
printf '[7] [01240] [ts/0] [%-8s] [%-12s] [%-20s] [%-15s] [%s]\n' admin pts/0 10.0.0.5 10.0.0.5 "$login_wtmp" |
    in_chroot "$host" sh -c 'utmpdump -r >>/var/log/wtmp 2>/dev/null'
in_chroot "$host" utmpdump /var/log/wtmp 2>/dev/null | grep -q '^\[7\] \[01240\] \[ts/0\] \[admin ' ||
    die "wtmp has no login record for admin"
[ -e "$host/var/log/auth.log" ] || install -m 0640 -o root -g adm /dev/null "$host/var/log/auth.log"
{
    echo "$login_log $name sshd[1234]: Accepted publickey for admin from 10.0.0.5 port 52344 ssh2: ED25519 SHA256:2ZJv3mR8kq0bW7cXnYpQe5tLhVdA1sGfU9oKzIjHxMw"
    echo "$login_log $name sshd[1234]: pam_unix(sshd:session): session opened for user admin(uid=1000) by (uid=0)"
    echo "$login_log $name systemd-logind[412]: New session 3 of user admin."
} >>"$host/var/log/auth.log"
# b. sudo useradd: the account deploy, on the host only.
auth "sudo:    admin : TTY=pts/0 ; PWD=/home/admin ; USER=root ; COMMAND=/usr/sbin/useradd -m -u 1001 -s /bin/bash deploy"
quietly in_chroot "$host" useradd -m -u 1001 -s /bin/bash deploy
sleep 2
# c. sudo apt-get install tcpdump: sudo's environment makes apt record Requested-By.
apt=(/usr/bin/apt-get -q install -y --no-download --no-install-recommends tcpdump)
auth "sudo:    admin : TTY=pts/0 ; PWD=/home/admin ; USER=root ; COMMAND=${apt[*]}"
auth "sudo: pam_unix(sudo:session): session opened for user root(uid=0) by admin(uid=1000)"
quietly in_chroot "$host" SUDO_USER=admin SUDO_UID=1000 SUDO_GID=1000 SUDO_COMMAND="${apt[*]}" "${apt[@]}"
auth "sudo: pam_unix(sudo:session): session closed for user root"
grep -q '^Requested-By: admin (1000)$' "$host/var/log/apt/history.log" || die "history.log has no Requested-By"
grep -q '^tcpdump:' "$host/etc/passwd" || die "no tcpdump user after the install"
without_api
# An admin's next command comes a little later.
sleep 2
# d. sudo vi /etc/ssh/sshd_config: the new version written beside it and renamed over it (vim, backupcopy=no).
grep -q '^#PermitRootLogin prohibit-password$' "$host/etc/ssh/sshd_config" || die "sshd_config: no PermitRootLogin"
auth "sudo:    admin : TTY=pts/0 ; PWD=/home/admin ; USER=root ; COMMAND=/usr/bin/vi /etc/ssh/sshd_config"
auth "sudo: pam_unix(sudo:session): session opened for user root(uid=0) by admin(uid=1000)"
tmp=$host/etc/ssh/.sshd_config.new
{
    sed 's/^#PermitRootLogin prohibit-password$/PermitRootLogin no/' "$host/etc/ssh/sshd_config"
    echo "AllowUsers admin"
} >"$tmp"
chown root:root "$tmp"
chmod 0644 "$tmp"
mv "$tmp" "$host/etc/ssh/sshd_config"
auth "sudo: pam_unix(sudo:session): session closed for user root"
# e. The planted key again, where keys belong.
install -m 0600 -o root -g root "$image/etc/app/tls.pem" "$host/etc/ssl/private/host.key"

# 4. The second check, and the drift rendered from its manifest against the baseline.
check
manifest=$(find "$out/reports" -name '*.manifest.jsonl' | sort | tail -n 1)
[ "$(find "$out/reports" -name '*.manifest.jsonl' | wc -l)" -ge 2 ] || die "check kept fewer than 2 manifests"
compare=(compare --baseline "$out/baselines/explain-1.jsonl" --host "$manifest"
    --baseline-pubkey "$out/keys/build.pub" --host-pubkey "$out/keys/$name.pub")
dc_ok "${compare[@]}" --format json --out "$out/report.json" --bake "$out/bake"
dc_ok "${compare[@]}" --format html --out "$out/report.html"
dc_ok "${compare[@]}" --format text --out "$out/report.txt"
[ -f "$out/bake/apply.sh" ] || die "no bake/apply.sh"

# 5. The next image: the bake applied to a fresh copy of the image (with the host's package lists, as an image
# build's apt-get update would fetch them; removed again), baselined as explain-2 and compared with the host.
cp -a "$image/." "$next/"
cp -a "$host/var/lib/apt/lists/." "$next/var/lib/apt/lists/"
cp -a "$out/bake" "$next/tmp/bake"
with_api "$next"
quietly chroot "$next" /usr/bin/env -i "$path" HOME=/root LC_ALL=C DRIFTCHECK_APT_OPTIONS=--no-download \
    sh /tmp/bake/apply.sh
without_api
rm -rf "$next/tmp/bake" "$next"/var/lib/apt/lists/*
quietly "$dc" baseline --root "$next" --image explain-2 --no-stamp --key "$out/keys/build.key" \
    --out "$out/baselines-next/explain-2.jsonl" --quiet
dc_ok compare --baseline "$out/baselines-next/explain-2.jsonl" --host "$manifest" \
    --baseline-pubkey "$out/keys/build.pub" --host-pubkey "$out/keys/$name.pub" --format json --out "$out/after.json"

echo "real-explain: $out ready" >&2
