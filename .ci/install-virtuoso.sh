#!/usr/bin/env bash
# Install OpenLink Virtuoso 7 (Debian's virtuoso-opensource-7-bin: virtuoso-t and isql-vt) for the
# store-contract tests, which start their own throw-away server (tests/virtuoso.py).
# Idempotent: does nothing when both programs are already there. Runs as root (CI) or with sudo.
set -euo pipefail

if command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null; then
    echo "Virtuoso is installed: $(virtuoso-t +version 2>&1 | grep -m1 -i version || echo virtuoso-t)"
    exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-virtuoso.sh: run as root (or install sudo)" >&2; exit 1; }
    as_root=(sudo)
fi

echo "== installing Virtuoso 7 (virtuoso-opensource-7-bin)"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends virtuoso-opensource-7-bin

for program in virtuoso-t isql-vt; do
    command -v "$program" >/dev/null || { echo "install-virtuoso.sh: $program is missing after the install" >&2; exit 1; }
done
echo "Virtuoso installed: $(virtuoso-t +version 2>&1 | grep -m1 -i version || echo virtuoso-t)"
