#!/usr/bin/env python3
"""Checks that screenshots of the site are not blank: a page that rendered
shows text, rules and links, so many pixels differ from the background
(its most common colour) and there are many distinct colours. A blank,
an all-white or a one-colour error page fails.

Usage: python3 scripts/check-screenshots.py PNG...   (needs Pillow; exit 1 on a blank one)
"""

import sys

from PIL import Image

MIN_FOREGROUND = 0.02  # at least 2% of the pixels are not the background
MIN_COLOURS = 16  # anti-aliased text alone gives dozens


def check(path: str) -> list[str]:
    image = Image.open(path).convert("RGB")
    width, height = image.size
    pixels = width * height
    colours = image.getcolors(maxcolors=pixels) or []
    background_count, background = max(colours)
    foreground = 1 - background_count / pixels
    # The top and bottom halves both show something: not a header alone.
    halves = []
    for box in [(0, 0, width, height // 2), (0, height // 2, width, height)]:
        part = image.crop(box)
        part_colours = part.getcolors(maxcolors=pixels) or []
        same = sum(n for n, c in part_colours if c == background)
        halves.append(1 - same / (part.size[0] * part.size[1]))
    problems = []
    if foreground < MIN_FOREGROUND:
        problems.append(f"only {foreground:.1%} of the pixels differ from the background {background}")
    if len(colours) < MIN_COLOURS:
        problems.append(f"only {len(colours)} distinct colours")
    if min(halves) < MIN_FOREGROUND / 4:
        problems.append(f"one half of the page is empty ({halves[0]:.1%} / {halves[1]:.1%} drawn)")
    print(
        f"{path}: {width}x{height}, {len(colours)} colours, {foreground:.1%} drawn "
        f"(top {halves[0]:.1%}, bottom {halves[1]:.1%}): {'BLANK' if problems else 'ok'}"
    )
    return problems


failed = False
for path in sys.argv[1:]:
    for p in check(path):
        print(f"  {p}", file=sys.stderr)
        failed = True
if len(sys.argv) < 2:
    print(__doc__, file=sys.stderr)
    sys.exit(2)
sys.exit(1 if failed else 0)
