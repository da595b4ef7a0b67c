#!/usr/bin/env bash
# Builds the static site for hosting into dist/ (or the directory given as $1): release profile
# `wasm-release` (opt-level z, LTO), wasm-opt -Oz, relative asset URLs so any sub-path works,
# and a Content-Security-Policy (scripts/csp.mjs).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ARCHPLAY_ROOT"
scripts/bootstrap.sh build
trunk build --release --dist "${1:-dist}"
node scripts/csp.mjs "${1:-dist}/index.html"
