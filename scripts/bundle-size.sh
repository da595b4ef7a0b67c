#!/usr/bin/env bash
# Prints the size of the built bundle (wasm and js, raw and gzip -9). Builds dist/ first unless
# given an existing directory: scripts/bundle-size.sh [DIST]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ARCHPLAY_ROOT"
dist="${1:-}"
if [ -z "$dist" ]; then
  dist=dist
  scripts/build-site.sh "$dist" >/dev/null
fi
shopt -s nullglob
files=("$dist"/*.wasm "$dist"/*.js)
[ ${#files[@]} -gt 0 ] || { echo "bundle-size: no .wasm or .js in $dist" >&2; exit 1; }
total_raw=0 total_gz=0
kb() { awk -v b="$1" 'BEGIN { printf "%8.1f KB", b / 1024 }'; }
printf '%-44s %11s %11s\n' file raw gzip
for f in "${files[@]}"; do
  raw=$(wc -c <"$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz))
  printf '%-44s %s %s\n' "$(basename "$f")" "$(kb "$raw")" "$(kb "$gz")"
done
printf '%-44s %s %s\n' total "$(kb "$total_raw")" "$(kb "$total_gz")"
