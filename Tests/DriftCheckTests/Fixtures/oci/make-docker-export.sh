#!/bin/bash
# Optional companion of make-fixture.sh: the real `docker export` and `docker save` of oci-layout/, made by Debian 12's
# docker.io (dockerd 20.10) with a private daemon (vfs storage driver, no bridge, no iptables) under $WORK, which is
# stopped again at the end. Needs root. Not byte-reproducible: docker stamps its init layer with the current time.
#
#   apt-get install -y --no-install-recommends docker.io skopeo
#   bash Tests/DriftCheckTests/Fixtures/oci/make-docker-export.sh
set -euo pipefail
export LC_ALL=C.UTF-8 TZ=UTC

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-/tmp/oci-work/docker-run}
D=/usr/bin/docker   # Debian's CLI, the daemon's own version
[ "$(id -u)" = 0 ] || { echo "must run as root" >&2; exit 1; }
for tool in /usr/sbin/dockerd $D skopeo python3 gzip; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install docker.io skopeo)" >&2; exit 1; }
done

rm -rf "$WORK"
mkdir -p "$WORK/root" "$WORK/exec"
export DOCKER_HOST="unix://$WORK/docker.sock"
/usr/sbin/dockerd --data-root "$WORK/root" --exec-root "$WORK/exec" -H "$DOCKER_HOST" --pidfile "$WORK/dockerd.pid" \
    --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
    --containerd-namespace driftcheck-fixture --containerd-plugins-namespace driftcheck-fixture-plugins \
    >"$WORK/dockerd.log" 2>&1 &
DOCKERD=$!
stop() {
    kill "$DOCKERD" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$DOCKERD" 2>/dev/null || return 0; sleep 1; done
    echo "dockerd $DOCKERD did not stop" >&2
}
trap stop EXIT
for _ in $(seq 1 60); do $D version >/dev/null 2>&1 && break; sleep 1; done
$D version --format 'docker client {{.Client.Version}}, daemon {{.Server.Version}}'

skopeo --insecure-policy copy --quiet "oci:$HERE/oci-layout:fixture" "docker-archive:$WORK/in.tar:driftcheck/fixture:latest"
$D load -q -i "$WORK/in.tar"
$D create --name driftcheck-fixture driftcheck/fixture:latest /bin/sh >/dev/null
$D export driftcheck-fixture | gzip -n -9 >"$HERE/docker-export-real.tar.gz"
$D save driftcheck/fixture:latest | gzip -n -9 >"$HERE/docker-save-real.tar.gz"
$D rm driftcheck-fixture >/dev/null
$D rmi driftcheck/fixture:latest >/dev/null

# Check: docker applied the four layers to the same tree as umoci. The export adds docker's init layer (.dockerenv,
# /dev/console, /dev/pts, /dev/shm, /etc/hostname, /etc/hosts, /etc/mtab, /etc/resolv.conf, /proc, /sys) and gives
# the directories it wrote into (/dev, /etc) or deleted from (/srv/modes, /var/log) the time of extraction.
RR="python3 $HERE/reference-reader.py"
INIT='^/(\.dockerenv|dev/console|dev/pts|dev/shm|etc/hostname|etc/hosts|etc/mtab|etc/resolv\.conf|proc|sys)\t'
$RR flat "$HERE/docker-export-real.tar.gz" | grep -Pv "$INIT" | cut -f1-7,9- >"$WORK/export.tree"
cut -f1-7,9- "$HERE/expected-details.txt" | diff - "$WORK/export.tree" \
    && echo "check: docker-export-real.tar.gz: same tree apart from docker's init layer and mtimes"
$RR docker "$HERE/docker-save-real.tar.gz" | diff "$HERE/expected-details.txt" - \
    && echo "check: docker-save-real.tar.gz: same tree"
