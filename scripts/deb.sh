#!/usr/bin/env bash
# `make deb`: the Debian package of the backend, built from this tree with
# dpkg-deb and hand-written control files (no source package: the build is
# the Makefile's, with Debian's hardening flags), then checked by lintian.
#
#   scripts/deb.sh [OUTDIR]     (default build/deb) -> OUTDIR/biq_<version>_<arch>.deb
#
# Contents: /usr/bin/biq (stripped; the migrations are compiled into it),
# /lib/systemd/system/biq.service (hardened: DynamicUser, ProtectSystem=strict,
# ...), /etc/biq/biq.env (conffile), /etc/biq/credentials/ (0700),
# biq(1), copyright, changelog. Depends from dpkg-shlibdeps. The version is
# scripts/version.sh deb (git describe). Lintian's verdict is printed; an
# error or warning that packaging/lintian-overrides does not explain fails.
set -euo pipefail
cd "$(dirname "$0")/.."

out=$(realpath -m "${1:-build/deb}")
version=$(bash scripts/version.sh deb)
describe=$(bash scripts/version.sh)
arch=$(dpkg --print-architecture)
build="build-deb"
root="$out/root"

# Debian's build flags (dpkg-buildflags) on top of the Makefile's own.
make -s -j2 BUILD="$build" CC="gcc -D_FORTIFY_SOURCE=2 -fstack-clash-protection -fcf-protection" \
    LDFLAGS="-Wl,-z,relro -Wl,-z,now" "$build/biq"

rm -rf "$root"
install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/biq" \
    "$root/usr/share/man/man1" "$root/usr/share/doc/biq" "$root/usr/share/lintian/overrides"
install -d -m 0700 "$root/etc/biq/credentials"
install -m 0755 "$build/biq" "$root/usr/bin/biq"
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$root/usr/bin/biq"
install -m 0644 packaging/biq.service "$root/lib/systemd/system/biq.service"
install -m 0644 packaging/biq.env "$root/etc/biq/biq.env"
gzip -9n <packaging/biq.1 >"$root/usr/share/man/man1/biq.1.gz"
install -m 0644 packaging/copyright "$root/usr/share/doc/biq/copyright"
sed -e "s/@VERSION@/$version/" -e "s/@DESCRIBE@/$describe/" \
    -e "s/@DATE@/$(date -R -d "@$(git log -1 --format=%ct)")/" packaging/changelog.in |
    gzip -9n >"$root/usr/share/doc/biq/changelog.gz"
install -m 0644 packaging/lintian-overrides "$root/usr/share/lintian/overrides/biq"
chmod 0644 "$root/usr/share/man/man1/biq.1.gz" "$root/usr/share/doc/biq/changelog.gz"

# The shared-library dependencies, as dpkg-shlibdeps finds them.
shl=$(mktemp -d)
trap 'rm -rf "$shl"' EXIT
mkdir -p "$shl/debian"
printf 'Source: biq\n\nPackage: biq\nArchitecture: any\n' >"$shl/debian/control"
depends=$(cd "$shl" && dpkg-shlibdeps -O "$root/usr/bin/biq" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')

cat >"$root/DEBIAN/control" <<CONTROL
Package: biq
Version: $version
Architecture: $arch
Maintainer: BottleneckIQ release <security@bottleneckiq.com>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $depends
Recommends: postgresql-15 | postgresql-client
Suggests: pgbackrest
Section: web
Priority: optional
Homepage: https://bottleneckiq.com
Description: BottleneckIQ - where Jira work gets stuck (backend)
 The multi-tenant backend of the BottleneckIQ Forge app: it receives Jira
 data from the app, stores it in PostgreSQL behind row-level security, and
 serves flow metrics (time in status, throughput, WIP, aging, cumulative
 flow, cycle-time scatter) and the stage that slows a team down.
 .
 Ships the biq command (serve, migrate, analyze, gen) and a hardened
 systemd unit, biq.service.
CONTROL
printf '/etc/biq/biq.env\n' >"$root/DEBIAN/conffiles"
cat >"$root/DEBIAN/postinst" <<'SH'
#!/bin/sh
# biq postinst: let systemd see the unit; not enabled or started here
# (configure /etc/biq first, then: systemctl enable --now biq).
set -e
if [ "$1" = "configure" ] && [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null || true
fi
exit 0
SH
cat >"$root/DEBIAN/postrm" <<'SH'
#!/bin/sh
# biq postrm: forget the unit.
set -e
if [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null || true
fi
exit 0
SH
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/postrm"
(cd "$root" && find . -type f ! -path './DEBIAN/*' ! -path './etc/*' -printf '%P\0' | sort -z |
    xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums" "$root/DEBIAN/control" "$root/DEBIAN/conffiles"

deb="$out/biq_${version}_${arch}.deb"
rm -f "$out"/biq_*.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "deb: $deb"
if command -v lintian >/dev/null; then
    # Pedantic and info tags are printed; errors and warnings fail.
    lint=$(lintian --info --display-info --pedantic --tag-display-limit 0 "$deb" 2>&1 || true)
    [ -n "$lint" ] && echo "$lint"
    if echo "$lint" | grep -q '^[EW]: '; then
        echo "deb: lintian reports errors or warnings" >&2
        exit 1
    fi
    echo "deb: lintian clean (no errors or warnings; overrides with reasons in packaging/lintian-overrides)"
else
    echo "deb: lintian not installed, not checked (scripts/deps.sh lintian)" >&2
fi
