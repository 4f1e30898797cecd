"""Persisted room documents under the home: `docs/<id>.automerge` plus `docs/<id>.json`,
and `docs/<id>.history` (JSON: who made the changes, and the marks: see `history_log`).

The Automerge bytes keep untitled notebooks and unsaved edits across daemon crashes and
restarts; the JSON sidecar records which file (if any) the room is bound to, so the path
index can be rebuilt at start. Writes are atomic and fsynced.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbdesk.daemon.doc.history_log import HistoryLog
from nbdesk.daemon.home.atomic import atomic_write
from nbdesk.daemon.home.private import private_dir
from nbdesk.daemon.wire.ids import NotebookId

log = logging.getLogger(__name__)


def _file_stem(notebook_id: str) -> str:
    """A safe file name for any id a client may send."""
    return hashlib.sha256(notebook_id.encode()).hexdigest()[:32]


@dataclass
class RoomRecord:
    """`folder` is where an untitled notebook lives (its kernel's working directory);
    `kernel` the user's kernel pick, `[kind, name]`, kept across daemon restarts."""

    notebook_id: NotebookId
    path: str | None
    file_sha256: str | None = None
    folder: str | None = None
    kernel: list[str] | None = None

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "notebook_id": self.notebook_id,
                "path": self.path,
                "file_sha256": self.file_sha256,
                "folder": self.folder,
                "kernel": self.kernel,
            }
        ).encode()

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> RoomRecord:
        kernel = raw.get("kernel")
        if not (
            isinstance(kernel, list)
            and len(kernel) == 2
            and all(isinstance(k, str) for k in kernel)
        ):
            kernel = None
        return cls(
            NotebookId(raw["notebook_id"]),
            raw.get("path"),
            raw.get("file_sha256"),
            raw.get("folder"),
            kernel,
        )


class DocStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        private_dir(self.root)

    def _doc_path(self, notebook_id: str) -> Path:
        return self.root / f"{_file_stem(notebook_id)}.automerge"

    def _record_path(self, notebook_id: str) -> Path:
        return self.root / f"{_file_stem(notebook_id)}.json"

    def save(self, record: RoomRecord, doc_bytes: bytes) -> None:
        atomic_write(self._doc_path(record.notebook_id), doc_bytes, private=True)
        self.save_record(record)

    def save_record(self, record: RoomRecord) -> None:
        atomic_write(self._record_path(record.notebook_id), record.to_json(), private=True)

    def _history_path(self, notebook_id: str) -> Path:
        return self.root / f"{_file_stem(notebook_id)}.history"

    def save_history(self, notebook_id: str, log: HistoryLog) -> None:
        data = json.dumps(log.to_json(), separators=(",", ":")).encode()
        atomic_write(self._history_path(notebook_id), data, private=True)

    def load_history(self, notebook_id: str) -> HistoryLog | None:
        """The notebook's history log; None when there is none or it cannot be read (the
        history then goes on unlabelled rather than failing the notebook)."""
        path = self._history_path(notebook_id)
        try:
            return HistoryLog.from_json(json.loads(path.read_bytes()))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring an unreadable history log %s: %s", path.name, exc)
            return None

    def load(self, notebook_id: str) -> tuple[RoomRecord, bytes] | None:
        try:
            doc_bytes = self._doc_path(notebook_id).read_bytes()
        except FileNotFoundError:
            return None
        record = self.load_record(notebook_id) or RoomRecord(NotebookId(notebook_id), None)
        return record, doc_bytes

    def load_record(self, notebook_id: str) -> RoomRecord | None:
        try:
            return RoomRecord.from_json(json.loads(self._record_path(notebook_id).read_text()))
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring unreadable room record for %s: %s", notebook_id, exc)
            return None

    def records(self) -> list[RoomRecord]:
        found = []
        for path in self.root.glob("*.json"):
            try:
                found.append(RoomRecord.from_json(json.loads(path.read_text())))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.warning("ignoring unreadable room record %s: %s", path.name, exc)
        return found

    def quarantine(self, notebook_id: str) -> None:
        """Move an unloadable document aside so it is kept but no longer loaded."""
        doc_path = self._doc_path(notebook_id)
        if doc_path.exists():
            doc_path.rename(doc_path.with_suffix(".automerge.corrupt"))
