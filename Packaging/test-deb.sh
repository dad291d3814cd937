#!/usr/bin/env bash
# Install the driftcheck .deb into a throw-away overlay of the cached Debian 12 minbase rootfs (no Swift there) and
# use it as an operator would: --version, bash completion, keygen, baseline of the root, the systemd unit's own
# `driftcheck check` command (exit 0), one change (exit 1), remove (state kept), purge (everything gone).
#
#   bash Packaging/test-deb.sh DEB [ROOTFS]
#   COLLECTOR_DEB=dist/driftcheck-collector_….deb bash Packaging/test-deb.sh DEB   (the collector's package too:
#       installed, its user made, its unit not enabled, served on SQLite, the unit's check pushing to it, purged)
#
# ROOTFS defaults to $DRIFTCHECK_ROOTFS, else /var/cache/driftcheck-ci/bookworm-minbase, and is made by
# Packaging/rootfs.sh's debootstrap when missing; it is only read. Needs root.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "test-deb: FAIL: $*" >&2; exit 1; }
step() { echo "test-deb: $*" >&2; }
# shellcheck source=lib/chroot.sh
. "$repo/Packaging/lib/chroot.sh"
trap chroot_cleanup EXIT
trap 'exit 130' INT TERM

if [ $# -lt 1 ] || [ $# -gt 2 ]; then die "usage: test-deb.sh DEB [ROOTFS]"; fi
deb=$(realpath -e "$1") || die "no such package: $1"
rootfs=${2:-${DRIFTCHECK_ROOTFS:-$DRIFTCHECK_ROOTFS_DEFAULT}}
[ "$(id -u)" -eq 0 ] || die "needs root (mount, chroot)"
version=$(dpkg-deb -f "$deb" Version)

ensure_rootfs "$rootfs"
make_work_root "$rootfs"
root=$WORK_ROOT
[ ! -e "$root/usr/bin/swift" ] || die "$rootfs has a Swift toolchain"

# --- install -----------------------------------------------------------------------------------------------------------
cp "$deb" "$root/tmp/driftcheck.deb"
step "dpkg -i $(basename "$deb") in a copy of $rootfs"
in_root dpkg -i /tmp/driftcheck.deb >"$_chroot_work/dpkg-i.log" 2>&1 || { cat "$_chroot_work/dpkg-i.log" >&2; die "dpkg -i failed"; }
rm -f "$root/tmp/driftcheck.deb"
# shellcheck disable=SC2016 # dpkg-query's ${Field}s, not the shell's
[ "$(in_root dpkg-query -W -f='${Status} ${Version}' driftcheck)" = "install ok installed $version" ] ||
    die "driftcheck $version is not installed"

expect_file() { [ -f "$root$1" ] || die "missing $1"; }
for file in /usr/bin/driftcheck /etc/driftcheck/policy.yaml /lib/systemd/system/driftcheck-check.service \
    /lib/systemd/system/driftcheck-check.timer /usr/share/man/man1/driftcheck.1.gz \
    /usr/share/bash-completion/completions/driftcheck /usr/share/zsh/vendor-completions/_driftcheck \
    /usr/share/fish/vendor_completions.d/driftcheck.fish /usr/share/doc/driftcheck/copyright \
    /usr/share/doc/driftcheck/changelog.Debian.gz; do
    expect_file "$file"
done
for dir in /var/lib/driftcheck/baselines /var/lib/driftcheck/reports; do
    [ "$(stat -c '%a %U:%G' "$root$dir")" = "750 root:root" ] || die "$dir is $(stat -c '%a %U:%G' "$root$dir"), not 750 root:root"
done
# shellcheck disable=SC2016
[ "$(in_root dpkg-query -W -f='${Conffiles}' driftcheck | awk '{print $1}' | xargs)" = /etc/driftcheck/policy.yaml ] ||
    die "/etc/driftcheck/policy.yaml is not the package's only conffile"
if find "$root/etc/systemd/system" -name 'driftcheck*' 2>/dev/null | grep -q .; then
    die "a driftcheck unit was enabled on installation: $(find "$root/etc/systemd/system" -name 'driftcheck*')"
fi
ldd_out=$(in_root ldd /usr/bin/driftcheck)
while IFS= read -r line; do echo "    $line" >&2; done <<<"$ldd_out"
if grep -q 'not found' <<<"$ldd_out"; then die "unresolved libraries"; fi

# --- the binary, the shipped policy, the completion ------------------------------------------------------------------
reported=$(in_root driftcheck --version)
[ "$reported" = "driftcheck ${version%-*}" ] || die "driftcheck --version says '$reported', the package is $version"
step "driftcheck --version: $reported"
in_root driftcheck policy check /etc/driftcheck/policy.yaml >/dev/null || die "the shipped policy does not check"
completion=$(in_root bash -c 'source /usr/share/bash-completion/completions/driftcheck && complete -p driftcheck') ||
    die "the bash completion does not load"
step "bash completion: $completion"
in_root zcat /usr/share/man/man1/driftcheck.1.gz | grep -q '^\.Dt DRIFTCHECK 1' || die "driftcheck.1 is not an mdoc page"

# --- end to end, the way the unit runs it -----------------------------------------------------------------------------
step "keygen, baseline of / (image e2e-1)"
in_root driftcheck keygen --out /etc/driftcheck/host >/dev/null
cp "$root/etc/driftcheck/host.pub" "$root/etc/driftcheck/trusted.pub"
# A baseline is left out of its own scan but is on every host that keeps it in /var/lib/driftcheck/baselines, where
# the unit looks. Until the built-in policy ignores that directory (as it does reports/), do what an operator would:
# add the rule to the conffile before the baseline.
if ! grep -q '/var/lib/driftcheck/baselines/' "$root/etc/driftcheck/policy.yaml"; then
    step "the built-in policy does not ignore /var/lib/driftcheck/baselines/**: adding the rule to the conffile"
    sed -i 's|^  - {path: "/var/lib/driftcheck/reports/\*\*", ignore: true}.*|&\n  - {path: "/var/lib/driftcheck/baselines/**", ignore: true}|' \
        "$root/etc/driftcheck/policy.yaml"
    grep -q '/var/lib/driftcheck/baselines/' "$root/etc/driftcheck/policy.yaml" || die "could not add the baselines rule"
    in_root driftcheck policy check /etc/driftcheck/policy.yaml >/dev/null || die "the edited policy does not check"
fi
in_root driftcheck baseline --root / --image e2e-1 --key /etc/driftcheck/host.key --policy /etc/driftcheck/policy.yaml \
    --out /var/lib/driftcheck/baselines/e2e-1.jsonl --quiet
[ "$(cat "$root/etc/driftcheck/image-id")" = e2e-1 ] || die "baseline did not stamp /etc/driftcheck/image-id"

# The unit's own ExecStart (continuation lines joined), so the test fails when the unit and the binary disagree;
# $CHECK_OPTIONS (from /etc/default/driftcheck, e.g. --push) expands to nothing when unset, as systemd does.
exec_start=$(unit_exec_start "$root/lib/systemd/system/driftcheck-check.service")
[ -n "$exec_start" ] || die "no ExecStart in driftcheck-check.service"
read -r -a check_command <<<"$exec_start"
[ "${check_command[0]}" = /usr/bin/driftcheck ] || die "ExecStart runs ${check_command[0]}"

run_check() { # expected-exit label
    local status=0
    in_root "${check_command[@]}" >"$_chroot_work/check.out" 2>"$_chroot_work/check.err" || status=$?
    if [ "$status" -ne "$1" ]; then
        cat "$_chroot_work/check.out" "$_chroot_work/check.err" >&2
        die "$2: driftcheck check exited $status, expected $1"
    fi
    step "$2: driftcheck check exited $status as expected"
}
step "check: ${check_command[*]}"
run_check 0 "unchanged host"
compgen -G "$root/var/lib/driftcheck/reports/*.report.json" >/dev/null || die "check wrote no report"

echo "drift" >>"$root/etc/motd"
run_check 1 "after echo drift >> /etc/motd"
grep -q '/etc/motd' "$_chroot_work/check.out" || { cat "$_chroot_work/check.out" >&2; die "the report does not name /etc/motd"; }
grep -E '^(Summary|Recommendation)' "$_chroot_work/check.out" | sed 's/^/    /' >&2 || true

# --- the collector's package: installed beside it, served on SQLite alone, the unit's check pushing to it ----------------
if [ -n "${COLLECTOR_DEB:-}" ]; then
    collector_deb=$(realpath -e "$COLLECTOR_DEB") || die "no such package: $COLLECTOR_DEB"
    cp "$collector_deb" "$root/tmp/driftcheck-collector.deb"
    step "dpkg -i $(basename "$collector_deb")"
    in_root dpkg -i /tmp/driftcheck-collector.deb >"$_chroot_work/dpkg-collector.log" 2>&1 ||
        { cat "$_chroot_work/dpkg-collector.log" >&2; die "dpkg -i of the collector failed"; }
    rm -f "$root/tmp/driftcheck-collector.deb"
    expect_file /usr/bin/driftcheck-collector
    expect_file /lib/systemd/system/driftcheck-collector.service
    in_root getent passwd driftcheck-collector >/dev/null || die "the collector's system user was not made"
    if find "$root/etc/systemd/system" -name 'driftcheck-collector*' 2>/dev/null | grep -q .; then
        die "driftcheck-collector.service was enabled on installation"
    fi
    [ "$(in_root driftcheck-collector --version)" = "driftcheck ${version%-*}" ] ||
        die "driftcheck-collector --version says '$(in_root driftcheck-collector --version)'"
    # The unit's store and address, as its Environment= line sets them. The collector and the pushing check run in
    # one script, in the chroot but in this machine's network namespace (in_root's own has its loopback down).
    store=sqlite:/var/lib/driftcheck-collector/collector.db
    install -d -m 0750 "$root/var/lib/driftcheck-collector"
    # shellcheck disable=SC2016 # the script's own $pid, $status and $(…), expanded when it runs
    printf '%s\n' '#!/bin/sh' 'set -e' \
        "driftcheck-collector token create --store $store --note test-deb >/etc/driftcheck/enroll-token 2>/dev/null" \
        'chmod 0600 /etc/driftcheck/enroll-token' \
        "driftcheck-collector serve --store $store --listen 127.0.0.1:0 --ready-file /tmp/collector-url >/tmp/collector.log 2>&1 &" \
        'pid=$!' \
        'for _ in $(seq 100); do [ -s /tmp/collector-url ] && break; sleep 0.1; done' \
        'status=0' \
        "${check_command[*]} --push \"\$(cat /tmp/collector-url)\" --enroll-token-file /etc/driftcheck/enroll-token >/tmp/check.out 2>/tmp/check.err || status=\$?" \
        "driftcheck-collector hosts list --store $store >/tmp/hosts.txt" \
        'kill "$pid"; wait "$pid" || true' \
        'exit "$status"' >"$root/tmp/collector-test.sh"
    step "the collector on SQLite, and the unit's check with --push to it"
    pushed=0
    chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        LC_ALL=C.UTF-8 sh /tmp/collector-test.sh || pushed=$?
    [ "$pushed" -eq 1 ] || { cat "$root/tmp/check.err" "$root/tmp/collector.log" >&2; die "check --push exited $pushed, expected 1 (drift)"; }
    if grep -q 'push stopped\|refused' "$root/tmp/check.err"; then cat "$root/tmp/check.err" >&2; die "the push failed"; fi
    grep -q 'newest 20' "$root/tmp/hosts.txt" || die "the collector has no report of the host: $(cat "$root/tmp/hosts.txt")"
    step "collector: $(cat "$root/tmp/hosts.txt")"
    in_root dpkg --purge driftcheck-collector >/dev/null || die "purge of the collector failed"
    [ ! -e "$root/usr/bin/driftcheck-collector" ] || die "/usr/bin/driftcheck-collector is still there after purge"
fi

# --- remove keeps configuration and state; purge removes them --------------------------------------------------------
step "dpkg --remove"
in_root dpkg --remove driftcheck >/dev/null
[ ! -e "$root/usr/bin/driftcheck" ] || die "/usr/bin/driftcheck is still there after remove"
if [ ! -f "$root/etc/driftcheck/policy.yaml" ] || [ ! -f "$root/etc/driftcheck/host.key" ]; then
    die "remove deleted the configuration"
fi
[ -f "$root/var/lib/driftcheck/baselines/e2e-1.jsonl" ] || die "remove deleted the baselines"
step "dpkg --purge"
in_root dpkg --purge driftcheck >/dev/null
for path in /usr/bin/driftcheck /etc/driftcheck /var/lib/driftcheck /lib/systemd/system/driftcheck-check.service \
    /lib/systemd/system/driftcheck-check.timer /usr/share/man/man1/driftcheck.1.gz /usr/share/doc/driftcheck \
    /usr/share/bash-completion/completions/driftcheck /usr/share/zsh/vendor-completions/_driftcheck \
    /usr/share/fish/vendor_completions.d/driftcheck.fish /usr/share/lintian/overrides/driftcheck; do
    if [ -e "$root$path" ] || [ -L "$root$path" ]; then die "$path is still there after purge"; fi
done
if in_root dpkg-query -W driftcheck >/dev/null 2>&1; then die "dpkg still knows driftcheck after purge"; fi

echo "test-deb: OK: $(basename "$deb") installs, checks (0 clean, 1 drifted), removes and purges in a Debian 12 minbase chroot"
