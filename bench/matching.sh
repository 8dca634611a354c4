#!/usr/bin/env bash
# "Tell us once" (issue 13): on a generated county, hold out contacts made from people
# whose records we know (with the mistakes of hearth_synth::Rates, about one person in
# ten left out of the index as new), and print pair precision, recall and F1 for the
# top candidate at the suggestion threshold, the true pairs lost to blocking, and the
# time to find candidates per contact (p50, p99, max).
# Goals: precision >= 0.99, recall >= 0.97, p99 <= 20 ms per contact on Kent.
#
# Usage: bench/matching.sh [DB]   (default: target/bench/PRESET-YEARSy.db, generated once)
#   PRESET=kent YEARS=10 SCALE=1   the county to generate when no DB is given
#   CONTACTS=5000                  held-out contacts (and as many for training)
#   HEARTH_BIN=PATH                a hearth binary to generate with (default: build one)
# The machine's load is printed first: the timings are only as steady as the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

preset="${PRESET:-kent}"
years="${YEARS:-10}"
scale="${SCALE:-1}"
contacts="${CONTACTS:-5000}"
db="${1:-target/bench/$preset-${years}y-x$scale.db}"

if [[ ! -e "$db" ]]; then
    bin="${HEARTH_BIN:-}"
    if [[ -z "$bin" ]]; then
        cargo build --release --locked -p hearth-cli --quiet
        bin=target/release/hearth
    fi
    mkdir -p "$(dirname "$db")"
    echo "generating $preset, $years years, scale $scale, into $db (once) ..."
    "$bin" generate --preset "$preset" --years "$years" --scale "$scale" --seed 1 \
        --until 2026-03-31 --db "$db.part" | tail -1
    mv "$db.part" "$db"
    for ext in -wal -shm; do [[ -e "$db.part$ext" ]] && mv "$db.part$ext" "$db$ext"; done
fi

cargo build --release --locked -p hearth-app --example matching --quiet
echo "load: $(uptime)"
target/release/examples/matching "$db" "$contacts"
