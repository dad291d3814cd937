#!/usr/bin/env bash
# A real server host for the noise and drift tests: a Debian 12 server image made by debootstrap (systemd, dbus,
# openssh-server, cron, …; Packaging/lib/chroot.sh's ensure_rootfs, cached), cleaned as an image build does and
# baselined; then one host made from it as an overlay, first-booted by the image's own tools run in a chroot
# (machine id, SSH host keys, systemd-tmpfiles, dpkg-db-backup, apt-get update, host name, random seed, wtmp, timer
# stamps) and checked; then drifted by real tools (apt-get installs tcpdump, whose maintainer scripts add a system
# user and a file; systemctl --root disables cron; sed edits a dpkg conffile; chown of /etc/hosts) and checked again.
#
#   bash real-host.sh DRIFTCHECK OUT
#
# Leaves OUT/baselines (the image's signed baseline), OUT/keys (build.* for the image, HOST.* for the host) and
# OUT/reports/{firstboot,drifted}/ (check's signed manifest and JSON report of each run); also OUT/image, the host's
# overlay layers in OUT/host and the tools' output in OUT/real-host.log. Every item of the firstboot report is noise.
# Needs root and Debian's package mirror (debootstrap, apt-get). OUT is removed first; undoes its mounts on exit.
set -euo pipefail
dc=$(realpath "$1")
out=$(realpath -m "$2")
repo=$(cd "$(dirname "$0")/../../../.." && pwd)
die() { echo "real-host: $*" >&2; exit 1; }
# shellcheck source=../../../../Packaging/lib/chroot.sh
. "$repo/Packaging/lib/chroot.sh"
# shellcheck source=lib/real-root.sh
. "$(dirname "$0")/lib/real-root.sh"
mounts=() api_mounts=()
cleanup() { unmount_all api_mounts; unmount_all mounts; chroot_cleanup; }
trap cleanup EXIT
trap 'exit 130' INT TERM
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, mount, chroot)"
[ -x "$dc" ] || die "$dc is not executable"

image_id=bookworm-server-1
name=srv-01
image=$out/image
host=$out/host/root
log=$out/real-host.log
path=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# A run left behind by a kill -9 may still have mounts in OUT: undo them (innermost first) before removing it.
for m in "$host/dev/pts" "$host/proc" "$host" "$image/dev/pts" "$image/proc"; do
    if mountpoint -q "$m" 2>/dev/null; then umount "$m" 2>/dev/null || umount -l "$m"; fi
done
rm -rf --one-file-system "$out"
ensure_rootfs "$server_rootfs" "$server_packages"
mkdir -p "$out"/{baselines,keys,reports/firstboot,reports/drifted,host/upper,host/work,host/root}
chmod 0750 "$out/reports/firstboot" "$out/reports/drifted"
: >"$log"


# 1. The image build (lib/real-root.sh).
build_image "$image"
# The image's signed baseline (this also stamps /etc/driftcheck/image-id into the image).
quietly "$dc" keygen --out "$out/keys/build"
quietly "$dc" keygen --out "$out/keys/$name"
quietly "$dc" baseline --root "$image" --image "$image_id" --key "$out/keys/build.key" \
    --out "$out/baselines/$image_id.jsonl" --quiet

# 2. The host: an overlay of the image (a copy where the kernel has no overlayfs); the image is never written again.
if mount -t overlay overlay -o "lowerdir=$image,upperdir=$out/host/upper,workdir=$out/host/work" "$host" \
    2>/dev/null; then
    mounts+=("$host")
else
    cp -a "$image/." "$host/"
fi
# check REPORTS: the host's check run, as its timer would run it (exit 1 is drift found, not a failure).
check() {
    "$dc" check --root "$host" --image "$image_id" --host "$name" --key "$out/keys/$name.key" \
        --reports "$out/reports/$1" --baselines "$out/baselines" --baseline-pubkey "$out/keys/build.pub" \
        --host-pubkey "$out/keys/$name.pub" --verify-packages --quiet >/dev/null || [ $? -eq 1 ]
}

# First boot, with the image's own tools (what systemd's early units, cloud-init and the first timers do).
with_api "$host"
# systemd-machine-id-setup: the empty /etc/machine-id gets a new random id.
quietly in_chroot "$host" systemd-machine-id-setup
# journald's persistent journal directory for that id (journald makes it; no journal file without journald).
install -d -m 2755 -g "$(awk -F: '$1 == "systemd-journal" {print $3}' "$host/etc/group")" \
    "$host/var/log/journal/$(cat "$host/etc/machine-id")"
# ssh-keygen -A (ssh.service's sshd-keygen step on Debian cloud images): the missing host keys.
quietly in_chroot "$host" ssh-keygen -A
# systemd-tmpfiles-setup.service: wtmp, btmp, lastlog, /var/lib/dbus/machine-id -> /etc/machine-id, …; then what
# systemd-tmpfiles-clean would remove. Some lines need a booted system (ACLs, /dev, /run): tolerate those.
echo "+ systemd-tmpfiles --create --remove --boot" >>"$log"
in_chroot "$host" systemd-tmpfiles --create --remove --boot >>"$log" 2>&1 || echo "(exit $?)" >>"$log"
[ -L "$host/var/lib/dbus/machine-id" ] || die "systemd-tmpfiles did not link /var/lib/dbus/machine-id"
# systemd-sysusers.service (every boot): nothing to add in this image, but it runs.
quietly in_chroot "$host" systemd-sysusers
# systemd-update-done.service would stamp /etc/.updated and /var/.updated: Debian's systemd does not ship it.
if [ -x "$host/lib/systemd/systemd-update-done" ]; then quietly in_chroot "$host" /lib/systemd/systemd-update-done; fi
# systemd-random-seed.service: the seed saved for the next boot.
quietly in_chroot "$host" /lib/systemd/systemd-random-seed save
[ -s "$host/var/lib/systemd/random-seed" ] || die "systemd-random-seed saved no seed"
# The boot record systemd-update-utmp writes to wtmp (utmpdump -r undumps its text form).
printf '[2] [00000] [~~  ] [reboot  ] [~           ] [%-20s] [0.0.0.0        ] [%s]\n' "$(uname -r)" \
    "$(date -u +%Y-%m-%dT%H:%M:%S,000000+00:00)" | in_chroot "$host" sh -c 'utmpdump -r >>/var/log/wtmp 2>/dev/null'
# The host's name, as cloud-init (manage_etc_hosts) or systemd-hostnamed writes it.
echo "$name" >"$host/etc/hostname"
printf '127.0.1.1\t%s.example.internal %s\n' "$name" "$name" >>"$host/etc/hosts"
# The timers first due at boot (Persistent=true, never run): apt-daily (apt-get update), dpkg-db-backup and their
# stamps, as systemd leaves them.
quietly in_chroot "$host" apt-get -q update
quietly in_chroot "$host" /usr/libexec/dpkg/dpkg-db-backup
mkdir -p "$host/var/lib/systemd/timers"
for timer in "$host"/lib/systemd/system/*.timer; do
    if grep -q '^Persistent=true' "$timer"; then touch "$host/var/lib/systemd/timers/stamp-$(basename "$timer")"; fi
done
without_api
check firstboot

# 3. Drift, by real tools.
with_api "$host"
# apt-get installs tcpdump from the image's cache: its postinst adds the tcpdump user and group and makes
# /etc/apparmor.d/local/usr.bin.tcpdump. Check that this is what its postinst really does.
quietly in_chroot "$host" apt-get -q install -y --no-download --no-install-recommends tcpdump
postinst=$host/var/lib/dpkg/info/tcpdump.postinst
grep -q 'adduser --system' "$postinst" || die "tcpdump.postinst adds no system user"
grep -q 'LOCAL_APP_PROFILE="/etc/apparmor.d/local/usr.bin.tcpdump"' "$postinst" || die "tcpdump.postinst: no profile"
grep -q '^tcpdump:' "$host/etc/passwd" || die "no tcpdump user after the install"
[ -f "$host/etc/apparmor.d/local/usr.bin.tcpdump" ] || die "no /etc/apparmor.d/local/usr.bin.tcpdump"
grep -q ' install tcpdump:amd64 ' "$host/var/log/dpkg.log" || die "dpkg.log does not record the install"
grep -q '^Install: tcpdump:amd64' "$host/var/log/apt/history.log" || die "history.log does not record the install"
without_api
# systemctl --root disables cron: the systemd link goes, and (cron also has /etc/init.d/cron) systemd-sysv-install
# runs update-rc.d in the root, which turns the S01cron links of runlevels 2-5 into K01cron. (On a machine without
# systemd, the image's own systemctl does the same in the chroot.)
ls "$host"/etc/rc[2345].d/S??cron >/dev/null 2>&1 || die "cron has no S links in the image"
if command -v systemctl >/dev/null 2>&1; then
    quietly systemctl --root="$host" disable cron
else
    quietly in_chroot "$host" systemctl disable cron
fi
[ ! -e "$host/etc/systemd/system/multi-user.target.wants/cron.service" ] || die "cron.service still wanted"
if ls "$host"/etc/rc[2345].d/S??cron >/dev/null 2>&1; then die "update-rc.d left S links for cron"; fi
ls "$host"/etc/rc[2345].d/K??cron >/dev/null 2>&1 || die "update-rc.d made no K links for cron"
# A hand edit of a dpkg conffile: /etc/login.defs (login's; cron's /etc/crontab is made by its postinst instead).
awk '/^Package: login$/,/^$/' "$host/var/lib/dpkg/status" | grep -q '^ /etc/login.defs ' \
    || die "/etc/login.defs is not a conffile of login"
sed -i 's/^PASS_MAX_DAYS\t99999$/PASS_MAX_DAYS\t90/' "$host/etc/login.defs"
grep -q '^PASS_MAX_DAYS.90$' "$host/etc/login.defs" || die "the edit of /etc/login.defs did not apply"
# /etc/hosts given to a user: its content is a low-severity change by policy, its owner must not be.
chown 1000:1000 "$host/etc/hosts"
check drifted
echo "real-host: $out ready" >&2
