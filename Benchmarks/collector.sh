#!/usr/bin/env bash
# Benchmarks/collector.sh -- driftcheck-collector's ingest: HOSTS hosts enroll and push one signed report each, into a
# SQLite store and into a PostgreSQL one; then the fleet view of them all.
#
#   bash Benchmarks/collector.sh                               # builds driftcheck-collector (release) first
#   COLLECTOR_BIN=/path/to/driftcheck-collector bash Benchmarks/collector.sh
#   HOSTS=1000 STORES=sqlite bash Benchmarks/collector.sh      # fewer hosts, one store
#
# Per store: `driftcheck-collector serve --listen 127.0.0.1:0 --ready-file` on a new store (a SQLite file in WORK, or
# a throwaway PostgreSQL cluster from Tests/DriftCheckTests/Fixtures/tools/pg-cluster.sh, fsync on), a token from
# `token create`, then collector-traffic.py (beside pg-cluster.sh) enrolls HOSTS hosts and pushes one report each
# (REPORT, a real driftcheck report, with each host's name and time put in and signed with its own Ed25519 key;
# CONCURRENCY connections). Rows: reports stored (201) and reports/s of the push (target ≥ 500), the collector's
# peak RSS after it (VmHWM, target ≤ 200 MB), `GET /api/fleet` with curl: the first (cold) and the median of RUNS
# more (warm, target ≤ 2 s), checked to list HOSTS hosts. Prints a markdown table; with a previous one in
# BENCH_PREVIOUS (default WORK/previous.txt) each figure gets the previous one beside it. This run's table is kept in
# WORK/latest.txt (copy it to previous.txt to compare the next run with it). Needs python3 with `cryptography`, curl,
# and root or the postgresql package for the PostgreSQL row (pg-cluster.sh installs it when it can).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=$REPO/Tests/DriftCheckTests/Fixtures/tools
WORK=${WORK:-/tmp/perf-collector}
HOSTS=${HOSTS:-10000}
RUNS=${RUNS:-5}
CONCURRENCY=${CONCURRENCY:-32}
STORES=${STORES:-sqlite postgresql}
REPORT=${REPORT:-$REPO/Tests/DriftCheckTests/Fixtures/collector/report.json}
PREVIOUS=${BENCH_PREVIOUS:-$WORK/previous.txt}
die() { echo "collector.sh: $*" >&2; exit 2; }
[[ -f $REPORT ]] || die "no report template $REPORT (set REPORT=a driftcheck report.json)"
command -v curl >/dev/null || die "needs curl"
python3 -c 'import cryptography' 2>/dev/null || die "needs python3 with cryptography (pip install cryptography)"
mkdir -p "$WORK"
if [[ -z ${COLLECTOR_BIN:-} ]]; then
  (cd "$REPO" && swift build -c release --product driftcheck-collector >&2)
  COLLECTOR_BIN=$(cd "$REPO" && swift build -c release --show-bin-path)/driftcheck-collector
fi
[[ -x $COLLECTOR_BIN ]] || die "$COLLECTOR_BIN is not executable"

pid=
pg_started=
cleanup() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  if [[ -n $pg_started ]]; then bash "$TOOLS/pg-cluster.sh" stop "$WORK/pg" || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

traffic() { python3 "$TOOLS/collector-traffic.py" "$@"; }
field() {  # field FILE EXPRESSION: a figure of a JSON object (EXPRESSION over `d`)
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
# The hosts /api/fleet lists: a top-level array, or the array under "hosts" (or "fleet"."hosts").
fleet_hosts() {
  python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
if isinstance(d, dict):
    d = d.get("hosts", d.get("fleet", {}).get("hosts") if isinstance(d.get("fleet"), dict) else None)
print(len(d) if isinstance(d, list) else -1)
PY
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

failed=0
rows=()
for kind in $STORES; do
  echo "== $kind: $HOSTS hosts" >&2
  case $kind in
  sqlite)
    rm -f "$WORK"/c.db "$WORK"/c.db-*
    store=sqlite:$WORK/c.db
    ;;
  postgresql)
    if [[ -n $pg_started ]]; then bash "$TOOLS/pg-cluster.sh" stop "$WORK/pg"; fi
    rm -rf "$WORK/pg"
    pg_started=1
    store=$(bash "$TOOLS/pg-cluster.sh" start "$WORK/pg")
    ;;
  *) die "unknown store $kind (sqlite or postgresql)" ;;
  esac

  rm -f "$WORK/addr"
  "$COLLECTOR_BIN" serve --store "$store" --listen 127.0.0.1:0 --ready-file "$WORK/addr" >"$WORK/$kind.log" 2>&1 &
  pid=$!
  for _ in $(seq 600); do
    [[ -s $WORK/addr ]] && break
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$WORK/$kind.log" >&2; die "the collector exited before it listened"; }
    sleep 0.1
  done
  [[ -s $WORK/addr ]] || die "the collector wrote no address to $WORK/addr in 60 s (log: $WORK/$kind.log)"
  url=$(head -n 1 "$WORK/addr")
  token=$("$COLLECTOR_BIN" token create --store "$store")

  # keys are made once in WORK/keys and kept for later runs
  traffic enroll --url "$url" --token "$token" --hosts "$HOSTS" --prefix bench- --keys "$WORK/keys" \
    --concurrency "$CONCURRENCY" >"$WORK/$kind.enroll.json" || { tail -n 20 "$WORK/$kind.log" >&2; die "enroll failed"; }
  echo "enroll: $(cat "$WORK/$kind.enroll.json")" >&2
  traffic push --url "$url" --template "$REPORT" --hosts "$HOSTS" --prefix bench- --keys "$WORK/keys" \
    --concurrency "$CONCURRENCY" >"$WORK/$kind.push.json"
  echo "push: $(cat "$WORK/$kind.push.json")" >&2
  stored=$(field "$WORK/$kind.push.json" 'd["status"].get("201", 0)')
  rate=$(field "$WORK/$kind.push.json" 'round(d["per_second"])')
  [[ $stored -eq $HOSTS ]] || { echo "$kind: $stored of $HOSTS reports stored" >&2; failed=1; }
  rss=$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")

  # GET /api/fleet: the first (cold), then RUNS more (warm); each checked to answer 200 and list HOSTS hosts
  times=()
  for _ in $(seq 0 "$RUNS"); do
    out=$(curl -sS --max-time 300 -o "$WORK/fleet.json" -w '%{http_code} %{time_total}' "$url/api/fleet") || out="000 0"
    listed=$(fleet_hosts "$WORK/fleet.json" 2>/dev/null || echo -1)
    if [[ ${out% *} != 200 || $listed -ne $HOSTS ]]; then
      echo "$kind: GET /api/fleet answered ${out% *} and lists $listed hosts, not $HOSTS" >&2
      failed=1
    fi
    times+=("${out#* }")
  done
  cold=${times[0]}
  warm=$(printf '%s\n' "${times[@]:1}" | median)
  echo "peak RSS after the fleet views: $(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status") MB" >&2
  rows+=("$(printf '| %s | %s | %s | %s | %.3f | %.3f |' "$kind" "$stored" "$rate" "$rss" "$cold" "$warm")")

  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
  if [[ $kind == postgresql ]]; then bash "$TOOLS/pg-cluster.sh" stop "$WORK/pg"; pg_started=; fi
done

{
  echo "| store | reports | reports/s (target ≥500) | peak RSS MB (target ≤200) | /api/fleet s cold | warm median (target ≤2) |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} >"$WORK/latest.txt"
echo
if [[ -f $PREVIOUS ]]; then
  # each figure with the previous run's beside it, "now (before)", when the previous file has this table's rows
  python3 - "$WORK/latest.txt" "$PREVIOUS" <<'PY'
import sys
def rows(path):
    found = {}
    for line in open(path, encoding="utf-8"):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 6 and cells[0] not in ("store", "---"):
            found[cells[0]] = cells
    return found
now, before = open(sys.argv[1], encoding="utf-8").read().splitlines(), rows(sys.argv[2])
if not before:
    print("\n".join(now) + f"\n\nprevious ({sys.argv[2]}):\n" + open(sys.argv[2], encoding="utf-8").read().rstrip())
    sys.exit()
print("| " + " | ".join(c.strip() + ("" if i == 0 else " (previous)")
                       for i, c in enumerate(now[0].strip().strip("|").split("|"))) + " |")
print(now[1])
for line in now[2:]:
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    old = before.get(cells[0])
    print("| " + " | ".join([cells[0]] + [f"{c} ({old[i + 1] if old else '–'})" for i, c in enumerate(cells[1:])]) + " |")
PY
  echo
  echo "previous: $PREVIOUS" >&2
else
  cat "$WORK/latest.txt"
fi
echo "Raw figures: $WORK/*.push.json, $WORK/*.enroll.json; collector logs: $WORK/*.log" >&2
if [[ $failed -ne 0 ]]; then exit 1; fi
