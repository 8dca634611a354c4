#!/usr/bin/env bash
# The pages under load: 50 users at once (wrk) on a 5-year Kent, signed in as a social
# worker, each page for a fixed time: a child's chronology (rotating over many children),
# a search (rotating over surnames), one team's due list and the whole authority's;
# then, signed in as a team manager linked to a generated manager, a worker's caseload
# (My work, rotating over the workers of the county's teams) and a team's page
# (rotating over the teams); then, as the social worker, a family's page (rotating over
# the families of those workers' children). Last, recording through a page, as the social worker: a
# visit's form posted for one child after another (with the session's CSRF token and
# the child's version), the redirect followed and the child page shown, each timed as
# one, 50 at once (curl in parallel; wrk cannot follow a redirect). It writes to the
# database: a visit on each child it records for.
# Prints p50, p99 and pages per second for each, and the server's CPU (100% = one core).
# Goals: the child page at p99 <= 50 ms and >= 1,000 pages/s (issue #12); the caseload,
# team and family pages at p99 <= 50 ms, and recording (post, redirect, show) at p99 <= 100 ms
# (issue #14).
#
# Usage: bench/pages.sh [SECONDS]   (each page's run; default 20)
#   HEARTH_BIN=PATH   a hearth binary to serve with (default: build target/release/hearth)
#   BENCH_DB=PATH     the Kent database (default: target/bench/kent-5y.db, generated once,
#                     a few minutes; kept outside git)
#   CONNECTIONS=N     concurrent users (default 50)
#   PAGES="child ..." which of child, search, due-team, due-all, my-work, team, family and
#                     record
#                     to drive (default all)
#   RECORDINGS=N      how many visits the recording step posts (default 100 a second of
#                     SECONDS; at most one a child)
# The figures are only as steady as the machine: run it more than once.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
connections="${CONNECTIONS:-50}"
command -v wrk > /dev/null || {
    echo "bench/pages.sh needs wrk: apt-get install wrk" >&2
    exit 1
}
for tool in curl python3; do
    command -v "$tool" > /dev/null || { echo "bench/pages.sh needs $tool" >&2; exit 1; }
done

bin="${HEARTH_BIN:-}"
if [[ -z "$bin" ]]; then
    cargo build --release --locked -p hearth-cli --quiet
    bin=target/release/hearth
fi
mkdir -p target/bench
db="${BENCH_DB:-target/bench/kent-5y.db}"
if [[ ! -e "$db" ]]; then
    echo "generating Kent, 5 years, into $db (once; a few minutes) ..."
    "$bin" generate --preset kent --years 5 --seed 1 --until 2026-03-31 --db "$db.part" | tail -1
    mv "$db.part" "$db"
    for ext in -wal -shm; do [[ -e "$db.part$ext" ]] && mv "$db.part$ext" "$db$ext"; done
fi

work="$(mktemp -d)"
server=""
cleanup() {
    [[ -n "$server" ]] && kill "$server" 2> /dev/null && wait "$server" 2> /dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# A user of our own (the name is taken once; later runs reuse it).
user="bench-social-worker"
password="bench-social-worker-password"
echo "$password" | "$bin" user add --db "$db" --name "$user" --role social-worker \
    --password-stdin > /dev/null 2>&1 || true

# A team manager of our own, linked to the first manager the organisation lists: the
# team pages and any worker's My work are theirs to see.
manager="bench-team-manager"
manager_password="bench-team-manager-password"
manager_worker=$("$bin" org show --db "$db" | awk '
    /^\[\[workers\]\]/ { id = "" }
    /^id = / { id = $3; gsub(/"/, "", id) }
    /^role = "team_manager"/ && id != "" { print id; exit }')
echo "$manager_password" | "$bin" user add --db "$db" --name "$manager" --role team-manager \
    --worker "$manager_worker" --password-stdin > /dev/null 2>&1 || true
teams=$("$bin" org show --db "$db" | awk '
    /^\[\[areas\.localities\.teams\]\]/ { team = 1; next }
    team && /^id = / { id = $3; gsub(/"/, "", id); print id; team = 0 }')

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
origin="http://127.0.0.1:$port"
RUST_LOG=error "$bin" serve --db "$db" --addr "127.0.0.1:$port" > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
    curl -sf -o /dev/null "$origin/sign-in" && break
    sleep 0.2
done
curl -sf -o /dev/null "$origin/sign-in" || {
    echo "bench/pages.sh: the server did not start:" >&2
    cat "$work/server.log" >&2
    exit 1
}

# Sign in as a browser would: the form (and its CSRF token, if it carries one), then
# post it from this site's origin and keep the session cookie.
sign_in() {
    local form csrf
    form=$(curl -sf "$origin/sign-in")
    csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' <<< "$form" | head -1)
    curl -s -o /dev/null -D - -H "Origin: $origin" \
        --data-urlencode "name=$1" --data-urlencode "password=$2" \
        --data-urlencode "csrf=$csrf" --data-urlencode "next=/" "$origin/sign-in" |
        sed -n 's/^[Ss]et-[Cc]ookie: \(hearth_session=[0-9a-f]*\).*/\1/p' | head -1
}
cookie=$(sign_in "$user" "$password")
[[ -n "$cookie" ]] || { echo "could not sign in as $user" >&2; exit 1; }
manager_cookie=$(sign_in "$manager" "$manager_password")
[[ -n "$manager_cookie" ]] || { echo "could not sign in as $manager" >&2; exit 1; }

# Children to open and surnames to search for, from the search API (a prefix each).
for letter in A B C D E F G H J K L M N P R S T W; do
    curl -sf -H "Cookie: $cookie" "$origin/api/v1/children?q=$letter&limit=500"
    echo
done > "$work/found.jsonl"
python3 - "$work" <<'PY'
import json, sys, urllib.parse
work = sys.argv[1]
ids, surnames = [], set()
for line in open(f"{work}/found.jsonl"):
    if line.strip():
        for child in json.loads(line):
            ids.append(child["id"])
            surnames.add(child["name"]["family"])
with open(f"{work}/child.txt", "w") as f:
    f.writelines(f"/children/{i}\n" for i in ids)
with open(f"{work}/search.txt", "w") as f:
    f.writelines(f"/?q={urllib.parse.quote(s)}\n" for s in sorted(surnames))
print(f"{len(ids)} children to open, {len(surnames)} surnames to search for")
PY
team=$(curl -sf -H "Cookie: $cookie" "$origin/due?as_at=2026-03-31" |
    sed -n 's/.*<option value="\([^"]\+\)".*/\1/p' | head -1)
echo "/due?as_at=2026-03-31&team=$team" > "$work/due-team.txt"
echo "/due?as_at=2026-03-31" > "$work/due-all.txt"
# The teams, and the workers of the first twenty with children allocated.
for t in $teams; do echo "/teams/$t"; done > "$work/team.txt"
for t in $(head -20 <<< "$teams"); do
    curl -sf -H "Cookie: $manager_cookie" "$origin/api/v1/caseload?team=$t"
    echo
done | python3 -c '
import json, sys
for line in sys.stdin:
    if line.strip():
        for w in json.loads(line)["team"]["workers"]:
            if w["cases"] > 0:
                print("/my-work?worker=" + w["worker"])
' > "$work/my-work.txt"
# The families of those workers' children, each once.
sed 's|^/my-work?worker=||' "$work/my-work.txt" | while read -r w; do
    curl -sf -H "Cookie: $manager_cookie" "$origin/api/v1/caseload?worker=$w"
    echo
done | python3 -c '
import json, sys
seen = {}
for line in sys.stdin:
    if line.strip():
        for c in json.loads(line)["caseload"]["children"]:
            if c["family"]:
                seen.setdefault(c["family"], None)
print("".join(f"/families/{f}\n" for f in seen), end="")
' > "$work/family.txt"
echo "$(wc -l < "$work/team.txt") teams, $(wc -l < "$work/my-work.txt") workers with children," \
    "$(wc -l < "$work/family.txt") of their families"

# Recording: one visit for each of the first RECORDINGS children, at the version the API
# gives now, by the first worker the visit form offers, dated today; as a curl config.
record_setup() {
    local first form csrf worker
    first=$(head -1 "$work/child.txt")
    form=$(curl -sf -H "Cookie: $cookie" "$origin$first/record/visit")
    csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' <<< "$form" | head -1)
    # The first option: sed reads to the end, so no early exit breaks the pipe.
    worker=$(sed -n 's/.*<option value="\([^"]\+\)".*/\1/p' <<< "$form" | sed -n 1p)
    python3 - "$work" "$origin" "$cookie" "$csrf" "$worker" "${RECORDINGS:-$((seconds * 100))}" <<'PY2'
import datetime, json, sys, urllib.parse, urllib.request
work, origin, cookie, csrf, worker, n = sys.argv[1:]
today = datetime.datetime.now(datetime.timezone.utc).date()
# A child found under two letters is listed twice: recorded for once, or the second post
# would meet the version the first one moved on.
paths = list(dict.fromkeys(line.strip() for line in open(f"{work}/child.txt")))[: int(n)]
with open(f"{work}/record.curl", "w") as out:
    for path in paths:
        asked = urllib.request.Request(f"{origin}/api/v1{path}", headers={"Cookie": cookie})
        version = json.load(urllib.request.urlopen(asked))["version"]
        form = urllib.parse.urlencode({
            "csrf": csrf, "version": version, "occurred_at-day": today.day,
            "occurred_at-month": today.month, "occurred_at-year": today.year,
            "worker": worker, "seen": "yes", "seen_alone": "no",
        })
        out.write(f'next\nurl = "{origin}{path}/record/visit"\ndata = "{form}"\n'
                  f'header = "Cookie: {cookie}"\nheader = "Origin: {origin}"\n'
                  'location\noutput = "/dev/null"\n'
                  'write-out = "%{http_code} %{num_redirects} %{time_total}\\n"\n')
PY2
}

# Each wrk thread walks the list from its own place.
cat > "$work/paths.lua" <<'LUA'
local paths, i = {}, 0
function init(args)
    for line in io.lines(args[1]) do paths[#paths + 1] = line end
    i = (tonumber(args[2]) or 0) * 7919
end
function request()
    i = i + 1
    return wrk.format(nil, paths[(i % #paths) + 1])
end
LUA

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server/stat"; }
hz=$(getconf CLK_TCK)
printf '%-22s %10s %10s %10s %8s %s\n' page p50 p99 pages/s cpu errors
for page in ${PAGES:-child search due-team due-all my-work team family record}; do
    case "$page" in
        my-work | team) as="$manager_cookie" ;;
        *) as="$cookie" ;;
    esac
    [[ "$page" == record ]] && record_setup
    before=$(cpu_ticks)
    start=$(date +%s.%N)
    if [[ "$page" == record ]]; then
        curl -s --no-progress-meter -Z --parallel-immediate --parallel-max "$connections" \
            -K "$work/record.curl" \
            > "$work/record.out" || true
    else
        wrk -t2 -c"$connections" -d"${seconds}s" --timeout 30s --latency \
            -H "Cookie: $as" -s "$work/paths.lua" "$origin" -- "$work/$page.txt" \
            > "$work/$page.wrk"
    fi
    end=$(date +%s.%N)
    after=$(cpu_ticks)
    cpu=$(awk -v b="$before" -v a="$after" -v s="$start" -v e="$end" -v hz="$hz" \
        'BEGIN { printf "%.0f%%", (a - b) / hz / (e - s) * 100 }')
    if [[ "$page" == record ]]; then
        # Each line: the final status, the redirects followed, the whole time in seconds.
        sort -k3 -g "$work/record.out" | awk -v page="$page" -v cpu="$cpu" \
            -v s="$start" -v e="$end" '
            { t[NR] = $3 * 1000; if ($1 != 200 || $2 != 1) bad++ }
            END {
                if (NR == 0) { printf "%-22s nothing was recorded %31s\n", page, cpu; exit }
                p50 = t[int((NR - 1) * 0.50) + 1]; p99 = t[int((NR - 1) * 0.99) + 1]
                note = (bad > 0 ? bad " not recorded and shown" : "")
                printf "%-22s %8.1f ms %7.1f ms %10.1f %8s %s\n", page, p50, p99, NR / (e - s), cpu, note
            }'
        continue
    fi
    awk -v page="$page" -v cpu="$cpu" '
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
            if (rate == 0) { printf "%-22s no page finished in time %27s\n", page, cpu; exit }
            note = (bad > 0 ? bad " not 200" : "")
            if (errors != "") note = note (note != "" ? "; " : "") errors
            printf "%-22s %8.1f ms %7.1f ms %10.1f %8s %s\n", page, p50, p99, rate, cpu, note
        }' "$work/$page.wrk"
done
