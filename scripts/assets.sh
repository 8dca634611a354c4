#!/usr/bin/env bash
# Builds the web pages' styles and scripts into crates/web/assets/dist/, which the
# hearth-web crate embeds in the binary (its build fails, saying to run this, if they
# are missing). Nothing is fetched when Hearth runs.
#
# - installs frontend/package-lock.json's exact packages from the npm registry with
#   `npm ci`, only when frontend/node_modules is missing or was installed from another
#   lockfile;
# - compiles frontend/src/app.scss (GOV.UK Frontend in Arial, without GOV.UK's fonts or
#   crown, with the MoJ components Hearth uses) with npm's `sass`;
# - copies GOV.UK Frontend's and MoJ Frontend's ES module bundles and our init.js.
# A file is rewritten only when its contents change, so cargo rebuilds only then.
set -euo pipefail
cd "$(dirname "$0")/.."

frontend=frontend
dist=crates/web/assets/dist
stamp=$frontend/node_modules/.hearth-lock-sha256

command -v npm >/dev/null || {
    echo "error: npm is not installed; install Node.js 20 or later with npm to build the web assets" >&2
    exit 1
}

lock_sum=$(sha256sum "$frontend/package-lock.json" | cut -d' ' -f1)
if [[ ! -d $frontend/node_modules || ! -f $stamp || $(cat "$stamp") != "$lock_sum" ]]; then
    echo "Installing the front-end packages (npm ci)" >&2
    (cd "$frontend" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    echo "$lock_sum" >"$stamp"
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

"$frontend/node_modules/.bin/sass" --no-source-map --style=compressed \
    --quiet-deps --silence-deprecation=import \
    --load-path="$frontend" --load-path="$frontend/node_modules" \
    "$frontend/src/app.scss" "$scratch/app.css"
cp "$frontend/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js" "$scratch/"
cp "$frontend/node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js" "$scratch/"
cp "$frontend/src/init.js" "$scratch/"

# The stylesheet must not name GOV.UK's typeface or load its fonts.
if grep -q -e "GDS Transport" -e "@font-face" "$scratch/app.css"; then
    echo "error: the compiled stylesheet uses GOV.UK's font; check frontend/src/app.scss" >&2
    exit 1
fi

mkdir -p "$dist"
for file in "$scratch"/*; do
    name=$(basename "$file")
    cmp -s "$file" "$dist/$name" || cp "$file" "$dist/$name"
done
echo "Web assets are in $dist" >&2
