#!/usr/bin/env python3
"""Checks that no module of the library imports a layer above its own.

The layers are the groups of `mod` declarations in src/lib.rs (a group is a
run of lines with no blank line between them), lowest first: a module may use
the modules of its own group and of the groups before it, never one of a
group after it. Those groups are the one place the allowed direction is
written down; this script only reads them. Test code (everything from a
file's `#[cfg(test)]` module on) may use any layer, to build its fixtures.

Usage: python3 scripts/check-layers.py [SRC_DIR]   (exit 1 on a violation)
"""

import pathlib
import re
import sys

src = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "src")
lib = (src / "lib.rs").read_text(encoding="utf-8")
mod_re = re.compile(r"^\s*(?:pub(?:\([a-z]+\))?\s+)?mod\s+([a-z_0-9]+)\s*;", re.M)
layers = [mods for block in re.split(r"\n\s*\n", lib) if (mods := mod_re.findall(block))]
rank = {name: i for i, mods in enumerate(layers) for name in mods}

# `crate::name` anywhere in code, including inside `use crate::{a, b}`.
path_re = re.compile(r"\bcrate::([a-z_0-9]+)")
group_re = re.compile(r"\buse\s+crate::\{([^}]*)\}", re.S)


def code_of(text: str) -> str:
    """The file without its test module, comments and string literals."""
    cut = re.search(r"^#\[cfg\(test\)\]\s*\n\s*mod\s+\w+\s*\{", text, re.M)
    if cut:
        text = text[: cut.start()]
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    return text


problems = []
for path in sorted(src.rglob("*.rs")):
    rel = path.relative_to(src)
    if rel.parts[0] == "bin" or rel.name == "lib.rs":
        continue
    top = rel.parts[0].removesuffix(".rs")
    if top not in rank:
        problems.append(f"{path}: module `{top}` is not declared in {src / 'lib.rs'}")
        continue
    code = code_of(path.read_text(encoding="utf-8"))
    used = set(path_re.findall(code))
    for group in group_re.findall(code):
        used.update(re.findall(r"(?:^|,)\s*([a-z_0-9]+)", group))
    for name in sorted(used):
        if name in rank and rank[name] > rank[top]:
            problems.append(
                f"{path}: `{top}` (layer {rank[top]}) uses `crate::{name}` "
                f"(layer {rank[name]}), a later layer"
            )

for p in problems:
    print(p, file=sys.stderr)
if problems:
    print(f"{len(problems)} import(s) run up the layers; see the order in {src / 'lib.rs'}", file=sys.stderr)
    sys.exit(1)
order = " -> ".join("{" + ", ".join(mods) + "}" if len(mods) > 1 else mods[0] for mods in layers)
print(f"layers: no import runs back up the {len(layers)} layers ({order})")
