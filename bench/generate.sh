#!/usr/bin/env bash
# Generate Kent, 10 years, seed 1, into a fresh database and print events, events/s,
# CPU time (all of it, and SQLite's threads': the load's critical path) and peak
# memory. Goal (issue #12): at most 60 s and 1 GiB on 2 cores (issue #2 asked
# under 2 minutes and 4 GiB).
# Usage: bench/generate.sh [--until YYYY-MM-DD]   (default 2026-03-31, so runs compare)
#   HEARTH_BIN=PATH   a hearth binary to time (default: build target/release/hearth), so
#                     that two builds can be compared in one sitting
set -euo pipefail
cd "$(dirname "$0")/.."

until_day="2026-03-31"
if [[ "${1:-}" == "--until" ]]; then until_day="$2"; fi

[[ -x /usr/bin/time ]] || { echo "bench/generate.sh needs GNU time (apt-get install time)" >&2; exit 1; }
bin="${HEARTH_BIN:-}"
if [[ -z "$bin" ]]; then
    cargo build --release --locked -p hearth-cli --quiet
    bin=target/release/hearth
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

start=$(date +%s.%N)
/usr/bin/time -v -o "$work/time.txt" \
    "$bin" generate --preset kent --years 10 --seed 1 \
    --until "$until_day" --db "$work/kent.db" > "$work/report.txt" &
timer=$!
touch "$work/sqlite-ticks.txt"
# The CPU time of SQLite's threads (the load's critical path), read from /proc each
# second while they run: a thread's figures go with it.
while kill -0 "$timer" 2>/dev/null; do
    hearth=$(pgrep -P "$timer" || true)
    for stat in /proc/"${hearth:-none}"/task/*/stat; do
        { read -r line < "$stat"; } 2>/dev/null || continue
        [[ "$line" == *"(sqlx-sqlite-wor"* ]] || continue
        rest="${line##*) }"
        read -r -a fields <<< "$rest"
        # utime and stime, the 14th and 15th fields of stat, in clock ticks.
        echo "${stat%/stat} $(( fields[11] + fields[12] ))"
    done >> "$work/sqlite-ticks.txt"
    sleep 1
done
wait "$timer"
end=$(date +%s.%N)
sqlite_cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ if ($2 > t[$1]) t[$1] = $2 }
    END { for (k in t) s += t[k]; printf "%.1f", s / hz }' "$work/sqlite-ticks.txt")

cat "$work/report.txt"
events=$(grep -o '^[^:]*: [0-9]* events' "$work/report.txt" | grep -o '[0-9]* events' | cut -d' ' -f1)
cpu=$(awk -F': ' '/User time|System time/ { t += $2 } END { printf "%.1f", t }' "$work/time.txt")
peak_kib=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')
size=$(du -sh "$work" | cut -f1)
echo
awk -v e="$events" -v c="$cpu" -v q="$sqlite_cpu" -v s="$start" -v f="$end" -v m="$peak_kib" -v d="$size" 'BEGIN {
    printf "events:        %d\n", e
    printf "wall time:     %.1f s\n", f - s
    printf "events/s:      %.0f\n", e / (f - s)
    printf "cpu time:      %.1f s (user + system)\n", c
    printf "sqlite cpu:    %.1f s (its threads, user + system)\n", q
    printf "peak memory:   %.2f GiB\n", m / 1048576
    printf "database size: %s\n", d
}'
