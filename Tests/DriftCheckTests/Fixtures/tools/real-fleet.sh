#!/usr/bin/env bash
# A real fleet for the fleet tests: a Debian 12 image made by debootstrap (Packaging/lib/chroot.sh's cached minbase
# rootfs), baselined, and a dozen hosts made from it as overlays and changed by real tools: apt-get in a chroot,
# chmod, setcap, sed as an editor, useradd --root. Each host runs `driftcheck check` with its own key, as its timer
# would (faketime for the runs made days ago).
#
#   bash real-fleet.sh DRIFTCHECK OUT
#
# Leaves OUT/baselines, OUT/keys/HOST.pub (the fleet's trusted host keys) and OUT/reports/HOST/. Needs root and
# Debian's package mirror (apt-get). Undoes its mounts on exit.
set -euo pipefail
dc=$1
out=$2
repo=$(cd "$(dirname "$0")/../../../.." && pwd)
die() { echo "real-fleet: $*" >&2; exit 1; }
# shellcheck source=../../../../Packaging/lib/chroot.sh
. "$repo/Packaging/lib/chroot.sh"
mounts=()
cleanup() { unmount_all mounts; }
trap cleanup EXIT

rootfs=${DRIFTCHECK_ROOTFS:-$DRIFTCHECK_ROOTFS_DEFAULT}
ensure_rootfs "$rootfs"
mkdir -p "$out"/{baselines,keys,reports,hosts}
image=$out/image
cp -a "$rootfs" "$image"
cp /etc/resolv.conf "$image/etc/resolv.conf"

# The image build: package lists and the .deb of `less` in apt's cache, so the hosts install it the same way.
mount -t proc proc "$image/proc"
mounts+=("$image/proc")
chroot "$image" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C apt-get -qq update 2>/dev/null
chroot "$image" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C DEBIAN_FRONTEND=noninteractive \
    apt-get -qq install -y --download-only --no-install-recommends less >/dev/null 2>&1
unmount_all mounts
printf 'Debian GNU/Linux 12 \\n \\l\n' >"$image/etc/issue"
"$dc" keygen --out "$out/build" >/dev/null
"$dc" baseline --root "$image" --image bookworm-2026.11 --key "$out/build.key" \
    --out "$out/baselines/bookworm-2026.11.jsonl" --quiet

# host N: an overlay of the image; in_host runs a command chrooted in it (with /proc for dpkg's scripts).
host_root() { echo "$out/hosts/$1/root"; }
make_host() {
    local name=$1 dir=$out/hosts/$1
    mkdir -p "$dir/upper" "$dir/work" "$dir/root"
    if mount -t overlay overlay -o "lowerdir=$image,upperdir=$dir/upper,workdir=$dir/work" "$dir/root" 2>/dev/null; then
        mounts+=("$dir/root")
    else
        cp -a "$image/." "$dir/root/"
    fi
    "$dc" keygen --out "$out/keys/$name" >/dev/null
}
in_host() {
    local root
    root=$(host_root "$1")
    shift
    mount -t proc proc "$root/proc"
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@"
    umount "$root/proc"
}
check() { # check HOST [faketime offset]
    local name=$1 offset=${2:-}
    local run=("$dc" check --root "$(host_root "$name")" --image bookworm-2026.11 --host "$name"
        --key "$out/keys/$name.key" --reports "$out/reports/$name" --baselines "$out/baselines"
        --baseline-pubkey "$out/build.pub" --host-pubkey "$out/keys/$name.pub" --verify-packages --quiet)
    mkdir -p "$out/reports/$name"
    chmod 0750 "$out/reports/$name"
    if [ -n "$offset" ]; then run=(faketime -f "$offset" "${run[@]}"); fi
    "${run[@]}" >/dev/null || [ $? -eq 1 ]
}

for n in 01 02 03 04 05 06 07 08 09 10 11 12; do make_host "web-$n"; done
# web-01…07: the same package from the same image's cache, by apt-get (the change to promote).
for n in 01 02 03 04 05 06 07; do in_host "web-$n" apt-get -qq install -y --no-download less >/dev/null 2>&1; done
# web-02…08: a setuid bit on find, the same on each (a worm's persistence: an incident).
for n in 02 03 04 05 06 07 08; do chmod u+s "$(host_root "web-$n")/usr/bin/find"; done
# web-01…06: the message of the day, edited to the host's own (varies per host).
for n in 01 02 03 04 05 06; do
    printf 'Welcome to web-%s\n' "$n" >>"$(host_root "web-$n")/etc/motd"
done
# web-03: file capabilities on date (one host: investigate).
setcap cap_setuid+ep "$(host_root web-03)/usr/bin/date"
# web-09: an account made by hand (a snowflake).
useradd --root "$(host_root web-09)" -m -s /bin/sh deploy
# web-10: the same package, then its binary patched (never the promoted change).
in_host web-10 apt-get -qq install -y --no-download less >/dev/null 2>&1
printf 'patched' >>"$(host_root web-10)/usr/bin/less"
# web-12: /etc/issue edited a day ago, then put back.
sed -i 's/Debian/Debian (maintenance)/' "$(host_root web-12)/etc/issue"
check web-12 -1d
cp "$image/etc/issue" "$(host_root web-12)/etc/issue"

for n in 01 02 03 04 05 06 07 08 09 10 12; do check "web-$n"; done
# web-11: its last run was three days ago (its timer was stopped).
check web-11 -3d
# web-08: its report edited to look clean (never believed).
report=$(ls "$out"/reports/web-08/*.report.json | tail -n 1)
sed -i 's/"action":"investigate"/"action":"none"/' "$report"
echo "real-fleet: $out ready" >&2
