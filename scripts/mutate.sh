#!/usr/bin/env bash
# `make mutate`: the mutation-testing pass over src/flow, src/auth, src/ingest
# (and src/settings when it exists). The work is done by scripts/mutate.py,
# whose header says what it does, why it is a script of our own, and its
# options (MUTATE_SEED, MUTATE_PER_FILE, MUTATE_DIRS, MUTATE_TIMEOUT,
# MUTATE_MIN, MUTATE_KEEP, MUTATE_LIST). It works in a scratch copy of the
# tree and never writes the working tree. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v python3 >/dev/null || { echo "mutate: python3 is required" >&2; exit 2; }
command -v objcopy >/dev/null || { echo "mutate: objcopy (binutils) is required" >&2; exit 2; }
exec python3 scripts/mutate.py "$@"
