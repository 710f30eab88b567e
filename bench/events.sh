#!/usr/bin/env bash
# Durable events per second: wrk POSTs issue events (each a new issue and
# transition, committed before the 2xx) to the real server for
# BENCH_EVENT_SECONDS (default 10; tokens live 25 s) at BENCH_EVENT_CONNS
# connections (default 16); the database is then counted, so the figure is
# events that are really stored. Two runs: every event in one project (its
# commits share the project's data version, db/migrations/0007), then
# spread over BENCH_EVENT_PROJECTS projects (default 16). The baseline is
# PostgreSQL's own commit rate for one-row INSERT transactions on the same
# cluster at the same concurrency (pgbench, -c conns -j2, same seconds).
# Everything runs twice: with the throwaway cluster's fsync = off and with
# fsync and synchronous_commit on (ALTER SYSTEM, reset at the end), each
# with group commit off (BIQ_EVENT_BATCH_MAX=0) and on (BENCH_EVENT_BATCH,
# default 32) side by side; each row ends with the server's batch count.
# During each run one session samples pg_stat_activity every 0.1 s for
# backends of the database waiting on a lock (a hot row shows up there).
# Called by scripts/bench.sh with a running throwaway cluster in the
# environment and a temp folder as $1.
set -euo pipefail
cd "$(dirname "$0")/.."

work=${1:?usage: bench/events.sh TMPDIR}
secs=${BENCH_EVENT_SECONDS:-10}
conns=${BENCH_EVENT_CONNS:-16}
spread=${BENCH_EVENT_PROJECTS:-16}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
. bench/lib.sh
KID=$BENCH_KID
APP_ID=$BENCH_APP_ID
TENANT="ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000000ef"
db=biq_bench_events
basedb=biq_bench_commits

# PostgreSQL alone: one INSERT of one row per transaction, autocommit.
$super -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $basedb" \
    -c "CREATE DATABASE $basedb OWNER biq_owner"
$super -d "$basedb" -c "CREATE TABLE commits (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_key text NOT NULL, at timestamptz NOT NULL DEFAULT now())" \
    -c "ALTER TABLE commits OWNER TO biq_owner"
echo "INSERT INTO commits (project_key) VALUES ('EV');" >"$work/ev-insert.sql"
chmod a+r "$work/ev-insert.sql"
# measure_baseline: pgbench's one-row INSERT commits/s into $baseline.
measure_baseline() {
    local pgb
    pgb=$("$PGBIN/pgbench" -n -h "$BIQ_PG_SOCKET" -U biq_owner -c "$conns" -j2 -T "$secs" \
        -f "$work/ev-insert.sql" "$basedb" 2>&1)
    baseline=$(echo "$pgb" | awk '/^tps = / { printf "%.0f", $3; exit }')
}

# durability on|off: fsync and synchronous_commit for the whole cluster
# (ALTER SYSTEM overrides scripts/pg.sh's fsync = off until RESET).
durability() {
    if [ "$1" = on ]; then
        $super -d postgres -c "ALTER SYSTEM SET fsync = on" \
            -c "ALTER SYSTEM SET synchronous_commit = on" -c "SELECT pg_reload_conf()" >/dev/null
    else
        $super -d postgres -c "ALTER SYSTEM RESET fsync" \
            -c "ALTER SYSTEM RESET synchronous_commit" -c "SELECT pg_reload_conf()" >/dev/null
    fi
    sleep 0.2
}
trap 'durability off || true' EXIT

mkdir -p "$work/ev-keys"
./build/biq-dev keygen "$work/ev-keys" "$KID"

# sample_lock_waits: backends of $db waiting on a heavyweight lock, one
# number per 0.1 s for the run's length, over one connection.
sample_lock_waits() {
    local n=$((secs * 10))
    for _ in $(seq 1 "$n"); do
        echo "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db' AND wait_event_type = 'Lock';"
        echo "SELECT pg_sleep(0.1);"
    done | $super -d postgres -At | grep -E '^[0-9]+$'
}

# run_events PROJECTS: one wrk run on a fresh database; prints its row.
run_events() {
    local projects=$1 batch=$2 label=$3 token out stored non2xx p50 p99 rate sampler waits batches
    bench_fresh_db "$db"
    BIQ_EVENT_BATCH_MAX=$batch bench_serve "$db" "$work/ev-keys" "$work/events-server.log"
    token=$(BIQ_DEV_MODULE="core:endpoint biq-lifecycle" \
        ./build/biq-dev token "$work/ev-keys" "$KID" "$APP_ID" "$TENANT")
    curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' \
        -d '{"eventType":"avi:forge:installed:app"}' "http://127.0.0.1:$port/forge/lifecycle"
    token=$(BIQ_DEV_MODULE="core:endpoint biq-events" \
        ./build/biq-dev token "$work/ev-keys" "$KID" "$APP_ID" "$TENANT")
    sample_lock_waits >"$work/ev-locks.txt" &
    sampler=$!
    out=$(BIQ_BENCH_TOKEN=$token BIQ_BENCH_PROJECTS=$projects wrk -t2 -c"$conns" -d"${secs}s" \
        --latency -s bench/events.lua "http://127.0.0.1:$port" 2>&1)
    wait "$sampler" || true
    # Group commit (BIQ_EVENT_BATCH_MAX): transactions and the events in them.
    batches=$(curl -fsS "http://127.0.0.1:$metrics_port/metrics" | awk '
        /^biq_event_batches_total / { b = $2 } /^biq_event_batch_items_total / { i = $2 }
        END { if (b > 0) printf "%d batches, %.1f events each", b, i / b; else printf "no batches" }')
    bench_stop
    trap 'durability off || true' EXIT # bench_serve's trap replaced ours
    waits=$(awk '{ s += $1; if ($1 > m) m = $1 } END { printf "%.2f (max %d)", NR ? s / NR : 0, m }' \
        "$work/ev-locks.txt")
    stored=$($super -d "$db" -At -c "SELECT count(*) FROM status_transitions")
    non2xx=$(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p')
    p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
    p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
    rate=$(awk -v n="$stored" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
    printf '%-44s | %14s | %14s | %s\n' \
        "events/s $label, $projects project(s)" "$rate" "$baseline" \
        "$(awk -v a="$rate" -v b="$baseline" 'BEGIN { if (b > 0) printf "%.4f", a / b }'); stored $stored, non-2xx ${non2xx:-0}, p50 $p50, p99 $p99, lock waiters $waits; $batches"
}

# Each durability setting: pgbench's rate, then the events with group
# commit off (BIQ_EVENT_BATCH_MAX=0: a transaction per event, the path
# before it) and on (BENCH_EVENT_BATCH, default the server's), in one and
# in $spread projects ($conns connections, $secs s each).
batch=${BENCH_EVENT_BATCH:-32}
printf '%-44s | %14s | %14s | %s\n' "figure" "value" "baseline" "ratio"
for sync in off on; do
    durability "$sync"
    measure_baseline
    for b in 0 "$batch"; do
        label="fsync=$sync, batch $b"
        run_events 1 "$b" "$label"
        run_events "$spread" "$b" "$label"
    done
done
durability off
trap - EXIT
$super -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $basedb"
