"""The outputs a notebook's history still shows: what blob collection must keep so a
point within the user's retention can be viewed with its outputs.

Outputs enter the document through the kernel, the file (import, external edits) and the
daemon (clearing), so the points those authors made within the retention are read, plus
the state the retention starts from (the newest point before it: what was shown then)
and the newest point. Output lists that did not change between points are read once.
A window that restores outputs puts back manifests an earlier point already holds.
"""

from __future__ import annotations

from nbdesk.daemon.doc.history_log import HistoryLog
from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.daemon.doc.timeline import timeline
from nbdesk.daemon.wire.enums import HistoryAuthor

OUTPUT_WRITERS = {HistoryAuthor.KERNEL, HistoryAuthor.FILE, HistoryAuthor.DAEMON}


def outputs_since(doc: NotebookDoc, log: HistoryLog, since: float) -> set[str]:
    """Manifest hashes that a point newer than `since` (unix seconds) shows."""
    points = timeline(doc, log)
    first = next((i for i, p in enumerate(points) if p.time >= since), None)
    if first is None:
        return set()
    chosen = [points[max(first - 1, 0)], points[-1]]
    chosen += [p for p in points[first:] if p.author in OUTPUT_WRITERS]
    read: set[bytes] = set()
    found: set[str] = set()
    for point in chosen:
        found.update(doc.at(point.heads).output_hashes(read))
    return found
