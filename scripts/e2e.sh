#!/usr/bin/env bash
# End-to-end tests in a real browser. Installs Debian's Chromium (and ChromeDriver)
# when missing and the e2e npm packages (playwright-core, axe-core) when they are not
# installed at the locked versions; generates a small synthetic county into a
# temporary database, adds the test users, starts `hearth serve` on a free loopback
# port, and runs e2e/*.test.mjs with Node's test runner. Nothing is fetched at run
# time beyond those packages.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x /usr/bin/chromium ]]; then
    echo "Chromium is not installed; installing it from Debian's packages" >&2
    sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    if ! "${sudo[@]}" apt-get install -y --no-install-recommends chromium chromium-driver >&2; then
        "${sudo[@]}" apt-get update >&2
        "${sudo[@]}" apt-get install -y --no-install-recommends chromium chromium-driver >&2
    fi
fi
# npm ci only when the installed packages are not the locked ones.
if ! cmp -s e2e/package-lock.json e2e/node_modules/.package-lock.json 2>/dev/null; then
    npm ci --prefix e2e --no-audit --no-fund >&2
fi

cargo build --locked -p hearth-cli --quiet
hearth=target/debug/hearth
scratch=$(mktemp -d)
server=""
cleanup() {
    local status=$?
    if [[ -n $server ]]; then
        # ctrl-c is how `hearth serve` is asked to finish and stop.
        kill -INT "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$scratch"
    exit "$status"
}
trap cleanup EXIT

db="$scratch/e2e.db"
"$hearth" generate --preset central-bedfordshire --years 2 --scale 0.02 \
    --until 2025-03-31 --db "$db" > "$scratch/generate.txt"
password="e2e-password-$RANDOM$RANDOM"
for role in social-worker auditor analyst screener partner; do
    echo "$password" | "$hearth" user add --db "$db" --name "e2e.$role" --role "$role" \
        --password-stdin > /dev/null
done
# The organisation's workers, one a line: id, role, team, and 1 if they have left.
"$hearth" org show --db "$db" | awk '
    function emit() { if (id != "") print id, role, team, left }
    /^\[\[/ { emit(); id = ""; role = ""; team = ""; left = 0 }
    /^id = / { id = $3; gsub(/"/, "", id) }
    /^role = / { role = $3; gsub(/"/, "", role) }
    /^team = / { team = $3; gsub(/"/, "", team) }
    /^end_date = / { left = 1 }
    END { emit() }' > "$scratch/workers.txt"
# The first worker in post with role $1, in team $2 if given.
in_post() {
    awk -v role="$1" -v team="${2:-}" '$2 == role && (team == "" || $3 == team) && $4 == 0 { print $1; exit }' \
        "$scratch/workers.txt"
}
add_linked() {
    echo "$password" | "$hearth" user add --db "$db" --name "$1" --role "$2" --worker "$3" \
        --password-stdin > /dev/null
}
# A team manager linked to the first manager the organisation lists, for My team; and,
# for the walk (walk.test.mjs), an early help worker and a social worker in post in that
# team, and an IRO in post.
manager=$(awk '$2 == "team_manager" { print $1; exit }' "$scratch/workers.txt")
team=$(awk -v m="$manager" '$1 == m { print $3; exit }' "$scratch/workers.txt")
add_linked e2e.team-manager team-manager "$manager"
add_linked e2e.early-help-worker early-help-worker "$(in_post early_help_worker "$team")"
add_linked e2e.locality-social-worker social-worker "$(in_post social_worker "$team")"
add_linked e2e.iro iro "$(in_post iro)"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RUST_LOG=warn "$hearth" serve --db "$db" --addr "127.0.0.1:$port" &
server=$!
for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/sign-in" && break
    sleep 0.2
done

# localhost, not 127.0.0.1: browsers keep Secure cookies from http://localhost.
HEARTH_E2E_URL="http://localhost:$port" HEARTH_E2E_PASSWORD="$password" \
    node --test e2e/
