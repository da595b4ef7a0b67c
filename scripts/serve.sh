#!/usr/bin/env bash
# Installs what is missing, builds the app and serves it at http://127.0.0.1:8080, rebuilding on
# change. Extra arguments go to `trunk serve` (e.g. `--release` for an optimised build).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ARCHPLAY_ROOT"
scripts/bootstrap.sh build
echo "serve: building; the app will be at http://127.0.0.1:8080/"
exec trunk serve --address 127.0.0.1 --port 8080 "$@"
