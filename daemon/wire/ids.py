"""Typed ids used across the daemon, the protocol and the client."""

from __future__ import annotations

import uuid
from typing import NewType

CellId = NewType("CellId", str)
NotebookId = NewType("NotebookId", str)
CommId = NewType("CommId", str)
MsgId = NewType("MsgId", str)
BlobHash = NewType("BlobHash", str)


def new_cell_id() -> CellId:
    """Eight hex digits, the form nbformat itself mints."""
    return CellId(uuid.uuid4().hex[:8])


def new_notebook_id() -> NotebookId:
    return NotebookId(str(uuid.uuid4()))
