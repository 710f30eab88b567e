#!/usr/bin/env bash
# `make run`: the product on this machine, from nothing.
#
# Installs what is missing, builds, starts a PostgreSQL cluster under ./var
# (kept between runs) that archives its WAL to a pgBackRest repository in
# ./var/backup, migrates, makes a local development signing key
# (./var/keys, standing in for Atlassian's), starts the backend, installs a
# demo tenant, takes a full backup and prints how to reach it. Ctrl-C stops
# everything and exits 0. Backups from then on: `make backup`, on a schedule
# (docs/operations.md "Backups"); restores: `make restore TARGET=...`.
#
# It talks: one line per step with the time since start, and a line at
# least every RUN_HEARTBEAT_S seconds while a long step runs (its own output
# goes to a log under ./var). tests/ops/run-talks.sh checks that.
#
# Environment: BIQ_PORT (8080), BIQ_UI_PORT (8090), BIQ_METRICS_LISTEN
# (127.0.0.1:9090), BIQ_RUN_VAR (./var), BIQ_DEMO_ISSUES (3000).
set -euo pipefail
cd "$(dirname "$0")/.."

RUN_HEARTBEAT_S=4
DEMO_MAX_AGE_DAYS=7
PORT=${BIQ_PORT:-8080}
METRICS_LISTEN=${BIQ_METRICS_LISTEN:-127.0.0.1:9090}
KID="forge/invocation-token/wf-dev-local"
APP_ID="ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000de"
TENANT="ari:cloud:ecosystem::installation/00000000-0000-4000-8000-00000000de00"
REAL_TENANT="ari:cloud:ecosystem::installation/00000000-0000-4000-8000-00000000de01"
VAR=$(realpath -m "${BIQ_RUN_VAR:-$PWD/var}")

# step LABEL: a line saying what starts now, with the time since start.
step() { printf '[%5.1fs] %s\n' "$(awk -v s="$SECONDS" 'BEGIN { print s }')" "$*"; }

# quietly LOG LABEL CMD...: runs CMD with its output in LOG, printing a line
# every RUN_HEARTBEAT_S seconds while it runs; returns its status.
quietly() {
    local log=$1 label=$2 pid rc=0 waited=0
    shift 2
    "$@" >>"$log" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        sleep 1
        waited=$((waited + 1))
        [ $((waited % RUN_HEARTBEAT_S)) -eq 0 ] && kill -0 "$pid" 2>/dev/null &&
            step "  ... $label ($waited s; log: ${log#"$PWD"/})"
    done
    wait "$pid" || rc=$?
    return "$rc"
}

mkdir -p "$VAR/keys"
step "packages: checking the Debian packages (installs what is missing)"
quietly "$VAR/setup.log" "installing packages" bash scripts/deps.sh pgbackrest ||
    { tail -20 "$VAR/setup.log"; exit 1; }
step "build: build/biq and build/biq-dev"
quietly "$VAR/setup.log" "compiling" make -s -j"$(nproc 2>/dev/null || echo 2)" build/biq build/biq-dev ||
    { tail -20 "$VAR/setup.log"; exit 1; }
step "database: PostgreSQL 15 under ${VAR#"$PWD"/}/pg, WAL archived to ${VAR#"$PWD"/}/backup"
quietly "$VAR/setup.log" "configuring backups" \
    bash scripts/backup.sh --pg-dir "$VAR/pg" --repo "$VAR/backup" --conf-only
# shellcheck disable=SC2016 # the inner shell expands its own arguments
quietly "$VAR/setup.log" "starting PostgreSQL" bash -c 'bash scripts/pg.sh start "$1" --archive "$2" >"$3"' \
    _ "$VAR/pg" "$VAR/backup/pgbackrest.conf" "$VAR/pg.env" || { tail -20 "$VAR/setup.log"; exit 1; }
eval "$(cat "$VAR/pg.env")"
./build/biq migrate >"$VAR/migrate.log" 2>&1 || { cat "$VAR/migrate.log"; exit 1; }
applied=$(grep -c '"migration applied"' "$VAR/migrate.log" || true)
schema=$(find db/migrations -name '*.sql' | wc -l)
step "migrations: schema at version $schema ($applied applied now)"
[ -f "$VAR/keys/jwks.json" ] || ./build/biq-dev keygen "$VAR/keys" "$KID"
server_pid=
devhost_pid=
stop() {
    trap - INT TERM EXIT
    echo
    echo "stopping..."
    [ -n "$devhost_pid" ] && kill -TERM "$devhost_pid" 2>/dev/null
    [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    bash scripts/pg.sh stop "$VAR/pg"
    echo "stopped (data kept in ${VAR#"$PWD"/}; rm -rf it to start afresh)"
    exit 0
}
trap stop INT TERM EXIT

step "backend: biq serve on 127.0.0.1:$PORT"
BIQ_APP_ID="$APP_ID" BIQ_JWKS_FILE="$VAR/keys/jwks.json" BIQ_LISTEN="127.0.0.1:$PORT" \
    BIQ_METRICS_LISTEN="$METRICS_LISTEN" ./build/biq serve >>"$VAR/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { tail -5 "$VAR/server.log"; exit 1; }
    sleep 0.1
done

# A token of the demo installation, as BIQ_DEV_MODULE's module carries it.
token() { ./build/biq-dev token "$VAR/keys" "$KID" "$APP_ID" "$TENANT"; }
curl -fs -X POST -H "Authorization: Bearer $(BIQ_DEV_MODULE="core:endpoint biq-lifecycle" token)" \
    -H 'Content-Type: application/json' \
    -d '{"eventType":"avi:forge:installed:app","context":"ari:cloud:jira::site/demo"}' \
    "http://127.0.0.1:$PORT/forge/lifecycle" >/dev/null
if [ -f "$VAR/demo-loaded" ] && [ -n "$(find "$VAR/demo-loaded" -mtime +"$DEMO_MAX_AGE_DAYS")" ]; then
    demo_note="demo data generated on $(date -u -r "$VAR/demo-loaded" +%F), over $DEMO_MAX_AGE_DAYS days ago: its latest 30 days have aged; rm -rf ${VAR#"$PWD"/} and make run again for data ending today"
else
    demo_note=""
fi
if [ ! -f "$VAR/demo-loaded" ]; then
    step "demo data: ${BIQ_DEMO_ISSUES:-3000} generated issues in PAY, WEB, MOB, and the real DevLake captures (EE, K5)"
    quietly "$VAR/demo.log" "loading demo data" bash scripts/demo-data.sh "http://127.0.0.1:$PORT" \
        "$VAR/keys" "$KID" "$APP_ID" "$TENANT" "$REAL_TENANT" || { tail -20 "$VAR/demo.log"; exit 1; }
    touch "$VAR/demo-loaded"
else
    step "demo data: already loaded on $(date -u -r "$VAR/demo-loaded" +%F)"
fi
# A full backup on every start (the schedule in docs/operations.md adds
# daily fulls and hourly differentials).
step "backup: a full pgBackRest backup"
quietly "$VAR/backup-run.log" "backing up" \
    bash scripts/backup.sh --pg-dir "$VAR/pg" --repo "$VAR/backup" --type full &&
    backup_line=$(tail -1 "$VAR/backup-run.log") ||
    backup_line="backup FAILED (see ${VAR#"$PWD"/}/backup-run.log)"

# The Custom UI outside Jira: tools/devhost serves ui/dist and signs the UI's
# calls with the dev key (never part of the production binary).
UI_PORT=${BIQ_UI_PORT:-8090}
ui_line="(UI not started: node/npm not found)"
# ui/dist is rebuilt when any UI source is newer than it (after a git pull).
ui_stale() {
    [ ! -f ui/dist/index.html ] ||
        [ -n "$(find ui/src ui/index.html ui/package.json ui/vite.config.* -newer ui/dist/index.html 2>/dev/null | head -1)" ]
}
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    :
else
    ui_ok=true
    if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules ]; then
        step "UI: installing its npm packages (npm ci)"
        quietly "$VAR/devhost.log" "npm ci" npm ci --prefix ui --no-audit --no-fund || ui_ok=false
    fi
    if $ui_ok && ui_stale; then
        step "UI: building ui/dist (its sources changed)"
        quietly "$VAR/devhost.log" "building the UI" npm run --prefix ui build || ui_ok=false
    fi
    if ! $ui_ok; then
        ui_line="(UI not started: its install or build failed, see ${VAR#"$PWD"/}/devhost.log)"
    else
        step "UI: the dev host on 127.0.0.1:$UI_PORT"
        node tools/devhost/main.js --port "$UI_PORT" --backend "http://127.0.0.1:$PORT" \
            --keys "$VAR/keys" >>"$VAR/devhost.log" 2>&1 &
        devhost_pid=$!
        ui_line="UI (dev host), one page per Jira module, each with that module's token:
  project page      http://127.0.0.1:$UI_PORT/project/PAY   (also /project/WEB, /project/MOB, /project/EE?installation=de01: real data)
  issue panel       http://127.0.0.1:$UI_PORT/issue/PAY-12
  project settings  http://127.0.0.1:$UI_PORT/project/PAY/settings   (what a project admin opens)
  admin page        http://127.0.0.1:$UI_PORT/admin   (what a Jira admin opens)
  (log: ${VAR#"$PWD"/}/devhost.log)"
    fi
fi
projects=$(curl -fs -H "Authorization: Bearer $(BIQ_DEV_MODULE="jira:adminPage biq-admin-page" token)" \
    "http://127.0.0.1:$PORT/api/v1/tenant" | sed -n 's/.*"counts":{[^}]*"projects":\([0-9]*\).*/\1/p')
step "ready"

cat <<MSG

BottleneckIQ backend is running at http://127.0.0.1:$PORT   (log: ${VAR#"$PWD"/}/server.log)
$ui_line
$backup_line
  make backup [TYPE=diff]   make restore TARGET='YYYY-MM-DD HH:MM:SS+00'   (docs/operations.md)
${demo_note:+$demo_note
}
The demo installation holds ${projects:-?} projects (PAY, WEB, MOB: generated, a
bottleneck forming in the latest 30 days); the real DevLake data (EE, K5,
2020-2022: open it "as of" a date of its own) is a second installation,
$REAL_TENANT.
Its dashboard, as the project page would read it (tokens live 25 seconds,
as Forge's do: make a new one per call):

  curl -H "Authorization: Bearer \$(./build/biq-dev token ${VAR#"$PWD"/}/keys $KID \\
        $APP_ID \\
        $TENANT 10000 PAY)" \\
       http://127.0.0.1:$PORT/api/v1/projects/PAY/dashboard
  curl http://$METRICS_LISTEN/metrics     (the metrics listener, BIQ_METRICS_LISTEN)

Press Ctrl-C to stop.
MSG
wait "$server_pid"
