#!/usr/bin/env bash
# Renders a site built by `pledges site` in headless Chromium (Debian's
# package, installed when missing): the index and one
# pledge page, to PNG.
#
# Usage: bash scripts/site-screenshots.sh SITE_DIR OUT_DIR [PLEDGE_ID]
set -euo pipefail
site="$(cd "$1" && pwd)"
out="$2"
mkdir -p "$out"
if [ ! -x /usr/bin/chromium ]; then
  # As root (this project's CI) directly; elsewhere (a GitHub runner)
  # through sudo.
  as_root=""
  [ "$(id -u)" -eq 0 ] || as_root="sudo"
  $as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
pledge="${3:-}"
if [ -z "$pledge" ]; then
  pledge="$(find "$site/pledges" -name '*.html' | sort | head -1)"
  pledge="$(basename "$pledge" .html)"
fi
shoot() {
  local profile
  profile="$(mktemp -d)"
  /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --window-size=1280,2000 --screenshot="$2" "file://$site/$1" \
    >/dev/null 2>&1
  rm -rf "$profile"
  [ -s "$2" ] || { echo "site-screenshots: no screenshot of $1" >&2; exit 1; }
  echo "site-screenshots: $1 -> $2"
}
shoot index.html "$out/index.png"
shoot "pledges/$pledge.html" "$out/pledge.png"
