#!/usr/bin/env bash
# The restore drill and the retention proof (issue 20), run by `make test`
# (scripts/test.sh, after the C suites) and on its own:
#
#   bash tests/ops/restore-drill.sh [WORKDIR]
#
#  1. a throwaway cluster with WAL archiving to a pgBackRest repository
#     (scripts/pg.sh start --archive, scripts/backup.sh), `biq migrate`,
#     `biq serve`; three tenants with data (A: events, C: uninstalled later
#     and proved gone from the backups, D: purged on request);
#  2. a full backup; DRILL_EVENTS more events (each acknowledged only after
#     its commit), the target time, DRILL_EVENTS more; the cluster is killed
#     (kill -9) and its folder deleted; scripts/restore.sh restores the
#     target into a fresh folder; `biq serve` on it: every event
#     acknowledged before the target is there, none after it; the tenant
#     walls hold (RLS enabled and forced on every tenant table, the app role
#     neither superuser nor BYPASSRLS nor owner, no rows without a tenant);
#  3. retention: tenant C is uninstalled; pgBackRest's own expiry
#     (count-based here: --repo1-retention-full=1 with a new full backup)
#     drops every backup and WAL segment from before the uninstall; the
#     newest backup restored holds 0 rows of C;
#  4. manual purge on request: tenant D is uninstalled and
#     scripts/purge-backups.sh --installation D leaves only a backup taken
#     after it; restored, 0 rows of D.
# Prints "ok - ..." / "not ok - ..." per check and ends with
# "N passed, N failed"; exits non-zero on a failure. Every process it
# starts is stopped on exit; loopback and Unix sockets only.
# shellcheck disable=SC2317 # functions called through check / trap
set -euo pipefail
cd "$(dirname "$0")/../.."

EVENTS=${DRILL_EVENTS:-1500}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
KID="forge/invocation-token/wf-drill"
APP_ID="ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000d1"
TEN_A="ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000000a0"
TEN_C="ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000000c0"
TEN_D="ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000000d0"
TEMPLATE=${BIQ_SHARED_DIR:-../shared}/realdata/jira-webhooks/webhook-issue-created.json

work=${1:-}
own_work=0
if [ -z "$work" ]; then work=$(mktemp -d /tmp/biq-drill-XXXXXX); own_work=1; fi
work=$(realpath "$work")
repo="$work/backup"
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    for d in "$work"/pg*; do [ -d "$d" ] && bash scripts/pg.sh stop "$d" >/dev/null 2>&1; done
    if [ "$own_work" -eq 1 ]; then rm -rf "$work"; fi
    return 0
}
trap cleanup EXIT

passed=0
failed=0
check() { # check NAME COMMAND...: one counted check
    local name=$1
    shift
    if "$@"; then
        echo "ok - $name"
        passed=$((passed + 1))
    else
        echo "not ok - $name"
        failed=$((failed + 1))
    fi
}
finish() {
    echo "restore drill: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}
fatal() { echo "not ok - $*"; failed=$((failed + 1)); finish; }

super() { # super DIR SQL: one query as the superuser, unaligned
    runuser -u postgres -- "$PGBIN/psql" -X -At -v ON_ERROR_STOP=1 -h "$1/run" -U postgres -d biq -c "$2"
}
as_app() { # as_app DIR SQL: the application role, no tenant setting
    "$PGBIN/psql" -X -At -v ON_ERROR_STOP=1 -h "$1/run" -U biq_app -d biq -c "$2"
}

start_serve() { # start_serve DIR: biq serve on the cluster in DIR; sets $server, $base
    local log port=
    log="$work/serve-$(basename "$1").log"
    BIQ_DATABASE_URL="postgresql:///biq?host=$1/run&user=biq_app" BIQ_APP_ID="$APP_ID" \
        BIQ_JWKS_FILE="$work/keys/jwks.json" BIQ_LISTEN=127.0.0.1:0 BIQ_WORKERS=4 \
        ./build/biq serve >"$log" 2>&1 &
    server=$!
    for _ in $(seq 1 200); do
        port=$(grep -o '"msg":"listening".*"port":[0-9]*' "$log" 2>/dev/null | grep -o '[0-9]*$' || true)
        [ -n "$port" ] && break
        sleep 0.05
    done
    [ -n "$port" ] || { cat "$log"; fatal "biq serve did not start on $1"; }
    base="http://127.0.0.1:$port"
}
stop_serve() { kill "$server"; wait "$server" 2>/dev/null || true; server=; }
ready() { # ready: /readyz answers 200 within 10 s
    for _ in $(seq 1 100); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" = 200 ] && return 0
        sleep 0.1
    done
    return 1
}
lifecycle() { # lifecycle TENANT installed|uninstalled
    local t
    t=$(BIQ_DEV_MODULE="core:endpoint biq-lifecycle" ./build/biq-dev token "$work/keys" "$KID" "$APP_ID" "$1")
    curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $t" -H 'Content-Type: application/json' \
        -d "{\"eventType\":\"avi:forge:$2:app\",\"context\":\"ari:cloud:jira::site/drill\"}" \
        "$base/forge/lifecycle"
}
events() { # events TENANT FROM COUNT PROJECT OUT: acknowledged ids appended to OUT
    node tests/ops/drive-events.js --base "$base" --keys "$work/keys" --kid "$KID" --app "$APP_ID" \
        --tenant "$1" --template "$TEMPLATE" --from "$2" --count "$3" --project "$4" >>"$5"
}
ids_of() { # ids_of DIR TENANT: the tenant's issue ids, sorted
    super "$1" "SELECT issue_id FROM issues WHERE tenant_id = '$2' ORDER BY 1" | sort
}
tenant_rows() { # tenant_rows DIR TENANT: rows of TENANT in every table with tenant_id
    local sql
    sql=$(super "$1" "SELECT string_agg(format('SELECT count(*) FROM %I.%I WHERE tenant_id = %L',
            table_schema, table_name, '$2'), ' UNION ALL ') FROM information_schema.columns
          WHERE column_name = 'tenant_id' AND table_schema = 'public'")
    super "$1" "SELECT sum(count) FROM ($sql) s"
}

walls_hold() { # walls_hold DIR: RLS, role and grant probes on a restored cluster
    local d=$1 bad n rows tables
    bad=$(super "$d" "SELECT string_agg(c.relname, ',') FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
          WHERE ns.nspname = 'public' AND c.relkind = 'r' AND EXISTS (SELECT 1 FROM pg_attribute a
          WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
          AND NOT (c.relrowsecurity AND c.relforcerowsecurity)")
    [ -z "$bad" ] || { echo "  tables without forced RLS: $bad"; return 1; }
    n=$(super "$d" "SELECT count(*) FROM pg_roles WHERE rolname = 'biq_app' AND NOT rolsuper AND NOT rolbypassrls")
    [ "$n" = 1 ] || { echo "  biq_app is superuser or BYPASSRLS"; return 1; }
    n=$(super "$d" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'biq_app'")
    [ "$n" = 0 ] || { echo "  biq_app owns $n tables"; return 1; }
    tables=$(super "$d" "SELECT table_name FROM information_schema.columns WHERE column_name = 'tenant_id' AND table_schema = 'public'")
    for t in $tables; do
        rows=$(as_app "$d" "SELECT count(*) FROM $t")
        [ "$rows" = 0 ] || { echo "  biq_app sees $rows rows of $t without a tenant"; return 1; }
    done
    # and a write without a tenant is refused by the policy's WITH CHECK
    if as_app "$d" "INSERT INTO projects (tenant_id, project_id, key) VALUES ('$TEN_A', 999999, 'X')" >/dev/null 2>&1; then
        echo "  biq_app inserted a row without a tenant setting"; return 1
    fi
    [ "$(super "$d" "SELECT count(*) FROM issues")" -gt 0 ]
}

only_backups_after() { # only_backups_after EPOCH LSN: every backup started after EPOCH, no WAL before LSN's segment
    local info starts min seg
    info=$(runuser -u postgres -- pgbackrest --config="$repo/pgbackrest.conf" --stanza=biq info --output=json)
    starts=$(echo "$info" | jq -r '.[0].backup[].timestamp.start')
    [ -n "$starts" ] || { echo "  no backup left"; return 1; }
    for s in $starts; do
        [ "$s" -gt "$1" ] || { echo "  backup started at $s, before $1, is still there"; return 1; }
    done
    min=$(echo "$info" | jq -r '[.[0].archive[].min] | min')
    seg=$2
    [[ "$min" > "$seg" || "$min" == "$seg" ]] || { echo "  WAL $min (before $seg) is still in the repository"; return 1; }
}

command -v pgbackrest >/dev/null || fatal "pgbackrest not installed (scripts/deps.sh pgbackrest)"
[ -f "$TEMPLATE" ] || fatal "no webhook template at $TEMPLATE"
make -s build/biq build/biq-dev

# --- 1. the primary, with archiving; data for three tenants
mkdir -p "$work/keys"
./build/biq-dev keygen "$work/keys" "$KID"
chmod o+x "$work"
bash scripts/backup.sh --pg-dir "$work/pg1" --repo "$repo" --conf-only
eval "$(bash scripts/pg.sh start "$work/pg1" --archive "$repo/pgbackrest.conf")"
./build/biq migrate >/dev/null 2>&1 || fatal "biq migrate"
start_serve "$work/pg1"
ready || fatal "readyz on the primary"
for t in "$TEN_A" "$TEN_C" "$TEN_D"; do lifecycle "$t" installed; done
: >"$work/acked-0"
events "$TEN_A" 100000 200 DR "$work/acked-0"
events "$TEN_C" 200000 100 CC "$work/ignored"
events "$TEN_D" 300000 100 DD "$work/ignored"
check "data loaded before the backup (200 events of A acknowledged)" test "$(wc -l <"$work/acked-0")" -eq 200

# --- 2. backup, events, target, events, destroy, restore to the target
bash scripts/backup.sh --pg-dir "$work/pg1" --repo "$repo" --type full >/dev/null || fatal "full backup"
: >"$work/acked-1"
: >"$work/acked-2"
events "$TEN_A" 1000000 "$EVENTS" DR "$work/acked-1"
target=$(super "$work/pg1" "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
events "$TEN_A" 2000000 "$EVENTS" DR "$work/acked-2"
check "every event before the target acknowledged ($EVENTS)" test "$(wc -l <"$work/acked-1")" -eq "$EVENTS"
check "events after the target acknowledged ($EVENTS)" test "$(wc -l <"$work/acked-2")" -eq "$EVENTS"
# the WAL up to now reaches the repository (what archive_timeout does within 60 s)
runuser -u postgres -- pgbackrest --config="$repo/pgbackrest.conf" --stanza=biq check >/dev/null
stop_serve
pkill -9 -F "$work/pg1/data/postmaster.pid" 2>/dev/null || kill -9 "$(head -1 "$work/pg1/data/postmaster.pid")"
sleep 0.5
rm -rf "$work/pg1"
check "the primary is gone" test ! -e "$work/pg1"

rto_start=$(date +%s.%N)
out=$(bash scripts/restore.sh --pg-dir "$work/pg2" --repo "$repo" --target "$target" 2>"$work/restore.log") ||
    { cat "$work/restore.log"; fatal "restore to $target"; }
eval "$out"
start_serve "$work/pg2"
check "restored cluster: biq serve answers /readyz 200" ready
echo "# restore to the target until /readyz 200: $(awk -v s="$rto_start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
ids_of "$work/pg2" "$TEN_A" >"$work/restored"
sort "$work/acked-0" "$work/acked-1" >"$work/expected"
check "every event acknowledged before the target is restored ($(wc -l <"$work/expected"))" \
    test -z "$(comm -23 "$work/expected" "$work/restored")"
check "no event after the target is restored" test -z "$(sort "$work/acked-2" | comm -12 - "$work/restored")"
check "nothing else is restored for tenant A" test -z "$(comm -13 "$work/expected" "$work/restored")"
check "the tenant walls hold on the restored database" walls_hold "$work/pg2"
token=$(./build/biq-dev token "$work/keys" "$KID" "$APP_ID" "$TEN_A" 10000 DR)
check "an authenticated read on the restored server answers 200" \
    test "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/api/v1/tenant")" = 200
check "the backup holds tenant C (it was loaded before)" test "$(tenant_rows "$work/pg2" "$TEN_C")" -gt 0

# --- 3. retention: uninstall C, pgBackRest's expiry, restore the newest backup
lifecycle "$TEN_C" uninstalled
check "uninstall: 0 rows of C in the live database" test "$(tenant_rows "$work/pg2" "$TEN_C")" = 0
uninstalled=$(date +%s)
seg=$(super "$work/pg2" "SELECT pg_walfile_name(pg_current_wal_lsn())")
sleep 1
bash scripts/backup.sh --pg-dir "$work/pg2" --repo "$repo" --type full \
    --repo1-retention-full-type=count --repo1-retention-full=1 >/dev/null || fatal "full backup with count retention"
check "expiry left only backups started after the uninstall, no WAL from before it" \
    only_backups_after "$uninstalled" "$seg"
stop_serve
bash scripts/pg.sh stop "$work/pg2"
out=$(bash scripts/restore.sh --pg-dir "$work/pg3" --repo "$repo" 2>>"$work/restore.log") ||
    { cat "$work/restore.log"; fatal "restore of the newest backup"; }
eval "$out"
check "newest backup restored: 0 rows of the uninstalled tenant C" test "$(tenant_rows "$work/pg3" "$TEN_C")" = 0
check "newest backup restored: tenants A and D are there" \
    test "$(tenant_rows "$work/pg3" "$TEN_A")" -gt 0 -a "$(tenant_rows "$work/pg3" "$TEN_D")" -gt 0

# --- 4. manual purge on request: uninstall D, scripts/purge-backups.sh
start_serve "$work/pg3"
ready || fatal "readyz on the restored cluster"
lifecycle "$TEN_D" uninstalled
stop_serve
uninstalled=$(date +%s)
seg=$(super "$work/pg3" "SELECT pg_walfile_name(pg_current_wal_lsn())")
sleep 1
bash scripts/purge-backups.sh --pg-dir "$work/pg3" --repo "$repo" --installation "$TEN_D" >"$work/purge.log" 2>&1 ||
    { cat "$work/purge.log"; fatal "purge-backups.sh"; }
check "purge on request: only backups after the uninstall of D, no WAL from before it" \
    only_backups_after "$uninstalled" "$seg"
check "purge refuses a tenant that is still installed" \
    bash -c "! bash scripts/purge-backups.sh --pg-dir '$work/pg3' --repo '$repo' --installation '$TEN_A' >/dev/null 2>&1"
bash scripts/pg.sh stop "$work/pg3"
out=$(bash scripts/restore.sh --pg-dir "$work/pg4" --repo "$repo" 2>>"$work/restore.log") ||
    { cat "$work/restore.log"; fatal "restore after the purge"; }
eval "$out"
check "after the purge, the newest backup restored holds 0 rows of D" test "$(tenant_rows "$work/pg4" "$TEN_D")" = 0
finish
