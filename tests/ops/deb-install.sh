#!/usr/bin/env bash
# The Debian package test (issue 20), run by `make test`: builds the
# package (scripts/deb.sh, lintian must pass), installs it with `dpkg -i`
# on this machine, runs /usr/bin/biq migrate and /usr/bin/biq serve
# against a throwaway cluster (with the database URL from a 0600 _FILE, as
# the unit hands it over), checks the unit, man page and conffile, then
# removes the package (`dpkg -P`). Serialised by a lock, since it installs
# into the machine. Prints "ok -"/"not ok -" lines and "N passed, N failed".
# shellcheck disable=SC2317 # functions called through check / trap
set -euo pipefail
cd "$(dirname "$0")/../.."

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
APP_ID="ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000d2"
KID="forge/invocation-token/wf-deb"
work=$(mktemp -d /tmp/biq-deb-XXXXXX)
server=
installed=0
exec 9>/var/lock/biq-deb-test.lock
flock -w 600 9
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    [ "$installed" -eq 1 ] && dpkg -P biq >/dev/null 2>&1
    bash scripts/pg.sh stop "$work/pg" >/dev/null 2>&1
    rm -rf "$work"
    return 0
}
trap cleanup EXIT

passed=0
failed=0
check() {
    local name=$1
    shift
    if "$@"; then echo "ok - $name"; passed=$((passed + 1)); else echo "not ok - $name"; failed=$((failed + 1)); fi
}
finish() { echo "deb install: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

if ! bash scripts/deb.sh "$work/deb" >"$work/deb.log" 2>&1; then
    cat "$work/deb.log"
    check "make deb builds a lintian-clean package" false
    finish
fi
check "make deb builds a lintian-clean package" true
deb=$(ls "$work"/deb/biq_*.deb)
check "dpkg -i installs it" bash -c "dpkg -i '$deb' >/dev/null"
installed=1
check "/usr/bin/biq is the package's" test "$(dpkg -S /usr/bin/biq 2>/dev/null | cut -d: -f1)" = biq
check "biq.service, biq.env, biq(1), copyright and changelog are installed" \
    test -f /lib/systemd/system/biq.service -a -f /etc/biq/biq.env -a -f /usr/share/man/man1/biq.1.gz \
    -a -f /usr/share/doc/biq/copyright -a -f /usr/share/doc/biq/changelog.gz
unit_hardened() {
    local k
    for k in DynamicUser=yes ProtectSystem=strict NoNewPrivileges=yes 'CapabilityBoundingSet=$' \
             PrivateTmp=yes ProtectHome=yes 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' \
             EnvironmentFile=/etc/biq/biq.env; do
        grep -q "^$k" /lib/systemd/system/biq.service || { echo "  missing $k"; return 1; }
    done
}
check "the unit carries its hardening" unit_hardened
if command -v systemd-analyze >/dev/null; then
    check "systemd-analyze verify accepts the unit" \
        bash -c "systemd-analyze verify /lib/systemd/system/biq.service 2>&1 | grep -v 'root privileges' | grep -q . && exit 1 || exit 0"
fi
check "man biq renders" bash -c "man -l /usr/share/man/man1/biq.1.gz 2>/dev/null | grep -q BIQ_DATABASE_URL"
check "/usr/bin/biq --help names serve and migrate" bash -c "/usr/bin/biq --help 2>&1 | grep -q migrate"

eval "$(bash scripts/pg.sh start "$work/pg")"
check "/usr/bin/biq migrate against a throwaway cluster" bash -c "/usr/bin/biq migrate >'$work/migrate.log' 2>&1"
make -s build/biq-dev
mkdir -p "$work/keys"
./build/biq-dev keygen "$work/keys" "$KID"
printf '%s\n' "$BIQ_DATABASE_URL" >"$work/database-url"
chmod 0644 "$work/database-url"
check "/usr/bin/biq serve refuses a world-readable secret file" bash -c \
    "env -u BIQ_DATABASE_URL BIQ_DATABASE_URL_FILE='$work/database-url' BIQ_APP_ID='$APP_ID' \
     BIQ_JWKS_FILE='$work/keys/jwks.json' BIQ_LISTEN=127.0.0.1:0 /usr/bin/biq serve 2>&1 |
     grep -q 'BIQ_DATABASE_URL_FILE: .*other users'"
chmod 0600 "$work/database-url"
env -u BIQ_DATABASE_URL BIQ_DATABASE_URL_FILE="$work/database-url" BIQ_APP_ID="$APP_ID" \
    BIQ_JWKS_FILE="$work/keys/jwks.json" BIQ_LISTEN=127.0.0.1:0 BIQ_WORKERS=2 \
    /usr/bin/biq serve >"$work/serve.log" 2>&1 &
server=$!
port=
for _ in $(seq 1 200); do
    port=$(grep -o '"msg":"listening".*"port":[0-9]*' "$work/serve.log" 2>/dev/null | grep -o '[0-9]*$' || true)
    [ -n "$port" ] && break
    sleep 0.05
done
ready=
for _ in $(seq 1 100); do
    if [ -n "$port" ]; then ready=$(curl -s -o /dev/null -w "%{http_code}" "http://127.0.0.1:$port/readyz" || true); fi
    [ "$ready" = 200 ] && break
    sleep 0.1
done
check "/usr/bin/biq serve answers /readyz 200" test "$ready" = 200
token=$(BIQ_DEV_MODULE="core:endpoint biq-lifecycle" ./build/biq-dev token "$work/keys" "$KID" "$APP_ID" \
    "ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000000d3")
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d '{"eventType":"avi:forge:installed:app"}' \
    "http://127.0.0.1:${port:-1}/forge/lifecycle" || true)
check "the installed server takes an install event (2xx)" test "${code:0:1}" = 2
kill "$server"
wait "$server" 2>/dev/null || true
server=
check "dpkg -P removes it" bash -c "dpkg -P biq >/dev/null"
installed=0
check "nothing of it is left" test ! -e /usr/bin/biq -a ! -e /lib/systemd/system/biq.service -a ! -e /etc/biq/biq.env
finish
