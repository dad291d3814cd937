#!/usr/bin/env bash
# Prove the static host binary runs on a Debian 12 with no Swift toolchain.
#
#   bash Packaging/rootfs.sh [DIR] [BINARY]
#
# DIR (default $DRIFTCHECK_ROOTFS, else /var/cache/driftcheck-ci/bookworm-minbase): a `debootstrap --variant=minbase
# bookworm` rootfs with libssl3, made once and reused (it is only ever read). BINARY (default dist/driftcheck, from
# Packaging/build-static.sh): installed as /usr/local/bin/driftcheck into a throw-away overlay of DIR, which then runs
# `driftcheck --version`, keygen, baseline, scan, verify and compare inside the chroot. Without a BINARY only the
# rootfs is made. Needs root.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "rootfs: $*" >&2; exit 1; }
# shellcheck source=lib/chroot.sh
. "$repo/Packaging/lib/chroot.sh"
trap chroot_cleanup EXIT
trap 'exit 130' INT TERM

rootfs=${1:-${DRIFTCHECK_ROOTFS:-$DRIFTCHECK_ROOTFS_DEFAULT}}
binary=${2:-$repo/dist/driftcheck}
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, mount, chroot)"

ensure_rootfs "$rootfs"
if [ ! -e "$binary" ]; then
    echo "rootfs: no binary at $binary (run Packaging/build-static.sh); rootfs only" >&2
    exit 0
fi
[ -x "$binary" ] || die "$binary is not executable"
if [ -e "$rootfs/usr/bin/swift" ] || ls "$rootfs"/usr/lib/swift* >/dev/null 2>&1; then
    die "$rootfs has a Swift toolchain; it proves nothing"
fi

make_work_root "$rootfs"
root=$WORK_ROOT
install -m 0755 "$binary" "$root/usr/local/bin/driftcheck"

echo "rootfs: ldd inside the chroot:" >&2
in_root ldd /usr/local/bin/driftcheck >&2 || true
echo "rootfs: driftcheck --version: $(in_root driftcheck --version)" >&2

in_root mkdir -p /root/dc
in_root driftcheck keygen --out /root/dc/host
in_root driftcheck baseline --root / --image smoke-1 --key /root/dc/host.key --out /root/dc/baseline.jsonl --quiet
in_root driftcheck scan --root / --key /root/dc/host.key --out /root/dc/host.jsonl --quiet
in_root driftcheck verify /root/dc/host.jsonl --pubkey /root/dc/host.pub
in_root driftcheck verify /root/dc/baseline.jsonl --pubkey /root/dc/host.pub
echo "rootfs: baseline $(in_root wc -l /root/dc/baseline.jsonl | cut -d' ' -f1) lines," \
    "scan $(in_root wc -l /root/dc/host.jsonl | cut -d' ' -f1) lines" >&2
# The scan saw the baseline's own files and the scan's key directory: the comparison must run and judge
# (exit 0 or 1), never fail (2) or distrust (3).
set +e
in_root driftcheck compare --baseline /root/dc/baseline.jsonl --host /root/dc/host.jsonl \
    --pubkey /root/dc/host.pub --format text >"$_chroot_work/report.txt"
status=$?
set -e
[ "$status" -le 1 ] || { cat "$_chroot_work/report.txt" >&2; die "compare exited $status"; }
echo "rootfs: compare exited $status; report summary:" >&2
grep -iE 'summary|recommend|total' "$_chroot_work/report.txt" >&2 || tail -n 5 "$_chroot_work/report.txt" >&2
echo "rootfs: OK: the static binary runs in a Debian 12 minbase chroot without Swift"
