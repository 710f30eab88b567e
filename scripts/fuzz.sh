#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer harnesses of tests/fuzz into build-fuzz/
# (all of libbiq compiled with -fsanitize=fuzzer-no-link,address,undefined by
# clang; the normal builds are untouched) and runs each for FUZZ_SECONDS
# (default 30), seeded from its checked-in corpus tests/fuzz/corpus/<name>/
# with the dictionary tests/fuzz/fuzz.dict.
#
#   scripts/fuzz.sh [harness...]     e.g. scripts/fuzz.sh fuzz_jws fuzz_router
#
# FUZZ_NO_BUILD=1 skips the build (for several fuzz.sh running at once on
# one build-fuzz/: concurrent makes would race on build-fuzz/libbiq.a).
#
# New interesting inputs go to build-fuzz/corpus/<name>/ (not checked in;
# copy the ones worth keeping into tests/fuzz/corpus/<name>/), crashes,
# leaks and timeouts to build-fuzz/findings/<name>/. Prints one line per
# harness: executions, coverage (cov: edges, ft: features), corpus size and
# findings; exits 1 when any harness found something.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH=${FUZZ_SECONDS:-30}
# Seconds one input may take before libFuzzer reports it (-timeout): a slow
# input is a finding. The whole-path harness (a page through the flow core)
# must stay bounded by the page's size whatever its dates and settings
# (issue 21), so it gets a tight bound; FUZZ_TIMEOUT / FUZZ_FLOW_TIMEOUT
# override.
timeout_for() {
    case "$1" in
    fuzz_flow_path) echo "${FUZZ_FLOW_TIMEOUT:-2}" ;;
    *) echo "${FUZZ_TIMEOUT:-10}" ;;
    esac
}
JOBS=$(nproc 2>/dev/null || echo 2)
OUT=build-fuzz

if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
    make -s -j"$JOBS" CC=clang FUZZ=1 BUILD="$OUT" fuzz-harnesses
fi

if [ $# -gt 0 ]; then
    names=("$@")
else
    names=()
    for src in tests/fuzz/fuzz_*.c; do
        names+=("$(basename "$src" .c)")
    done
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
total_findings=0
summary=()
for name in "${names[@]}"; do
    bin=$OUT/tests/fuzz/$name
    work=$OUT/corpus/$name
    findings=$OUT/findings/$name
    log=$OUT/logs/$name.log
    mkdir -p "$work" "$findings" "$(dirname "$log")"
    echo "== fuzz $name for ${SECONDS_EACH}s"
    rc=0
    "$bin" -max_total_time="$SECONDS_EACH" -timeout="$(timeout_for "$name")" -rss_limit_mb=2048 \
        -dict=tests/fuzz/fuzz.dict -print_final_stats=1 \
        -artifact_prefix="$findings/" "$work" "tests/fuzz/corpus/$name" >"$log" 2>&1 || rc=$?
    execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    cov=$(echo "$last" | grep -Eo 'cov: [0-9]+' | head -1 || true)
    ft=$(echo "$last" | grep -Eo 'ft: [0-9]+' | head -1 || true)
    corp=$(echo "$last" | grep -Eo 'corp: [0-9]+/[0-9]+[a-zA-Z]*' | head -1 || true)
    found=$(find "$findings" -type f | wc -l)
    if [ "$rc" -ne 0 ] && [ "$found" -eq 0 ]; then
        found=1 # died without an artifact (e.g. the build or the seed corpus)
    fi
    if [ "$found" -gt 0 ]; then
        grep -E 'ERROR|SUMMARY|property failed|runtime error' "$log" | head -5 || true
        ls "$findings"
    fi
    total_findings=$((total_findings + found))
    summary+=("$(printf '%-26s execs: %-9s %-10s %-10s %-16s findings: %s' \
        "$name" "${execs:-?}" "${cov:-cov: ?}" "${ft:-ft: ?}" "${corp:-corp: ?}" "$found")")
done
echo "== fuzz summary (${SECONDS_EACH}s each; logs in $OUT/logs)"
printf '%s\n' "${summary[@]}"
[ "$total_findings" -eq 0 ]
