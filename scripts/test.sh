#!/usr/bin/env bash
# Everything CI checks, in the order a developer wants to hear about it: the web assets
# built (scripts/assets.sh: the web crate embeds them, and the macro tests read the npm
# packages' fixtures), formatting, lints, every Rust test, then the end-to-end tests in a
# browser. The tests need a PostgreSQL
# server: this starts a throwaway one (installing PostgreSQL from Debian's packages if
# it is missing) in a temporary directory, points the tests at it with
# HEARTH_TEST_POSTGRES_URL, and stops it at the end. If it cannot start, the run fails
# here rather than skipping those tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# A CI run builds once from cold: incremental compilation's bookkeeping would only slow
# it down and fill the disk.
if [[ "${CI:-}" == true ]]; then export CARGO_INCREMENTAL=0; fi

scripts/assets.sh
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

scratch=$(mktemp -d)
trap 'scripts/postgres.sh stop "$scratch/postgres"; rm -rf "$scratch"' EXIT
url=$(scripts/postgres.sh start "$scratch/postgres") || {
    echo "error: could not start PostgreSQL for the tests (see above)" >&2
    exit 1
}
export HEARTH_TEST_POSTGRES_URL=$url
echo "PostgreSQL for the tests: $url"

# Snapshot tests (insta) fail on any difference from the committed snapshot, and on a
# snapshot not yet committed, whatever the environment says: nothing here writes or
# accepts one. To update one after a deliberate change, run that crate's tests with
# INSTA_UPDATE=always (or `cargo insta test`) and review the diff before committing.
export INSTA_UPDATE=no
unset INSTA_FORCE_PASS
cargo nextest run --workspace --locked --no-fail-fast

# The core journeys in headless Chromium, with axe-core on every page (scripts/e2e.sh
# installs Chromium and the e2e npm packages when missing).
scripts/e2e.sh
