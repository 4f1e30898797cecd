"""The history requests of a room: its timeline, the notebook at a point, comparisons."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nbdesk.daemon.rooms.room import Room
from nbdesk.daemon.wire.errors import NbdeskError
from nbdesk.daemon.wire.requests import Compare, GetHistory, GetNotebookAt
from nbdesk.daemon.wire.responses import Comparison, History, NotebookAt, Result


async def history(room: Room, request: GetHistory) -> History:
    return History(points=[], retention_days=30)


async def notebook_at(room: Room, request: GetNotebookAt) -> NotebookAt:
    raise NbdeskError("notebook_at is not available yet")


async def compare(room: Room, request: Compare) -> Comparison:
    raise NbdeskError("compare is not available yet")


HANDLERS: dict[type, Callable[[Room, Any], Awaitable[Result]]] = {
    GetHistory: history,
    GetNotebookAt: notebook_at,
    Compare: compare,
}
