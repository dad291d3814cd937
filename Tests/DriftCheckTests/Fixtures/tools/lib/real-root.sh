# shellcheck shell=bash
# shellcheck disable=SC2154  # log and path are set by the script that sources this file
# Helpers of the real-image fixture scripts (real-host.sh, real-explain.sh), sourced after Packaging/lib/chroot.sh
# and `die`; the functions use `log` (the tools' output), `path` (PATH=… for the chroot) and `api_mounts`, which the
# scripts set.

# The image both scripts build: what a Debian 12 server image holds beyond minbase. Its own cached rootfs
# (ensure_rootfs's second argument is the extra --include list), beside the minbase one the other scripts use.
server_rootfs=${DRIFTCHECK_SERVER_ROOTFS:-/var/cache/driftcheck-ci/bookworm-server}
server_packages=systemd,systemd-sysv,systemd-timesyncd,dbus,openssh-server,cron,adduser,sudo,logrotate,iproute2
server_packages+=,ifupdown,netbase,procps,ca-certificates,less

# quietly CMD…: run CMD with its output in the log; on failure show the log's end and stop.
quietly() {
    echo "+ $*" >>"$log"
    local status=0
    "$@" >>"$log" 2>&1 || status=$?
    [ "$status" -eq 0 ] || { tail -n 20 "$log" >&2; die "failed (exit $status): $* (log: $log)"; }
}
# in_chroot ROOT CMD…: run CMD chrooted in ROOT with a clean environment, as a boot or an admin would (the network
# is the machine's: apt-get needs the mirror).
in_chroot() {
    local root=$1
    shift
    chroot "$root" /usr/bin/env -i "$path" HOME=/root LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@"
}
# with_api ROOT: mount /proc (dpkg's maintainer scripts and systemd's tools want it) and a devpts of its own (apt
# writes its term.log through a pty) in ROOT, until without_api.
with_api() {
    mount -t proc proc "$1/proc"
    api_mounts+=("$1/proc")
    mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$1/dev/pts"
    api_mounts+=("$1/dev/pts")
}
without_api() { unmount_all api_mounts; }
# build_image IMAGE: the image build both scripts start from. A copy of the cached server rootfs; apt's lists
# (fetched now, removed again below) are only for the download: tcpdump's .debs stay in apt's cache, so a host
# installs it later with --no-download. Cleaned as Debian's cloud images are: an empty machine id (systemd makes one
# at first boot) and no dbus copy of it (systemd-tmpfiles makes it a link to /etc/machine-id), no SSH host keys
# (made at first boot), no package lists, the build machine's name replaced by localhost.
build_image() {
    local image=$1
    cp -a "$server_rootfs" "$image"
    cp /etc/resolv.conf "$image/etc/resolv.conf"
    with_api "$image"
    quietly in_chroot "$image" apt-get -q update
    quietly in_chroot "$image" apt-get -q install -y --download-only --no-install-recommends tcpdump
    without_api
    ls "$image"/var/cache/apt/archives/tcpdump_*.deb >/dev/null 2>&1 || die "tcpdump was not downloaded"
    : >"$image/etc/machine-id"
    rm -f "$image/var/lib/dbus/machine-id" "$image"/etc/ssh/ssh_host_*
    rm -rf "$image"/var/lib/apt/lists/*
    echo localhost >"$image/etc/hostname"
    chmod 0644 "$image/etc/hostname" # debootstrap copied the build machine's file, mode and all
}
