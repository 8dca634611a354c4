#!/usr/bin/env bash
# Journal append throughput on SQLite and on PostgreSQL (one writer; 8 concurrent
# writers each on a child of its own; 8 on the same child, retrying conflicts), access-log
# throughput (50 concurrent writers, a row a call, as workers opening records), then
# the time to generate Kent, 10 years, into each. PostgreSQL is a throwaway cluster in a
# temporary directory with its durability settings left on (fsync, synchronous commit),
# as SQLite's are, so the two are compared like for like.
# Usage: bench/store.sh [APPENDS]   (appends per run, default 4000)
set -euo pipefail
cd "$(dirname "$0")/.."

appends=${1:-4000}
cargo build --release --locked -p hearth-cli --quiet
cargo build --release --locked -p hearth-store --example append_throughput --quiet
work=$(mktemp -d)
trap 'scripts/postgres.sh stop "$work/postgres"; rm -rf "$work"' EXIT
server=$(scripts/postgres.sh start "$work/postgres" --durable)
base=${server%/*}

# A new, empty database of the given backend; prints its URL. (It runs in a subshell,
# so the name comes from the clock, not a counter.)
new_db() {
    local name
    name=bench_$(date +%s%N)
    if [[ $1 == sqlite ]]; then
        echo "$work/$name.db"
    else
        psql -q "$server" -c "CREATE DATABASE $name" >/dev/null
        echo "$base/$name"
    fi
}

for backend in sqlite postgres; do
    echo "== $backend"
    target/release/examples/append_throughput "$(new_db $backend)" 1 "$appends" own
    target/release/examples/append_throughput "$(new_db $backend)" 8 $((appends / 8)) own
    target/release/examples/append_throughput "$(new_db $backend)" 8 $((appends / 8)) same
    target/release/examples/append_throughput "$(new_db $backend)" 50 $((appends / 50)) access
    db=$(new_db $backend)
    start=$(date +%s.%N)
    target/release/hearth generate --preset kent --years 10 --seed 1 --until 2026-03-31 \
        --db "$db" >"$work/report.txt"
    end=$(date +%s.%N)
    grep -E '^[^:]*: [0-9]+ events' "$work/report.txt"
    awk -v s="$start" -v f="$end" 'BEGIN { printf "generate Kent, 10 years: %.1f s\n", f - s }'
done
