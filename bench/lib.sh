# lib.sh - shared by the server benchmarks (sourced, not run): the
# superuser psql of the throwaway cluster, a fresh migrated database, and a
# `biq serve` on a free port. Expects BIQ_PG_SOCKET from scripts/pg.sh.

BENCH_APP_ID="ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000be"
BENCH_KID="forge/invocation-token/wf-bench"

super="psql -X -q -v ON_ERROR_STOP=1 -h $BIQ_PG_SOCKET -U postgres"
if [ "$(id -u)" -eq 0 ]; then super="runuser -u postgres -- $super"; fi

# bench_fresh_db NAME: drops and recreates NAME owned by biq_owner, migrated.
bench_fresh_db() {
    $super -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1" \
        -c "CREATE DATABASE $1 OWNER biq_owner"
    BIQ_MIGRATE_DATABASE_URL="postgresql:///$1?host=$BIQ_PG_SOCKET&user=biq_owner" \
        ./build/biq migrate >/dev/null
}

# bench_serve DB KEYS_DIR LOG: starts the server on DB trusting KEYS_DIR's
# JWKS; sets $server (pid), $port and $metrics_port (BIQ_METRICS_LISTEN:
# /metrics, /healthz, /readyz), and kills it on exit.
bench_serve() {
    BIQ_DATABASE_URL="postgresql:///$1?host=$BIQ_PG_SOCKET&user=biq_app" BIQ_APP_ID="$BENCH_APP_ID" \
        BIQ_JWKS_FILE="$2/jwks.json" BIQ_LISTEN=127.0.0.1:0 \
        BIQ_METRICS_LISTEN=127.0.0.1:0 ./build/biq serve >"$3" 2>&1 &
    server=$!
    trap 'kill $server 2>/dev/null || true' EXIT
    port=
    for _ in $(seq 1 200); do
        port=$(grep -o '"msg":"listening".*"port":[0-9]*' "$3" 2>/dev/null | grep -o '[0-9]*$' || true)
        metrics_port=$(grep -o '"metrics_port":[0-9]*' "$3" 2>/dev/null | grep -o '[0-9]*$' || true)
        [ -n "$port" ] && [ -n "$metrics_port" ] && return 0
        sleep 0.05
    done
    echo "bench: the server did not start:" >&2
    cat "$3" >&2
    return 1
}

# bench_stop: stops the server started by bench_serve.
bench_stop() {
    kill "$server"
    wait "$server" 2>/dev/null || true
    trap - EXIT
}
