#!/usr/bin/env bash
# Kill `hearth serve` with SIGKILL while it takes writes through the API, ROUNDS times,
# and check that no write answered 201 was lost: the crash test of
# crates/cli/tests/crash.rs, run for longer on a release build. Prints the seed, then how
# many acknowledged writes were checked and how many were lost (the goal is 0).
# Usage: bench/crash.sh [ROUNDS]   (default 100; HEARTH_CRASH_SEED=N replays a run)
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-100}
HEARTH_CRASH_ROUNDS=$rounds cargo test --release --locked --quiet -p hearth-cli --test crash \
    -- --ignored --exact crash_bench --nocapture
