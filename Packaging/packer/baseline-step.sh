#!/bin/sh
# The image-build step of driftcheck (Packaging/packer/driftcheck.pkr.hcl runs it): on the machine being imaged, as
# root, after every other provisioner —
#
#   1. install driftcheck: the .deb (dpkg -i) or the static binary (/usr/local/bin/driftcheck);
#   2. install the build key's public half as /etc/driftcheck/trusted.pub and the policy as /etc/driftcheck/policy.yaml;
#   3. schedule `driftcheck check`: enable driftcheck-check.timer (from the .deb), or without systemd write
#      /etc/cron.d/driftcheck;
#   4. `driftcheck baseline --root /`: stamps /etc/driftcheck/image-id, then fingerprints the image, signed with the
#      build key;
#   5. shred the build key; copy the baseline into /var/lib/driftcheck/baselines (the policy ignores that directory),
#      and leave it in /run/driftcheck, readable by the SSH user, for the file provisioner to download.
#
# Everything that is the same on every host is done here, before the baseline: done on a running host, it would be
# drift (a timer enabled on the host is a service enabled: high). The build key is only ever on tmpfs (the upload
# directory and /run), which the scan never enters and the image does not contain: it is not in the image, and not
# in its baseline.
#
# Environment (the template sets these):
#   IMAGE_ID            the image id, e.g. web-2026.11 (letters, digits and ._:@+-; no /, it names files)
#   DRIFTCHECK_PACKAGE  the uploaded driftcheck_*.deb, or the uploaded static binary
#   BUILD_KEY           the uploaded build signing key (PEM); it must be on a tmpfs
#   BUILD_PUB           the uploaded public key of BUILD_KEY
#   POLICY              optional: a policy file for /etc/driftcheck/policy.yaml (default: keep the package's conffile,
#                       or `driftcheck policy show` for the static binary)
#   SCHEDULE            timer, cron or none (default: timer when systemctl and the unit are there, else cron)
#   ARTIFACT_OWNER      the user who downloads the baseline (default: $SUDO_USER, the SSH user sudo ran this for)
set -eu
umask 022

die() { echo "baseline-step: $*" >&2; exit 1; }
say() { echo "baseline-step: $*" >&2; }

key=/run/driftcheck-build.key
outdir=/run/driftcheck

# shred what is left of the key, whatever happens (a failed build is thrown away, its key must still go)
wipe_keys() {
    for file in "$key" "${BUILD_KEY:-}"; do
        if [ -n "$file" ] && [ -e "$file" ]; then shred -u "$file" 2>/dev/null || rm -f "$file"; fi
    done
}
trap wipe_keys EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || die "must run as root (the template runs it with sudo)"
[ -n "${IMAGE_ID:-}" ] || die "IMAGE_ID is not set"
case $IMAGE_ID in */*) die "IMAGE_ID '$IMAGE_ID' contains /; it names the baseline file" ;; esac
[ -n "${DRIFTCHECK_PACKAGE:-}" ] && [ -f "$DRIFTCHECK_PACKAGE" ] || die "DRIFTCHECK_PACKAGE is not a file: ${DRIFTCHECK_PACKAGE:-}"
[ -n "${BUILD_KEY:-}" ] && [ -f "$BUILD_KEY" ] || die "BUILD_KEY is not a file: ${BUILD_KEY:-}"
[ -n "${BUILD_PUB:-}" ] && [ -f "$BUILD_PUB" ] || die "BUILD_PUB is not a file: ${BUILD_PUB:-}"
for dir in "$(dirname "$BUILD_KEY")" /run; do
    [ "$(stat -f -c %T "$dir")" = tmpfs ] || die "$dir is not a tmpfs: the build key would be written into the image"
done

# --- 1. install ------------------------------------------------------------------------------------------------------
case $DRIFTCHECK_PACKAGE in
*.deb)
    say "dpkg -i $(basename "$DRIFTCHECK_PACKAGE")"
    dpkg -i "$DRIFTCHECK_PACKAGE" >/dev/null || die "dpkg -i failed (it needs libc6 and libssl3 installed)"
    bin=/usr/bin/driftcheck
    ;;
*)
    say "installing the static binary as /usr/local/bin/driftcheck"
    install -m 0755 "$DRIFTCHECK_PACKAGE" /usr/local/bin/driftcheck
    install -d -m 0755 /etc/driftcheck
    install -d -m 0750 /var/lib/driftcheck /var/lib/driftcheck/baselines /var/lib/driftcheck/reports
    bin=/usr/local/bin/driftcheck
    ;;
esac
say "$("$bin" --version)"

# --- 2. trust and policy ---------------------------------------------------------------------------------------------
install -m 0644 "$BUILD_PUB" /etc/driftcheck/trusted.pub
if [ -n "${POLICY:-}" ]; then
    "$bin" policy check "$POLICY" >/dev/null || die "the policy $POLICY does not check"
    install -m 0644 "$POLICY" /etc/driftcheck/policy.yaml
elif [ ! -f /etc/driftcheck/policy.yaml ]; then
    "$bin" policy show >/etc/driftcheck/policy.yaml
fi

# --- 3. schedule -------------------------------------------------------------------------------------------------------
schedule=${SCHEDULE:-auto}
if [ "$schedule" = auto ]; then
    if command -v systemctl >/dev/null 2>&1 && [ -f /lib/systemd/system/driftcheck-check.timer ]; then
        schedule=timer
    else
        schedule=cron
    fi
fi
case $schedule in
timer)
    say "systemctl enable driftcheck-check.timer"
    systemctl enable driftcheck-check.timer
    ;;
cron)
    say "writing /etc/cron.d/driftcheck"
    command -v cron >/dev/null 2>&1 || command -v crond >/dev/null 2>&1 ||
        say "warning: no cron daemon in this image; /etc/cron.d/driftcheck will not run until one is installed"
    install -d -m 0755 /etc/cron.d
    cat >/etc/cron.d/driftcheck <<EOF
# /etc/cron.d/driftcheck — hourly, quiet unless something drifted (cron mails the output)
17 * * * * root $bin check --key /etc/driftcheck/host.key --pubkey /etc/driftcheck/trusted.pub --baselines /var/lib/driftcheck/baselines --reports /var/lib/driftcheck/reports --policy /etc/driftcheck/policy.yaml --fail-on high --nice
EOF
    chmod 0644 /etc/cron.d/driftcheck
    ;;
none) ;;
*) die "SCHEDULE must be timer, cron or none, not '$schedule'" ;;
esac

# --- 4. the baseline, signed with the build key ----------------------------------------------------------------------
# driftcheck refuses a key that group or others can read, or that another user owns: the upload is the SSH user's.
(umask 077 && cp "$BUILD_KEY" "$key")
shred -u "$BUILD_KEY" 2>/dev/null || rm -f "$BUILD_KEY"
install -d -m 0700 "$outdir"
baseline=$outdir/$IMAGE_ID.jsonl
say "driftcheck baseline --root / --image $IMAGE_ID"
"$bin" baseline --root / --image "$IMAGE_ID" --key "$key" --policy /etc/driftcheck/policy.yaml --out "$baseline" --quiet
wipe_keys

# --- 5. keep it in the image for the timer, and leave it for the download ----------------------------------------------
"$bin" verify "$baseline" --pubkey /etc/driftcheck/trusted.pub >&2 ||
    die "the baseline does not verify with BUILD_PUB: BUILD_KEY and BUILD_PUB are not a pair"
install -m 0640 "$baseline.sig" "$baseline" /var/lib/driftcheck/baselines/
owner=${ARTIFACT_OWNER:-${SUDO_USER:-root}}
chown "$owner" "$outdir" "$baseline" "$baseline.sig"
say "done: $baseline (+ .sig) for download by $owner; build key removed"
