#!/usr/bin/env python3
"""Applies CONTRIBUTING.md's walkthrough example to a copy of the repository.

The example lives in CONTRIBUTING.md itself, in fenced code blocks whose info
string carries a marker after the language: ```` ```json example: data/sources.json ````.
The marker names where the block goes:

  example: archive/NAME   the text is written to the archive directory as NAME
  example: data/FILE.json the object is appended to the file's record list
  example: CHANGELOG.md   the section goes above the latest release, its
                          `## [Data X.Y.Z]` heading set to the bumped version

Only the markers are read, never the prose, so the guide's wording (and its
commands) can change freely; a block that moves, changes or is added is
followed. What the contributor does by hand beyond pasting the blocks
(hashing the archived text, bumping the version, running the tool) is the
list STEPS below, in the guide's order; change it when the guide's steps
change.

Usage: python3 scripts/contributing-example.py COPY ARCHIVE_DIR PLEDGES
  COPY         a copy of the repository, edited in place
  ARCHIVE_DIR  the archive directory the example's text is written into
  PLEDGES      the `pledges` binary
"""

import hashlib
import json
import pathlib
import re
import subprocess
import sys

FENCE = re.compile(r"^(```+)(\w*)[ \t]+example:[ \t]*(\S+)[ \t]*$")


def blocks(guide: str):
    """The marked blocks of the guide, as (target, text), in order."""
    found, lines, i = [], guide.splitlines(keepends=True), 0
    while i < len(lines):
        m = FENCE.match(lines[i].rstrip("\n"))
        i += 1
        if not m:
            continue
        fence, body = m.group(1), []
        while i < len(lines) and not lines[i].startswith(fence):
            body.append(lines[i])
            i += 1
        i += 1
        found.append((m.group(3), "".join(body)))
    return found


def write_archive(copy, archive, marked):
    for target, text in marked:
        if target.startswith("archive/"):
            (archive / target.removeprefix("archive/")).write_text(text, encoding="utf-8")


def add_records(copy, archive, marked):
    for target, text in marked:
        if not target.startswith("data/"):
            continue
        record = json.loads(text)
        # The guide has the contributor paste what `sha256sum` printed.
        sha = record.get("archive", {}).get("sha256") if isinstance(record.get("archive"), dict) else None
        if sha is not None and not re.fullmatch(r"[0-9a-f]{64}", sha):
            data = (archive / record["archive"]["file"]).read_bytes()
            record["archive"]["sha256"] = hashlib.sha256(data).hexdigest()
        path = copy / target
        doc = json.loads(path.read_text(encoding="utf-8"))
        (key,) = [k for k, v in doc.items() if isinstance(v, list)]
        doc[key].append(record)
        path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def bump_version(copy, archive, marked):
    # New records: a minor bump (CONTRIBUTING's table).
    path = copy / "data/dataset.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    major, minor, _ = (int(x) for x in manifest["version"].split("-")[0].split("."))
    manifest["version"] = f"{major}.{minor + 1}.0"
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def add_changelog(copy, archive, marked):
    version = json.loads((copy / "data/dataset.json").read_text(encoding="utf-8"))["version"]
    path = copy / "CHANGELOG.md"
    text = path.read_text(encoding="utf-8")
    for target, section in marked:
        if target != "CHANGELOG.md":
            continue
        section = re.sub(r"^## \[Data [^\],]+", f"## [Data {version}", section, count=1, flags=re.M)
        releases = [m.start() for m in re.finditer(r"^## \[(?!Unreleased\])", text, re.M)]
        at = releases[0] if releases else len(text)
        text = text[:at] + section.rstrip("\n") + "\n\n" + text[at:]
    path.write_text(text, encoding="utf-8")


def run(*args):
    def step(copy, archive, marked):
        subprocess.run([PLEDGES, *args], cwd=copy, check=True)
    return step


# The guide's steps, in its order.
STEPS = [
    ("archive the source's text", write_archive),
    ("add the source, the actor and the pledge (sha256 from the archived text)", add_records),
    ("bump the version (new records: minor)", bump_version),
    ("add the changelog section", add_changelog),
    ("format", run("fmt", "data")),
    ("regenerate the CSV", run("convert", "--to", "csv", "data", "data/csv")),
]


def main():
    global PLEDGES
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    copy, archive = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    PLEDGES = str(pathlib.Path(sys.argv[3]).resolve())
    marked = blocks((copy / "CONTRIBUTING.md").read_text(encoding="utf-8"))
    targets = {t.split("/")[0] for t, _ in marked}
    for needed in ["archive", "data", "CHANGELOG.md"]:
        if needed not in targets:
            sys.exit(f"CONTRIBUTING.md has no block marked `example: {needed}…`")
    archive.mkdir(parents=True, exist_ok=True)
    for name, step in STEPS:
        print(f"contributing example: {name}")
        step(copy, archive, marked)


if __name__ == "__main__":
    main()
