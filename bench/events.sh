#!/usr/bin/env bash
# Durable events per second: wrk POSTs issue events (each a new issue and
# transition, committed before the 2xx) to the real server for
# BENCH_EVENT_SECONDS (default 10; tokens live 25 s) at BENCH_EVENT_CONNS
# connections (default 16); the database is then counted, so the figure is
# events that are really stored. Called by scripts/bench.sh with a running
# throwaway cluster in the environment and a temp folder as $1.
set -euo pipefail
cd "$(dirname "$0")/.."

work=${1:?usage: bench/events.sh TMPDIR}
secs=${BENCH_EVENT_SECONDS:-10}
conns=${BENCH_EVENT_CONNS:-16}
. bench/lib.sh
KID=$BENCH_KID
APP_ID=$BENCH_APP_ID
TENANT="ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000000ef"
db=biq_bench_events

bench_fresh_db "$db"
mkdir -p "$work/ev-keys"
./build/biq-dev keygen "$work/ev-keys" "$KID"
bench_serve "$db" "$work/ev-keys" "$work/events-server.log"
token=$(./build/biq-dev token "$work/ev-keys" "$KID" "$APP_ID" "$TENANT")
curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"eventType":"avi:forge:installed:app"}' "http://127.0.0.1:$port/forge/lifecycle"
token=$(./build/biq-dev token "$work/ev-keys" "$KID" "$APP_ID" "$TENANT")
out=$(BIQ_BENCH_TOKEN=$token wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/events.lua \
    "http://127.0.0.1:$port" 2>&1)
bench_stop
stored=$($super -d "$db" -At -c "SELECT count(*) FROM status_transitions")
non2xx=$(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p')
p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
printf '%-44s | %14s | %14s | %s\n' "figure" "value" "baseline" "ratio"
printf '%-44s | %14s | %14s | %s\n' "durable events/s ($conns connections, ${secs}s)" \
    "$(awk -v n="$stored" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')" "-" \
    "stored $stored, non-2xx ${non2xx:-0}, p50 $p50, p99 $p99"
