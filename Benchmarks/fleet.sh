#!/usr/bin/env bash
# driftcheck fleet on many host reports: time and peak RSS for 1,000, 5,000 and 10,000 hosts, beside the previous
# figures. The reports are generated from a real one: a copy of this machine's /usr/share/doc baselined, then ~300
# of its files rewritten (content, mode) as a host would drift them, compared and signed by driftcheck. Each host's
# copy gets its own name, a value that varies per host, a share of snowflakes, and is signed with openssl (the same
# Ed25519 detached signature `check` writes), so fleet verifies every one of them.
#
#   bash Benchmarks/fleet.sh [HOSTS…]            default: 1000 5000 10000
#   BEFORE=/path/to/older/driftcheck bash Benchmarks/fleet.sh   also run an older binary on the same reports
#
# Prints one table row per (binary, hosts): reports, MB of JSON, wall seconds, peak RSS MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1000 5000 10000)
max=0
for n in "${counts[@]}"; do [ "$n" -le "$max" ] || max=$n; done

swift build -c release --product driftcheck >/dev/null
dc=$(swift build -c release --show-bin-path)/driftcheck
work=${WORK:-/var/tmp/driftcheck-fleet-bench}
# REUSE=1 keeps the reports a previous run generated in WORK (generating and signing 10,000 takes minutes).
if [ "${REUSE:-0}" != 1 ] || [ "$(ls "$work/all" 2>/dev/null | grep -c '\.report\.json$')" -lt "$max" ]; then
rm -rf "$work"
mkdir -p "$work"

echo "== a real report: /usr/share/doc as an image, ~300 files drifted" >&2
mkdir -p "$work/image"
cp -a /usr/share/doc "$work/image/doc"
"$dc" keygen --out "$work/key" >/dev/null
"$dc" baseline --root "$work/image" --image bench-1 --key "$work/key.key" --out "$work/baseline.jsonl" --quiet --no-stamp
cp -a "$work/image" "$work/host"
find "$work/host/doc" -type f | sort | awk 'NR % 10 == 0 && ++taken <= 300' | while read -r file; do
    printf 'drifted\n' >>"$file"
done
"$dc" scan --root "$work/host" --image bench-1 --host template --key "$work/key.key" --out "$work/host.jsonl" --quiet
"$dc" compare --baseline "$work/baseline.jsonl" --host "$work/host.jsonl" --pubkey "$work/key.pub" --format json \
    --key "$work/key.key" --out "$work/template.report.json" || [ $? -eq 1 ]

echo "== $max host reports from it, signed" >&2
mkdir -p "$work/all"
python3 - "$work/template.report.json" "$work/all" "$max" <<'PY'
import hashlib, json, sys
template, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
report = json.load(open(template))
for i in range(count):
    host = f"host-{i:05d}"
    r = json.loads(json.dumps(report))
    r["host"] = host
    r["host_manifest"]["host"] = host
    items = r["drift"]
    # one file per host set to its own value (varies per host), and every 50th host a snowflake of its own
    if items and items[0].get("host"):
        items[0]["host"]["sha256"] = hashlib.sha256(host.encode()).hexdigest()
    if i % 50 == 0 and len(items) > 1:
        items[1]["host"]["mode"] = "0600"
    with open(f"{out}/{host}-20261129T000000Z.report.json", "w") as f:
        f.write(json.dumps(r, separators=(",", ":")) + "\n")
PY
ls "$work/all"/*.report.json | xargs -P "$(nproc)" -n 200 sh -c '
    for f; do openssl pkeyutl -sign -inkey "'"$work"'/key.key" -rawin -in "$f" -out "$f.sig"; done' sh
fi

row() { printf '| %s | %s | %s | %s | %s |\n' "$@"; }
echo
row binary hosts "JSON MB" "wall s" "peak RSS MiB"
row --- --- --- --- ---
for n in "${counts[@]}"; do
    dir=$work/hosts-$n
    rm -rf "$dir"
    mkdir -p "$dir"
    # (sed, not head: head would end the pipe early, and pipefail would end the script)
    ls "$work/all" | grep '\.report\.json$' | sort | sed -n "1,${n}p" | while read -r name; do
        ln "$work/all/$name" "$dir/$name"
        ln "$work/all/$name.sig" "$dir/$name.sig"
    done
    mb=$(du -cm "$dir"/*.report.json | tail -n 1 | cut -f1)
    for binary in "$dc" ${BEFORE:+"$BEFORE"}; do
        label=$([ "$binary" = "$dc" ] && echo "this tree" || echo "before")
        args=("$dir" --format json --out "$work/fleet.json")
        [ "$binary" = "$dc" ] && args+=(--host-pubkey "$work/key.pub")
        /usr/bin/time -o "$work/time" -f '%e %M' "$binary" fleet "${args[@]}" >/dev/null 2>&1 || true
        stats=$(tail -n 1 "$work/time")
        row "$label" "$n" "$mb" "${stats% *}" "$(( ${stats#* } / 1024 ))"
    done
done
