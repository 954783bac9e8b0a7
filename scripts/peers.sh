#!/usr/bin/env bash
# Times the peers on the same files the scale benchmark uses:
#   ajv (npm ajv-cli) validating the JSON against our schemas, and
#   frictionless (PyPI) validating the CSV data package,
# beside `pledges validate` on the same directory, in one run.
#
#   bash scripts/peers.sh 100000        # after `cargo bench --bench scale` made the data
#
# Installs both peers into a throwaway directory; prints the median of 3 runs.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
data="target/bench-data/$n"
[ -d "$data/csv" ] || { echo "no $data: run cargo bench --bench scale -- --sizes $n first" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
npm install --silent --prefix "$work/npm" ajv-cli@5 >/dev/null
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check 'frictionless>=5.18,<6'
cargo build --locked --release --quiet
ajv="$work/npm/node_modules/.bin/ajv"

median() { # command... : prints the median wall time of 3 runs, in seconds
  local times=()
  for _ in 1 2 3; do
    local start end ms
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 ))
    times+=("$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 2p
}

ajv_all() {
  for f in dataset actors sources pledges; do
    "$ajv" validate --spec=draft2020 --strict=false -s "schema/$f.schema.json" -d "$data/$f.json" || return 1
  done
}

echo "| $n pledges | median s |"
echo "| --- | ---: |"
echo "| pledges validate (JSON) | $(median ./target/release/pledges validate "$data") |"
echo "| ajv validate (JSON, schema only) | $(median ajv_all) |"
echo "| pledges validate (CSV) | $(median ./target/release/pledges validate "$data/csv") |"
echo "| frictionless validate (CSV) | $(median "$work/venv/bin/frictionless" validate "$data/csv/datapackage.json") |"
