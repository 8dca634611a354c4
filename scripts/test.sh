#!/usr/bin/env bash
# Everything CI checks, in the order a developer wants to hear about it: formatting,
# lints, then every test. Installs nothing beyond the Rust toolchain yet; when tests
# need PostgreSQL or Chromium, this script installs them from Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo nextest run --workspace --locked --no-fail-fast
