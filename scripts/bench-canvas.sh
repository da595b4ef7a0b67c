#!/usr/bin/env bash
# Canvas frame benchmark: builds the release site (as the tests do) and drags and zooms a
# 200-component, 300-wire diagram in headless Chromium, printing frame times.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ARCHPLAY_ROOT"
site="target/e2e-site"
if [ "${1:-}" != "--no-build" ]; then
  scripts/build-site.sh "$site"
fi
ARCHPLAY_DIST="$ARCHPLAY_ROOT/$site" node tests/e2e/bench-canvas.mjs
