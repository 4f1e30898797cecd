"""Fail when a Python module grows past the size budget of STYLE.md (none over 600 lines)."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 600
MEDIAN_LINES = 200


def main() -> int:
    sizes = {
        p: len(p.read_text().splitlines())
        for d in ("nbdesk", "daemon", "desktop")
        for p in (ROOT / d).rglob("*.py")
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
