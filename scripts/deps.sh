#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and `make run` need, and
# only those that are missing, so a second run costs nothing. Idempotent.
# Arguments name further packages (scripts/bench.sh adds wrk).
set -euo pipefail

PACKAGES=(
  build-essential clang pkg-config
  libmicrohttpd-dev libjansson-dev libssl-dev libpq-dev libcurl4-openssl-dev
  check valgrind
  postgresql-15 postgresql-client-15
  openssl curl
  chromium fonts-noto-cjk
  "$@"
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
