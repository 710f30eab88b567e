#!/usr/bin/env bash
# `make run` talks (issue "A first look a team lead can trust"), run by
# `make test`: scripts/run.sh on a fresh folder with a small demo, on ports
# of its own, must
#  - print a line at least every MAX_SILENCE_S seconds until it is ready,
#  - say each step (packages, build, database, migrations as one human
#    line, backend, demo data, backup, UI) and never print raw JSON logs,
#  - end with the projects it really loaded and a curl that shows them,
#  - stop on SIGINT with "stopped" and exit status 0.
# Prints "ok -"/"not ok -" lines and "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/../.."

MAX_SILENCE_S=6
READY_TIMEOUT_S=420

passed=0
failed=0
check() {
    local name=$1
    shift
    if "$@"; then echo "ok - $name"; passed=$((passed + 1)); else echo "not ok - $name"; failed=$((failed + 1)); fi
}

work=$(mktemp -d /tmp/biq-run-talks-XXXXXX)
out=$work/out.txt
run_pid=
cleanup() {
    [ -n "$run_pid" ] && kill -TERM "$run_pid" 2>/dev/null && wait "$run_pid" 2>/dev/null
    bash scripts/pg.sh stop "$work/var/pg" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# Each line of run.sh's output with the second it arrived.
# run.sh leads a process group of its own (as in a terminal); its pid and
# exit status are written to files.
{
    # shellcheck disable=SC2016 # $$ is the inner shell's: run.sh's pid
    BIQ_RUN_VAR="$work/var" BIQ_PORT=18180 BIQ_UI_PORT=18190 BIQ_METRICS_LISTEN=127.0.0.1:18199 \
        BIQ_DEMO_ISSUES=150 setsid bash -c 'echo $$ >"$1"; exec bash scripts/run.sh' _ "$work/pid" \
        </dev/null 2>&1
    echo $? >"$work/rc"
} | while IFS= read -r line; do printf '%s %s\n' "$(date +%s)" "$line"; done >"$out" &
run_pid=$!

start=$(date +%s)
while ! grep -q "Press Ctrl-C to stop." "$out" 2>/dev/null; do
    if [ $(($(date +%s) - start)) -gt "$READY_TIMEOUT_S" ] || ! kill -0 "$run_pid" 2>/dev/null; then
        break
    fi
    sleep 1
done

ready() { grep -q "Press Ctrl-C to stop." "$out"; }
check "run.sh reaches ready" ready

longest_silence() {
    awk -v t0="$start" 'NR == 1 { prev = t0 } { gap = $1 - prev; if (gap > max) max = gap; prev = $1 }
                        END { print max + 0 }' "$out"
}
quiet_enough() {
    local gap
    gap=$(longest_silence)
    [ "$gap" -le "$MAX_SILENCE_S" ] || { echo "  longest silence ${gap} s"; return 1; }
}
check "a line at least every ${MAX_SILENCE_S} s" quiet_enough

says() { grep -q -- "$1" "$out" || { echo "  missing: $1"; return 1; }; }
check "says the packages step" says "] packages:"
check "says the build step" says "] build:"
check "says the database step" says "] database:"
check "migrations in one human line" says "] migrations: schema at version"
check "says the demo data step" says "] demo data:"
check "says the backup step" says "] backup:"
no_json() { ! grep -q '^[0-9]* {"' "$out"; }
check "no raw JSON log lines" no_json
check "names the projects it loaded" says "holds 3 projects (PAY, WEB, MOB"
check "the curl shows a loaded project" says "/api/v1/projects/PAY/dashboard"

# The closing curl really answers for PAY.
curl_works() {
    local t
    t=$(./build/biq-dev token "$work/var/keys" forge/invocation-token/wf-dev-local \
        ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000de \
        ari:cloud:ecosystem::installation/00000000-0000-4000-8000-00000000de00 10000 PAY)
    curl -fs -H "Authorization: Bearer $t" http://127.0.0.1:18180/api/v1/projects/PAY/dashboard |
        grep -q '"key":"PAY"'
}
check "the printed curl answers PAY's dashboard" curl_works

# Ctrl-C: SIGINT to run.sh's process group, as a terminal sends it.
pgid=$(cat "$work/pid" 2>/dev/null || true)
rc=1
if [ -n "$pgid" ]; then
    kill -INT -- "-$pgid" 2>/dev/null || true
    for _ in $(seq 1 120); do
        [ -s "$work/rc" ] && break
        sleep 0.5
    done
    wait "$run_pid" 2>/dev/null || true
    rc=$(cat "$work/rc" 2>/dev/null || echo 1)
fi
run_pid=
stopped_cleanly() { [ "$rc" -eq 0 ] && grep -q "stopped (data kept in" "$out"; }
check "Ctrl-C stops with exit 0 and says so" stopped_cleanly

[ "$failed" -eq 0 ] || sed 's/^[0-9]* /  | /' "$out" | tail -40
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
