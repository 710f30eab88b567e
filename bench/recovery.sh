#!/usr/bin/env bash
# RPO and RTO of the pgBackRest set-up (docs/operations.md "Backups"), for a
# generated 50k-issue site (BENCH_RECOVERY_ISSUES), called by
# scripts/bench.sh with a temp folder as $1 (its own cluster, archiving):
#
#  1. biq gen's site posted through the server (backfill pages), a full
#     backup (its seconds are printed);
#  2. events at BENCH_RECOVERY_CONNS connections (default 4), each
#     acknowledged only after its commit, for BENCH_RECOVERY_SECONDS (90:
#     longer than archive_timeout, 60 s, so the loss shows its bound);
#     then kill -9 of every PostgreSQL process of the primary, mid-stream;
#  3. disk lost: scripts/restore.sh restores "latest" from the repository
#     into a fresh folder, nothing of the dead primary used: RPO =
#     acknowledged events missing, and the seconds between the first
#     missing acknowledgement and the kill; RTO = seconds from the start of
#     the restore to /readyz 200 of a new `biq serve` on it;
#  4. disk intact: the dead primary's data directory started again (crash
#     recovery) - acknowledged events missing (expected 0: fsync and
#     synchronous_commit are on).
# Prints figures only.
set -euo pipefail
cd "$(dirname "$0")/.."

work=${1:?usage: bench/recovery.sh TMPDIR}
issues=${BENCH_RECOVERY_ISSUES:-50000}
secs=${BENCH_RECOVERY_SECONDS:-90}
conns=${BENCH_RECOVERY_CONNS:-4}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
KID="forge/invocation-token/wf-recovery"
APP_ID="ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000be"
TENANT="ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000000f1"
TEMPLATE=${BIQ_SHARED_DIR:-../shared}/realdata/jira-webhooks/webhook-issue-created.json
work=$(realpath "$work")/recovery
repo="$work/backup"
mkdir -p "$work/keys" "$work/gen"
chmod o+x "$work"
server=
driver=
stop_all() {
    [ -n "$driver" ] && kill "$driver" 2>/dev/null
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    for d in "$work"/pg*; do [ -d "$d/data" ] && bash scripts/pg.sh stop "$d" >/dev/null 2>&1; done
    return 0
}
trap stop_all EXIT
now() { date +%s.%N; }
super() { runuser -u postgres -- "$PGBIN/psql" -X -At -h "$1/run" -U postgres -d biq -c "$2"; }
serve() { # serve DIR: biq serve on the cluster in DIR; sets $server, $base
    local log="$work/serve.log" port=
    : >"$log"
    BIQ_DATABASE_URL="postgresql:///biq?host=$1/run&user=biq_app" BIQ_APP_ID="$APP_ID" \
        BIQ_JWKS_FILE="$work/keys/jwks.json" BIQ_LISTEN=127.0.0.1:0 BIQ_WORKERS=4 \
        ./build/biq serve >"$log" 2>&1 &
    server=$!
    for _ in $(seq 1 400); do
        port=$(grep -o '"msg":"listening".*"port":[0-9]*' "$log" 2>/dev/null | grep -o '[0-9]*$' || true)
        [ -n "$port" ] && break
        sleep 0.05
    done
    base="http://127.0.0.1:$port"
    for _ in $(seq 1 600); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz" || true)" = 200 ] && return 0
        sleep 0.05
    done
    echo "recovery: biq serve not ready on $1" >&2
    return 1
}
unserve() { kill "$server"; wait "$server" 2>/dev/null || true; server=; }
call() { # call MODULE PATH FILE
    curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $(BIQ_DEV_MODULE="$1" ./build/biq-dev token "$work/keys" "$KID" "$APP_ID" "$TENANT")" \
        -H 'Content-Type: application/json' --data-binary "@$3" "$base$2"
}
missing() { # missing DIR: acknowledged event ids absent from the cluster in DIR
    comm -23 <(cut -d' ' -f1 "$work/acked" | sort) \
        <(super "$1" "SELECT issue_id FROM issues WHERE tenant_id = '$TENANT' AND project_key = 'RPO'" | sort)
}

./build/biq-dev keygen "$work/keys" "$KID"
bash scripts/backup.sh --pg-dir "$work/pg1" --repo "$repo" --conf-only
eval "$(bash scripts/pg.sh start "$work/pg1" --archive "$repo/pgbackrest.conf")"
./build/biq migrate >/dev/null 2>&1
serve "$work/pg1"
./build/biq gen --seed 11 --issues "$issues" --projects 1 --out "$work/gen" >/dev/null 2>&1
pages=("$work"/gen/*-page-*.json)
key=$(basename "${pages[0]}" | sed 's/-page-.*//')
echo '{"eventType":"avi:forge:installed:app"}' >"$work/install.json"
echo "{\"total\":$issues,\"fields\":{\"storyPoints\":\"customfield_10016\",\"sprint\":\"customfield_10020\"}}" >"$work/start.json"
call "core:endpoint biq-lifecycle" /forge/lifecycle "$work/install.json"
call "core:function backfill-consumer" "/forge/backfill/$key" "$work/start.json"
for p in "${pages[@]}"; do call "core:function backfill-consumer" "/forge/backfill/$key/page" "$p"; done
counts=$(super "$work/pg1" "SELECT (SELECT count(*) FROM issues) || ' issues, ' || (SELECT count(*) FROM status_transitions) || ' transitions, ' || pg_size_pretty(pg_database_size('biq'))")
t0=$(now)
bash scripts/backup.sh --pg-dir "$work/pg1" --repo "$repo" --type full >/dev/null
backup_s=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')

node tests/ops/drive-events.js --base "$base" --keys "$work/keys" --kid "$KID" --app "$APP_ID" \
    --tenant "$TENANT" --template "$TEMPLATE" --from 5000000 --count 100000000 --project RPO \
    --concurrency "$conns" --timestamps 1 >"$work/acked" 2>"$work/driver.log" &
driver=$!
sleep "$secs"
pm=$(head -1 "$work/pg1/data/postmaster.pid")
kill_ms=$(date +%s%3N)
kill -9 "$pm" $(pgrep -P "$pm") 2>/dev/null || true
sleep 1
kill "$driver" 2>/dev/null || true
wait "$driver" 2>/dev/null || true
driver=
unserve
acked=$(wc -l <"$work/acked")
# as after a reboot: the dead postmaster (maybe an unreaped zombie here) left its locks
rm -f "$work/pg1/data/postmaster.pid" "$work/pg1/run/.s.PGSQL.5432.lock"

# 3. disk lost: nothing of the dead primary is used; restore "latest"
# from the repository into a fresh folder
t0=$(now)
env_lines=$(bash scripts/restore.sh --pg-dir "$work/pg2" --repo "$repo" 2>"$work/restore.log")
eval "$env_lines"
serve "$work/pg2"
rto=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
missing "$work/pg2" >"$work/lost"
lost=$(wc -l <"$work/lost")
if [ "$lost" -gt 0 ]; then
    first_lost_ms=$(sort -n -k2 "$work/acked" | awk 'NR == FNR { lost[$1] = 1; next } ($1 in lost && !done) { print $2; done = 1 }' "$work/lost" -)
    window=$(awk -v a="$first_lost_ms" -v b="$kill_ms" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
else
    window=0
fi
unserve
bash scripts/pg.sh stop "$work/pg2"

# 4. the same kill -9 with the disk intact: crash recovery of the dead
# primary's own data directory (archiving off, so it cannot touch the
# repository the restore above now writes to)
echo "archive_mode = off" | runuser -u postgres -- tee -a "$work/pg1/data/postgresql.conf" >/dev/null
bash scripts/pg.sh start "$work/pg1" >/dev/null
crash_lost=$(missing "$work/pg1" | wc -l)
bash scripts/pg.sh stop "$work/pg1"
rate=$(awk -v n="$acked" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')

printf '%-52s | %s\n' "figure" "value"
printf '%-52s | %s\n' "site" "$counts"
printf '%-52s | %s s\n' "full backup (pgBackRest, lz4, process-max=2)" "$backup_s"
printf '%-52s | %s (%s/s for %s s at %s connections)\n' "events acknowledged before kill -9" "$acked" "$rate" "$secs" "$conns"
printf '%-52s | %s events\n' "lost by crash recovery (same disk)" "$crash_lost"
printf '%-52s | %s events, the last %s s before the kill\n' "RPO: lost by restore latest (disk lost)" "$lost" "$window"
printf '%-52s | %s s\n' "RTO: restore start -> /readyz 200" "$rto"
