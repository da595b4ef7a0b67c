# Sourced by the other scripts: tool paths and pinned versions, in one place.
# shellcheck shell=bash

ARCHPLAY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ARCHPLAY_ROOT

# Pinned tool versions. wasm-bindgen's comes from Cargo.lock: the CLI must equal the library.
TRUNK_VERSION="0.21.14"
WASM_PACK_VERSION="0.15.1"
CARGO_FUZZ_VERSION="0.13.2"
WASM_OPT_VERSION="132"
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ARCHPLAY_ROOT/Cargo.lock")"

# cargo-installed tools, then npm's binaryen (wasm-opt) ahead of any system copy.
export PATH="$ARCHPLAY_ROOT/scripts/tools/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export ARCHPLAY_CHROMIUM="${ARCHPLAY_CHROMIUM:-/usr/bin/chromium}"
