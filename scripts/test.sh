#!/usr/bin/env bash
# Installs what is missing, then runs every check and test Archplay has, in order:
#   formatting, clippy (web, engine-only, wasm32), the engine's dependency graph, native tests,
#   a minute of fuzzing the share-link decoder, browser tests (wasm-pack, headless Chromium), the release site end to end (playwright-core).
# Every stage runs even when an earlier one fails; the last line is "N passed, N failed", counting
# each test of each runner and each lint/format check as one. Exits non-zero if anything failed.
set -uo pipefail
source "$(dirname "$0")/env.sh"
cd "$ARCHPLAY_ROOT"

scripts/bootstrap.sh test || { echo "test: bootstrap failed"; echo "0 passed, 1 failed"; exit 1; }

logs="target/test-logs"
mkdir -p "$logs"
passed=0
failed=0
failed_stages=()

# Sums libtest's "test result: ok. N passed; M failed" lines (cargo test, wasm-bindgen-test).
count_libtest() {
  awk '/test result:/ { for (i = 2; i <= NF; i++) { if ($i ~ /^passed;/) p += $(i - 1); if ($i ~ /^failed;/) f += $(i - 1) } }
       END { print p + 0, f + 0 }' "$1"
}

# Sums node's TAP summary ("# pass N", "# fail N").
count_tap() {
  awk '/^# pass / { p += $3 } /^# fail / { f += $3 } END { print p + 0, f + 0 }' "$1"
}

# stage NAME COUNTER COMMAND...: runs COMMAND, logs it, and adds its tests to the totals. COUNTER
# is count_libtest, count_tap or "check" (the stage is a single check).
stage() {
  local name="$1" counter="$2"
  shift 2
  local log="$logs/$name.log"
  printf '\n==> %s: %s\n' "$name" "$*"
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local p=0 f=0
  if [ "$counter" = check ]; then
    if [ "$status" -eq 0 ]; then p=1; else f=1; fi
  else
    read -r p f < <("$counter" "$log")
    # A runner that died before reporting (a compile error, say) still counts as a failure.
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    if [ "$status" -eq 0 ] && [ "$p" -eq 0 ]; then
      echo "test: stage $name ran no test"
      f=$((f + 1))
    fi
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  [ "$status" -eq 0 ] && [ "$f" -eq 0 ] || failed_stages+=("$name")
  printf '<== %s: %d passed, %d failed\n' "$name" "$p" "$f"
  # A full disk fails a build with errors that point elsewhere: say how much was left.
  [ "$status" -eq 0 ] || df -h . | awk 'NR == 2 { print "disk: " $4 " free of " $2 }'
}

# The engine must build with no web crate in its dependency graph.
engine_graph_is_web_free() {
  local web
  web=$(cargo tree --no-default-features -e normal,build,dev --prefix none --format '{p}' |
    grep -E '^(leptos|web-sys|wasm-bindgen|js-sys|gloo-timers) ' | sort -u)
  if [ -n "$web" ]; then
    echo "web crates in the engine-only dependency graph:"
    echo "$web"
    return 1
  fi
  echo "engine-only graph has no leptos, web-sys, wasm-bindgen, js-sys or gloo-timers"
}

site="target/e2e-site"

stage fmt check cargo fmt --check
stage clippy-web check cargo clippy --all-targets --locked -- -D warnings
stage clippy-engine check cargo clippy --all-targets --locked --no-default-features -- -D warnings
stage clippy-wasm32 check cargo clippy --all-targets --locked --target wasm32-unknown-unknown -- -D warnings
stage engine-graph check engine_graph_is_web_free
stage native count_libtest cargo test --locked --no-default-features
stage fuzz check scripts/fuzz.sh 60
# wasm-pack builds every test target for wasm32 before it runs the one asked for; with full debug
# information those are ~250 MB each (11 GB in all), without it 1.4 GB. Panics still name the line.
CARGO_PROFILE_DEV_DEBUG=0 stage browser count_libtest wasm-pack test --headless --chrome -- --locked --test browser
stage site-build check scripts/build-site.sh "$site"
ARCHPLAY_DIST="$ARCHPLAY_ROOT/$site" stage e2e count_tap node --test --test-reporter=tap tests/e2e/

if [ -d "$site" ]; then
  printf '\n==> bundle size\n'
  scripts/bundle-size.sh "$site" || true
fi

echo
if [ ${#failed_stages[@]} -gt 0 ]; then
  echo "failed stages: ${failed_stages[*]} (logs in $logs/)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
