#!/usr/bin/env bash
# The README's "Try it": build the web assets, then build and run `hearth demo`.
# Arguments are passed to `hearth demo` (for example --preset wiltshire).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/assets.sh
exec cargo run --release -p hearth-cli -- demo "$@"
