#!/usr/bin/env bash
# The test command (README, Quick start): installs what the build and the tests need when it is missing, then runs
# `swift test`.
#
#   bash Scripts/test.sh [SWIFT-TEST-ARGUMENTS…]       e.g. bash Scripts/test.sh --filter Fleet
#
# Missing Debian packages are installed with apt-get (as root, else with sudo): the libraries Package.swift links
# (libcrypto and libssl, sqlite3, zlib), the tools the tests drive (openssl, setcap, python3, dpkg-deb, systemctl,
# useradd, ssh-keygen, flock, setpriv, script, curl), headless Chromium, which renders the fleet page, and the
# collector's real peers: a PostgreSQL server (a throwaway cluster per test) and nginx (TLS in front). The
# independent validators the tests call (Tests/DriftCheckTests/Fixtures/tools/validate.py: python-jsonschema and
# prometheus_client's parser) and the load tool's Ed25519 (cryptography) are installed with pip. DRIFTCHECK_SLOW_TESTS=1 switches on the long and privileged cases (.ci/run sets it).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH=/opt/swift/usr/bin:$PATH
fi

missing=()
want() { # PACKAGE: add it to the install list once
    local p
    for p in "${missing[@]}"; do [ "$p" != "$1" ] || return 0; done
    missing+=("$1")
}
# Tools in sbin count even when this user's PATH has no sbin (the tests run them with /usr/sbin:/usr/bin:/sbin:/bin).
has() { PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" command -v "$1" >/dev/null 2>&1; }

# The build: Package.swift's system libraries, found with pkg-config.
has pkg-config || want pkg-config
pkg-config --exists libcrypto 2>/dev/null || want libssl-dev
pkg-config --exists sqlite3 2>/dev/null || want libsqlite3-dev
pkg-config --exists zlib 2>/dev/null || want zlib1g-dev
# Tools the tests run: openssl checks and makes signatures, setcap gives a file capabilities, python3 builds
# adversarial trees and runs the validators, and the end-to-end tests drift an image with the real tools
# (dpkg-deb, systemctl, useradd, ssh-keygen). flock and setpriv: the lock and the unprivileged scan; script: a
# terminal; mount: a full tmpfs (slow cases).
has openssl || want openssl
has setcap || want libcap2-bin
has python3 || want python3
has dpkg-deb || want dpkg
has systemctl || want systemd
has useradd || want passwd
has ssh-keygen || want openssh-client
has flock || want util-linux
has setpriv || want util-linux
has script || want bsdutils
has mount || want mount
# Content, diffs, evidence and bake: GNU diff and patch are the oracles for the diff, journalctl reads the journal
# fixture (systemd, above) once xz unpacks it, utmpdump writes wtmp records, shellcheck lints the bake's apply.sh.
has diff || want diffutils
has patch || want patch
has xz || want xz-utils
has utmpdump || want util-linux
has shellcheck || want shellcheck
has journalctl || want systemd
# The collector's tests: a throwaway PostgreSQL cluster (Fixtures/tools/pg-cluster.sh runs initdb and pg_ctl),
# curl as an independent HTTP client, nginx terminating TLS in front of the collector.
has curl || want curl
[ -n "$(find /usr/lib/postgresql -path '*/bin/initdb' 2>/dev/null | head -n 1)" ] || want postgresql
has nginx || want nginx
# faketime: reports made days ago (the fleet's stale hosts and history).
has faketime || want faketime
# The fleet test renders the HTML page in headless Chromium and screenshots it.
has chromium || has chromium-browser || has google-chrome || want chromium
# pip, for the validators below, when python3 has neither them nor pip.
if ! has python3 ||
    { ! python3 -c 'import jsonschema, prometheus_client, cryptography' 2>/dev/null && ! python3 -m pip --version >/dev/null 2>&1; }; then
    want python3-pip
fi

if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    echo "test.sh: installing ${missing[*]}" >&2
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Independent validators the tests call (JSON Schema, the Prometheus text parser), and the collector's load tool's
# Ed25519 signatures (cryptography).
if ! python3 -c 'import jsonschema, prometheus_client, cryptography' 2>/dev/null; then
    echo "test.sh: installing jsonschema prometheus_client cryptography (pip)" >&2
    if ! pip_output=$(python3 -m pip install --quiet jsonschema prometheus_client cryptography 2>&1); then
        if [[ $pip_output == *externally-managed-environment* ]]; then
            python3 -m pip install --quiet --break-system-packages jsonschema prometheus_client cryptography
        else
            echo "$pip_output" >&2
            exit 1
        fi
    fi
    python3 -c 'import jsonschema, prometheus_client, cryptography' ||
        { echo "test.sh: python3 still cannot import jsonschema, prometheus_client and cryptography" >&2; exit 1; }
fi

exec swift test "$@"
