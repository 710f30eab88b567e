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
KID="forge/invocation-token/wf-bench"
APP_ID="ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000be"
TENANT="ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000000ef"
db=biq_bench_events
super="psql -X -q -v ON_ERROR_STOP=1 -h $BIQ_PG_SOCKET -U postgres"
if [ "$(id -u)" -eq 0 ]; then super="runuser -u postgres -- $super"; fi

$super -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" \
    -c "CREATE DATABASE $db OWNER biq_owner"
BIQ_MIGRATE_DATABASE_URL="postgresql:///$db?host=$BIQ_PG_SOCKET&user=biq_owner" \
    ./build/biq migrate >/dev/null
mkdir -p "$work/ev-keys"
./build/biq-dev keygen "$work/ev-keys" "$KID"
BIQ_DATABASE_URL="postgresql:///$db?host=$BIQ_PG_SOCKET&user=biq_app" BIQ_APP_ID="$APP_ID" \
    BIQ_JWKS_FILE="$work/ev-keys/jwks.json" BIQ_LISTEN=127.0.0.1:0 BIQ_LOG_LEVEL=info \
    ./build/biq serve >"$work/events-server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
port=
for _ in $(seq 1 100); do
    port=$(grep -o '"msg":"listening".*"port":[0-9]*' "$work/events-server.log" 2>/dev/null | grep -o '[0-9]*$' || true)
    [ -n "$port" ] && break
    sleep 0.05
done
token=$(./build/biq-dev token "$work/ev-keys" "$KID" "$APP_ID" "$TENANT")
curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"eventType":"avi:forge:installed:app"}' "http://127.0.0.1:$port/forge/lifecycle"
token=$(./build/biq-dev token "$work/ev-keys" "$KID" "$APP_ID" "$TENANT")
out=$(BIQ_BENCH_TOKEN=$token wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/events.lua \
    "http://127.0.0.1:$port" 2>&1)
kill "$server"
wait "$server" 2>/dev/null || true
trap - EXIT
stored=$($super -d "$db" -At -c "SELECT count(*) FROM status_transitions")
non2xx=$(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p')
p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
printf '%-44s | %14s | %14s | %s\n' "figure" "value" "baseline" "ratio"
printf '%-44s | %14s | %14s | %s\n' "durable events/s ($conns connections, ${secs}s)" \
    "$(awk -v n="$stored" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')" "-" \
    "stored $stored, non-2xx ${non2xx:-0}, p50 $p50, p99 $p99"
