#!/usr/bin/env bash
# Benchmarks/explain.sh -- what issue 15's content capture and evidence cost, beside the previous release and peers.
#
#   bash Benchmarks/explain.sh                        # builds BEFORE (default: the commit before issue 15) and HEAD
#   BEFORE_BIN=OLD AFTER_BIN=NEW bash Benchmarks/explain.sh   # prebuilt binaries (e.g. two static builds)
#
# Rows (median of RUNS, warm page cache, ../shared/bench/harness.py, before and after run in turn with --vs):
#   scan of /usr (no /etc below it: the cost is the content paths' check per file and the evidence collectors);
#   baseline of a debootstrapped Debian 12 server image (the cached rootfs of real-host.sh): content of /etc kept;
#   the size of that baseline before and after, beside `tar -cz etc` of the same image (a peer way to keep /etc).
# Needs root for the image (its files are root's). Prints a markdown table.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${BENCH:-$REPO/../shared/bench}
WORK=${WORK:-/tmp/perf-explain}
RUNS=${RUNS:-5}
BEFORE=${BEFORE:-b658ff4}
IMAGE=${IMAGE:-/var/cache/driftcheck-ci/bookworm-server}
[[ -f $BENCH/harness.py ]] || { echo "needs the shared bench harness at $BENCH (set BENCH=...)" >&2; exit 2; }
[[ -d $IMAGE/etc ]] || { echo "needs a Debian rootfs at $IMAGE (bash Tests/DriftCheckTests/Fixtures/tools/real-host.sh makes it)" >&2; exit 2; }
mkdir -p "$WORK"
if [[ -z ${AFTER_BIN:-} ]]; then
  (cd "$REPO" && swift build -c release --product driftcheck >&2)
  AFTER_BIN=$(cd "$REPO" && swift build -c release --show-bin-path)/driftcheck
fi
if [[ -z ${BEFORE_BIN:-} ]]; then
  if [[ ! -d $WORK/before ]]; then git -C "$REPO" worktree add --detach "$WORK/before" "$BEFORE" >&2; fi
  (cd "$WORK/before" && swift build -c release --product driftcheck --scratch-path .build-bench >&2)
  BEFORE_BIN=$WORK/before/.build-bench/release/driftcheck
fi
[[ -f $WORK/bench.key ]] || "$AFTER_BIN" keygen --out "$WORK/bench" >&2

# median wall seconds and the paired ratio after/before of one command line (BIN stands for the binary).
pair() {  # pair NAME ARGS...
  local name=$1; shift
  local after=("$AFTER_BIN" "$@") before=("$BEFORE_BIN" "$@")
  python3 "$BENCH/harness.py" -n "$RUNS" --warmup 1 --timeout 900 --json "$WORK/$name.json" \
    --vs "$(printf '%q ' "${before[@]}")" -- "${after[@]}" >"$WORK/$name.txt" 2>&1 || true
  python3 - "$WORK/$name.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
print(f"{data['B']['wall']['median']:.3f}\t{data['A']['wall']['median']:.3f}\t{data['ratio']['wall']['median']:.3f}")
PY
}

echo "== warming the page cache" >&2
for _ in 1 2; do find /usr "$IMAGE" -xdev -type f -print0 | xargs -0 -P"$(nproc)" cat >/dev/null 2>&1 || true; done
usr=$(pair usr scan --root /usr --image bench --key "$WORK/bench.key" --out "$WORK/usr.m" --quiet)
img=$(pair image baseline --root "$IMAGE" --image bench --key "$WORK/bench.key" --out "$WORK/image.m" --quiet --no-stamp)
"$BEFORE_BIN" baseline --root "$IMAGE" --image bench --key "$WORK/bench.key" --out "$WORK/before.m" --quiet --no-stamp
"$AFTER_BIN" baseline --root "$IMAGE" --image bench --key "$WORK/bench.key" --out "$WORK/after.m" --quiet --no-stamp
tar -C "$IMAGE" -czf "$WORK/etc.tgz" etc
kept=$(grep -c '"content_gz"' "$WORK/after.m" || true)
size() { stat -c %s "$1"; }
echo
echo "| row | before ($BEFORE) | after (HEAD) | after/before |"
echo "|---|---|---|---|"
IFS=$'\t' read -r b a r <<<"$usr"; echo "| scan /usr, median wall s | $b | $a | $r |"
IFS=$'\t' read -r b a r <<<"$img"; echo "| baseline of the Debian 12 server image, median wall s | $b | $a | $r |"
echo "| baseline size, bytes | $(size "$WORK/before.m") | $(size "$WORK/after.m") | $(awk -v a="$(size "$WORK/after.m")" -v b="$(size "$WORK/before.m")" 'BEGIN {printf "%.3f", a / b}') |"
echo "| files whose content the baseline keeps | 0 | $kept | |"
echo "| peer: tar -cz etc of the same image, bytes | | $(size "$WORK/etc.tgz") | |"
echo
echo "Raw harness output: $WORK/usr.txt, $WORK/image.txt" >&2
