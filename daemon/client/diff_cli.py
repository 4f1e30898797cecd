"""`nbdesk diff A.ipynb B.ipynb`: the cell-aware diff of two notebook files, in the terminal.

Cells added, removed, moved or modified; a line diff of each changed source (three lines
of context); outputs summarised (text diffed, images by size and SHA-256); changed
metadata keys. Colour only on a terminal (and never with NO_COLOR). Exit status as diff(1):
0 the same, 1 different, 2 trouble. Works as a git difftool:

    git config difftool.nbdesk.cmd 'nbdesk diff "$LOCAL" "$REMOTE"'
    git difftool --tool=nbdesk HEAD~1 -- notebook.ipynb

Needs no daemon: the diff is `nbdesk.daemon.doc.cell_diff`, the one the app uses.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from nbdesk.daemon.blobs.output_summary import output_key, summarize_output
from nbdesk.daemon.doc.cell_diff import SideCell, diff_cells, notebook_cells
from nbdesk.daemon.doc.ipynb import read_ipynb
from nbdesk.daemon.wire.enums import CellChange, DiffOp
from nbdesk.daemon.wire.errors import NbdeskError
from nbdesk.daemon.wire.responses import CellDiff, DiffLine

CONTEXT = 3
_COLOURS = {"+": "\x1b[32m", "-": "\x1b[31m", "#": "\x1b[1;36m", "~": "\x1b[2m"}
_RESET = "\x1b[0m"


class DiffInputError(Exception):
    """A file `nbdesk diff` cannot read; the message says which and why."""


def read_side(path: str, outputs: dict[str, dict[str, Any]]) -> list[SideCell]:
    """The notebook's cells; its outputs are remembered in `outputs` by key."""
    file = Path(path)
    if not file.exists():
        raise DiffInputError(f"{path}: no such file")
    if file.is_dir():
        raise DiffInputError(f"{path}: is a folder, not a notebook")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise DiffInputError(f"{path}: cannot read it ({exc.strerror})") from exc
    if not data.strip():  # what git passes for a notebook that does not exist on one side
        return []
    try:
        nb, _ = read_ipynb(data, source=path)
    except NbdeskError as exc:
        raise DiffInputError(exc.message) from exc

    def keep(output: dict[str, Any]) -> str:
        key = output_key(output)
        outputs[key] = output
        return key

    return notebook_cells(nb, keep)


class Printer:
    def __init__(self, out: TextIO, colour: bool) -> None:
        self.out = out
        self.colour = colour

    def line(self, text: str, kind: str = "") -> None:
        if self.colour and kind in _COLOURS:
            text = f"{_COLOURS[kind]}{text}{_RESET}"
        self.out.write(text + "\n")

    def diff_lines(self, lines: list[DiffLine], indent: str) -> None:
        """Changed lines with CONTEXT lines around them; `…` where lines are skipped."""
        near: set[int] = set()
        for index, entry in enumerate(lines):
            if entry.op != DiffOp.SAME:
                near.update(range(index - CONTEXT, index + CONTEXT + 1))
        skipped = False
        for index, entry in enumerate(lines):
            if index not in near:
                skipped = True
                continue
            if skipped:
                self.line(f"{indent}  …", "~")
                skipped = False
            self.line(f"{indent}{entry.op.value} {entry.text}", entry.op.value.strip())
        if skipped:
            self.line(f"{indent}  …", "~")


def _where(cell: CellDiff) -> str:
    if cell.status == CellChange.REMOVED:
        return f"old cell {(cell.left_index or 0) + 1}"
    if cell.status == CellChange.MOVED:
        return f"cell {(cell.left_index or 0) + 1} → {(cell.right_index or 0) + 1}"
    return f"cell {(cell.right_index or 0) + 1}"


def print_diff(left: str, right: str, cells: list[CellDiff], printer: Printer) -> None:
    printer.line(f"--- {left}", "-")
    printer.line(f"+++ {right}", "+")
    for cell in cells:
        if cell.status == CellChange.UNCHANGED:
            continue
        ident = f" id {cell.cell_id}" if cell.cell_id else ""
        printer.line(f"## {_where(cell)} [{cell.cell_type}] {cell.status}{ident}", "#")
        if cell.source_lines:
            printer.diff_lines(cell.source_lines, "  ")
        if cell.outputs_changed:
            printer.line("  outputs:")
            printer.diff_lines(cell.output_lines, "    ")
        if cell.metadata_changed:
            printer.line(f"  metadata changed: {', '.join(cell.metadata_changed)}")
    counts = Counter(str(cell.status) for cell in cells)
    summary = ", ".join(f"{counts[str(s)]} {s}" for s in CellChange if counts[str(s)])
    printer.line(f"{len(cells)} cells: {summary or 'none'}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="nbdesk diff", description="A cell-aware diff of two notebooks."
    )
    parser.add_argument("old", help="the notebook before (git difftool: $LOCAL)")
    parser.add_argument("new", help="the notebook after (git difftool: $REMOTE)")
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the output (auto: on a terminal, unless NO_COLOR is set)",
    )
    args = parser.parse_args(argv)
    outputs: dict[str, dict[str, Any]] = {}
    try:
        old = read_side(args.old, outputs)
        new = read_side(args.new, outputs)
    except DiffInputError as exc:
        print(f"nbdesk diff: {exc}", file=sys.stderr)
        return 2

    def describe(key: str) -> list[str]:
        return summarize_output(outputs[key])

    cells = diff_cells(old, new, describe, describe)
    colour = args.color == "always" or (
        args.color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    )
    print_diff(args.old, args.new, cells, Printer(sys.stdout, colour))
    return 0 if all(cell.status == CellChange.UNCHANGED for cell in cells) else 1
