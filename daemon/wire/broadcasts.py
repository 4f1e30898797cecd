"""Broadcasts, daemon -> every peer of a room: one tagged union (by `event`) of msgspec
structs. Nothing here does I/O; `nbdesk.daemon.wire.messages` encodes them."""

from __future__ import annotations

from typing import Any

import msgspec

from nbdesk.daemon.wire.enums import EnvKind, EnvPhase, ExecutionStatus, KernelStatus
from nbdesk.daemon.wire.ids import CellId, CommId, ExecutionId


class Broadcast(msgspec.Struct, tag_field="event", kw_only=True):
    pass


class PathChanged(Broadcast, tag="path_changed"):
    path: str | None


class FileChanged(Broadcast, tag="file_changed"):
    path: str
    cells_changed: int


class Saved(Broadcast, tag="saved"):
    path: str


class ExecutionStarted(Broadcast, tag="execution_started"):
    cell_id: CellId
    execution_id: ExecutionId


class ExecutionDone(Broadcast, tag="execution_done"):
    """Sent after the outputs are in the document; `heads` include them."""

    cell_id: CellId
    execution_id: ExecutionId
    status: ExecutionStatus
    execution_count: int | None
    heads: list[str]


class QueueChanged(Broadcast, tag="queue_changed"):
    running: CellId | None
    queued: list[CellId]


class KernelStatusChanged(Broadcast, tag="kernel_status"):
    status: KernelStatus


class KernelErrorEvent(Broadcast, tag="kernel_error"):
    message: str


class CommCustom(Broadcast, tag="comm_custom"):
    """A widget's custom message from the kernel; binary buffers are blob references."""

    comm_id: CommId
    content: dict[str, Any]
    buffers: list[dict[str, Any]] = []


class EnvProgress(Broadcast, tag="env_progress"):
    """An environment being prepared: a pool warming (sent to every notebook) or this
    notebook's dependencies."""

    kind: EnvKind
    phase: EnvPhase
    message: str


class EnvSyncState(Broadcast, tag="env_sync_state"):
    """Whether the notebook's listed dependencies are those its kernel's environment has;
    a restart of the kernel brings them in sync."""

    in_sync: bool
    added: list[str]
    removed: list[str]


AnyBroadcast = (
    PathChanged
    | FileChanged
    | Saved
    | ExecutionStarted
    | ExecutionDone
    | QueueChanged
    | KernelStatusChanged
    | KernelErrorEvent
    | CommCustom
    | EnvProgress
    | EnvSyncState
)
