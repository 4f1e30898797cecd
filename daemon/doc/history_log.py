"""What the daemon records beside a notebook's document so its history can be told:
which actor is which author, when changes that carry no time arrived, and the marks
(saves, executions, external edits) with their heads.

Automerge keeps every change but not who the actors are (a window, a script, the kernel's
outputs, the file on disk) and the Python binding writes changes without a time. The log
is filled as changes arrive (`observe`) and persisted as JSON next to the document by
`nbdesk.daemon.doc.store`. Reading it into a timeline is `nbdesk.daemon.doc.timeline`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nbdesk.daemon.doc.automerge_doc import AutomergeDoc
from nbdesk.daemon.wire.enums import HistoryAuthor, HistoryMark

_EPOCH = datetime(1970, 1, 1)  # the binding gives naive UTC datetimes
MAX_MARKS = 10_000  # the oldest marks go first; the changes themselves are never dropped


@dataclass(frozen=True, slots=True)
class MarkRecord:
    kind: HistoryMark
    heads: list[str]
    time: float


@dataclass
class HistoryLog:
    """`times` holds, for changes without a time of their own (Python writers), when the
    daemon first saw them; `seen` the heads observed last."""

    actors: dict[str, HistoryAuthor] = field(default_factory=dict)
    times: dict[str, float] = field(default_factory=dict)
    marks: list[MarkRecord] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    version: int = (
        0  # grows with every change to what is persisted, so unchanged logs are not rewritten
    )

    def __repr__(self) -> str:
        return f"HistoryLog(actors={len(self.actors)}, times={len(self.times)}, marks={len(self.marks)})"

    @classmethod
    def start(cls, doc: AutomergeDoc) -> HistoryLog:
        """A log for a document that had none: a new one is observed from its first
        change; an older one's past (whose actors nobody recorded) is left unlabelled."""
        log = cls(actors=dict(doc.author_actors()))
        ours = set(log.actors)
        if any(change.actor_id.hex() not in ours for change in doc.changes()):
            log.seen = doc.heads_hex()
        return log

    def adopt(self, doc: AutomergeDoc) -> None:
        """Learn the actors this daemon's replica writes with (new ones at every load)."""
        for actor, author in doc.author_actors().items():
            if self.actors.get(actor) != author:
                self.actors[actor] = author
                self.version += 1

    def observe(self, doc: AutomergeDoc, author: HistoryAuthor) -> None:
        """Record the changes since the last look: an actor seen for the first time is
        `author`'s (the peer that sent it, or the daemon); a change without a time gets
        now."""
        heads = doc.heads_hex()
        if heads == self.seen:
            return
        self.adopt(doc)  # an author's actor is made at its first write
        now = time.time()
        since = [bytes.fromhex(h) for h in self.seen]
        for change in doc.changes(since):
            actor = change.actor_id.hex()
            if actor not in self.actors:
                self.actors[actor] = author
                self.version += 1
            if change_time(change) == 0.0 and change.hash.hex() not in self.times:
                self.times[change.hash.hex()] = now
                self.version += 1
        self.seen = heads  # alone not worth a rewrite: looking again from older heads is harmless

    def mark(self, kind: HistoryMark, heads: list[str]) -> None:
        self.marks.append(MarkRecord(kind, sorted(heads), time.time()))
        del self.marks[:-MAX_MARKS]
        self.version += 1

    def to_json(self) -> dict[str, Any]:
        return {
            "actors": {actor: str(author) for actor, author in self.actors.items()},
            "times": self.times,
            "marks": [[str(m.kind), m.heads, m.time] for m in self.marks],
            "seen": self.seen,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> HistoryLog:
        """Entries this version does not know are skipped, never fatal."""
        known_authors = {str(a) for a in HistoryAuthor}
        known_marks = {str(m) for m in HistoryMark}
        return cls(
            actors={
                str(actor): HistoryAuthor(author)
                for actor, author in dict(raw.get("actors", {})).items()
                if author in known_authors
            },
            times={str(h): float(t) for h, t in dict(raw.get("times", {})).items()},
            marks=[
                MarkRecord(HistoryMark(kind), [str(h) for h in heads], float(when))
                for kind, heads, when in list(raw.get("marks", []))
                if kind in known_marks
            ],
            seen=[str(h) for h in list(raw.get("seen", []))],
        )


def change_time(change: Any) -> float:
    """A change's own time in unix seconds (0.0: it has none). JS writes seconds where
    the format means milliseconds, and the binding reads the number as milliseconds, so
    small numbers are seconds."""
    stamp = change.timestamp
    raw = (stamp.replace(tzinfo=None) - _EPOCH).total_seconds() * 1000.0
    if raw <= 0:
        return 0.0
    return raw / 1000.0 if raw > 1e11 else raw
