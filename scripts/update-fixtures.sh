#!/usr/bin/env bash
# Regenerates the determinism fixture after an intended change to the engine's behaviour. The
# native and browser tests both compare against it, so native and wasm32 must still agree.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ARCHPLAY_ROOT"
mkdir -p tests/fixtures
cargo run --quiet --release --no-default-features --bin archplay -- \
  run public/examples/reference-network.json --seconds 60 --format json > tests/fixtures/reference-network-60s.json
echo "wrote tests/fixtures/reference-network-60s.json"
for example in replication-failover cache-stampede global-cdn sticky-sessions photo-queue celebrity-shard geo-dns resharding; do
  cargo run --quiet --release --no-default-features --bin archplay -- \
    run "public/examples/$example.json" --seconds 60 --format json > "tests/fixtures/$example-60s.json"
  echo "wrote tests/fixtures/$example-60s.json"
done
