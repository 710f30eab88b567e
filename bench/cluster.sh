#!/usr/bin/env bash
# The cluster's load figures (issue 16 item 4): scripts/cluster.sh with the
# demo data (PAY, WEB, MOB: BIQ_DEMO_ISSUES generated issues), first with
# 1 instance, then with 3 on the same databases, each time
#   dashboards  wrk through HAProxy, cold (bench/cluster-dashboard.lua: no
#               two requests alike, each computes the flow from the
#               loaded-project cache, none is a dashboard-cache hit), at
#               BENCH_CLUSTER_CONNS connections (default 16), PAY;
#   events      wrk POSTing issue events through HAProxy (bench/events.lua),
#               counted in the database afterwards: durable events/s;
#   lag         the standby's lag during the event run, sampled every
#               LAG_SAMPLE_S from /metrics (biq_replica_lag_seconds and
#               _bytes of instance 1): mean and max;
# and the baselines in the same run: the same dashboards on one instance
# directly (no HAProxy), and 3 instances over 1 (the scaling ratio). Each
# run lasts BENCH_CLUSTER_SECONDS (default 8; tokens live 25 s).
# Called by scripts/bench.sh with a temp folder as $1; also alone:
#   bash bench/cluster.sh /tmp/some-folder
set -euo pipefail
cd "$(dirname "$0")/.."

work=${1:?usage: bench/cluster.sh TMPDIR}
secs=${BENCH_CLUSTER_SECONDS:-8}
conns=${BENCH_CLUSTER_CONNS:-16}
LAG_SAMPLE_S=0.5
READY_TIMEOUT_S=600
export BIQ_DEMO_ISSUES=${BIQ_DEMO_ISSUES:-3000}
dir=$work/ha-cluster # not "cluster": scripts/bench.sh keeps its own PostgreSQL there
cluster_pid=
stop_cluster() {
    if [ -n "$cluster_pid" ]; then
        kill -TERM "$cluster_pid" 2>/dev/null || true
        wait "$cluster_pid" 2>/dev/null || true
        cluster_pid=
    fi
}
trap stop_cluster EXIT

# start N [--fresh]: the cluster with N instances; sources its ready file.
start() {
    local n=$1 i
    shift
    rm -f "$work/ready"
    bash scripts/cluster.sh --instances "$n" --dir "$dir" --ready-file "$work/ready" "$@" \
        >"$work/cluster-$n.out" 2>&1 &
    cluster_pid=$!
    for ((i = 0; i < READY_TIMEOUT_S * 10; i++)); do
        [ -f "$work/ready" ] && break
        kill -0 "$cluster_pid" 2>/dev/null || break
        sleep 0.1
    done
    [ -f "$work/ready" ] || { cat "$work/cluster-$n.out" >&2; return 1; }
    # shellcheck disable=SC1091
    . "$work/ready"
}

# dashboards URL [SECONDS]: one cold wrk run; prints "rps p99".
offset=0
dashboards() {
    local token out rps p99 run_secs=${2:-$secs}
    token=$(./build/biq-dev token "$CLUSTER_KEYS" "$CLUSTER_KID" "$CLUSTER_APP" "$CLUSTER_TENANT" 10000 PAY)
    out=$(BIQ_BENCH_TOKEN=$token BIQ_BENCH_PROJECT=PAY BIQ_BENCH_THREADS=2 \
        BIQ_BENCH_OFFSET=$offset wrk -t2 -c"$conns" -d"${run_secs}s" --timeout 30s \
        -s bench/cluster-dashboard.lua --latency "$1" 2>&1)
    offset=$((offset + conns + $(echo "$out" | awk '/requests in/ { print $1 }')))
    rps=$(echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
    p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
    echo "$rps $p99"
}

# lag_sampler: "seconds bytes" lines from instance 1's /metrics until killed.
lag_sampler() {
    local m
    read -r m _ <<<"$CLUSTER_METRICS_PORTS"
    while true; do
        curl -s "http://127.0.0.1:$m/metrics" |
            awk '$1 == "biq_replica_lag_seconds" { s = $2 } $1 == "biq_replica_lag_bytes" { b = $2 }
                 END { print s + 0, b + 0 }'
        sleep "$LAG_SAMPLE_S"
    done
}

stored_events() {
    psql -X -At -h "$CLUSTER_PRIMARY_SOCK" -U postgres -d biq \
        -c "SELECT count(*) FROM issues WHERE tenant_id = '$CLUSTER_TENANT' AND project_key LIKE 'EV%'"
}

# events: one wrk run through HAProxy; prints "rate p99 lag_mean lag_max bytes_max".
events() {
    local token before after out p99 sampler
    token=$(BIQ_DEV_MODULE="core:endpoint biq-events" \
        ./build/biq-dev token "$CLUSTER_KEYS" "$CLUSTER_KID" "$CLUSTER_APP" "$CLUSTER_TENANT")
    before=$(stored_events)
    lag_sampler >"$work/lag.txt" &
    sampler=$!
    # Ids per run: each run's events are new issues (events.lua bases ids
    # on its thread; the run number moves them past the last run's).
    out=$(BIQ_BENCH_TOKEN=$token BIQ_BENCH_PROJECTS=16 wrk -t2 -c"$conns" -d"${secs}s" \
        --latency -s bench/events.lua "$CLUSTER_URL" 2>&1)
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    after=$(stored_events)
    p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
    echo "$(awk -v n="$((after - before))" -v s="$secs" 'BEGIN { printf "%.0f", n / s }') $p99" \
        "$(awk '{ s += $1; if ($1 > m) m = $1; if ($2 > b) b = $2 } END { printf "%.2f %.2f %d", NR ? s / NR : 0, m, b }' "$work/lag.txt")"
}

row() { printf '%-52s | %10s | %10s | %s\n' "$@"; }

echo "demo data: $BIQ_DEMO_ISSUES generated issues (PAY, WEB, MOB); wrk ${secs}s at $conns connections"
# warm_up: every instance loads PAY into its project cache (and the
# standby's pages into memory) before anything is measured.
WARM_UP_S=2
warm_up() { dashboards "$CLUSTER_URL" "$WARM_UP_S" >/dev/null; }

start 1 --fresh
read -r PORT1 _ <<<"$CLUSTER_PORTS"
warm_up
read -r d_direct_rps d_direct_p99 <<<"$(dashboards "http://127.0.0.1:$PORT1")"
read -r d1_rps d1_p99 <<<"$(dashboards "$CLUSTER_URL")"
read -r e1_rate e1_p99 l1_mean l1_max b1_max <<<"$(events)"
stop_cluster
start 3
warm_up
read -r d3_rps d3_p99 <<<"$(dashboards "$CLUSTER_URL")"
# events.lua numbers issues from 10,000,000 per thread: a second run would
# replay the first one's ids (cheap no-ops), so move this tenant's EV
# issues of the first run out of the way of the count and the ids.
psql -X -q -h "$CLUSTER_PRIMARY_SOCK" -U postgres -d biq -c \
    "DELETE FROM issues WHERE tenant_id = '$CLUSTER_TENANT' AND project_key LIKE 'EV%'" >/dev/null
read -r e3_rate e3_p99 l3_mean l3_max b3_max <<<"$(events)"
stop_cluster

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
row "figure" "per second" "p99" "baseline / ratio"
row "dashboards, cold, 1 instance directly (no HAProxy)" "$d_direct_rps" "$d_direct_p99" "(baseline)"
row "dashboards, cold, 1 instance through HAProxy" "$d1_rps" "$d1_p99" "$(ratio "$d1_rps" "$d_direct_rps") of direct"
row "dashboards, cold, 3 instances through HAProxy" "$d3_rps" "$d3_p99" "$(ratio "$d3_rps" "$d1_rps") of 1 instance"
row "durable events, 1 instance through HAProxy" "$e1_rate" "$e1_p99" "(baseline)"
row "durable events, 3 instances through HAProxy" "$e3_rate" "$e3_p99" "$(ratio "$e3_rate" "$e1_rate") of 1 instance"
row "replica lag under events, 1 instance: mean/max s" "$l1_mean" "$l1_max" "max $b1_max bytes behind"
row "replica lag under events, 3 instances: mean/max s" "$l3_mean" "$l3_max" "max $b3_max bytes behind"
