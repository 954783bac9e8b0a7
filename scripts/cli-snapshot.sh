#!/usr/bin/env bash
# Snapshots what the `pledges` command-line tool prints, so that a refactor can
# be shown to leave its behaviour byte for byte as it was.
#
#   bash scripts/cli-snapshot.sh BINARY OUTDIR
#
#   # before the refactor, from a pristine build:
#   bash scripts/cli-snapshot.sh /work/before/target/release/pledges /work/snap/before-1
#   # after it:
#   cargo build --release --locked
#   bash scripts/cli-snapshot.sh target/release/pledges /work/snap/after
#   diff -r /work/snap/before-1 /work/snap/after      # empty: nothing changed
#
# It runs BINARY over a few hundred cases (every subcommand's help, `validate`
# on the shipped data, its CSV form, the test fixture and many broken copies
# of it in every output format, `fmt`, `convert`, `list`, `show`, `schema`,
# `generate`, `diff`, `check-release` and usage errors) and writes one file
# per case, OUTDIR/<case>.txt, holding the command, its exit code, its
# standard output and its standard error, and for commands that write files
# the names and SHA-256 (and for small outputs the bytes) of what they wrote.
# OUTDIR/_inputs.txt lists the SHA-256 of every input file used, so that a
# change in the inputs is not mistaken for a change in the tool.
#
# Inputs are read from this repository (data/, schema/, tests/fixtures/ or
# cli/tests/fixtures/) and the archive of source texts (../shared/seeds beside
# it, or $PLEDGES_ARCHIVE), and copied into a scratch directory that is
# removed on exit. Nothing is written into the repository. To take the inputs
# from another checkout, set SNAPSHOT_REPO=/path/to/checkout.
#
# Determinism: every case runs with the working directory inside the scratch
# copy (so the paths printed are relative), stdin from /dev/null, a fixed
# minimal environment (no colour, no terminal, RUST_BACKTRACE=0, git without
# user or system config) and the binary reached as `pledges` through a
# symlink, so argv[0] never carries the build's path. The few absolute paths
# a command may still print (the scratch directory, the temporary directory
# `diff --git` checks out into, the binary's own path) are rewritten to
# <scratch>, .tmpXXXXXX, <binary> and <build-root>. File listings are sorted
# (the file system's order is not the tool's); the tool's own output is never
# reordered.
#
# Exit status: 0 when every case ran (whatever the tool's exit codes were);
# 2 on a usage error; 3 when the setup of some case failed (recorded in that
# case's file, so the snapshot still compares).
set -euo pipefail
export LC_ALL=C

die() { echo "cli-snapshot: $*" >&2; exit 2; }

[ $# -eq 2 ] || die "usage: bash scripts/cli-snapshot.sh BINARY OUTDIR"
[ -f "$1" ] && [ -x "$1" ] || die "$1: not an executable file"
bin="$(realpath "$1")"
repo="$(realpath "${SNAPSHOT_REPO:-$(dirname "$0")/..}")"
archive_src="${PLEDGES_ARCHIVE:-$repo/../shared/seeds}"
[ -d "$archive_src" ] || die "no archive at $archive_src (set PLEDGES_ARCHIVE)"
for need in data data/csv schema; do
  [ -d "$repo/$need" ] || die "$repo/$need: missing; is $repo a ukraine-pledges checkout?"
done
# The test fixture (valid/, archive/), where the tests keep it.
fixtures=""
for dir in tests/fixtures cli/tests/fixtures; do
  if [ -d "$repo/$dir/valid" ] && [ -d "$repo/$dir/archive" ]; then fixtures="$repo/$dir"; break; fi
done
[ -n "$fixtures" ] || die "no tests/fixtures/{valid,archive} in $repo"

out="$(realpath -m "$2")"
case "$out/" in
  "$repo"/*) die "$out is inside the repository; write the snapshot elsewhere" ;;
esac
if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
  die "$out is not empty; remove it or pick a new directory"
fi
mkdir -p "$out"

python="$(python3 -c 'import sys; print(sys.executable)')"
git_bin="$(command -v git)" || die "git is needed for the diff/check-release cases"
timeout_bin="$(command -v timeout)" || die "timeout (coreutils) is needed"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/cli-snapshot.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/bin" "$scratch/home" "$scratch/tmp" "$scratch/run"
ln -s "$bin" "$scratch/bin/pledges"
w="$scratch/w" # the working tree every case runs in (or below)

# The binary's build root, when it sits in a cargo target directory.
build_root=""
case "$bin" in
  */target/release/pledges | */target/debug/pledges) build_root="${bin%/target/*}" ;;
esac

# The environment the binary runs in: nothing inherited.
clean_env=(
  PATH="$scratch/bin:$(dirname "$git_bin"):/usr/local/bin:/usr/bin:/bin"
  HOME="$scratch/home"
  TMPDIR="$scratch/tmp"
  LC_ALL=C
  LANG=C
  TERM=dumb
  RUST_BACKTRACE=0
  GIT_CONFIG_NOSYSTEM=1
  GIT_CONFIG_GLOBAL=/dev/null
  GIT_CEILING_DIRECTORIES="$scratch"
)

# ---------------------------------------------------------------- helpers --

cases=0
setup_failures=0

# sed replacement-safe form of a literal path.
sed_literal() { printf '%s' "$1" | sed -e 's/[]\/$*.^[]/\\&/g'; }
normalise_script=(-e "s/$(sed_literal "$scratch")/<scratch>/g"
  -e 's/\.tmp[A-Za-z0-9]\{6\}/.tmpXXXXXX/g'
  -e "s/$(sed_literal "$bin")/<binary>/g")
if [ -n "$build_root" ]; then
  normalise_script+=(-e "s/$(sed_literal "$build_root")/<build-root>/g")
fi
normalise() { sed "${normalise_script[@]}"; }

# section TITLE FILE: prints FILE, normalised, under a header giving its
# (normalised) size, marking a missing final newline the way diff does.
section() {
  local norm="$scratch/run/normalised"
  normalise <"$2" >"$norm"
  printf -- '--- %s (%d bytes):\n' "$1" "$(wc -c <"$norm")"
  cat "$norm"
  if [ -s "$norm" ] && [ -n "$(tail -c 1 "$norm")" ]; then
    printf '\n\\ no newline at end\n'
  fi
}

# new_case NAME: sets case_file to the file of a new case; names are unique.
new_case() {
  case_file="$out/$1.txt"
  [ ! -e "$case_file" ] || die "duplicate case name: $1"
  cases=$((cases + 1))
}

# run NAME [-C DIR] ARGS...: runs `pledges ARGS` with the working directory
# DIR (relative to the scratch tree; default its root) and records it.
run() {
  local name="$1" dir="." rc=0 file
  shift
  if [ "${1:-}" = "-C" ]; then dir="$2"; shift 2; fi
  new_case "$name"
  file="$case_file"
  : >"$scratch/run/stdout"
  : >"$scratch/run/stderr"
  if [ -d "$w/$dir" ]; then
    (cd "$w/$dir" && env -i "${clean_env[@]}" "$timeout_bin" 300 pledges "$@" \
      </dev/null >"$scratch/run/stdout" 2>"$scratch/run/stderr") || rc=$?
  else
    rc="none: no working directory $dir (its setup failed)"
  fi
  {
    printf '$ pledges'
    [ $# -eq 0 ] || printf ' %q' "$@"
    printf '\n'
    [ "$dir" = "." ] || printf '(in %s)\n' "$dir"
    printf -- '--- exit code: %s\n' "$rc"
    section stdout "$scratch/run/stdout"
    section stderr "$scratch/run/stderr"
  } >"$file"
}

# quiet DIR ARGS...: runs `pledges ARGS` in DIR for a case's setup only.
quiet() {
  local dir="$1"
  shift
  (cd "$w/$dir" && env -i "${clean_env[@]}" "$timeout_bin" 300 pledges "$@" \
    </dev/null >/dev/null 2>&1)
}

# attach NAME MODE DIR...: appends to case NAME what is under each DIR
# (relative to the scratch tree): MODE `sha` lists each entry with the
# SHA-256 of files, `cat` also gives each file's bytes.
attach() {
  local name="$1" mode="$2" file="$out/$1.txt" d entry
  shift 2
  [ -e "$file" ] || die "attach to unknown case $name"
  for d in "$@"; do
    {
      printf -- '--- files under %s:\n' "$d"
      if [ ! -e "$w/$d" ]; then
        printf '(does not exist)\n'
        continue
      fi
      (cd "$w/$d" && find . -mindepth 1 | sort) | while IFS= read -r entry; do
        if [ -L "$w/$d/$entry" ]; then
          printf 'link %s\n' "$entry"
        elif [ -d "$w/$d/$entry" ]; then
          printf 'dir  %s\n' "$entry"
        else
          printf 'file %s %s\n' "$(sha256sum <"$w/$d/$entry" | cut -d' ' -f1)" "$entry"
        fi
      done
      if [ "$mode" = cat ]; then
        (cd "$w/$d" && find . -mindepth 1 -type f | sort) | while IFS= read -r entry; do
          section "$d/${entry#./}" "$w/$d/$entry"
        done
      fi
    } >>"$file"
  done
}

# same NAME A B: appends whether the files A and B (relative to the scratch
# tree) have the same bytes.
same() {
  if cmp -s "$w/$2" "$w/$3"; then
    printf -- '--- %s and %s: identical\n' "$2" "$3" >>"$out/$1.txt"
  else
    printf -- '--- %s and %s: differ\n' "$2" "$3" >>"$out/$1.txt"
  fi
}

# py CODE ARGS...: runs Python CODE (with the helpers of tool.py) in the
# current directory; its ARGS are the further arguments, as text.
cat >"$scratch/tool.py" <<'PY'
import json, os, sys
def rb(p): return open(p, "rb").read()
def wb(p, b): open(p, "wb").write(b)
def rt(p): return rb(p).decode("utf-8")
def wt(p, s): wb(p, s.encode("utf-8"))
def edit(p, a, b):
    """Replaces the one occurrence of a in p with b."""
    t = rt(p)
    n = t.count(a)
    if n != 1:
        sys.exit(f"{p}: {a!r} occurs {n} times, not once")
    wt(p, t.replace(a, b, 1))
def edit_first(p, a, b):
    t = rt(p)
    if a not in t:
        sys.exit(f"{p}: {a!r} does not occur")
    wt(p, t.replace(a, b, 1))
def jedit(p, f):
    """Rewrites p as pretty JSON after f changed the parsed document."""
    d = json.loads(rt(p))
    f(d)
    wt(p, json.dumps(d, indent=2, ensure_ascii=False) + "\n")
ARGS = [os.fsencode(a).decode("utf-8") for a in sys.argv[2:]]
exec(sys.argv[1])
PY
py() { "$python" "$scratch/tool.py" "$@"; }
edit() { py 'edit(*ARGS)' "$@"; }
edit_first() { py 'edit_first(*ARGS)' "$@"; }

# setup NAME DIR CMD...: makes DIR (relative to the scratch tree) by running
# CMD there; a failure is recorded as case setup--NAME.
setup() {
  local name="$1" dir="$2"
  shift 2
  local rc=0
  mkdir -p "$w/$dir"
  # In the background, not in a condition, so that `set -e` holds in CMD.
  (cd "$w/$dir" && "$@") >"$scratch/run/setup" 2>&1 &
  wait $! || rc=$?
  if [ "$rc" -ne 0 ]; then
    setup_failures=$((setup_failures + 1))
    echo "cli-snapshot: setup of $name failed:" >&2
    cat "$scratch/run/setup" >&2
    new_case "setup--$name"
    { printf 'setup failed:'; printf ' %q' "$@"; printf '\n'; section output "$scratch/run/setup"; } \
      >"$case_file"
  fi
}

# fixture DIR: a fresh copy of the test fixture (valid/, archive/) in DIR.
fixture() {
  mkdir -p "$w/$1"
  cp -R "$w/fixture/valid" "$w/fixture/archive" "$w/$1/"
}

# formats NAME DIR ARGS...: `pledges validate ARGS` in DIR, in each format.
formats() {
  local name="$1" dir="$2" f
  shift 2
  for f in human json github; do
    run "$name--$f" -C "$dir" validate "$@" --format "$f"
  done
}

# broken NAME CMD...: a copy of the fixture in cases/NAME, broken by CMD run
# there, validated (with its archive) in every format.
broken() {
  local name="$1"
  shift
  fixture "cases/$name"
  setup "$name" "cases/$name" "$@"
  formats "validate--broken--$name" "cases/$name" valid --archive archive
}

# fixture_csv DIR: the fixture and its CSV form (made by the binary) in DIR.
fixture_csv() {
  fixture "$1"
  quiet "$1" convert --to csv valid csv
}

# broken_csv NAME CMD...: the fixture's CSV form in cases/NAME, broken by CMD
# run in its csv/, validated in every format.
broken_csv() {
  local name="$1"
  shift
  setup "csv-$name" "cases/csv-$name" fixture_csv "cases/csv-$name"
  setup "csv-$name-edit" "cases/csv-$name/csv" "$@"
  formats "validate--broken-csv--$name" "cases/csv-$name" csv
}

# git_in DIR ARGS...: git with a fixed identity and dates, no user config.
git_in() {
  (cd "$w/$1" && shift && env GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null \
    HOME="$scratch/home" GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' \
    GIT_COMMITTER_DATE='2026-01-01T00:00:00Z' "$git_bin" \
    -c user.name=snapshot -c user.email=snapshot@example.org \
    -c init.defaultBranch=main -c commit.gpgsign=false "$@" >/dev/null 2>&1)
}

# ----------------------------------------------------------------- inputs --

mkdir -p "$w/fixture"
cp -R "$repo/data" "$w/data"
cp -R "$repo/schema" "$w/schema"
cp -R "$fixtures/valid" "$fixtures/archive" "$w/fixture/"
cp -R "$archive_src" "$w/seeds"
mkdir -p "$w/out" && printf 'not a directory\n' >"$w/out/a-file"
{
  printf 'inputs copied into the scratch tree (SHA-256, relative names):\n'
  (cd "$w" && find data schema fixture seeds -type f -print0 | sort -z | xargs -0 sha256sum)
} >"$out/_inputs.txt"

# ------------------------------------------------------------------- help --

subcommands=(validate schema convert fmt list show diff check-release generate help)
run "help--none"
run "help--long" --help
run "help--short" -h
run "help--help-subcommand" help
run "version--long" --version
run "version--short" -V
for sub in "${subcommands[@]}"; do
  run "help--$sub--long" "$sub" --help
  run "help--$sub--short" "$sub" -h
  run "help--help-$sub" help "$sub"
done

# -------------------------------------------------------- usage errors (2) --

run "usage--unknown-subcommand" frobnicate
run "usage--unknown-flag" validate --frobnicate
run "usage--unknown-global-flag" --frobnicate validate
run "usage--extra-argument" validate data extra
run "usage--validate-format-text" validate --format text
run "usage--validate-format-xml" validate --format xml
run "usage--validate-color-bad" validate --color sometimes
run "usage--validate-archive-no-value" validate --archive
run "usage--show-missing-id" show
run "usage--show-format-bad" show x --format yaml
run "usage--list-format-bad" list --format yaml
run "usage--list-unexpected-positional" list germany
run "usage--convert-missing-to" convert data out
run "usage--convert-missing-input" convert --to csv
run "usage--convert-missing-output" convert --to csv data
run "usage--convert-to-xml" convert --to xml data out
run "usage--generate-missing-out" generate
run "usage--generate-negative" generate --pledges -1 --out gen
run "usage--generate-not-a-number" generate --pledges many --out gen
run "usage--generate-seed-not-a-number" generate --seed x --out gen
run "usage--diff-format-bad" diff a b --format html
run "usage--check-release-missing-base" check-release data
run "usage--check-release-base-and-git" check-release data --base a --git HEAD
run "usage--schema-write-and-check" schema --write a --check b
run "usage--fmt-extra-argument" fmt data extra

# ------------------------------------------------- validate: good datasets --

formats "validate--data" . data
formats "validate--data-archive" . data --archive seeds
formats "validate--data-archive-deny-warnings" . data --archive seeds --deny-warnings
formats "validate--data-csv" . data/csv
formats "validate--data-csv-deny-warnings" . data/csv --deny-warnings
formats "validate--data-csv-archive" . data/csv --archive seeds
formats "validate--fixture" . fixture/valid
formats "validate--fixture-archive" . fixture/valid --archive fixture/archive
formats "validate--fixture-archive-deny-warnings" fixture valid --archive archive --deny-warnings
run "validate--default-dir" validate
run "validate--default-dir-archive" validate --archive seeds
run "validate--trailing-slash" validate data/
run "validate--dot-slash" validate ./data
run "validate--color-never" validate data --color never
run "validate--color-always" validate data --color always

# ---------------------------------------- validate: I/O errors (exit 2) --

run "validate--no-such-dir" validate no-such-dir
run "validate--file-as-dir" -C fixture validate valid/pledges.json
run "validate--archive-no-such-dir" validate data --archive no-such-archive
run "validate--archive-is-a-file" validate data --archive out/a-file
run "validate--empty-dir" -C fixture validate archive

# ---------------------------------- validate: broken copies of the fixture --

P=valid/pledges.json
A=valid/actors.json
S=valid/sources.json
M=valid/dataset.json
retired_france=$'"notes": null,\n      "retired": null\n    },\n    {\n      "id": "ukraine"'
superseded_france=$'"notes": null,\n      "retired": {"reason": "superseded", "replaced_by": null, "note": "Merged."}\n    },\n    {\n      "id": "ukraine"'
withdrawn_france=$'"notes": null,\n      "retired": {"reason": "withdrawn", "replaced_by": null, "note": "A misreading."}\n    },\n    {\n      "id": "ukraine"'

# Read: files, bytes, JSON.
broken missing-file rm "$P"
broken missing-manifest rm "$M"
broken missing-all-files rm "$P" "$A" "$S" "$M"
not_a_file() { rm "$P"; mkdir "$P"; }
symlink_loop() { rm "$P"; ln -s pledges.json "$P"; }
broken not-a-file not_a_file
broken symlink-loop symlink_loop
broken empty-file py 'wt("valid/pledges.json", "")'
broken whitespace-only-file py 'wt("valid/pledges.json", "  \n\n\t\n")'
broken bom py 'wb("valid/pledges.json", b"\xef\xbb\xbf" + rb("valid/pledges.json"))'
broken bom-every-file py 'for f in ["actors", "sources", "pledges", "dataset"]: wb(f"valid/{f}.json", b"\xef\xbb\xbf" + rb(f"valid/{f}.json"))'
broken invalid-utf8 py 'b = bytearray(rb("valid/pledges.json")); b[b.index(b"France: two") + 8] = 0xFF; wb("valid/pledges.json", bytes(b))'
broken latin1 py 'wb("valid/actors.json", rt("valid/actors.json").replace("\"France\"", "\"Fr\u00e9nce\"").encode("latin-1"))'
broken crlf py 'wb("valid/pledges.json", rb("valid/pledges.json").replace(b"\n", b"\r\n"))'
broken missing-comma edit "$P" '"france-ships",' '"france-ships"'
broken trailing-comma edit "$P" $'"retired": null\n    }\n  ]' $'"retired": null\n    },\n  ]'
broken trailing-comma-in-object edit "$P" $'"per": null\n' $'"per": null,\n'
broken truncated py 'wb("valid/pledges.json", rb("valid/pledges.json")[:400])'
broken truncated-mid-string py 'b = rb("valid/pledges.json"); wb("valid/pledges.json", b[:b.index(b"two ships") + 3])'
broken trailing-content py 'wt("valid/pledges.json", rt("valid/pledges.json") + "x")'
broken second-copy py 't = rt("valid/pledges.json"); wt("valid/pledges.json", t + t)'
broken duplicate-key edit "$P" '"title": "France: two ships",' '"title": "France: two ships", "title": "x",'
broken too-deep py 'edit("valid/pledges.json", "\"involved\": []", "\"involved\": " + "[" * 70 + "]" * 70)'
broken nested-100000 py 'wt("valid/pledges.json", "[" * 100000)'
broken number-out-of-range edit "$P" '"amount": 2.0' '"amount": 1e999'
broken number-400-digits py 'edit("valid/pledges.json", "\"amount\": 2.0", "\"amount\": 1" + "0" * 400)'
broken top-level-array py 'wt("valid/pledges.json", "[1, 2, 3]\n")'
broken single-quotes edit "$P" '"status": "committed"' "'status': 'committed'"
broken comment edit "$P" '"status": "committed",' '"status": "committed", // yes'
# Schema.
broken missing-field edit "$P" $'"title": "France: two ships",\n' ''
broken missing-field-manifest edit "$M" $'  "license": "CC-BY-4.0",\n' ''
broken unknown-field edit "$P" '"involved": []' '"involvd": []'
broken unknown-field-near-miss edit "$P" '"pledgers":' '"pledger":'
broken wrong-type edit "$P" '"beneficiary": "ukraine"' '"beneficiary": 5'
broken wrong-type-amount-string edit "$P" '"amount": 2.0' '"amount": "2"'
broken misspelt-status edit "$P" '"committed"' '"commited"'
broken misspelt-category edit "$P" '"military_aid"' '"militray_aid"'
broken misspelt-condition-kind edit "$P" '"kind": "ceasefire"' '"kind": "ceasfire"'
broken misspelt-actor-kind edit_first "$A" '"kind": "state"' '"kind": "staet"'
broken invalid-format-country edit "$A" '"FR"' '"fr"'
broken invalid-format-id edit "$P" '"id": "france-ships"' '"id": "France Ships"'
broken invalid-format-sha256 edit "$S" '"b868d457f0e8f06114aa5754dcbd4e0ec07fd1a2deeaa7d621942b2e8cdcbf73"' '"xyz"'
broken invalid-format-wikidata edit "$A" '"Q212"' '"212"'
broken invalid-date edit "$P" '"announced": "2026-01"' '"announced": "2026-02-30"'
broken invalid-date-month-13 edit "$P" '"announced": "2026-01"' '"announced": "2026-13"'
broken invalid-date-text edit "$P" '"announced": "2026-01"' '"announced": "January 2026"'
broken empty-value edit "$P" '"unit": "ships"' '"unit": ""'
broken empty-pledgers edit "$P" $'"pledgers": [\n        "france"\n      ]' '"pledgers": []'
broken too-long py 'edit("valid/pledges.json", "\"quote\": \"France pledged \\\"two ships\\\" for the Black Sea\"", "\"quote\": \"" + "a" * 301 + "\"")'
broken long-id py 'edit("valid/pledges.json", "\"france-ships\"", "\"" + "x" * 5000 + "\"")'
broken out-of-range edit "$P" '"amount": 2.0' '"amount": -1'
# Integrity.
broken duplicate-id edit "$A" '"id": "ukraine"' '"id": "france"'
broken unsorted-ids py 'edit("valid/actors.json", "\"id\": \"ukraine\"", "\"id\": \"a-ukraine\""); edit("valid/pledges.json", "\"beneficiary\": \"ukraine\"", "\"beneficiary\": \"a-ukraine\"")'
broken misspelt-reference edit "$P" $'        "france"\n' $'        "frnce"\n'
broken misspelt-source-reference edit "$P" '"source": "report"' '"source": "reprot"'
broken unused-record edit "$P" '"beneficiary": "ukraine"' '"beneficiary": null'
broken invalid-retirement edit "$A" "$retired_france" "$superseded_france"
broken reference-to-retired edit "$A" "$retired_france" "$withdrawn_france"
broken many-problems py 'edit("valid/pledges.json", "        \"france\"\n", "        \"frnce\"\n"); edit("valid/actors.json", "\"FR\"", "\"XX\""); edit("valid/dataset.json", "\"version\": \"1.0.0\"", "\"version\": \"one\"")'
# Semantics.
broken unknown-country edit "$A" '"FR"' '"XX"'
broken unknown-country-uk edit "$A" '"FR"' '"UK"'
broken country-not-state edit "$A" $'"kind": "state",\n      "iso_3166": "FR"' $'"kind": "coalition",\n      "iso_3166": "FR"'
broken state-without-country edit "$A" '"iso_3166": "FR"' '"iso_3166": null'
broken doubled-whitespace edit "$P" '"France: two ships"' '"France:  two ships"'
broken leading-whitespace edit "$P" '"France: two ships"' '" France: two ships"'
broken control-character edit "$P" '"France: two ships"' '"France:\ttwo ships"'
broken formula-prefix edit "$P" '"France: two ships"' '"=France: two ships"'
broken url-credentials edit "$S" 'https://example.org' 'https://user:pw@example.org'
broken announced-after-source edit "$P" '"announced": "2026-01"' '"announced": "2026-03"'
broken invalid-version edit "$M" '"version": "1.0.0"' '"version": "1.0"'
broken schema-version-mismatch edit "$M" '"schema_version": "0.1.0"' '"schema_version": "9.9.9"'
broken schema-reference edit "$P" 'schema/pledges.schema.json' 'schema/other.json'
broken decomposed-unicode edit "$A" '"name": "France"' $'"name": "Fre\xcc\x81nce"'
# Evidence (with --archive).
broken archive-missing edit "$S" '"report.txt"' '"missing.txt"'
broken archive-checksum py 'wt("archive/report.txt", "France pledged \"two ships\" for the Black Sea")'
broken bad-sha256 edit "$S" '"b868d457f0e8f06114aa5754dcbd4e0ec07fd1a2deeaa7d621942b2e8cdcbf73"' '"b868d457f0e8f06114aa5754dcbd4e0ec07fd1a2deeaa7d621942b2e8cdcbf74"'
broken wrong-quote-text edit "$P" '\"two ships\"' '\"three ships\"'
broken quote-case-differs edit "$P" '"quote": "France pledged' '"quote": "france pledged'
broken archive-dir-empty rm archive/report.txt

# The same breakages without --archive (evidence is then not checked).
run "validate--broken--wrong-quote-text--no-archive" -C cases/wrong-quote-text validate valid
run "validate--broken--bad-sha256--no-archive" -C cases/bad-sha256 validate valid
run "validate--broken--schema-reference--deny-warnings" -C cases/schema-reference validate valid --deny-warnings
run "validate--broken--schema-reference--json-deny-warnings" -C cases/schema-reference validate valid --format json --deny-warnings
run "validate--broken--many-problems--color-always" -C cases/many-problems validate valid --color always
run "validate--broken--misspelt-reference--color-never" -C cases/misspelt-reference validate valid --color never

# The shipped data, broken as in the README.
readme_example() {
  cp -R "$w/data" data
  py 'edit_first("data/pledges.json", "        \"france\"\n", "        \"frnce\"\n"); edit("data/pledges.json", "\"status\": \"committed\"", "\"status\": \"commited\"")'
}
setup "data-readme-example" cases/data-readme readme_example
formats "validate--data-readme-example" cases/data-readme data
run "validate--data-readme-example--default-dir" -C cases/data-readme validate
seed_changed() {
  cp -R "$w/seeds" seeds
  cp -R "$w/data" data
  local first
  first="$(find seeds -type f | sort | head -n 1)"
  printf 'x' >>"$first"
}
setup "data-seed-changed" cases/data-seed seed_changed
formats "validate--data-seed-changed" cases/data-seed data --archive seeds

# -------------------------------------------------- validate: broken CSV --

setup fixture-csv cases/csv-clean fixture_csv cases/csv-clean
formats "validate--fixture-csv" cases/csv-clean csv
broken_csv header-renamed edit pledge_evidence.csv 'source_id,quote' 'source_id,quotes'
broken_csv header-swapped edit pledge_evidence.csv 'ordinal,source_id' 'source_id,ordinal'
broken_csv header-missing-column py 't = rt("actors.csv"); h, rest = t.split("\n", 1); wt("actors.csv", ",".join(h.split(",")[:-1]) + "\n" + rest)'
broken_csv syntax edit pledge_pledgers.csv $'france-ships,1,france\n' $'france-ships,1,france\nfrance-ships,2\n'
broken_csv unclosed-quote edit pledges.csv 'France: two ships' '"France: two ships'
broken_csv ordinal edit pledge_pledgers.csv 'france-ships,1,' 'france-ships,2,'
broken_csv misspelt-status edit pledges.csv ',committed,' ',commited,'
broken_csv misspelt-reference edit pledge_pledgers.csv $',france\n' $',frnce\n'
broken_csv unknown-pledge edit pledge_evidence.csv 'france-ships,1,' 'no-such-pledge,1,'
broken_csv invalid-date edit pledges.csv $',2026-01,,,\n' $',2026-02-30,,,\n'
broken_csv wrong-type edit pledges.csv ',2,ships,' ',two,ships,'
broken_csv formula-prefix edit pledges.csv 'France: two ships' '=France: two ships'
broken_csv doubled-whitespace edit pledges.csv 'France: two ships' 'France:  two ships'
broken_csv bom-crlf py 'import glob
for p in glob.glob("*.csv"): wb(p, b"\xef\xbb\xbf" + rb(p).replace(b"\n", b"\r\n"))'
broken_csv missing-table rm pledge_involved.csv
broken_csv missing-datapackage rm datapackage.json
broken_csv empty-table py 'wt("pledges.csv", "")'
broken_csv invalid-utf8 py 'b = bytearray(rb("pledges.csv")); b[b.index(b"France: two") + 8] = 0xFF; wb("pledges.csv", bytes(b))'

# The shipped CSV, broken as CI breaks it (a foreign key), in a header, in a cell.
bad_key() { cp -R "$w/data/csv" csv; sed -i '2s/,[a-z0-9-]*$/,no-such-actor/' csv/pledge_pledgers.csv; }
setup "data-csv-bad-key" cases/data-csv-key bad_key
formats "validate--data-csv-bad-key" cases/data-csv-key csv
bad_header() { cp -R "$w/data/csv" csv; edit_first csv/actors.csv 'id,name,' 'ident,name,'; }
setup "data-csv-bad-header" cases/data-csv-header bad_header
formats "validate--data-csv-bad-header" cases/data-csv-header csv
bad_cell() { cp -R "$w/data/csv" csv; edit_first csv/actors.csv ',state,' ',staet,'; }
setup "data-csv-bad-cell" cases/data-csv-cell bad_cell
formats "validate--data-csv-bad-cell" cases/data-csv-cell csv

# --------------------------------------------------------------------- fmt --

run "fmt--check-data" fmt --check data
run "fmt--check-default-dir" fmt --check
run "fmt--check-fixture" fmt --check fixture/valid
fixture cases/fmt-canonical
run "fmt--fixture-canonical-nothing-to-do" -C cases/fmt-canonical fmt valid
attach "fmt--fixture-canonical-nothing-to-do" sha cases/fmt-canonical/valid

# noncanonical NAME CMD...: a copy of the fixture made non-canonical by CMD;
# fmt --check, fmt, the files it wrote, then fmt --check and fmt again.
noncanonical() {
  local name="$1" dir="cases/fmt-$1"
  shift
  fixture "$dir"
  setup "fmt-$name" "$dir" "$@"
  run "fmt--$name--check" -C "$dir" fmt --check valid
  run "fmt--$name--write" -C "$dir" fmt valid
  attach "fmt--$name--write" cat "$dir/valid"
  run "fmt--$name--check-again" -C "$dir" fmt --check valid
  run "fmt--$name--write-again" -C "$dir" fmt valid
}
noncanonical unsorted-actors py 'jedit("valid/actors.json", lambda d: d["actors"].reverse())'
noncanonical decomposed-unicode edit "$A" '"name": "France"' $'"name": "Fre\xcc\x81nce"'
noncanonical indent-4 py 'import json
for f in ["actors", "sources", "pledges", "dataset"]: wt(f"valid/{f}.json", json.dumps(json.loads(rt(f"valid/{f}.json")), indent=4, ensure_ascii=False) + "\n")'
noncanonical minified py 'import json
wt("valid/pledges.json", json.dumps(json.loads(rt("valid/pledges.json")), separators=(",", ":")))'
noncanonical key-order py 'jedit("valid/sources.json", lambda d: d["sources"].__setitem__(0, dict(reversed(list(d["sources"][0].items())))))'
noncanonical bom py 'wb("valid/pledges.json", b"\xef\xbb\xbf" + rb("valid/pledges.json"))'
noncanonical crlf py 'wb("valid/actors.json", rb("valid/actors.json").replace(b"\n", b"\r\n"))'
noncanonical no-final-newline py 'wb("valid/dataset.json", rb("valid/dataset.json").rstrip(b"\n"))'
noncanonical amount-as-integer edit "$P" '"amount": 2.0' '"amount": 2'
unsorted_data() {
  rm -r valid
  cp -R "$w/data" valid
  py 'jedit("valid/pledges.json", lambda d: d["pledges"].reverse())'
}
noncanonical unsorted-data unsorted_data

fixture cases/fmt-invalid
setup "fmt-invalid" cases/fmt-invalid edit "$P" '"committed"' '"commited"'
run "fmt--invalid" -C cases/fmt-invalid fmt valid
run "fmt--invalid-check" -C cases/fmt-invalid fmt --check valid
run "fmt--no-such-dir" fmt no-such-dir
mkdir -p "$w/cases/fmt-csv" && cp -R "$w/data/csv" "$w/cases/fmt-csv/csv"
run "fmt--csv-dir" -C cases/fmt-csv fmt csv
attach "fmt--csv-dir" sha cases/fmt-csv/csv

# ----------------------------------------------------------------- convert --

run "convert--data-to-csv" convert --to csv data out/data-csv
attach "convert--data-to-csv" cat out/data-csv
same "convert--data-to-csv" out/data-csv/pledges.csv data/csv/pledges.csv
run "convert--data-csv-to-json" convert --to json data/csv out/data-json
attach "convert--data-csv-to-json" cat out/data-json
same "convert--data-csv-to-json" out/data-json/pledges.json data/pledges.json
run "convert--data-csv-to-json-schema-dir" convert --to json data/csv out/data-json-schema --schema-dir ../../schema
attach "convert--data-csv-to-json-schema-dir" sha out/data-json-schema
run "convert--data-to-json" convert --to json data out/data-json-again
attach "convert--data-to-json" sha out/data-json-again
run "convert--check-data-csv" convert --to csv data data/csv --check
run "convert--check-data-json" convert --to json data/csv data --check
run "convert--check-missing-output" convert --to csv data out/no-such --check
attach "convert--check-missing-output" sha out/no-such

fixture cases/convert
run "convert--fixture-to-csv" -C cases/convert convert --to csv valid csv
attach "convert--fixture-to-csv" cat cases/convert/csv
run "convert--fixture-to-csv-again" -C cases/convert convert --to csv valid csv
run "convert--fixture-check-csv" -C cases/convert convert --to csv valid csv --check
run "convert--fixture-csv-to-json" -C cases/convert convert --to json csv back --schema-dir ../../../schema
attach "convert--fixture-csv-to-json" cat cases/convert/back
for f in dataset actors sources pledges; do
  same "convert--fixture-csv-to-json" "cases/convert/back/$f.json" "cases/convert/valid/$f.json"
done
run "convert--fixture-csv-to-json-default-schema-dir" -C cases/convert convert --to json csv back-default
attach "convert--fixture-csv-to-json-default-schema-dir" sha cases/convert/back-default
run "convert--fixture-check-json" -C cases/convert convert --to json csv valid --check --schema-dir ../../../schema
setup "convert-stale" cases/convert/csv edit pledges.csv 'France: two ships' 'France: 2 ships'
run "convert--fixture-check-stale-csv" -C cases/convert convert --to csv valid csv --check
run "convert--fixture-check-stale-json" -C cases/convert convert --to json csv valid --check --schema-dir ../../../schema
run "convert--into-input" -C cases/convert convert --to csv valid valid
attach "convert--into-input" sha cases/convert/valid
run "convert--into-input-dot-path" -C cases/convert convert --to csv valid ./valid/
fixture cases/convert-force
run "convert--into-input-forced" -C cases/convert-force convert --to csv valid valid --force
attach "convert--into-input-forced" sha cases/convert-force/valid
fixture cases/convert-invalid
quiet cases/convert-invalid convert --to csv valid csv || true
setup "convert-invalid" cases/convert-invalid py 'edit("valid/pledges.json", "\"committed\"", "\"commited\""); edit("valid/pledges.json", "France: two ships", "France: 2 ships")'
run "convert--invalid-input-leaves-output" -C cases/convert-invalid convert --to csv valid csv
attach "convert--invalid-input-leaves-output" sha cases/convert-invalid/csv
run "convert--invalid-csv-input" -C cases/csv-misspelt-status convert --to json csv out
attach "convert--invalid-csv-input" sha cases/csv-misspelt-status/out
run "convert--no-such-input" convert --to csv no-such-dir out/nothing
run "convert--input-is-a-file" convert --to csv data/dataset.json out/nothing
run "convert--output-is-a-file" convert --to csv data out/a-file

# ------------------------------------------------------------ list / show --

run "list--bundled" list
run "list--bundled-json" list --format json
run "list--data" list --data data
run "list--data-json" list --data data --format json
run "list--data-csv" list --data data/csv
run "list--fixture" list --data fixture/valid --format json
run "list--actor-id" list --actor germany
run "list--actor-alias" list --actor zelensky
run "list--actor-alias-json" list --actor zelensky --format json
run "list--actor-case-accent" list --actor '  VOLODYMYR ZELENSKY  '
run "list--actor-person-affiliation" list --actor nato
run "list--actor-unknown" list --actor Atlantis
run "list--actor-typo" list --actor Deutschland-typo-germny --format json
run "list--involving" list --involving nato
run "list--involving-parliament" list --involving uk-parliament
run "list--involving-unknown" list --involving frnce
run "list--category" list --category troop_deployment
run "list--category-json" list --category troop_deployment --format json
run "list--category-near-miss" list --category troop
run "list--category-unknown" list --category zzzz
run "list--status" list --status delivered
run "list--status-near-miss" list --status commited
run "list--condition" list --condition ceasefire
run "list--condition-near-miss" list --condition cease
run "list--condition-unknown" list --condition zzzz
run "list--actor-and-condition-json" list --actor germany --condition us_backstop --format json
run "list--all-filters-nothing" list --actor france --category training --status delivered --condition ceasefire --involving ukraine
run "list--data-broken" -C cases/misspelt-status list --data valid
run "list--data-missing" list --data no-such-dir

run "show--bundled" show germany-infantry-vehicles
run "show--bundled-json" show us-led-truce-monitoring --format json
run "show--data" show european-led-multinational-force --data data
run "show--data-csv-json" show france-artillery-air-defence-training --data data/csv --format json
run "show--fixture" show france-ships --data fixture/valid
run "show--fixture-json" show france-ships --data fixture/valid --format json
run "show--unknown-near-miss" show germany-infantry-vehicle --data data
run "show--unknown" show zzzz
run "show--unknown-json" show zzzz --format json
run "show--data-broken" -C cases/misspelt-status show france-ships --data valid
run "show--data-missing" show france-ships --data no-such-dir

# ------------------------------------------------------------------ schema --

run "schema--print" schema
run "schema--check" schema --check schema
run "schema--write" schema --write out/schema
attach "schema--write" cat out/schema
same "schema--write" out/schema/pledges.schema.json schema/pledges.schema.json
mkdir -p "$w/out/schema-stale" && cp "$w/schema/"* "$w/out/schema-stale/"
printf '{}\n' >"$w/out/schema-stale/pledges.schema.json"
run "schema--check-stale" schema --check out/schema-stale
run "schema--write-over-stale" schema --write out/schema-stale
attach "schema--write-over-stale" sha out/schema-stale
run "schema--check-no-such-dir" schema --check no-such-dir
run "schema--write-into-a-file" schema --write out/a-file

# ---------------------------------------------------------------- generate --

run "generate--50-seed-7" generate --pledges 50 --seed 7 --out gen/50-7
attach "generate--50-seed-7" sha gen/50-7
run "generate--50-seed-7-again" generate --pledges 50 --seed 7 --out gen/50-7-again
attach "generate--50-seed-7-again" sha gen/50-7-again
run "generate--50-seed-8" generate --pledges 50 --seed 8 --out gen/50-8
attach "generate--50-seed-8" sha gen/50-8
run "generate--0" generate --pledges 0 --out gen/0
attach "generate--0" cat gen/0
run "generate--3-seed-2" generate --pledges 3 --seed 2 --out gen/3-2
attach "generate--3-seed-2" cat gen/3-2
run "generate--default-size" generate --out gen/default
attach "generate--default-size" sha gen/default
run "generate--corrupt" generate --pledges 30 --seed 3 --corrupt 5 --out gen/corrupt
attach "generate--corrupt" sha gen/corrupt
run "generate--corrupt-large" generate --pledges 1500 --seed 5 --corrupt 12 --out gen/corrupt-large
attach "generate--corrupt-large" sha gen/corrupt-large
run "generate--out-is-a-file" generate --pledges 5 --out out/a-file
formats "validate--generated" . gen/50-7
run "validate--generated-csv" validate gen/50-7/csv --deny-warnings
formats "validate--generated-corrupt" . gen/corrupt
formats "validate--generated-corrupt-large" . gen/corrupt-large
run "validate--generated-default-size" validate gen/default --format json
run "fmt--check-generated" fmt --check gen/50-7
run "convert--check-generated" convert --to csv gen/50-7 gen/50-7/csv --check

# ------------------------------------------------------ diff / check-release --

# versions DIR: the fixture as DIR/valid (old) and DIR/new (a changed copy:
# a pledge added, a status and a quote changed, an alias added, version 1.1.0).
versions() {
  fixture "$1"
  cp -R "$w/$1/valid" "$w/$1/new"
  (cd "$w/$1" && py '
def add(d):
    p = json.loads(json.dumps(d["pledges"][0]))
    p["id"] = "france-ships-again"
    p["title"] = "France: two more ships"
    d["pledges"].append(p)
    d["pledges"][0]["status"] = "delivered"
    d["pledges"][0]["evidence"][0]["quote"] = "France pledged \"two ships\" | for the Black Sea"
jedit("new/pledges.json", add)
jedit("new/actors.json", lambda d: d["actors"][0].__setitem__("aliases", ["French Republic"]))
jedit("new/dataset.json", lambda d: d.__setitem__("version", "1.1.0"))
')
}
setup "versions" . versions cases/diff
for f in human markdown json; do
  run "diff--changed--$f" -C cases/diff diff valid new --format "$f"
  run "diff--reversed--$f" -C cases/diff diff new valid --format "$f"
  run "diff--identical--$f" -C cases/diff diff valid valid --format "$f"
done
run "diff--data-vs-fixture" diff data fixture/valid
run "diff--data-vs-csv" diff data data/csv --format json
run "diff--one-dir" -C cases/diff diff valid
run "diff--three-dirs" -C cases/diff diff valid new valid
run "diff--no-dirs" -C cases/diff diff
run "diff--old-missing" -C cases/diff diff no-such-dir new
run "diff--old-not-a-dataset" -C cases/misspelt-status diff archive valid
run "diff--new-broken-valid-old" diff fixture/valid cases/misspelt-status/valid

printf '## [Unreleased]\n\n## [1.1.0] - 2026-11-23\n\n## [1.0.0]\n' >"$w/cases/diff/CHANGELOG.md"
printf '## [Data 1.0.0]\n' >"$w/cases/diff/CHANGELOG-old.md"
run "check-release--ok" -C cases/diff check-release new --base valid
run "check-release--no-section" -C cases/diff check-release new --base valid --changelog CHANGELOG-old.md
run "check-release--no-changelog" -C cases/diff check-release new --base valid --changelog no-such.md
run "check-release--no-changes" -C cases/diff check-release valid --base valid
run "check-release--downgrade" -C cases/diff check-release valid --base new
run "check-release--base-missing" -C cases/diff check-release new --base no-such-dir
run "check-release--data-vs-itself" check-release data --base data --changelog no-such.md

# release NAME PYCODE: the fixture as old (valid) and new, new changed by
# PYCODE, checked against a changelog with sections for 1.0.1, 1.1.0, 2.0.0.
release() {
  local name="$1" dir="cases/release-$1"
  fixture "$dir"
  cp -R "$w/$dir/valid" "$w/$dir/new"
  printf '## [Data 2.0.0]\n\n## [Data 1.1.0] - 2026-11-23\n\n## [Data 1.0.1]\n' >"$w/$dir/CHANGELOG.md"
  setup "release-$name" "$dir" py "$2"
  run "check-release--$name" -C "$dir" check-release new --base valid
  run "diff--release-$name" -C "$dir" diff valid new
}
add_pledge='
def add(d):
    p = json.loads(json.dumps(d["pledges"][0]))
    p["id"] = "france-ships-again"
    p["title"] = "France: two more ships"
    d["pledges"].append(p)
jedit("new/pledges.json", add)
'
version() { printf 'jedit("new/dataset.json", lambda d: d.__setitem__("version", "%s"))\n' "$1"; }
release added-pledge-no-bump "$add_pledge"
release added-pledge-patch "$add_pledge$(version 1.0.1)"
release added-pledge-minor "$add_pledge$(version 1.1.0)"
release changed-quote-patch "jedit(\"new/pledges.json\", lambda d: d[\"pledges\"][0][\"evidence\"][0].__setitem__(\"quote\", \"France pledged\"))
$(version 1.0.1)"
release deleted-actor "jedit(\"new/actors.json\", lambda d: d[\"actors\"].pop(1))
jedit(\"new/pledges.json\", lambda d: d[\"pledges\"][0].__setitem__(\"beneficiary\", None))
$(version 2.0.0)"
release retired-actor "jedit(\"new/actors.json\", lambda d: d[\"actors\"][1].__setitem__(\"retired\", {\"reason\": \"withdrawn\", \"replaced_by\": None, \"note\": \"Entered by mistake.\"}))
jedit(\"new/pledges.json\", lambda d: d[\"pledges\"][0].__setitem__(\"beneficiary\", None))
$(version 1.1.0)"
release renamed-pledge "jedit(\"new/pledges.json\", lambda d: d[\"pledges\"][0].__setitem__(\"id\", \"france-two-ships\"))
$(version 2.0.0)"
release schema-version "jedit(\"new/dataset.json\", lambda d: d.__setitem__(\"schema_version\", \"0.2.0\"))
$(version 1.1.0)"
release version-not-semver "$(version 1.1)"
release manifest-only "jedit(\"new/dataset.json\", lambda d: d.__setitem__(\"title\", \"Another title\"))"

# A scratch git repository with two commits: the fixture, then the changed
# version; the old side is read from git.
gitrepo() {
  versions "$1"
  (cd "$w/$1" && rm -rf valid-new && mv new valid-new)
  git_in "$1" init -q
  git_in "$1" add valid
  git_in "$1" commit -q -m old
  rm -r "$w/$1/valid"
  mv "$w/$1/valid-new" "$w/$1/valid"
  printf '## [Data 1.1.0]\n' >"$w/$1/CHANGELOG.md"
  git_in "$1" add valid CHANGELOG.md
  git_in "$1" commit -q -m new
}
setup "git" . gitrepo cases/git
for f in human markdown json; do
  run "diff--git-previous--$f" -C cases/git diff --git HEAD~1 valid --format "$f"
done
run "diff--git-head-unchanged" -C cases/git diff --git HEAD valid
run "diff--git-no-such-rev" -C cases/git diff --git no-such-rev valid
run "diff--git-default-dir" -C cases/git diff --git HEAD~1
run "diff--git-and-two-dirs" -C cases/git diff --git HEAD~1 valid valid
run "diff--git-not-a-repo" -C cases/diff diff --git HEAD valid
run "check-release--git-previous" -C cases/git check-release valid --git HEAD~1
run "check-release--git-head" -C cases/git check-release valid --git HEAD
run "check-release--git-no-such-rev" -C cases/git check-release valid --git no-such-rev
setup "git-edit" cases/git edit "$P" '"delivered"' '"withdrawn"'
run "diff--git-worktree-edit" -C cases/git diff --git HEAD valid
run "check-release--git-worktree-edit" -C cases/git check-release valid --git HEAD

# The old side at a commit whose data is invalid: its report names the
# temporary directory git's files were checked out into.
gitbroken() {
  fixture "$1"
  py 'edit("valid/pledges.json", "\"committed\"", "\"commited\"")'
  git_in "$1" init -q
  git_in "$1" add valid
  git_in "$1" commit -q -m broken
  cp "$w/fixture/valid/pledges.json" valid/pledges.json
}
setup "git-broken" cases/git-broken gitbroken cases/git-broken
run "diff--git-old-invalid" -C cases/git-broken diff --git HEAD valid
run "check-release--git-old-invalid" -C cases/git-broken check-release valid --git HEAD

# ------------------------------------------------------------------ finish --

echo "cli-snapshot: $cases cases written to $out" >&2
if [ "$setup_failures" -gt 0 ]; then
  echo "cli-snapshot: $setup_failures case setups failed (see the setup--*.txt files)" >&2
  exit 3
fi
