#!/usr/bin/env bash
# Page ingest through the real server against a bare COPY of the same rows.
#
# Called by scripts/bench.sh with a running throwaway cluster (BIQ_PG_SOCKET
# and friends in the environment) and a temp folder as $1. Generates a
# one-project site of BENCH_INGEST_ISSUES issues (default 50,000, ~10
# transitions each) with `biq gen`, posts its search pages one after the
# other to POST /forge/backfill/{key}/page (fresh token per page, as Forge
# would), then COPYs the very rows that landed into empty tables of the same
# shape in the same database. Prints figures; never fails on speed.
set -euo pipefail
cd "$(dirname "$0")/.."

work=${1:?usage: bench/ingest.sh TMPDIR}
issues=${BENCH_INGEST_ISSUES:-50000}
. bench/lib.sh
KID=$BENCH_KID
APP_ID=$BENCH_APP_ID
TENANT="ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000000be"
db=biq_bench_ingest

now() { date +%s.%N; }
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }'; }

bench_fresh_db "$db"

mkdir -p "$work/keys" "$work/gen" "$work/csv"
chmod 777 "$work/csv" # psql runs as postgres when we are root
./build/biq-dev keygen "$work/keys" "$KID"
echo "generating $issues issues..."
./build/biq gen --seed 11 --issues "$issues" --projects 1 --out "$work/gen" 2>/dev/null
pages=("$work"/gen/*-page-*.json)
key=$(basename "${pages[0]}" | sed 's/-page-.*//')
echo "$key" >"$work/bench-project"

bench_serve "$db" "$work/keys" "$work/server.log"
base="http://127.0.0.1:$port"
call() {
    curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $(BIQ_DEV_MODULE="core:function backfill-consumer" ./build/biq-dev token "$work/keys" "$KID" "$APP_ID" "$TENANT")" \
        -H 'Content-Type: application/json' --data-binary "@$2" "$base$1"
}
echo '{"eventType":"avi:forge:installed:app"}' >"$work/install.json"
echo "{\"total\":$issues,\"fields\":{\"storyPoints\":\"customfield_10016\",\"sprint\":\"customfield_10020\"}}" >"$work/start.json"
call /forge/register "$work/install.json"
call "/forge/backfill/$key" "$work/start.json"

echo "posting ${#pages[@]} pages..."
t0=$(now)
for p in "${pages[@]}"; do
    call "/forge/backfill/$key/page" "$p"
done
t1=$(now)
ingest_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
counts=$($super -d "$db" -At -c "SELECT (SELECT count(*) FROM issues), (SELECT count(*) FROM status_transitions), (SELECT count(*) FROM issue_sprints)")
n_issues=${counts%%|*}
rest=${counts#*|}
n_trans=${rest%%|*}
n_sprints=${rest#*|}

# The same rows, COPYed into empty tables of the same shape.
$super -d "$db" <<SQL
\\copy issues TO '$work/csv/issues.csv' CSV
\\copy status_transitions TO '$work/csv/transitions.csv' CSV
\\copy issue_sprints TO '$work/csv/sprints.csv' CSV
CREATE TABLE copy_issues (LIKE issues INCLUDING ALL);
CREATE TABLE copy_transitions (LIKE status_transitions INCLUDING ALL);
CREATE TABLE copy_sprints (LIKE issue_sprints INCLUDING ALL);
SQL
t0=$(now)
$super -d "$db" <<SQL
\\copy copy_issues FROM '$work/csv/issues.csv' CSV
\\copy copy_transitions FROM '$work/csv/transitions.csv' CSV
\\copy copy_sprints FROM '$work/csv/sprints.csv' CSV
SQL
t1=$(now)
copy_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
bench_stop

# The server's own time per page, from its request log (the loop above also
# pays for a process to mint each token and one to post it).
server_s=$(grep -o '"route":"/forge/backfill/{projectKey}/page","status":200,"duration_ms":[0-9.]*' \
    "$work/server.log" | grep -o '[0-9.]*$' | awk '{ s += $1 } END { print s / 1000 }')

printf '\n%-44s | %14s | %14s | %s\n' "figure" "value" "baseline" "ratio"
printf '%-44s | %14s | %14s | %s\n' "ingest: issues/s through the page route" \
    "$(rate "$n_issues" "$ingest_s")" "$(rate "$n_issues" "$copy_s")" \
    "$(awk -v a="$ingest_s" -v b="$copy_s" 'BEGIN { printf "%.2fx slower than COPY", a / b }')"
printf '%-44s | %14s | %14s | %s\n' "ingest: issues/s, server time only" \
    "$(rate "$n_issues" "$server_s")" "$(rate "$n_issues" "$copy_s")" \
    "$(awk -v a="$server_s" -v b="$copy_s" 'BEGIN { printf "%.2fx slower than COPY", a / b }')"
printf '%-44s | %14s | %14s |\n' "ingest: transitions/s" "$(rate "$n_trans" "$ingest_s")" \
    "$(rate "$n_trans" "$copy_s")"
printf '%-44s | %14s | %14s |\n' "ingest: wall seconds ($n_issues issues, $n_trans transitions, $n_sprints memberships)" \
    "$(printf '%.2f' "$ingest_s")" "$(printf '%.2f' "$copy_s")"
