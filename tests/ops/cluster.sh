#!/usr/bin/env bash
# The cluster of `make cluster`, reduced, run by `make test` (issue 16):
# scripts/cluster.sh brings up a primary, a hot standby, PgBouncer in
# transaction mode before each, two `biq serve` and HAProxy, all on
# loopback, in a folder of this test's; then, a few seconds of load each:
#  - two tenants' writes and reads through PgBouncer's transaction pooling
#    stay apart (the tenant is transaction-local);
#  - read-your-writes across instances with the standby paused
#    (pg_wal_replay_pause): a write through A is read through B at once,
#    from the primary, and /metrics counts it and shows the lag; once the
#    standby has replayed, B reads it there;
#  - kill -9 of an instance during an event load: every acknowledged event
#    is stored and HAProxy routes around the dead one;
#  - the standby stopped during a dashboard load: every dashboard answers
#    200 (reads fall back to the primary);
#  - SIGTERM stops every process it started (and, with
#    BIQ_CLUSTER_BIN=build-asan/biq, no instance reported a sanitizer error).
# Prints "ok -"/"not ok -" lines and "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/../.."

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
READY_TIMEOUT_S=120
KILL_EVENTS=1200        # the event load that an instance dies under
KILL_CONCURRENCY=8      # requests in flight: at most these may fail at the kill
DASHBOARD_LOAD_S=4
TEMPLATE=${BIQ_SHARED_DIR:-../shared}/realdata/jira-webhooks/webhook-issue-created.json
T1="ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000c1a01"
T2="ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000c1a02"

passed=0
failed=0
check() {
    local name=$1
    shift
    if "$@"; then echo "ok - $name"; passed=$((passed + 1)); else echo "not ok - $name"; failed=$((failed + 1)); fi
}

work=$(mktemp -d /tmp/biq-cluster-test-XXXXXX)
cluster_pid=
cleanup() {
    [ -n "$cluster_pid" ] && kill -TERM "$cluster_pid" 2>/dev/null && wait "$cluster_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

make -s -j2 build/biq build/biq-dev
bash scripts/cluster.sh --fresh --no-demo --instances 2 --dir "$work/cluster" \
    --ready-file "$work/ready" >"$work/cluster.out" 2>&1 &
cluster_pid=$!
for ((i = 0; i < READY_TIMEOUT_S * 10; i++)); do
    [ -f "$work/ready" ] && break
    kill -0 "$cluster_pid" 2>/dev/null || break
    sleep 0.1
done
if [ ! -f "$work/ready" ]; then
    cat "$work/cluster.out"
    echo "not ok - the cluster came up"
    echo "0 passed, 1 failed"
    exit 1
fi
# shellcheck disable=SC1091
. "$work/ready"
read -r PORT_A PORT_B <<<"$CLUSTER_PORTS"
read -r PID_A _ <<<"$CLUSTER_PIDS"
read -r _ METRICS_B <<<"$CLUSTER_METRICS_PORTS"
read -r BOUNCER_PRIMARY _ <<<"$CLUSTER_BOUNCER_PORTS"
A=http://127.0.0.1:$PORT_A
B=http://127.0.0.1:$PORT_B

token() { ./build/biq-dev token "$CLUSTER_KEYS" "$CLUSTER_KID" "$CLUSTER_APP" "$@"; }
primary_sql() { psql -X -At -h "$CLUSTER_PRIMARY_SOCK" -U postgres -d biq -c "$1"; }
standby_sql() { psql -X -At -h "$CLUSTER_STANDBY_SOCK" -U postgres -d biq -c "$1"; }
install() {
    curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $(BIQ_DEV_MODULE="core:endpoint biq-lifecycle" token "$1")" \
        -H 'Content-Type: application/json' \
        -d '{"eventType":"avi:forge:installed:app","context":"ari:cloud:jira::site/c1a"}' "$CLUSTER_URL/forge/lifecycle"
}
# events BASE TENANT FROM COUNT CONCURRENCY: the acknowledged ids on stdout.
events() {
    node tests/ops/drive-events.js --base "$1" --keys "$CLUSTER_KEYS" --kid "$CLUSTER_KID" \
        --app "$CLUSTER_APP" --tenant "$2" --template "$TEMPLATE" --from "$3" --count "$4" \
        --concurrency "$5" --project DR
}
# version BASE TENANT: the DR dashboard's dataVersion ("" when it failed).
version() {
    curl -fsS -H "Authorization: Bearer $(token "$2" 10000 DR)" "$1/api/v1/projects/DR/dashboard" |
        sed -n 's/.*"dataVersion":\([0-9]*\).*/\1/p'
}
# metric NAME: B's value of the line starting with NAME.
metric() { curl -fsS "http://127.0.0.1:$METRICS_B/metrics" | awk -v n="$1" 'index($0, n " ") == 1 { print $2 }'; }
primary_version() {
    primary_sql "SELECT coalesce(sum(weight), 0) FROM data_commits WHERE tenant_id = '$1' AND project_key = 'DR'"
}
standby_caught_up() {
    [ "$(standby_sql "SELECT pg_last_wal_replay_lsn() >= '$(primary_sql 'SELECT pg_current_wal_lsn()')'")" = t ]
}
wait_replayed() {
    local i
    for ((i = 0; i < 100; i++)); do standby_caught_up && return 0; sleep 0.1; done
    return 1
}
# The paused standby has received (not replayed) all the primary wrote.
wait_received() {
    local i lsn
    lsn=$(primary_sql 'SELECT pg_current_wal_lsn()')
    for ((i = 0; i < 100; i++)); do
        [ "$(standby_sql "SELECT pg_last_wal_receive_lsn() >= '$lsn'")" = t ] && return 0
        sleep 0.1
    done
    return 1
}

install "$T1"
install "$T2"

# ------------------------------------------------------- PgBouncer, tenants
test_pooling() {
    local mode
    mode=$(psql -X -At "postgresql://postgres@127.0.0.1:$BOUNCER_PRIMARY/pgbouncer" -c 'SHOW POOLS' |
        awk -F'|' '$1 == "biq" { print $NF }' | head -1)
    [ "$mode" = transaction ] || { echo "# pool mode: $mode"; return 1; }
    events "$CLUSTER_URL" "$T1" 1 30 4 >"$work/t1.ids" 2>/dev/null &
    local p1=$!
    events "$CLUSTER_URL" "$T2" 1 20 4 >"$work/t2.ids" 2>/dev/null
    wait "$p1"
    [ "$(wc -l <"$work/t1.ids")" -eq 30 ] && [ "$(wc -l <"$work/t2.ids")" -eq 20 ] || return 1
    # Same issue ids, same project key, two tenants: each sees its own.
    [ "$(version "$A" "$T1")" = 30 ] && [ "$(version "$B" "$T2")" = 20 ] &&
        [ "$(version "$B" "$T1")" = 30 ] && [ "$(version "$A" "$T2")" = 20 ]
}
check "PgBouncer in transaction mode: two tenants' concurrent writes and reads stay apart" test_pooling

# ----------------------------------------------------- read-your-writes
test_read_your_writes() {
    wait_replayed || { echo "# standby never caught up"; return 1; }
    local behind0 standby0 v
    [ "$(version "$B" "$T1")" = 30 ] || { echo "# B before: not 30"; return 1; } # now in B's cache
    behind0=$(metric 'biq_view_model_reads_total{source="primary_behind"}')
    standby_sql 'SELECT pg_wal_replay_pause()' >/dev/null
    [ "$(events "$A" "$T1" 100 5 1 2>/dev/null | wc -l)" -eq 5 ] || return 1
    v=$(primary_version "$T1")
    [ "$v" = 35 ] || { echo "# primary version $v"; return 1; }
    # The standby still has 30: B must read the primary, not its cache nor the standby.
    [ "$(standby_sql "SELECT coalesce(sum(weight), 0) FROM data_commits WHERE tenant_id = '$T1' AND project_key = 'DR'")" = 30 ] ||
        { echo "# the paused standby moved"; return 1; }
    v=$(version "$B" "$T1")
    [ "$v" = 35 ] || { echo "# B read version $v"; return 1; }
    [ "$(metric 'biq_view_model_reads_total{source="primary_behind"}')" -eq $((behind0 + 1)) ] ||
        { echo "# primary_behind did not count one"; return 1; }
    wait_received || { echo "# the standby never received the writes"; return 1; }
    [ "$(metric biq_replica_lag_bytes)" -gt 0 ] || { echo "# lag bytes $(metric biq_replica_lag_bytes)"; return 1; }
    awk -v s="$(metric biq_replica_lag_seconds)" 'BEGIN { exit !(s > 0) }' ||
        { echo "# lag seconds $(metric biq_replica_lag_seconds)"; return 1; }
    standby_sql 'SELECT pg_wal_replay_resume()' >/dev/null
    # Replayed: the next write's model comes from the standby.
    [ "$(events "$A" "$T1" 200 1 1 2>/dev/null | wc -l)" -eq 1 ] || return 1
    wait_replayed || return 1
    standby0=$(metric 'biq_view_model_reads_total{source="standby"}')
    [ "$(version "$B" "$T1")" = 36 ] || { echo "# B after replay: not 36"; return 1; }
    [ "$(metric 'biq_view_model_reads_total{source="standby"}')" -eq $((standby0 + 1)) ] ||
        { echo "# standby did not count one"; return 1; }
    [ "$(metric biq_replica_up)" = 1 ]
}
check "read-your-writes: standby paused, a write through A is read through B from the primary; replayed, from the standby" test_read_your_writes

# ------------------------------------------------ kill -9 under events
test_kill_instance() {
    local drive stored acked fails
    events "$CLUSTER_URL" "$T2" 10000 "$KILL_EVENTS" "$KILL_CONCURRENCY" >"$work/kill.ids" 2>"$work/kill.err" &
    drive=$!
    sleep 1
    kill -KILL "$PID_A"
    wait "$drive" || true
    acked=$(wc -l <"$work/kill.ids")
    fails=$((KILL_EVENTS - acked))
    stored=$(primary_sql "SELECT count(*) FROM issues WHERE tenant_id = '$T2'
        AND issue_id = ANY('{$(paste -sd, "$work/kill.ids")}'::bigint[])")
    echo "# kill -9 under $KILL_EVENTS events: $acked acknowledged, $stored of them stored, $fails not acknowledged"
    [ "$acked" -gt 0 ] && [ "$stored" -eq "$acked" ] && [ "$fails" -le "$KILL_CONCURRENCY" ] &&
        curl -fsS -o /dev/null "$CLUSTER_URL/readyz" && [ "$(version "$CLUSTER_URL" "$T1")" = 36 ]
}
check "kill -9 of an instance under events: every 2xx stored, HAProxy routes around it" test_kill_instance

# --------------------------------------- standby stopped under dashboards
test_standby_stop() {
    local writer end codes failed0 bad
    failed0=$(metric 'biq_view_model_reads_total{source="primary_failed"}')
    # Writes keep the versions moving, so the dashboards keep loading models.
    events "$CLUSTER_URL" "$T1" 20000 100000 1 >"$work/stop.ids" 2>/dev/null &
    writer=$!
    end=$((SECONDS + DASHBOARD_LOAD_S))
    (while [ "$SECONDS" -lt "$end" ]; do
        curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $(token "$T1" 10000 DR)" \
            "$CLUSTER_URL/api/v1/projects/DR/dashboard"
    done) >"$work/codes" &
    codes=$!
    sleep 1
    as_pg "$PGBIN/pg_ctl" -D "$CLUSTER_STANDBY_DATA" -m immediate -w stop >/dev/null
    wait "$codes"
    kill -TERM "$writer" 2>/dev/null
    wait "$writer" || true
    bad=$(grep -vc '^200$' "$work/codes" || true)
    echo "# standby stopped under $(wc -l <"$work/codes") dashboards: $bad not 200"
    [ "$bad" -eq 0 ] && [ "$(wc -l <"$work/codes")" -ge 3 ] &&
        [ "$(metric 'biq_view_model_reads_total{source="primary_failed"}')" -gt "$failed0" ] &&
        [ "$(metric biq_replica_up)" = 0 ]
}
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
check "standby stopped under a dashboard load: every dashboard 200, reads fall back to the primary" test_standby_stop

# -------------------------------------------------------------- stopping
test_stop() {
    local p
    kill -TERM "$cluster_pid"
    wait "$cluster_pid" || return 1
    cluster_pid=
    for p in $CLUSTER_PIDS $CLUSTER_BOUNCER_PIDS $CLUSTER_HAPROXY_PID; do
        kill -0 "$p" 2>/dev/null && { echo "# process $p still runs"; return 1; }
    done
    [ ! -f "$CLUSTER_DIR/primary/data/postmaster.pid" ] && [ ! -f "$CLUSTER_STANDBY_DATA/postmaster.pid" ] ||
        return 1
    # Under BIQ_CLUSTER_BIN=build-asan/biq: no sanitizer report at exit.
    ! grep -l "AddressSanitizer\|LeakSanitizer\|runtime error:" "$CLUSTER_DIR"/logs/biq-*.log
}
check "SIGTERM stops every process of the cluster" test_stop

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
