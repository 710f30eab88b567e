#!/usr/bin/env bash
# `make cluster`: the product as a cluster on one machine (issue 16).
#
#   PostgreSQL 15 primary ──streaming──> hot standby (pg_basebackup -R)
#        │                                    │
#   PgBouncer (transaction)             PgBouncer (transaction)
#        │ BIQ_DATABASE_URL                   │ BIQ_DATABASE_READ_URL
#        └──────── biq serve × N (3) ─────────┘
#                        │
#            HAProxy (round robin, health check GET /readyz)
#
# Installs pgbouncer and haproxy when missing (scripts/deps.sh), builds,
# migrates the primary directly (migrations hold a session advisory lock,
# which PgBouncer's transaction mode would not keep), loads the demo data
# through HAProxy as `make run` does, prints the URL and waits; Ctrl-C (or
# SIGTERM) stops every process it started and exits 0. Everything listens
# on 127.0.0.1 only: PostgreSQL on Unix sockets in its folder, every TCP
# port picked free at start.
#
#   scripts/cluster.sh [--instances N] [--dir DIR] [--no-demo] [--ready-file FILE]
#                      [--fresh]
#
# --dir: where the databases, configs and logs live (default ./var/cluster;
#   kept between runs unless --fresh). --ready-file: once everything is up,
#   write the cluster's coordinates there as shell `export` lines (the ops
#   test and the bench source it; see "ready file" below) and keep running.
# Environment: BIQ_DEMO_ISSUES (3000), BIQ_CLUSTER_WORKERS (workers per
# instance, 8), BIQ_ALERT_SWEEP_SECONDS (passed on), BIQ_CLUSTER_BIN (the
# biq binary to run, default ./build/biq: e.g. build-asan/biq).
set -euo pipefail
cd "$(dirname "$0")/.."

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
INSTANCES_DEFAULT=3
INSTANCES_MAX=9
WORKERS=${BIQ_CLUSTER_WORKERS:-8}
BIQ_BIN=${BIQ_CLUSTER_BIN:-./build/biq}
BOUNCER_POOL=60          # server connections per PgBouncer: >= instances * workers
BOUNCER_WAIT_PRIMARY_S=10  # a client's wait for a server connection, then an error
BOUNCER_WAIT_STANDBY_S=2   # the same on the standby's side: a gone standby costs this
READY_WAIT_TENTHS=300    # 30 s for a process to come up
HAPROXY_CHECK_MS=500     # health check interval; 2 failures mark a server down
KID="forge/invocation-token/wf-dev-local"
APP_ID="ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000de"
TENANT="ari:cloud:ecosystem::installation/00000000-0000-4000-8000-00000000de00"
REAL_TENANT="ari:cloud:ecosystem::installation/00000000-0000-4000-8000-00000000de01"

instances=$INSTANCES_DEFAULT
dir=$PWD/var/cluster
demo=true
ready_file=
fresh=false
while [ $# -gt 0 ]; do
    case "$1" in
    --instances) instances=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --no-demo) demo=false; shift ;;
    --ready-file) ready_file=$2; shift 2 ;;
    --fresh) fresh=true; shift ;;
    *) echo "cluster.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
case "$instances" in ''|*[!0-9]*) echo "cluster.sh: --instances wants 1..$INSTANCES_MAX" >&2; exit 2 ;; esac
if [ "$instances" -lt 1 ] || [ "$instances" -gt "$INSTANCES_MAX" ]; then
    echo "cluster.sh: --instances wants 1..$INSTANCES_MAX" >&2
    exit 2
fi
dir=$(realpath -m "$dir")

step() { printf '[%5.1fs] %s\n' "$(awk -v s="$SECONDS" 'BEGIN { print s }')" "$*"; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# A free loopback TCP port (the kernel's pick; the short race until the
# process binds it is accepted for a development cluster).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for WHAT PID CMD...: until CMD succeeds, or PID dies, or the wait ends.
wait_for() {
    local what=$1 pid=$2 i
    shift 2
    for ((i = 0; i < READY_WAIT_TENTHS; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && { echo "cluster.sh: $what exited" >&2; return 1; }
        sleep 0.1
    done
    echo "cluster.sh: $what did not come up" >&2
    return 1
}

pids=()          # every background process we started, stopped in reverse order
standby_data=
stop() {
    local rc=$? i
    trap - INT TERM EXIT
    echo
    step "stopping..."
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        kill -TERM "${pids[i]}" 2>/dev/null || true
    done
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        wait "${pids[i]}" 2>/dev/null || true
    done
    if [ -n "$standby_data" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$standby_data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    bash scripts/pg.sh stop "$dir/primary" || true
    [ -n "$ready_file" ] && rm -f "$ready_file"
    step "stopped (data kept in $dir)"
    # Ctrl-C and SIGTERM are the normal way out.
    [ "$rc" -eq 130 ] || [ "$rc" -eq 143 ] && rc=0
    exit "$rc"
}
trap 'exit 130' INT
trap 'exit 143' TERM
trap stop EXIT

if $fresh; then
    bash scripts/pg.sh stop "$dir/primary" >/dev/null 2>&1 || true
    as_pg "$PGBIN/pg_ctl" -D "$dir/standby/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
fi
mkdir -p "$dir/logs" "$dir/keys" "$dir/etc"
# PostgreSQL and PgBouncer run as postgres: their configs and logs too.
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir/logs" "$dir/etc"
step "packages: pgbouncer, haproxy (installs what is missing)"
bash scripts/deps.sh pgbouncer haproxy >>"$dir/logs/setup.log" 2>&1 || { tail -20 "$dir/logs/setup.log"; exit 1; }
step "build: build/biq and build/biq-dev"
make -s -j"$(nproc 2>/dev/null || echo 2)" build/biq build/biq-dev >>"$dir/logs/setup.log" 2>&1 ||
    { tail -20 "$dir/logs/setup.log"; exit 1; }

# ---------------------------------------------------------------- primary
step "primary: PostgreSQL 15 under ${dir#"$PWD"/}/primary"
bash scripts/pg.sh start "$dir/primary" >"$dir/primary.env"
# shellcheck disable=SC1091
. "$dir/primary.env"
primary_sock=$BIQ_PG_SOCKET
"$BIQ_BIN" migrate >"$dir/logs/migrate.log" 2>&1 || { cat "$dir/logs/migrate.log"; exit 1; }

# ---------------------------------------------------------------- standby
standby_data=$dir/standby/data
standby_sock=$dir/standby/run
if [ ! -f "$standby_data/PG_VERSION" ]; then
    step "standby: pg_basebackup -R from the primary"
    mkdir -p "$dir/standby"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir/standby"
    as_pg mkdir -p "$standby_sock"
    as_pg "$PGBIN/pg_basebackup" -h "$primary_sock" -U postgres -D "$standby_data" -R -X stream \
        -c fast >>"$dir/logs/setup.log" 2>&1
    # The copied postgresql.conf names the primary's socket: the lines
    # appended last win.
    as_pg tee -a "$standby_data/postgresql.conf" >/dev/null <<CONF
# written by scripts/cluster.sh: the hot standby
unix_socket_directories = '$standby_sock'
hot_standby = on
hot_standby_feedback = on
max_standby_streaming_delay = 5s
CONF
else
    step "standby: existing, under ${dir#"$PWD"/}/standby"
fi
as_pg "$PGBIN/pg_ctl" -D "$standby_data" status >/dev/null 2>&1 ||
    as_pg "$PGBIN/pg_ctl" -D "$standby_data" -l "$dir/logs/standby.log" -w -t 60 start >/dev/null
wait_for "the standby" "" as_pg "$PGBIN/psql" -X -At -h "$standby_sock" -U postgres -d biq -c 'SELECT 1'

# -------------------------------------------------------------- pgbouncers
# Transaction pooling: a server connection serves one transaction of one
# client at a time. Trust on loopback only, as the clusters of pg.sh trust
# their private socket.
start_bouncer() {
    local name=$1 sock=$2 port=$3 wait_s=$4 conf=$dir/etc/$1.ini
    as_pg tee "$dir/etc/$name.users" >/dev/null <<USERS
"biq_app" ""
"biq_owner" ""
"postgres" ""
USERS
    as_pg tee "$conf" >/dev/null <<INI
[databases]
biq = host=$sock dbname=biq

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/etc/$name.users
pool_mode = transaction
max_client_conn = 2000
default_pool_size = $BOUNCER_POOL
max_db_connections = $BOUNCER_POOL
server_connect_timeout = 2
server_login_retry = 1
query_wait_timeout = $wait_s
admin_users = postgres
logfile = $dir/logs/$name.log
ignore_startup_parameters = extra_float_digits
INI
    if [ "$(id -u)" -eq 0 ]; then
        pgbouncer -u postgres "$conf" >>"$dir/logs/$name.out" 2>&1 &
    else
        pgbouncer "$conf" >>"$dir/logs/$name.out" 2>&1 &
    fi
    pids+=($!)
    bouncer_pids+=($!)
    wait_for "PgBouncer ($name)" "$!" \
        psql -X -At "postgresql://biq_app@127.0.0.1:$port/biq" -c 'SELECT 1'
}
bouncer_pids=()
bouncer_port=$(free_port)
bouncer_read_port=$(free_port)
step "pgbouncer: transaction pooling, primary on 127.0.0.1:$bouncer_port, standby on 127.0.0.1:$bouncer_read_port"
# A client waits at most query_wait_timeout for a server connection: on
# the standby's side that is the bound on a read while the standby is
# gone (the backend then reads the primary and stops trying the standby
# for a while, store/replica.h).
start_bouncer bouncer-primary "$primary_sock" "$bouncer_port" "$BOUNCER_WAIT_PRIMARY_S"
start_bouncer bouncer-standby "$standby_sock" "$bouncer_read_port" "$BOUNCER_WAIT_STANDBY_S"
db_url="postgresql://biq_app@127.0.0.1:$bouncer_port/biq"
read_url="postgresql://biq_app@127.0.0.1:$bouncer_read_port/biq"

# -------------------------------------------------------------- instances
[ -f "$dir/keys/jwks.json" ] || ./build/biq-dev keygen "$dir/keys" "$KID" >/dev/null
ports=() metrics_ports=() instance_pids=()
for ((i = 1; i <= instances; i++)); do
    ports+=("$(free_port)")
    metrics_ports+=("$(free_port)")
done
step "backend: $instances × biq serve on 127.0.0.1:${ports[*]}"
for ((i = 0; i < instances; i++)); do
    BIQ_APP_ID="$APP_ID" BIQ_JWKS_FILE="$dir/keys/jwks.json" BIQ_LISTEN="127.0.0.1:${ports[i]}" \
        BIQ_METRICS_LISTEN="127.0.0.1:${metrics_ports[i]}" BIQ_DATABASE_URL="$db_url" \
        BIQ_DATABASE_READ_URL="$read_url" BIQ_WORKERS="$WORKERS" \
        "$BIQ_BIN" serve >>"$dir/logs/biq-$((i + 1)).log" 2>&1 &
    pids+=($!)
    instance_pids+=($!)
done
for ((i = 0; i < instances; i++)); do
    wait_for "biq serve $((i + 1))" "${instance_pids[i]}" curl -fs "http://127.0.0.1:${ports[i]}/readyz"
done

# ---------------------------------------------------------------- haproxy
port=$(free_port)
servers=
for ((i = 0; i < instances; i++)); do
    servers+="    server biq$((i + 1)) 127.0.0.1:${ports[i]} check"$'\n'
done
cat >"$dir/haproxy.cfg" <<CFG
# written by scripts/cluster.sh
global
    maxconn 4096
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # A connection refused by a dead instance is tried on another one; a
    # request already sent is never replayed (events are not idempotent
    # at the HTTP level: the client retries).
    retries 2
    option redispatch
frontend biq
    bind 127.0.0.1:$port
    default_backend biq_serve
backend biq_serve
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter ${HAPROXY_CHECK_MS} fall 2 rise 2
$servers
CFG
step "haproxy: 127.0.0.1:$port, round robin over $instances, health check GET /readyz"
haproxy -f "$dir/haproxy.cfg" -db >>"$dir/logs/haproxy.log" 2>&1 &
pids+=($!)
haproxy_pid=$!
url="http://127.0.0.1:$port"
wait_for "HAProxy" "$haproxy_pid" curl -fs "$url/readyz"

# ------------------------------------------------------------------- demo
token() { ./build/biq-dev token "$dir/keys" "$KID" "$APP_ID" "$TENANT"; }
if $demo; then
    curl -fs -X POST -H "Authorization: Bearer $(BIQ_DEV_MODULE="core:endpoint biq-lifecycle" token)" \
        -H 'Content-Type: application/json' \
        -d '{"eventType":"avi:forge:installed:app","context":"ari:cloud:jira::site/demo"}' \
        "$url/forge/lifecycle" >/dev/null
    if [ ! -f "$dir/demo-loaded" ]; then
        step "demo data: ${BIQ_DEMO_ISSUES:-3000} generated issues and the DevLake captures, through HAProxy"
        bash scripts/demo-data.sh "$url" "$dir/keys" "$KID" "$APP_ID" "$TENANT" "$REAL_TENANT" \
            >>"$dir/logs/demo.log" 2>&1 || { tail -20 "$dir/logs/demo.log"; exit 1; }
        touch "$dir/demo-loaded"
    else
        step "demo data: already loaded"
    fi
fi

# ------------------------------------------------------------- ready file
# The coordinates, for tests/ops/cluster.sh and bench/cluster.sh.
if [ -n "$ready_file" ]; then
    {
        echo "export CLUSTER_URL='$url' CLUSTER_DIR='$dir' CLUSTER_HAPROXY_PID=$haproxy_pid"
        echo "export CLUSTER_PORTS='${ports[*]}' CLUSTER_METRICS_PORTS='${metrics_ports[*]}'"
        echo "export CLUSTER_PIDS='${instance_pids[*]}'"
        echo "export CLUSTER_PRIMARY_SOCK='$primary_sock' CLUSTER_STANDBY_SOCK='$standby_sock'"
        echo "export CLUSTER_STANDBY_DATA='$standby_data'"
        echo "export CLUSTER_DB_URL='$db_url' CLUSTER_READ_URL='$read_url'"
        echo "export CLUSTER_BOUNCER_PORTS='$bouncer_port $bouncer_read_port' CLUSTER_BOUNCER_PIDS='${bouncer_pids[*]}'"
        echo "export CLUSTER_KEYS='$dir/keys' CLUSTER_KID='$KID' CLUSTER_APP='$APP_ID' CLUSTER_TENANT='$TENANT'"
    } >"$ready_file.tmp"
    mv "$ready_file.tmp" "$ready_file"
fi
step "ready"
cat <<MSG

BottleneckIQ cluster is running at $url   (HAProxy; logs in $dir/logs)
  instances    ${ports[*]/#/127.0.0.1:}   (metrics: ${metrics_ports[*]/#/127.0.0.1:})
  PgBouncer    primary 127.0.0.1:$bouncer_port, standby 127.0.0.1:$bouncer_read_port (transaction pooling)
  PostgreSQL   primary $primary_sock, hot standby $standby_sock
  A dashboard through HAProxy (tokens live 25 s; make one per call):

  curl -H "Authorization: Bearer \$(./build/biq-dev token ${dir#"$PWD"/}/keys $KID \\
        $APP_ID \\
        $TENANT 10000 PAY)" \\
       $url/api/v1/projects/PAY/dashboard
  curl http://127.0.0.1:${metrics_ports[0]}/metrics | grep biq_replica   (lag, reads by source)

Press Ctrl-C to stop.
MSG
# Waits for a signal; `wait` returns at once when one arrives.
while true; do
    sleep 3600 &
    pids+=($!)
    wait $! || true
done
