#!/usr/bin/env bash
# Live-run benchmark: builds the release site (as the tests do) and runs the reference network
# in headless Chromium as fast as possible, then at 100x, printing simulated requests per wall
# second and frame intervals.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ARCHPLAY_ROOT"
site="target/e2e-site"
if [ "${1:-}" != "--no-build" ]; then
  scripts/build-site.sh "$site"
fi
ARCHPLAY_DIST="$ARCHPLAY_ROOT/$site" node tests/e2e/bench-run.mjs
