"""The notebooks the user opened lately, for File → Open Recent.

One JSON file in the nbdesk home (0600 like everything there), newest first, at most
`LIMIT` notebooks. A notebook whose file is gone is pruned when the list is read, so the
menu never offers what cannot open. A file nbdesk cannot read is moved aside, named in
the log, and a new list started: the old one is kept for the user, never overwritten.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from nbdesk.daemon.home.atomic import atomic_write
from nbdesk.daemon.home.config import Home

log = logging.getLogger(__name__)
LIMIT = 10


@dataclass(frozen=True)
class RecentNotebook:
    path: Path

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def title(self) -> str:
        """The menu's words: the notebook's name and the folder it is in."""
        return f"{self.path.name}  ({self.folder})"


class RecentNotebooks:
    def __init__(self, home: Home, limit: int = LIMIT) -> None:
        self.file = home.root / "recent.json"
        self.limit = limit

    def _read(self) -> list[Path]:
        try:
            raw = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            return self._set_aside(exc)
        listed = raw.get("notebooks") if isinstance(raw, dict) else None
        if not isinstance(listed, list) or not all(isinstance(p, str) for p in listed):
            return self._set_aside('"notebooks" is not a list of paths')
        return [Path(p) for p in listed]

    def _set_aside(self, problem: object) -> list[Path]:
        kept = self.file.with_name(self.file.name + ".unreadable")
        try:
            os.replace(self.file, kept)
        except OSError as exc:
            log.error("cannot read %s (%s) nor move it aside: %s", self.file, problem, exc)
            raise
        log.error(
            "cannot read %s (%s): moved it to %s and started a new list of recent notebooks",
            self.file,
            problem,
            kept,
        )
        return []

    def _write(self, paths: list[Path]) -> None:
        data = {"notebooks": [str(p) for p in paths]}
        atomic_write(self.file, (json.dumps(data, indent=1) + "\n").encode(), private=True)

    def entries(self) -> list[RecentNotebook]:
        """The recent notebooks that still exist, newest first (the gone ones pruned)."""
        listed = self._read()
        present = [p for p in listed if p.is_file()]
        if present != listed:
            self._write(present)
        return [RecentNotebook(p) for p in present]

    def add(self, path: Path | str) -> None:
        """`path` opened or saved: first in the list, once."""
        notebook = Path(path).resolve()
        paths = [notebook, *(p for p in self._read() if p != notebook)]
        self._write(paths[: self.limit])

    def remove(self, path: Path) -> None:
        self._write([p for p in self._read() if p != path])
