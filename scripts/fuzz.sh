#!/usr/bin/env bash
# Fuzzes the share-link decoder (fuzz/fuzz_targets/decode_link.rs) for N seconds (default 60)
# with cargo fuzz / libFuzzer, starting from the committed seeds (fuzz/seeds/) and the local
# corpus (fuzz/corpus/, not committed). Prints libFuzzer's final statistics; exits non-zero on
# a panic, a failed assertion, a timeout (one input over 10 s) or memory over 2 GB, leaving the
# input in fuzz/artifacts/. Stable Rust, no sanitizer: the decoder is safe Rust, so what is
# looked for is panics, hangs and memory blow-ups.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ARCHPLAY_ROOT/fuzz"
seconds="${1:-60}"
mkdir -p corpus/decode_link
cargo fuzz run --sanitizer none decode_link corpus/decode_link seeds/decode_link -- \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 2>&1 |
  grep -E '^(INFO: (Loaded|seed corpus)|Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|thread .* panicked|SUMMARY|artifact_prefix|Test unit written)' 
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] && echo "fuzz: decode_link ran ${seconds} s with no panic, hang or blow-up"
exit "$status"
