#!/usr/bin/env bash
# `hearth due` for the whole of Kent (10 years, seed 1, to 31 March 2026) as at the last
# day: wall time and peak memory of drawing up the list as JSON, and its size, with the
# due cache warm (as `hearth generate` leaves it) and once cold. Goal (issue #4): under
# 1 second. Generating the county first takes a few minutes.
# Usage: bench/due.sh [DB]   (an existing Kent database to reuse; default: generate one)
set -euo pipefail
cd "$(dirname "$0")/.."

as_at="2026-03-31"
[[ -x /usr/bin/time ]] || { echo "bench/due.sh needs GNU time (apt-get install time)" >&2; exit 1; }
cargo build --release --locked -p hearth-cli --quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

db="${1:-}"
if [[ -z "$db" ]]; then
    db="$work/kent.db"
    echo "generating Kent, 10 years, into $db ..."
    target/release/hearth generate --preset kent --years 10 --seed 1 \
        --until "$as_at" --db "$db" | head -1
fi

# One run with the due cache emptied (it reads every journey that may owe something and
# fills the cache again), which also warms the page cache, as a server that has been up
# a while would be; then three timed runs, reporting the best and the worst.
# (RUST_LOG=error keeps sqlx's slow-statement warnings out of the output.)
export RUST_LOG=error
python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("DELETE FROM due_clocks"); c.commit()' "$db"
start=$(date +%s.%N)
/usr/bin/time -v -o "$work/time-cold.txt" \
    target/release/hearth due --db "$db" --as-at "$as_at" --format json > "$work/due.json"
end=$(date +%s.%N)
cold=$(awk -v s="$start" -v f="$end" 'BEGIN { printf "%.2f", f - s }')
cold_kib=$(grep -h 'Maximum resident set size' "$work/time-cold.txt" | awk '{print $NF}')
for run in 1 2 3; do
    start=$(date +%s.%N)
    /usr/bin/time -v -o "$work/time-$run.txt" \
        target/release/hearth due --db "$db" --as-at "$as_at" --format json > /dev/null
    end=$(date +%s.%N)
    awk -v s="$start" -v f="$end" 'BEGIN { printf "%.3f\n", f - s }' >> "$work/walls.txt"
done

python3 - "$work/due.json" "$db" <<'PY'
import json, sqlite3, sys
body = json.load(open(sys.argv[1]))
db = sqlite3.connect(f"file:{sys.argv[2]}?mode=ro", uri=True)
children, = db.execute("SELECT COUNT(*) FROM child_state").fetchone()
read, = db.execute("SELECT COUNT(*) FROM child_state WHERE settled_since IS NULL OR settled_since > ?",
                   (body["met_late_after"],)).fetchone()
events, = db.execute("SELECT COUNT(*) FROM journal").fetchone()
cached, = db.execute("SELECT COUNT(*) FROM due_clocks").fetchone()
print(f"database: {events} events, {children} children, of whom {read} may owe something (read); "
      f"{cached} in the due cache")
items = body["obligations"]
children = {o["child"] for o in items}
t = body["total"]
print(f"as at {body['as_at']}: {t['overdue']} overdue, {t['due_soon']} due soon, "
      f"{t['met_late']} met late, {len(items)} obligations listed for {len(children)} children, "
      f"{len(body['teams'])} teams")
PY
peak_kib=$(grep -h 'Maximum resident set size' "$work"/time-[0-9].txt | awk '{print $NF}' | sort -n | tail -1)
sort -n "$work/walls.txt" | awk -v m="$peak_kib" '
    NR == 1 { best = $1 } { worst = $1 }
    END {
        printf "wall time:     best %.2f s, worst %.2f s (3 runs)\n", best, worst
        printf "peak memory:   %.0f MiB\n", m / 1024
    }'
awk -v c="$cold" -v m="$cold_kib" 'BEGIN {
    printf "cold (due cache emptied, then refilled): %.2f s, %.0f MiB\n", c, m / 1024
}'
