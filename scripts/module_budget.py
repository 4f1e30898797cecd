"""Fail when a module grows past the size budget of STYLE.md: no Python module (the package,
its tests) and no TypeScript module of the page over 600 lines, and a median under 200."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 600
MEDIAN_LINES = 200
# nbdesk/daemon and nbdesk/desktop are symlinks to daemon/ and desktop/: paths are resolved
# so a module counts once.
SOURCES = (
    ("nbdesk", "*.py"),
    ("daemon", "*.py"),
    ("desktop", "*.py"),
    ("tests", "*.py"),
    ("web/src", "*.ts"),
)
# Generated from the Python wire structs (`python -m nbdesk.daemon.wire.gen_ts`), never edited
# by hand: the modules a reader edits are the ones under budget.
GENERATED = ("*.gen.ts",)


def main() -> int:
    sizes = {
        path.resolve(): len(path.read_text().splitlines())
        for folder, pattern in SOURCES
        for path in (ROOT / folder).rglob(pattern)
        if not any(path.match(generated) for generated in GENERATED)
    }
    too_big = {p: n for p, n in sizes.items() if n > MAX_LINES}
    for path, lines in sorted(too_big.items()):
        print(
            f"{path.relative_to(ROOT)} has {lines} lines (budget {MAX_LINES}): split it by concern"
        )
    median = statistics.median(sizes.values()) if sizes else 0
    if median > MEDIAN_LINES:
        print(f"median module size is {median} lines (budget {MEDIAN_LINES})")
    return 1 if too_big or median > MEDIAN_LINES else 0


if __name__ == "__main__":
    sys.exit(main())
