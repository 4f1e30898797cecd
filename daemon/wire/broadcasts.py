"""Broadcasts, daemon -> every peer of a room: one tagged union (by `event`) of msgspec
structs. Nothing here does I/O; `nbdesk.daemon.wire.messages` encodes them."""

from __future__ import annotations

from typing import Any

import msgspec

from nbdesk.daemon.wire.daemon_settings import DaemonSettings
from nbdesk.daemon.wire.display import DisplaySettings
from nbdesk.daemon.wire.enums import (
    EnvKind,
    EnvPhase,
    ExecutionStatus,
    KernelPhase,
    KernelStatus,
    ResolutionSource,
    TrustStatus,
)
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


class SaveFailed(Broadcast, tag="save_failed"):
    """Writing the notebook failed (a full disk, a folder gone): edits are kept in the
    daemon and the write is retried; `save_recovered` follows once it works. `path` is the
    `.ipynb`, or None for the daemon's own copy of the notebook (in its home)."""

    path: str | None
    message: str


class SaveRecovered(Broadcast, tag="save_recovered"):
    """A write that failed (`save_failed` with the same `path`) worked on a retry: the
    `.ipynb`, or (None) the daemon's own copy, now holds every edit up to the retry."""

    path: str | None


class FileRepaired(Broadcast, tag="file_repaired"):
    """The file was not a valid notebook but could be read: what was repaired (in words).
    The repaired notebook is saved over it; sent to every peer that joins the room."""

    path: str
    repairs: list[str]


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


class KernelLocation(Broadcast, tag="kernel_location"):
    """Where the room's kernel runs and how far getting it has come, for the status line.

    `needs_ipykernel` names an interpreter that lacks ipykernel (the page offers to
    install it, with consent); `missing_kernelspec` a kernelspec the notebook names that
    is not installed here (the page offers the picker; the metadata stays untouched)."""

    display_name: str
    language: str
    env: str
    source: ResolutionSource
    phase: KernelPhase
    reason: str | None = None
    python: str | None = None
    kernelspec: str | None = None
    needs_ipykernel: str | None = None
    missing_kernelspec: str | None = None


class InputRequested(Broadcast, tag="input_request"):
    """The running cell called `input()`: any window may answer with `input_reply`."""

    cell_id: CellId
    execution_id: ExecutionId
    prompt: str
    password: bool


class InputAnswered(Broadcast, tag="input_answered"):
    """The pending input was answered (or abandoned): windows drop their prompt."""

    execution_id: ExecutionId


class TrustState(Broadcast, tag="trust_state"):
    """The notebook's dependencies and whether they may be installed here. `digest`
    identifies exactly the list shown: an approval names it, so a list changed since is
    never approved by a dialog that showed another. `flagged` explains names close to
    popular packages (possible typosquats)."""

    status: TrustStatus
    dependencies: list[str]
    flagged: list[str]
    digest: str


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


class DisplayChanged(Broadcast, tag="display_changed"):
    """The user changed the display settings in some window: every window applies them."""

    display: DisplaySettings


class DaemonSettingsChanged(Broadcast, tag="daemon_settings_changed"):
    """The user changed the daemon's settings in some window: an open settings page shows them."""

    settings: DaemonSettings
    pending_restart: list[str]


AnyBroadcast = (
    PathChanged
    | FileChanged
    | Saved
    | SaveFailed
    | SaveRecovered
    | FileRepaired
    | ExecutionStarted
    | ExecutionDone
    | QueueChanged
    | KernelStatusChanged
    | KernelErrorEvent
    | KernelLocation
    | InputRequested
    | InputAnswered
    | TrustState
    | CommCustom
    | EnvProgress
    | EnvSyncState
    | DisplayChanged
    | DaemonSettingsChanged
)
