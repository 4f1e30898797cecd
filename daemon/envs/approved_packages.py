"""The packages this user approved once, remembered so that a new notebook listing only
those (pandas and numpy again) does not ask again.

Names are kept PEP 503-normalised in `trust/approved.json`; versions are not part of it
(approving `pandas` approves `pandas>=2`), but every requirement is still checked by
`nbdesk.daemon.doc.requirements`, so no URL or path can ride on a remembered name. An
unreadable file is treated as empty (nbdesk asks again) and rewritten on the next
approval.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path

from nbdesk.daemon.home.atomic import atomic_write

log = logging.getLogger(__name__)


class ApprovedPackages:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "approved.json"
        self._names: set[str] | None = None

    def __repr__(self) -> str:
        return f"ApprovedPackages({self.path}, names={len(self.names)})"

    @property
    def names(self) -> set[str]:
        if self._names is None:
            self._names = self._read()
        return self._names

    def covers(self, names: Iterable[str]) -> bool:
        """Whether every one of `names` (normalised) was approved before."""
        listed = set(names)
        return bool(listed) and listed <= self.names

    def remember(self, names: Iterable[str]) -> None:
        new = set(names) - self.names
        if not new:
            return
        self.names.update(new)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        body = json.dumps({"packages": sorted(self.names)}, indent=1) + "\n"
        atomic_write(self.path, body.encode())

    def _read(self) -> set[str]:
        try:
            value = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return set()
        except (OSError, ValueError) as exc:
            log.warning("%s cannot be read (%s): no package counts as approved", self.path, exc)
            return set()
        names = value.get("packages") if isinstance(value, dict) else None
        if not isinstance(names, list):
            log.warning("%s is not a package list: no package counts as approved", self.path)
            return set()
        return {name for name in names if isinstance(name, str)}
