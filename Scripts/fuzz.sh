#!/usr/bin/env bash
# Fuzzes driftcheck's parsers of untrusted input with libFuzzer.
#
#   bash Scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET…]     (default: 60 s each, every target)
#
# Targets (Sources/DriftCheckFuzz/FuzzTarget.swift): manifest keys policy rpm procfs dpkg apk accounts cron services
# fleet tar.
# Builds with `-sanitize=fuzzer,address` into .build-fuzz, seeds each corpus from the fixtures and this machine
# (Scripts/fuzz_seeds.py), keeps the growing corpus in .build-fuzz/corpus/TARGET between runs, and runs the targets
# one after another (FUZZ_JOBS=N runs N at once). A crash, leak, timeout or failed property stops that target;
# its input lands in .build-fuzz/artifacts/TARGET/ and the script exits 1 naming it. Add such an input to
# Tests/DriftCheckTests/Fixtures/fuzz/crashes/TARGET/ once fixed: the tests replay every file there.
# CI runs `bash Scripts/fuzz.sh 10` (about 2 minutes for the build and all targets); a long run is
# `bash Scripts/fuzz.sh 600`.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
all=(manifest keys policy rpm procfs dpkg apk accounts cron services fleet tar)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
scratch=${FUZZ_SCRATCH:-.build-fuzz}
jobs=${FUZZ_JOBS:-1}

swift build --product DriftCheckFuzz --scratch-path "$scratch" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld >"$scratch.log" 2>&1 || {
    tail -40 "$scratch.log" >&2
    echo "fuzz.sh: the fuzzing build failed (log: $scratch.log)" >&2
    exit 2
}
binary="$scratch/debug/DriftCheckFuzz"

seeds="$scratch/seeds"
rm -rf "$seeds"
python3 Scripts/fuzz_seeds.py "$seeds"
for target in "${targets[@]}"; do
    mkdir -p "$seeds/$target"
    for committed in Tests/DriftCheckTests/Fixtures/fuzz/seeds/"$target" Tests/DriftCheckTests/Fixtures/fuzz/crashes/"$target"; do
        [ -d "$committed" ] && cp "$committed"/* "$seeds/$target/" 2>/dev/null || true
    done
done

run_target() {
    local target=$1
    local corpus="$scratch/corpus/$target" artifacts="$scratch/artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    local log="$scratch/logs/$target.log"
    mkdir -p "$scratch/logs"
    local status=0
    DRIFTCHECK_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=1 "$binary" \
        -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "$corpus" "$seeds/$target" >"$log" 2>&1 || status=$?
    local runs coverage features
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
    features=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
    printf '%-9s %6ss  executions %10s  coverage %6s edges  features %6s  corpus %5s  %s\n' \
        "$target" "$seconds" "$runs" "$coverage" "$features" "$(ls "$corpus" | wc -l)" \
        "$([ $status -eq 0 ] && echo ok || echo "FAILED (exit $status): see $log, input in $artifacts/")"
    return $status
}

failed=0
running=0
for target in "${targets[@]}"; do
    run_target "$target" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n || failed=1
        running=$((running - 1))
    fi
done
while [ "$running" -gt 0 ]; do
    wait -n || failed=1
    running=$((running - 1))
done
exit $failed
