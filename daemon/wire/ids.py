"""Typed ids used across the daemon, the protocol and the client (branded strings in TS)."""

from __future__ import annotations

import uuid
from typing import NewType

CellId = NewType("CellId", str)
NotebookId = NewType("NotebookId", str)
CommId = NewType("CommId", str)
MsgId = NewType("MsgId", str)
BlobHash = NewType("BlobHash", str)
ExecutionId = NewType("ExecutionId", str)
# An integer the client chooses for each request and the daemon echoes in its response;
# 0 is the handshake's.
RequestId = NewType("RequestId", int)

HANDSHAKE_ID = RequestId(0)
# A widget state's binary buffer, stored as a blob: `{"$blob": hash, "size": n}`.
BLOB_REF = "$blob"


def new_cell_id() -> CellId:
    """Eight hex digits, the form nbformat itself mints."""
    return CellId(uuid.uuid4().hex[:8])


def new_notebook_id() -> NotebookId:
    return NotebookId(str(uuid.uuid4()))
