#!/usr/bin/env bash
# Checks that the index's filters work from the file system: headless
# Chromium opens index.html with a filter in its query, lets the script
# load the filter data (script files) and filter, and the page must then
# say how many pledges match.
#
# Usage: bash scripts/site-filters.sh SITE_DIR [QUERY]   (default QUERY: contested=1)
set -euo pipefail
site="$(cd "$1" && pwd)"
query="${2:-contested=1}"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
dom="$(timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --virtual-time-budget=30000 --dump-dom \
  "file://$site/index.html?$query" 2>/dev/null)"
status="$(printf '%s' "$dom" | sed -n 's/.*id="filter-status"[^>]*>\([^<]*\)<.*/\1/p' | head -1)"
case "$status" in
  *"pledges match"* | "No pledge matches"*)
    echo "site-filters: index.html?$query: $status" ;;
  *)
    echo "site-filters: index.html?$query: the filters did not run (status: \`$status\`)" >&2
    exit 1 ;;
esac
