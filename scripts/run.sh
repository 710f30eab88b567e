#!/usr/bin/env bash
# `make run`: the product on this machine, from nothing.
#
# Installs what is missing, builds, starts a PostgreSQL cluster under ./var
# (kept between runs) that archives its WAL to a pgBackRest repository in
# ./var/backup, migrates, makes a local development signing key
# (./var/keys, standing in for Atlassian's), starts the backend, installs a
# demo tenant, takes a full backup and prints how to reach it. Ctrl-C stops
# everything. Backups from then on: `make backup`, on a schedule
# (docs/operations.md "Backups"); restores: `make restore TARGET=...`.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${BIQ_PORT:-8080}
METRICS_LISTEN=${BIQ_METRICS_LISTEN:-127.0.0.1:9090}
KID="forge/invocation-token/wf-dev-local"
APP_ID="ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000de"
TENANT="ari:cloud:ecosystem::installation/00000000-0000-4000-8000-00000000de00"
REAL_TENANT="ari:cloud:ecosystem::installation/00000000-0000-4000-8000-00000000de01"
VAR="$PWD/var"

bash scripts/deps.sh pgbackrest
make -s -j"$(nproc 2>/dev/null || echo 2)" build/biq build/biq-dev

mkdir -p "$VAR/keys"
bash scripts/backup.sh --pg-dir "$VAR/pg" --repo "$VAR/backup" --conf-only
eval "$(bash scripts/pg.sh start "$VAR/pg" --archive "$VAR/backup/pgbackrest.conf")"
./build/biq migrate
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
    echo "stopped (data kept in ./var; rm -rf var to start afresh)"
}
trap stop INT TERM EXIT

BIQ_APP_ID="$APP_ID" BIQ_JWKS_FILE="$VAR/keys/jwks.json" BIQ_LISTEN="127.0.0.1:$PORT" \
    BIQ_METRICS_LISTEN="$METRICS_LISTEN" ./build/biq serve >>"$VAR/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { tail -5 "$VAR/server.log"; exit 1; }
    sleep 0.1
done

token() { ./build/biq-dev token "$VAR/keys" "$KID" "$APP_ID" "$TENANT" "$@"; }
curl -fs -X POST -H "Authorization: Bearer $(BIQ_DEV_MODULE="core:endpoint biq-lifecycle" token)" \
    -H 'Content-Type: application/json' \
    -d '{"eventType":"avi:forge:installed:app","context":"ari:cloud:jira::site/demo"}' \
    "http://127.0.0.1:$PORT/forge/lifecycle" >/dev/null
if [ ! -f "$VAR/demo-loaded" ]; then
    bash scripts/demo-data.sh "http://127.0.0.1:$PORT" "$VAR/keys" "$KID" "$APP_ID" "$TENANT" \
        "$REAL_TENANT"
    touch "$VAR/demo-loaded"
fi
# A full backup on every start (the schedule in docs/operations.md adds
# daily fulls and hourly differentials).
backup_line=$(bash scripts/backup.sh --pg-dir "$VAR/pg" --repo "$VAR/backup" --type full 2>&1 | tail -1) ||
    backup_line="backup FAILED (see var/backup/log): $backup_line"

# The Custom UI outside Jira: tools/devhost serves ui/dist and signs the UI's
# calls with the dev key (never part of the production binary).
UI_PORT=${BIQ_UI_PORT:-8090}
ui_line="(UI not started: node/npm not found)"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    :
elif ! { [ -d ui/node_modules ] || npm ci --prefix ui --no-audit --no-fund; } >>"$VAR/devhost.log" 2>&1 ||
     ! { [ -f ui/dist/index.html ] || npm run --prefix ui build; } >>"$VAR/devhost.log" 2>&1; then
    ui_line="(UI not started: its build failed, see var/devhost.log)"
else
    node tools/devhost/main.js --port "$UI_PORT" --backend "http://127.0.0.1:$PORT" \
        --keys "$VAR/keys" >>"$VAR/devhost.log" 2>&1 &
    devhost_pid=$!
    ui_line="UI (dev host), one page per Jira module, each with that module's token:
  project page      http://127.0.0.1:$UI_PORT/project/PAY   (also /project/MOB, /project/EE?installation=de01: real data)
  issue panel       http://127.0.0.1:$UI_PORT/issue/PAY-12
  project settings  http://127.0.0.1:$UI_PORT/project/PAY/settings   (what a project admin opens)
  admin page        http://127.0.0.1:$UI_PORT/admin   (what a Jira admin opens)
  (log: var/devhost.log)"
fi

cat <<MSG

BottleneckIQ backend is running at http://127.0.0.1:$PORT   (log: var/server.log)
$ui_line
$backup_line
  make backup [TYPE=diff]   make restore TARGET='YYYY-MM-DD HH:MM:SS+00'   (docs/operations.md)

  curl http://127.0.0.1:$PORT/healthz
  curl http://$METRICS_LISTEN/metrics     (the metrics listener, BIQ_METRICS_LISTEN)
  curl -H "Authorization: Bearer \$(./build/biq-dev token var/keys $KID \\
        $APP_ID \\
        $TENANT 10000 DEMO)" \\
       http://127.0.0.1:$PORT/api/v1/tenant

The demo installation holds three generated projects (see the tenant's
counts); the real DevLake data (projects EE, K5) is a second installation:
$REAL_TENANT.
Tokens live 25 seconds, as Forge's do: make a new one per call.
Press Ctrl-C to stop.
MSG
wait "$server_pid"
