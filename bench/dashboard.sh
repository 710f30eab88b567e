#!/usr/bin/env bash
# Dashboard requests per second and latency with wrk, at 1, 16, 64 and 256
# connections, for the project that bench/ingest.sh loaded (50k issues by
# default) in database biq_bench_ingest:
#   warm      the same dashboard again: dashboard-cache hits;
#   cold      a new window each request: each computes the flow from the
#             loaded-project cache (loaded once before the run);
#   uncached  cold with BIQ_PROJECT_CACHE_MB=0: each request loads the
#             project from PostgreSQL, as before the project cache (1 and
#             16 connections: more only queue).
# Each cold and uncached run gets a fresh server (see serve below). After
# each run the server's /metrics deltas (its metrics listener) say what the caches did
# (dash h/m: dashboard-cache hits/misses; proj h/m/s: project-cache
# hits/misses/shared waits). Called by scripts/bench.sh after
# bench/ingest.sh with the same temp folder. Each run lasts
# BENCH_WRK_SECONDS (default 8; a token lives 25 s, so each run gets a
# fresh one).
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
offset=0

# sample NAME: one series of the server's /metrics (0 when absent).
sample() {
    curl -s "http://127.0.0.1:$metrics_port/metrics" | awk -v s="$1" '$1 == s { v = $2 } END { print v + 0 }'
}
counts() {
    echo "$(sample 'biq_cache_lookups_total{cache="dashboard",result="hit"}')" \
        "$(sample 'biq_cache_lookups_total{cache="dashboard",result="miss"}')" \
        "$(sample 'biq_cache_lookups_total{cache="project",result="hit"}')" \
        "$(sample 'biq_cache_lookups_total{cache="project",result="miss"}')" \
        "$(sample 'biq_cache_lookups_total{cache="project",result="shared"}')"
}

# run MODE CONNS: one wrk run and its table row.
run() {
    local mode=$1 conns=$2 token threads out rps p50 p99 p999 non2xx before after
    token=$(./build/biq-dev token "$work/keys" "$KID" "$APP_ID" "$TENANT" 10000 "$project")
    threads=$(( conns < 2 ? 1 : 2 ))
    before=$(counts)
    out=$(BIQ_BENCH_TOKEN=$token BIQ_BENCH_PROJECT=$project BIQ_BENCH_THREADS=$threads \
        BIQ_BENCH_COLD=$([ "$mode" = warm ] && echo 0 || echo 1) BIQ_BENCH_OFFSET=$offset \
        wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 30s -s bench/dashboard.lua --latency "$url" 2>&1)
    after=$(counts)
    rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
    p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
    p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
    p999=$(echo "$out" | awk '$1 == "p99.9" { print $2 }')
    non2xx=$(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p')
    # Past every window this run asked for, answered or still in flight.
    offset=$(( offset + conns + $(echo "$out" | awk '/requests in/ { print $1 }') ))
    printf '%-30s | %10s | %10s | %10s | %10s | %s%s\n' "$mode, $conns connections" "$rps" "$p50" \
        "$p99" "${p999:--}" \
        "$(paste <(echo "$after" | tr ' ' '\n') <(echo "$before" | tr ' ' '\n') |
            awk '{ d[NR] = $1 - $2 } END { printf "dash h/m %d/%d, proj h/m/s %d/%d/%d", d[1], d[2], d[3], d[4], d[5] }')" \
        "$([ -n "$non2xx" ] && echo "  (non-2xx: $non2xx)")"
}

# serve [ENV=VALUE...]: a fresh server (empty caches, window walk from the
# start: a dashboard stays cached for 60 s and there are only 365 windows,
# so runs on one server would repeat each other's windows), primed with the
# 30-day dashboard, which loads the project (when the project cache is on)
# but is not one of the walk's windows.
serve() {
    for kv in "$@"; do export "${kv?}"; done
    bench_serve "$db" "$work/keys" "$work/dash-server.log"
    for kv in "$@"; do unset "${kv%%=*}"; done
    url="http://127.0.0.1:$port"
    offset=0
    local token
    token=$(./build/biq-dev token "$work/keys" "$KID" "$APP_ID" "$TENANT" 10000 "$project")
    curl -s -o /dev/null -H "Authorization: Bearer $token" "$url/api/v1/projects/$project/dashboard?window=30d"
}

printf '%-30s | %10s | %10s | %10s | %10s | %s\n' "dashboard, $project" "req/s" "p50" "p99" \
    "p99.9" "what the caches did"
serve
for conns in 1 16 64 256; do
    run warm "$conns"
done
echo "project cache: $(sample biq_project_cache_entries) entries," \
    "$(sample 'biq_project_cache_bytes{kind="used"}') bytes"
bench_stop
for conns in 1 16 64 256; do
    serve
    run cold "$conns"
    bench_stop
done
for conns in 1 16; do
    serve BIQ_PROJECT_CACHE_MB=0
    run uncached "$conns"
    bench_stop
done
