# shellcheck shell=bash disable=SC2034
# Shared by Packaging/rootfs.sh and Packaging/test-deb.sh (sourced, not run): the cached Debian 12 minbase rootfs
# and throw-away working roots on top of it. Callers set `set -euo pipefail`, define die(), and call
# chroot_cleanup from their EXIT trap.

DRIFTCHECK_ROOTFS_DEFAULT=/var/cache/driftcheck-ci/bookworm-minbase

# ensure_rootfs DIR [PACKAGES]: debootstrap a bookworm minbase rootfs (with libssl3, and PACKAGES, a comma-separated
# list of more packages to --include, if given) into DIR unless it is already there. It is built in DIR.partial and
# renamed when complete, so a DIR that exists is a finished rootfs. (Give each PACKAGES list a DIR of its own: an
# existing DIR is reused whatever it was made with.)
ensure_rootfs() {
    local dir=$1 include=libssl3${2:+,$2} mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
    if [ -x "$dir/usr/bin/dpkg" ] && [ -e "$dir/usr/lib/x86_64-linux-gnu/libcrypto.so.3" ]; then
        echo "rootfs: reusing $dir" >&2
        return 0
    fi
    [ ! -e "$dir" ] || die "$dir exists but is not a finished rootfs; remove it"
    [ "$(id -u)" -eq 0 ] || die "debootstrap and chroot need root"
    if ! command -v debootstrap >/dev/null 2>&1; then
        echo "rootfs: installing debootstrap" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
    fi
    mkdir -p "$(dirname "$dir")"
    rm -rf "$dir.partial"
    _chroot_partial=$dir.partial
    echo "rootfs: debootstrap --variant=minbase --include=$include bookworm $dir (from $mirror; a few minutes)" >&2
    if ! nice -n 19 debootstrap --variant=minbase --include="$include" bookworm "$dir.partial" "$mirror" \
        >"$dir.partial.log" 2>&1; then
        tail -n 20 "$dir.partial.log" >&2
        die "debootstrap failed (log: $dir.partial.log)"
    fi
    # What every fresh rootfs would otherwise differ in; the apt lists and caches only cost space.
    rm -rf "$dir.partial"/var/cache/apt/archives/*.deb "$dir.partial"/var/lib/apt/lists/*
    mv "$dir.partial" "$dir"
    rm -f "$dir.partial.log"
    _chroot_partial=
    echo "rootfs: $dir ready ($(du -sh "$dir" | cut -f1))" >&2
}

# make_work_root LOWER: set WORK_ROOT to a writable copy of LOWER (an overlay when the kernel allows, else a copy),
# with /proc mounted. LOWER itself is never written. chroot_cleanup undoes it. (Not in $(...): it sets globals.)
make_work_root() {
    local lower=$1
    _chroot_work=$(mktemp -d "${TMPDIR:-/var/tmp}/driftcheck-chroot.XXXXXX")
    mkdir -p "$_chroot_work/upper" "$_chroot_work/work" "$_chroot_work/root"
    if mount -t overlay overlay \
        -o "lowerdir=$lower,upperdir=$_chroot_work/upper,workdir=$_chroot_work/work" "$_chroot_work/root" \
        2>/dev/null; then
        _chroot_mounts=("$_chroot_work/root")
    else
        echo "chroot: overlayfs unavailable, copying $lower" >&2
        cp -a "$lower/." "$_chroot_work/root/"
    fi
    mount -t proc proc "$_chroot_work/root/proc"
    _chroot_mounts+=("$_chroot_work/root/proc")
    WORK_ROOT=$_chroot_work/root
}

# in_root CMD...: run CMD in WORK_ROOT with a clean environment, in a network namespace of its own when the kernel
# allows (the driftcheck scan of a chroot's / counts as live and records listening ports: those of an empty
# namespace are the same in every run).
in_root() {
    local env=(/usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8)
    if [ -z "${_chroot_unshare:-}" ]; then
        _chroot_unshare=no
        if command -v unshare >/dev/null 2>&1 && unshare --net true 2>/dev/null; then _chroot_unshare=yes; fi
    fi
    if [ "$_chroot_unshare" = yes ]; then
        unshare --net chroot "$WORK_ROOT" "${env[@]}" "$@"
    else
        chroot "$WORK_ROOT" "${env[@]}" "$@"
    fi
}

# unmount_all ARRAY_NAME: unmount every mount point listed in the named array, innermost (last) first, lazily when
# busy, never failing; then empty the array.
unmount_all() {
    local -n _mounts=$1
    local i
    for ((i = ${#_mounts[@]} - 1; i >= 0; i--)); do
        umount "${_mounts[i]}" 2>/dev/null || umount -l "${_mounts[i]}" 2>/dev/null || true
    done
    _mounts=()
}

# chroot_cleanup: unmount what make_work_root mounted (innermost first), remove the working root and any
# half-made rootfs. Safe to call more than once.
chroot_cleanup() {
    unmount_all _chroot_mounts
    if [ -n "${_chroot_work:-}" ] && [ -d "$_chroot_work" ]; then
        # Never delete through a mount that is still there.
        if ! mountpoint -q "$_chroot_work/root" 2>/dev/null && ! mountpoint -q "$_chroot_work/root/proc" 2>/dev/null; then
            rm -rf --one-file-system "$_chroot_work"
        else
            echo "chroot: $_chroot_work is still mounted; not removed" >&2
        fi
    fi
    _chroot_work=
    if [ -n "${_chroot_partial:-}" ]; then
        for m in proc sys dev/pts dev; do umount "$_chroot_partial/$m" 2>/dev/null || true; done
        rm -rf --one-file-system "$_chroot_partial"
        _chroot_partial=
    fi
}

_chroot_mounts=()
_chroot_work=
_chroot_partial=
WORK_ROOT=
_chroot_unshare=

# unit_exec_start UNIT_FILE: the unit's ExecStart command line, continuation lines joined, as systemd runs it with
# an empty /etc/default/driftcheck ($CHECK_OPTIONS unset expands to nothing).
unit_exec_start() {
    # shellcheck disable=SC2016 # a literal $CHECK_OPTIONS
    sed -n '/^ExecStart=/,/[^\\]$/p' "$1" | sed 's/\\$//' | tr '\n' ' ' | sed 's/^ExecStart=//; s/\$CHECK_OPTIONS//'
}
