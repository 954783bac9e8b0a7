#!/usr/bin/env bash
# Checks offline that every internal link and #anchor of a site built by
# `pledges site` resolves, with LinkChecker (PyPI `linkchecker`, its
# AnchorCheck plugin), and that the filter data the index's script loads
# are all there (a script LinkChecker does not run).
#
# Usage: bash scripts/site-links.sh LINKCHECKER SITE_DIR   (exit 1 on a broken link)
set -euo pipefail
linkchecker="$1"
site="$2"
# LinkChecker run as root drops its privileges to `nobody`: give it a
# world-readable copy.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
cp -r "$site" "$tmp/site"
chmod -R a+rX "$tmp/site"
cat > "$tmp/linkcheckerrc" <<'INI'
[filtering]
checkextern=0
[output]
warnings=1
[AnchorCheck]
INI
chmod 644 "$tmp/linkcheckerrc"
# Every page is reachable from the index (through the paged lists and the
# navigation); a broken link is an error and a missing anchor a warning,
# and either makes LinkChecker exit 1.
"$linkchecker" --config "$tmp/linkcheckerrc" --no-status --output text \
  "file://$tmp/site/index.html"
chunks="$(sed -n 's/.*data-chunks="\([0-9]*\)".*/\1/p' "$site/index.html" | head -1)"
[ -n "$chunks" ] || { echo "site-links: no filter form on the index" >&2; exit 1; }
[ -f "$site/data/meta.js" ] || { echo "site-links: no data/meta.js" >&2; exit 1; }
for ((i = 0; i < chunks; i++)); do
  [ -f "$site/data/pledges-$i.js" ] || { echo "site-links: no data/pledges-$i.js" >&2; exit 1; }
done
echo "site-links: every link and anchor resolves; the filter data are $chunks chunk file(s) and meta.js"
