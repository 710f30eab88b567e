#!/usr/bin/env bash
# Dashboard requests per second and latency with wrk, at 1, 16, 64 and 256
# connections, warm (the same dashboard again: cache hits) and cold (a new
# window each request: each computes from the database), for the project
# that bench/ingest.sh loaded (50k issues by default) in database
# biq_bench_ingest. Called by scripts/bench.sh after bench/ingest.sh with
# the same temp folder. Each run lasts BENCH_WRK_SECONDS (default 8; a
# token lives 25 s, so each run gets a fresh one).
set -euo pipefail
cd "$(dirname "$0")/.."

work=${1:?usage: bench/dashboard.sh TMPDIR}
secs=${BENCH_WRK_SECONDS:-8}
. bench/lib.sh
KID=$BENCH_KID
APP_ID=$BENCH_APP_ID
TENANT="ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000000be"
db=biq_bench_ingest
project=$(cat "$work/bench-project")

bench_serve "$db" "$work/keys" "$work/dash-server.log"
url="http://127.0.0.1:$port"

printf '%-40s | %10s | %10s | %10s | %10s\n' "dashboard, $project" "req/s" "p50" "p99" "p99.9"
for mode in warm cold; do
    for conns in 1 16 64 256; do
        token=$(./build/biq-dev token "$work/keys" "$KID" "$APP_ID" "$TENANT" 10000 "$project")
        threads=$(( conns < 2 ? 1 : 2 ))
        out=$(BIQ_BENCH_TOKEN=$token BIQ_BENCH_PROJECT=$project BIQ_BENCH_COLD=$([ $mode = cold ] && echo 1 || echo 0) \
            wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 30s -s bench/dashboard.lua --latency "$url" 2>&1)
        rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
        p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
        p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
        non2xx=$(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p')

        p999=$(echo "$out" | awk '$1 == "p99.9" { print $2 }')
        printf '%-40s | %10s | %10s | %10s | %10s%s\n' "$mode, $conns connections" "$rps" "$p50" "$p99" \
            "${p999:--}" "$([ -n "$non2xx" ] && echo "  (non-2xx: $non2xx)")"
    done
done
bench_stop
