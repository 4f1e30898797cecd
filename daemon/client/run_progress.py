"""`nbdesk run`'s progress: one line per code cell, redrawn in place on a terminal."""

from __future__ import annotations

import sys
from typing import TextIO


class Progress:
    """One line that redraws itself on a terminal, one line per cell otherwise."""

    def __init__(self, total: int, stream: TextIO = sys.stderr) -> None:
        self.total = total
        self.done = 0
        self.stream = stream
        self.tty = stream.isatty()

    def update(self, cell: str, status: str, seconds: float | None = None) -> None:
        self.done += 1
        width = 30
        filled = width * self.done // max(self.total, 1)
        bar = "#" * filled + "-" * (width - filled)
        took = f" ({seconds:.2f} s)" if seconds is not None else ""
        line = f"[{bar}] {self.done}/{self.total}  cell {cell}: {status}{took}"
        if self.tty:
            self.stream.write("\r" + line.ljust(100))
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def stop(self) -> None:
        """The run ends early: leave the redrawn line where it is."""
        if self.tty and self.done != self.total:
            self.stream.write("\n")
            self.stream.flush()
