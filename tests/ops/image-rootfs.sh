#!/usr/bin/env bash
# The OCI image test (issue 20), run by `make test`: builds the image
# (scripts/image.sh), unpacks the built OCI layout with umoci (which checks
# its digests; a jq + tar extraction where umoci is missing), then checks
# the root filesystem (exactly the shared libraries ldd lists, CA
# certificates, tzdata, a non-root user, no shell) and runs what it can
# without a container runtime (none works on these machines): chrooted
# into the unpacked root as the image's user, `biq --help`, `biq migrate`
# and `biq serve` against a throwaway PostgreSQL whose folder (and so its
# Unix socket) lies inside that root. Not tested here: namespaces, cgroups,
# the runtime's capability and rlimit set-up. Prints "ok -"/"not ok -"
# lines and "N passed, N failed".
# shellcheck disable=SC2317 # functions called through check / trap
set -euo pipefail
cd "$(dirname "$0")/../.."

APP_ID="ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000d4"
KID="forge/invocation-token/wf-image"
work=$(mktemp -d /tmp/biq-image-XXXXXX)
chmod 0755 "$work"
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    [ -d "$work/bundle/rootfs/pg" ] && bash scripts/pg.sh stop "$work/bundle/rootfs/pg" >/dev/null 2>&1
    [ -n "${KEEP:-}" ] || rm -rf "$work"
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
finish() { echo "image rootfs: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

if ! bash scripts/image.sh "$work/image" >"$work/image.log" 2>&1; then
    cat "$work/image.log"
    check "make image builds the OCI layout" false
    finish
fi
check "make image builds the OCI layout ($(tail -1 "$work/image.log" | sed 's/.*(tag //; s/).*//'))" true
tag=$(bash scripts/version.sh oci)
unpack() {
    if command -v umoci >/dev/null; then
        umoci unpack --image "$work/image/oci:$tag" "$work/bundle" >/dev/null
    else
        local m
        m=$(jq -r --arg t "$tag" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' \
            "$work/image/oci/index.json" | cut -d: -f2)
        mkdir -p "$work/bundle/rootfs"
        for l in $(jq -r '.layers[].digest' "$work/image/oci/blobs/sha256/$m" | cut -d: -f2); do
            tar -C "$work/bundle/rootfs" -xf "$work/image/oci/blobs/sha256/$l"
        done
    fi
}
check "the image unpacks (umoci verifies every digest)" unpack
r="$work/bundle/rootfs"
libs_exact() {
    local want have
    want=$(ldd "$r/usr/bin/biq" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
        xargs -n1 basename | sort)
    have=$(find "$r/usr/lib" "$r/usr/lib64" -type f -name '*.so*' -printf '%f\n' | sort)
    [ "$want" = "$have" ] || { diff <(echo "$want") <(echo "$have") | head; return 1; }
}
check "the rootfs holds exactly the shared libraries ldd lists ($(wc -l <"$work/image/libs.txt"))" libs_exact
check "CA certificates and tzdata are there" test -s "$r/etc/ssl/certs/ca-certificates.crt" -a -f "$r/usr/share/zoneinfo/Europe/Madrid"
check "a non-root user, the image's user" bash -c "grep -q '^biq:x:65532:65532:' '$r/etc/passwd' &&
    { [ ! -f '$work/bundle/config.json' ] || [ \"\$(jq -r .process.user.uid '$work/bundle/config.json')\" = 65532 ]; }"
check "no shell and no other program in the image" test ! -e "$r/bin/sh" -a "$(find "$r" -type f -perm -u+x ! -name '*.so*' | wc -l)" = 1
check "chroot: biq --help" bash -c "chroot --userspec=65532:65532 '$r' /usr/bin/biq --help 2>&1 | grep -q 'serve'"

# the throwaway cluster inside the root: its socket is /pg/run in there
eval "$(bash scripts/pg.sh start "$r/pg")"
check "chroot: biq migrate (owner role, socket /pg/run)" bash -c \
    "env -i BIQ_MIGRATE_DATABASE_URL='postgresql:///biq?host=/pg/run&user=biq_owner' \
     /usr/sbin/chroot --userspec=65532:65532 '$r' /usr/bin/biq migrate >'$work/migrate.log' 2>&1"
make -s build/biq-dev
mkdir -p "$work/keys" "$r/etc/biq"
./build/biq-dev keygen "$work/keys" "$KID"
install -m 0644 "$work/keys/jwks.json" "$r/etc/biq/jwks.json"
printf 'postgresql:///biq?host=/pg/run&user=biq_app\n' >"$r/etc/biq/database-url"
chown 65532:65532 "$r/etc/biq/database-url"
chmod 0400 "$r/etc/biq/database-url"
env -i BIQ_DATABASE_URL_FILE=/etc/biq/database-url BIQ_APP_ID="$APP_ID" BIQ_JWKS_FILE=/etc/biq/jwks.json \
    BIQ_LISTEN=127.0.0.1:0 BIQ_WORKERS=2 TZ=UTC \
    /usr/sbin/chroot --userspec=65532:65532 "$r" /usr/bin/biq serve >"$work/serve.log" 2>&1 &
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
check "chroot: biq serve as 65532 answers /readyz 200" test "$ready" = 200
token=$(BIQ_DEV_MODULE="core:endpoint biq-lifecycle" ./build/biq-dev token "$work/keys" "$KID" "$APP_ID" \
    "ari:cloud:ecosystem::installation/00000000-0000-4000-8000-0000000000d5")
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d '{"eventType":"avi:forge:installed:app"}' \
    "http://127.0.0.1:${port:-1}/forge/lifecycle" || true)
check "chroot: the server verifies a token and writes to PostgreSQL (2xx)" test "${code:0:1}" = 2
[ "${code:0:1}" = 2 ] || tail -5 "$work/serve.log"
finish
