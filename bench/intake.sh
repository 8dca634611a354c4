#!/usr/bin/env bash
# Contacts coming in at the front door (issue 13), on SQLite:
#  1. sustained durable intake through POST /api/v1/contacts: 50 partner systems at once
#     (wrk, each request with one of 50 bearer tokens), every contact committed before
#     its 201; prints contacts per second, p50 and p99, and the server's CPU;
#  2. a 10,000-row CSV batch through `hearth import contacts` (about 4,000 contacts of
#     one to four people each): prints the seconds it took.
# Goals (issue #13): >= 2,000 contacts/s with p99 <= 50 ms; the 10,000 rows in <= 5 s.
#
# Usage: bench/intake.sh [SECONDS]   (the API's run; default 20)
#   HEARTH_BIN=PATH   a hearth binary (default: build target/release/hearth)
#   BENCH_DB=PATH     the database to copy for each run (default: a 5% Kent over two
#                     years, target/bench/intake-base.db, generated once; kept outside git)
#   CONNECTIONS=N     concurrent clients (default 50)
#   ROWS=N            the batch's rows (default 10000)
# Each run writes into a copy, so the figures do not drift as contacts pile up. They are
# only as steady as the machine: run it more than once.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
connections="${CONNECTIONS:-50}"
rows="${ROWS:-10000}"
command -v wrk > /dev/null || {
    echo "bench/intake.sh needs wrk: apt-get install wrk" >&2
    exit 1
}
for tool in curl python3; do
    command -v "$tool" > /dev/null || { echo "bench/intake.sh needs $tool" >&2; exit 1; }
done

bin="${HEARTH_BIN:-}"
if [[ -z "$bin" ]]; then
    cargo build --release --locked -p hearth-cli --quiet
    bin=target/release/hearth
fi
mkdir -p target/bench
base="${BENCH_DB:-target/bench/intake-base.db}"
if [[ ! -e "$base" ]]; then
    echo "generating a 5% Kent over two years into $base (once) ..."
    "$bin" generate --preset kent --scale 0.05 --years 2 --seed 1 --until 2026-03-31 \
        --db "$base.part" | tail -1
    mv "$base.part" "$base"
    for ext in -wal -shm; do [[ -e "$base.part$ext" ]] && mv "$base.part$ext" "$base$ext"; done
fi

work="$(mktemp -d)"
server=""
cleanup() {
    [[ -n "$server" ]] && kill "$server" 2> /dev/null && wait "$server" 2> /dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# A copy for each part (a consistent one, whatever the base's write-ahead log holds).
copy() { "$bin" backup --db "$base" --out "$1" > /dev/null; }

# Yesterday, so that no contact is dated after the server's today, whatever the hour.
day=$(date -d yesterday +%F)

# --- 1. The API ----------------------------------------------------------------------
db="$work/api.db"
copy "$db"
for i in $(seq "$connections"); do
    "$bin" user add --db "$db" --name "bench-partner-$i" --role partner \
        --password-stdin <<< "bench-partner-password-$i" > /dev/null 2>&1
    "$bin" token create --db "$db" --user "bench-partner-$i" 2> /dev/null
done > "$work/tokens.txt"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
origin="http://127.0.0.1:$port"
RUST_LOG=error "$bin" serve --db "$db" --addr "127.0.0.1:$port" > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
    curl -sf -o /dev/null "$origin/sign-in" && break
    sleep 0.2
done
curl -sf -o /dev/null "$origin/sign-in" || {
    echo "bench/intake.sh: the server did not start:" >&2
    cat "$work/server.log" >&2
    exit 1
}

# A police force's notification: a child, her baby brother and their mother.
cat > "$work/contact.json" <<JSON
{"received_at": "${day}T09:30", "source": "6",
 "referrer": {"organisation": "Kent Police", "name": "PC 4471 Vigilant", "phone": "01622 690690"},
 "people": [
  {"role": "child", "given_name": "Ava", "family_name": "Testington", "date_of_birth": "2015-06-01",
   "sex": "F", "address": {"lines": ["1 High Street"], "town": "Ashford", "postcode": "TN24 8AA"}},
  {"role": "child", "given_name": "Ben", "family_name": "Testington", "date_of_birth": "2023-02-11",
   "address": {"lines": ["1 High Street"], "town": "Ashford", "postcode": "TN24 8AA"}},
  {"role": "adult", "given_name": "Alex", "family_name": "Testington", "date_of_birth": "1988-02-03",
   "relationship": "mother"}],
 "narrative": "Officers attended a domestic incident at the address at 02:10. Both children were in the house; Ava was awake and said she heard shouting. The mother was spoken to; no arrest was made.",
 "consent": "not_sought_risk", "urgency": "same_day", "partner_ref": "DA/${day}/0001"}
JSON

# Each request goes with the next token, each thread starting at its own.
cat > "$work/post.lua" <<'LUA'
local tokens, body, i = {}, "", 0
function init(args)
    for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
    local f = io.open(args[2]); body = f:read("*a"); f:close()
    i = math.random(#tokens)
end
function request()
    i = i + 1
    return wrk.format("POST", "/api/v1/contacts", {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1],
    }, body)
end
LUA

# One request first, so a wrong body is seen before the run, not as 50,000 refusals.
answer=$(curl -s -w ' %{http_code}' -H "Content-Type: application/json" \
    -H "Authorization: Bearer $(head -1 "$work/tokens.txt")" \
    --data-binary @"$work/contact.json" "$origin/api/v1/contacts")
[[ "$answer" == *" 201" ]] || { echo "bench/intake.sh: the contact was not received: $answer" >&2; exit 1; }

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server/stat"; }
hz=$(getconf CLK_TCK)
before=$(cpu_ticks)
start=$(date +%s.%N)
wrk -t2 -c"$connections" -d"${seconds}s" --timeout 30s --latency \
    -s "$work/post.lua" "$origin" -- "$work/tokens.txt" "$work/contact.json" > "$work/api.wrk"
end=$(date +%s.%N)
after=$(cpu_ticks)
cpu=$(awk -v b="$before" -v a="$after" -v s="$start" -v e="$end" -v hz="$hz" \
    'BEGIN { printf "%.0f%%", (a - b) / hz / (e - s) * 100 }')
printf '%-32s %10s %10s %12s %8s %s\n' "" p50 p99 contacts/s cpu errors
awk -v cpu="$cpu" -v clients="$connections" '
    function ms(v) {
        if (v ~ /us$/) return v / 1000
        if (v ~ /ms$/) return v + 0
        if (v ~ /m$/) return v * 60000
        return v * 1000
    }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /^Requests\/sec/ { rate = $2 }
    /Non-2xx/ { bad += $NF }
    /Socket errors/ { errors = $0; sub(/.*Socket errors: */, "", errors) }
    END {
        label = "POST /api/v1/contacts x" clients
        if (rate == 0) { printf "%-32s no request finished in time %22s\n", label, cpu; exit }
        note = (bad > 0 ? bad " not 201" : "")
        if (errors != "") note = note (note != "" ? "; " : "") errors
        printf "%-32s %7.1f ms %7.1f ms %12.1f %8s %s\n", label, p50, p99, rate, cpu, note
    }' "$work/api.wrk"
kill "$server" 2> /dev/null && wait "$server" 2> /dev/null || true
server=""
received=$(RUST_LOG=error "$bin" journal export --db "$db" | grep -c '"subject":"contact:' || true)
echo "contacts in the journal after the run: $received"

# --- 2. The batch --------------------------------------------------------------------
db="$work/batch.db"
copy "$db"
python3 - "$work/contacts.csv" "$rows" "$day" <<'PY'
import csv, random, sys
path, rows, day = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(13)
given = ["Ava", "Ben", "Chloe", "Daniel", "Ella", "Finley", "Grace", "Harry", "Isla", "Jack",
         "Lily", "Mason", "Noah", "Olivia", "Poppy", "Riley", "Sophie", "Theo", "Zara", "Leo"]
family = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Khan", "Patel",
          "Walker", "Wright", "Robinson", "Thompson", "Hughes", "Edwards", "Green", "Hall"]
# Every column the import reads must be in the header; most are left blank here.
columns = ["contact_ref", "received_at", "source", "referrer_organisation", "referrer_name",
           "referrer_role", "referrer_phone", "referrer_email", "urgency", "consent",
           "narrative", "role", "given_name", "family_name", "other_names", "date_of_birth",
           "expected_date_of_birth", "nhs_number", "sex", "address_line_1", "address_line_2",
           "town", "postcode", "relationship"]
with open(path, "w", newline="") as f:
    out = csv.DictWriter(f, fieldnames=columns, restval="")
    out.writeheader()
    written, n = 0, 0
    while written < rows:
        n += 1
        surname = rng.choice(family)
        postcode = f"TN{rng.randint(23, 30)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('ABDEFGHJ')}"
        people = [("child", rng.randint(2008, 2025))] * rng.randint(1, 3) + [("adult", rng.randint(1970, 2000))] * rng.randint(0, 1)
        for i, (role, year) in enumerate(people[: rows - written]):
            row = {
                "contact_ref": f"BATCH-{n:06d}",
                "role": role,
                "given_name": rng.choice(given),
                "family_name": surname,
                "date_of_birth": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "sex": rng.choice(["M", "F", ""]),
                "address_line_1": f"{rng.randint(1, 200)} High Street",
                "town": "Ashford",
                "postcode": postcode,
                "relationship": "mother" if role == "adult" else "",
            }
            if i == 0:
                row.update({
                    "received_at": f"{day}T{rng.randint(0, 9):02d}:{rng.randint(0, 59):02d}",
                    "source": rng.choice(["2A", "3A", "6", "4", "1A"]),
                    "referrer_organisation": "Kent Police",
                    "referrer_name": "Duty officer",
                    "urgency": rng.choice(["immediate", "same_day", "routine"]),
                    "consent": rng.choice(["given", "refused", "not_known"]),
                    "narrative": "A concern raised by the referrer about the children's care at home.",
                })
            out.writerow(row)
            written += 1
print(f"{written} rows, {n} contacts in the batch file")
PY
start=$(date +%s.%N)
"$bin" import contacts "$work/contacts.csv" --db "$db" > "$work/batch.out" 2> "$work/batch.err" || {
    echo "bench/intake.sh: the batch was refused:" >&2
    cat "$work/batch.err" >&2
    exit 1
}
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v rows="$rows" -v contacts="$(wc -l < "$work/batch.out")" \
    'BEGIN { printf "hearth import contacts: %d rows (%d contacts) in %.2f s\n", rows, contacts, e - s }'
