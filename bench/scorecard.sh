#!/usr/bin/env bash
# `hearth scorecard` on Kent (10 years, seed 1, to 31 March 2026): wall time and peak
# memory of the whole scorecard (every indicator, every locality, 13 months' trend) as
# JSON, process start to end, for one month. Issue 15's goals: cold at most 200 ms,
# first bar 1 s. Generating the county first takes a few minutes.
# Usage: bench/scorecard.sh [DB]   (an existing Kent database to reuse; default: generate one)
set -euo pipefail
cd "$(dirname "$0")/.."

until_day="2026-03-31"
month="2026-03"
[[ -x /usr/bin/time ]] || { echo "bench/scorecard.sh needs GNU time (apt-get install time)" >&2; exit 1; }
cargo build --release --locked -p hearth-cli --quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

db="${1:-}"
if [[ -z "$db" ]]; then
    db="$work/kent.db"
    echo "generating Kent, 10 years, into $db ..."
    target/release/hearth generate --preset kent --years 10 --seed 1 \
        --until "$until_day" --db "$db" | head -1
fi

# One untimed run warms the page cache, as a server up a while would have it; then three
# timed runs by locality, reporting the best and the worst, and one by team.
export RUST_LOG=error
target/release/hearth scorecard --db "$db" --month "$month" --by locality --format json > "$work/card.json"
for run in 1 2 3; do
    start=$(date +%s.%N)
    /usr/bin/time -v -o "$work/time-$run.txt" \
        target/release/hearth scorecard --db "$db" --month "$month" --by locality --format json > /dev/null
    end=$(date +%s.%N)
    awk -v s="$start" -v f="$end" 'BEGIN { printf "%.3f\n", f - s }' >> "$work/walls.txt"
done
start=$(date +%s.%N)
target/release/hearth scorecard --db "$db" --month "$month" --by team --format json > /dev/null
end=$(date +%s.%N)
team=$(awk -v s="$start" -v f="$end" 'BEGIN { printf "%.2f", f - s }')

python3 - "$work/card.json" <<'PY'
import json, sys
card = json.load(open(sys.argv[1]))
rows = card["rows"]
kpis = {r["kpi"] for r in rows}
places = {r["breakdown"] for r in rows}
print(f"{card['month']} by {card['by']}: {len(rows)} rows, {len(kpis)} indicators x {len(places)} rows "
      f"(authority and localities), 13 months each")
PY
peak_kib=$(grep -h 'Maximum resident set size' "$work"/time-[0-9].txt | awk '{print $NF}' | sort -n | tail -1)
sort -n "$work/walls.txt" | awk -v m="$peak_kib" -v t="$team" '
    NR == 1 { best = $1 } { worst = $1 }
    END {
        printf "by locality:   best %.2f s, worst %.2f s (3 runs)\n", best, worst
        printf "by team:       %.2f s\n", t
        printf "peak memory:   %.0f MiB\n", m / 1024
    }'
