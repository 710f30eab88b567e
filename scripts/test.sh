#!/usr/bin/env bash
# `make test`: the whole suite, from a fresh machine.
#
#  1. installs what is missing (scripts/deps.sh);
#  2. builds with gcc, and with clang (both -Werror), and lints;
#  3. starts a throwaway PostgreSQL cluster (scripts/pg.sh) in a temp folder;
#  4. runs every unit and integration test binary against the gcc build,
#     then again against an AddressSanitizer + UBSan build; each fuzz
#     harness (tests/fuzz) replays its checked-in corpus in both builds and
#     counts as one test (a crash on any corpus input fails it);
#  5. stops the cluster and removes it, also on failure.
# Ends with one line "tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh pgbackrest lintian jq buildah umoci shellcheck python3 pgbouncer haproxy
JOBS=$(nproc 2>/dev/null || echo 2)

echo "== build (gcc, clang, gcc+asan+ubsan)"
make -s -j"$JOBS" tests
make -s -j"$JOBS" CC=clang BUILD=build-clang tests
make -s -j"$JOBS" SAN=1 BUILD=build-asan tests
bash scripts/lint.sh

export BIQ_SHARED_DIR=${BIQ_SHARED_DIR:-$(realpath -m ../shared)}
pgdir=$(mktemp -d /tmp/biq-pg-XXXXXX)
cleanup() {
    bash scripts/pg.sh stop "$pgdir/cluster" || true
    rm -rf "$pgdir"
}
trap cleanup EXIT
eval "$(bash scripts/pg.sh start "$pgdir/cluster")"
export BIQ_TEST_TMP="$pgdir"

passed=0
failed=0
failed_names=()

# Runs one Check binary (with any further arguments) and adds its counts
# ("Checks: N, Failures: F, Errors: E") to the totals; a binary that
# crashes or prints no summary counts as one failure.
run_one() {
    local bin=$1 out
    shift
    out=$(mktemp)
    local rc=0
    timeout 600 "$bin" "$@" >"$out" 2>&1 || rc=$?
    local line
    line=$(grep -Eo 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$out" | tail -1 || true)
    if [ -z "$line" ]; then
        cat "$out"
        echo "!! $bin: no test summary (exit $rc)"
        failed=$((failed + 1))
        failed_names+=("$bin")
    else
        local n f e
        n=$(echo "$line" | sed -E 's/Checks: ([0-9]+).*/\1/')
        f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
        e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+)/\1/')
        passed=$((passed + n - f - e))
        failed=$((failed + f + e))
        if [ "$rc" -ne 0 ] || [ $((f + e)) -ne 0 ]; then
            cat "$out"
            failed_names+=("$bin")
            [ $((f + e)) -eq 0 ] && failed=$((failed + 1))
        fi
        printf '%-58s %s\n' "$bin" "$line"
    fi
    rm -f "$out"
}

run_suite() {
    local build=$1
    echo "== tests: $build"
    export BIQ_TEST_BIN="$PWD/$build/biq"
    for t in "$build"/tests/unit/test_* "$build"/tests/integration/test_*; do
        [ -x "$t" ] && run_one "$t"
    done
    for t in "$build"/tests/fuzz/fuzz_*; do
        [ -x "$t" ] && run_one "$t" "tests/fuzz/corpus/$(basename "$t")"
    done
}

run_suite build
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_suite build-asan

# The Forge functions (forge/): `npm ci` from the lockfile, then node's test
# runner; its "# pass N" / "# fail N" lines join the totals. Missing node or
# npm, a failed install or no summary counts as one failure, never a skip.
run_forge() {
    echo "== tests: forge (node --test forge/test/)"
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        echo "!! forge: node/npm not found, forge tests NOT run"
        failed=$((failed + 1))
        failed_names+=("forge (no node/npm)")
        return
    fi
    local out rc=0 p f
    out=$(mktemp)
    if ! npm ci --prefix forge --no-audit --no-fund >"$out" 2>&1; then
        cat "$out"
        echo "!! forge: npm ci failed"
        failed=$((failed + 1))
        failed_names+=("forge (npm ci)")
        rm -f "$out"
        return
    fi
    timeout 600 node --test forge/test/ >"$out" 2>&1 || rc=$?
    p=$(grep -Eo '^# pass [0-9]+' "$out" | tail -1 | grep -Eo '[0-9]+' || true)
    f=$(grep -Eo '^# fail [0-9]+' "$out" | tail -1 | grep -Eo '[0-9]+' || true)
    if [ -z "$p" ] || [ -z "$f" ]; then
        cat "$out"
        echo "!! forge: no test summary (exit $rc)"
        failed=$((failed + 1))
        failed_names+=("forge")
    else
        passed=$((passed + p))
        failed=$((failed + f))
        if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
            cat "$out"
            failed_names+=("forge")
            [ "$f" -eq 0 ] && failed=$((failed + 1))
        fi
        printf '%-58s %s\n' "forge/test/" "pass: $p, fail: $f"
    fi
    rm -f "$out"
}
run_forge

# The Custom UI (ui/): `npm ci`, a type-checked build, then its browser tests
# (node --test ui/test/: headless Debian chromium via playwright-core against
# tools/devhost and a backend of their own with the demo data). Counted like
# the forge step; a missing browser or a failed build counts as one failure.
run_ui() {
    echo "== tests: ui (node --test ui/test/*.test.js)"
    local out rc=0 p f
    out=$(mktemp)
    if ! command -v node >/dev/null 2>&1 || ! [ -x "${BIQ_CHROMIUM:-/usr/bin/chromium}" ]; then
        echo "!! ui: node or chromium not found, ui tests NOT run"
        failed=$((failed + 1))
        failed_names+=("ui (no node/chromium)")
        return
    fi
    if ! { make -s build/biq build/biq-dev && npm ci --prefix ui --no-audit --no-fund &&
           npm run --prefix ui build; } >"$out" 2>&1; then
        cat "$out"
        echo "!! ui: build failed"
        failed=$((failed + 1))
        failed_names+=("ui (build)")
        rm -f "$out"
        return
    fi
    (cd ui && timeout 600 node --test --test-concurrency=1 test/*.test.js) >"$out" 2>&1 || rc=$?
    p=$(grep -Eo '^# pass [0-9]+' "$out" | tail -1 | grep -Eo '[0-9]+' || true)
    f=$(grep -Eo '^# fail [0-9]+' "$out" | tail -1 | grep -Eo '[0-9]+' || true)
    if [ -z "$p" ] || [ -z "$f" ]; then
        cat "$out"
        echo "!! ui: no test summary (exit $rc)"
        failed=$((failed + 1))
        failed_names+=("ui")
    else
        passed=$((passed + p))
        failed=$((failed + f))
        if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
            cat "$out"
            failed_names+=("ui")
            [ "$f" -eq 0 ] && failed=$((failed + 1))
        fi
        printf '%-58s %s\n' "ui/test/" "pass: $p, fail: $f"
    fi
    rm -f "$out"
}
run_ui

# Operations (issue 20): bash test scripts of tests/ops/ that print "ok -" /
# "not ok -" lines and end with "N passed, N failed"; their counts join the
# totals. A script that prints no summary counts as one failure.
run_ops() {
    local name=$1 out rc=0 line p f
    shift
    echo "== tests: $name"
    out=$(mktemp)
    timeout 600 "$@" >"$out" 2>&1 || rc=$?
    line=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$out" | tail -1 || true)
    if [ -z "$line" ]; then
        cat "$out"
        echo "!! $name: no test summary (exit $rc)"
        failed=$((failed + 1))
        failed_names+=("$name")
    else
        p=${line%% passed*}
        f=${line##*, }
        f=${f%% failed}
        passed=$((passed + p))
        failed=$((failed + f))
        if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
            grep -v '^ok ' "$out"
            failed_names+=("$name")
            [ "$f" -eq 0 ] && failed=$((failed + 1))
        fi
        printf '%-58s %s\n' "$name" "$line"
    fi
    rm -f "$out"
}
run_ops "tests/ops/sql_tenant_lint.py" python3 tests/ops/sql_tenant_lint.py
run_ops "tests/ops/restore-drill.sh" bash tests/ops/restore-drill.sh
run_ops "tests/ops/deb-install.sh" bash tests/ops/deb-install.sh
run_ops "tests/ops/image-rootfs.sh" bash tests/ops/image-rootfs.sh
run_ops "tests/ops/supply-chain.sh" bash tests/ops/supply-chain.sh
run_ops "tests/ops/run-talks.sh" bash tests/ops/run-talks.sh
run_ops "tests/ops/cluster.sh" bash tests/ops/cluster.sh

if [ ${#failed_names[@]} -gt 0 ]; then
    echo "failing binaries: ${failed_names[*]}"
fi
echo "suite took ${SECONDS}s"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
