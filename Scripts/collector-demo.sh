#!/usr/bin/env bash
# The collector end to end on this machine with SQLite alone: build driftcheck and driftcheck-collector, baseline a
# small image, start the collector, make an enrollment token, and let three hosts built from the image (two with the
# same edit, one with a setuid bit gained) run `driftcheck check --push`. Prints the fleet as the collector serves it.
# KEEP_RUNNING=1 leaves the collector serving (the live page) until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
out=reports/collector-demo
rm -rf "$out"
mkdir -p "$out/baselines" "$out/reports"

echo "== building driftcheck and driftcheck-collector (debug, as the tests do; SwiftNIO takes minutes the first time)"
for product in driftcheck driftcheck-collector; do
    swift build --product "$product" >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }
done
bin=$(swift build --show-bin-path)
dc=$bin/driftcheck
collector=$bin/driftcheck-collector
store=sqlite:$out/collector.db

echo "== an image and its baseline (demo-2026.11)"
"$dc" keygen --out "$out/image-key" >/dev/null 2>&1
mkdir -p "$out/image"/{etc/ssh,usr/bin,srv/app}
printf 'PermitRootLogin no\nPasswordAuthentication no\n' >"$out/image/etc/ssh/sshd_config"
cp -a /usr/bin/ls /usr/bin/find "$out/image/usr/bin/"
echo "port: 8080" >"$out/image/srv/app/config.yml"
"$dc" baseline --root "$out/image" --image demo-2026.11 --key "$out/image-key.key" \
    --out "$out/baselines/demo-2026.11.manifest.jsonl" --quiet

echo "== the collector on SQLite, and an enrollment token (shown once; the store keeps its SHA-256)"
"$collector" serve --store "$store" --listen 127.0.0.1:0 --ready-file "$out/url" >"$out/collector.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$out/url" ] && break; sleep 0.1; done
url=$(cat "$out/url")
(umask 077 && "$collector" token create --store "$store" --note demo >"$out/token")
echo "collector: $url"

echo "== three hosts push their signed reports (check exits 1: drift)"
for host in web-1 web-2 web-3; do
    cp -a "$out/image" "$out/$host"
    case $host in
        web-1 | web-2) sed -i 's/8080/9090/' "$out/$host/srv/app/config.yml" ;;  # the same edit on two hosts
        web-3) chmod u+s "$out/$host/usr/bin/find" ;;                             # a setuid backdoor on one
    esac
    "$dc" keygen --out "$out/$host-key" >/dev/null 2>&1
    "$dc" check --root "$out/$host" --image demo-2026.11 --host "$host" --key "$out/$host-key.key" \
        --pubkey "$out/image-key.pub" --baselines "$out/baselines" --reports "$out/reports/$host" \
        --push "$url" --enroll-token-file "$out/token" >/dev/null || [ $? -eq 1 ]
done

echo "== the fleet as the collector serves it (GET /api/fleet)"
curl -s "$url/api/fleet" | python3 -c '
import json, sys
fleet = json.load(sys.stdin)
for host in fleet["hosts"]:
    print("  %s: %s, action %s" % (host["host"], host["state"], host["action"]))
for change in fleet["promote"]:
    print("  promote into %s: %s = %s" % (change["image"], change["title"], change["result"]))
for change in fleet["incidents"]:
    print("  incident: %s" % change["title"])
print("  rebuild: " + ", ".join("%s (%s)" % (r["host"], "/".join(r["why"])) for r in fleet["rebuild"]))
'
echo "== metrics (GET /metrics)"
curl -s "$url/metrics" | grep -E '^driftcheck_fleet_(hosts|promote)' | grep -v ' 0$'
echo "== the live page: $url/fleet ; a host's history: $url/api/hosts/web-1"
if [ "${KEEP_RUNNING:-0}" = 1 ]; then
    echo "serving until Ctrl-C"
    wait "$pid"
fi
