"""The history requests of a room: its timeline, the notebook at a point, comparisons."""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from nbdesk.daemon.doc.cell_diff import diff_cells
from nbdesk.daemon.doc.ipynb import document_json
from nbdesk.daemon.doc.timeline import timeline
from nbdesk.daemon.home.preferences import history_retention_days
from nbdesk.daemon.rooms.compare_sides import read_side
from nbdesk.daemon.rooms.room import Room
from nbdesk.daemon.wire.requests import Compare, GetHistory, GetNotebookAt
from nbdesk.daemon.wire.responses import Comparison, History, HistoryPoint, NotebookAt, Result

_timelines: weakref.WeakKeyDictionary[Room, tuple[list[str], int, list[HistoryPoint]]] = (
    weakref.WeakKeyDictionary()
)


async def history(room: Room, request: GetHistory) -> History:
    """The timeline, read again only when the document or its log changed (an open
    history panel asks after every change; 50k changes take a few hundred ms)."""
    heads, version = room.doc.heads_hex(), room.history.version
    cached = _timelines.get(room)
    if cached is not None and cached[0] == heads and cached[1] == version:
        points = cached[2]
    else:
        points = timeline(room.doc, room.history)
        _timelines[room] = (heads, version, points)
    return History(points=points, retention_days=history_retention_days(room.context.home))


async def notebook_at(room: Room, request: GetNotebookAt) -> NotebookAt:
    return NotebookAt(notebook=document_json(room.doc.at(request.heads)))


async def compare(room: Room, request: Compare) -> Comparison:
    left_label, left, describe_left = await read_side(room, request.left)
    right_label, right, describe_right = await read_side(room, request.right)
    return Comparison(
        left_label=left_label,
        right_label=right_label,
        cells=diff_cells(left, right, describe_left, describe_right),
    )


HANDLERS: dict[type, Callable[[Room, Any], Awaitable[Result]]] = {
    GetHistory: history,
    GetNotebookAt: notebook_at,
    Compare: compare,
}
