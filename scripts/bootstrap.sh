#!/usr/bin/env bash
# Installs what this machine lacks to build (and, with `test`, to test) Archplay.
# Checks each tool's version first and installs only what is missing or wrong, so a second run
# takes seconds. Works on a fresh Debian machine as root with only the package registries.
#
#   scripts/bootstrap.sh build   # wasm32 target, Trunk, wasm-bindgen, wasm-opt
#   scripts/bootstrap.sh test    # the above plus wasm-pack, cargo-fuzz, Chromium, chromedriver,
#                                # playwright-core
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ARCHPLAY_ROOT"

mode="${1:-build}"
case "$mode" in
  build | test) ;;
  *) echo "usage: scripts/bootstrap.sh [build|test]" >&2; exit 2 ;;
esac

say() { printf 'bootstrap: %s\n' "$*"; }

# Prints the version a tool reports, or nothing if it is absent.
version_of() { "$@" 2>/dev/null | head -n 1 || true; }

# Installs Debian packages, through sudo when not root.
apt_install() {
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q "$@"
}

if ! command -v cargo >/dev/null || ! command -v rustup >/dev/null; then
  echo "bootstrap: cargo and rustup are required (https://rustup.rs); they are not installed." >&2
  exit 1
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(version_of trunk --version)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 10 minutes on 2 cores)"
  cargo install --locked "trunk@$TRUNK_VERSION"
fi

if [ -z "$WASM_BINDGEN_VERSION" ]; then
  echo "bootstrap: could not read wasm-bindgen's version from Cargo.lock" >&2
  exit 1
fi
if [ "$(version_of wasm-bindgen --version)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ] ||
  [ "$(version_of wasm-bindgen-test-runner --version)" != "wasm-bindgen-test-runner $WASM_BINDGEN_VERSION" ]; then
  # Not --locked: the CLI's own lock pins a crate version the registry does not serve.
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 8 minutes on 2 cores)"
  cargo install --force "wasm-bindgen-cli@$WASM_BINDGEN_VERSION"
fi

if ! command -v npm >/dev/null; then
  say "installing Node.js and npm"
  apt_install nodejs npm
fi

if ! version_of wasm-opt --version | grep -q "version_$WASM_OPT_VERSION"; then
  say "installing binaryen $WASM_OPT_VERSION (wasm-opt) from npm into scripts/tools"
  npm ci --prefix scripts/tools --no-audit --no-fund
fi

[ "$mode" = test ] || { say "build tools ready"; exit 0; }

if [ "$(version_of wasm-pack --version)" != "wasm-pack $WASM_PACK_VERSION" ]; then
  say "installing wasm-pack $WASM_PACK_VERSION"
  cargo install --force "wasm-pack@$WASM_PACK_VERSION"
fi

if [ "$(version_of cargo fuzz --version)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  say "installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install --locked --force "cargo-fuzz@$CARGO_FUZZ_VERSION"
fi

if [ ! -x "$ARCHPLAY_CHROMIUM" ] || [ ! -x "$CHROMEDRIVER" ]; then
  say "installing Chromium and chromedriver from Debian"
  apt_install chromium chromium-driver
fi

want_pw="$(node -p 'require("./tests/e2e/package.json").devDependencies["playwright-core"]')"
have_pw="$(node -p 'try { require("./tests/e2e/node_modules/playwright-core/package.json").version } catch { "" }')"
if [ "$have_pw" != "$want_pw" ]; then
  say "installing playwright-core $want_pw into tests/e2e"
  npm ci --prefix tests/e2e --no-audit --no-fund
fi

say "build and test tools ready"
