"""Responses, daemon -> client: the result of every request op, the handshake reply and
the error.

On the wire a response is one msgpack map, `{id, ok: true, **result}` or
`{id, ok: false, error: {code, message}}`, where `id` is the request's (0 for the
handshake). `RESULT_OF` says which result struct answers which request; the TypeScript
`ResultOf<Op>` is generated from it. `nbdesk.daemon.wire.messages` builds and reads the
envelope.
"""

from __future__ import annotations

import builtins
from typing import Any, Literal

import msgspec

from nbdesk.daemon.wire import requests as rq
from nbdesk.daemon.wire.broadcasts import TrustState
from nbdesk.daemon.wire.display import DisplaySettings
from nbdesk.daemon.wire.enums import (
    CellChange,
    DiffOp,
    HistoryAuthor,
    HistoryMark,
    KernelChoiceKind,
    Question,
)
from nbdesk.daemon.wire.errors import ErrorCode
from nbdesk.daemon.wire.ids import CellId, ExecutionId, NotebookId, RequestId


class Result(msgspec.Struct, kw_only=True):
    """The fields a successful response carries next to `id` and `ok`."""


class Done(Result):
    """The answer of requests that report nothing but their success."""


class HandshakeReply(Result):
    notebook_id: NotebookId | None
    path: str | None
    daemon_version: str
    blob_url: str | None


class DocBytes(Result):
    bytes: builtins.bytes  # the field's name would shadow the type in this class body
    heads: list[str]


class RawMetadata(Result):
    value: str | None


class SavedTo(Result):
    path: str


class Heads(Result):
    heads: list[str]


class ExecutionQueued(Result):
    execution_id: ExecutionId


class ExecutionsQueued(Result):
    execution_ids: list[ExecutionId]
    cell_ids: list[CellId]


class KernelLaunched(Result):
    python: str | None
    display_name: str = ""
    language: str = ""


class KernelChoice(msgspec.Struct, kw_only=True):
    """One entry of the kernel picker; `kind` and `name` go back in `change_kernel`."""

    kind: KernelChoiceKind
    name: str
    display_name: str
    language: str
    env: str  # where it runs, for people: a path, a project, "prewarmed default"
    has_ipykernel: bool = True  # False: choosing it needs consent to install ipykernel
    current: bool = False


class KernelChoices(Result):
    choices: list[KernelChoice]


class ServerEntry(msgspec.Struct, kw_only=True):
    """One Jupyter server the user added, as settings show it: whether a token is stored,
    never the token."""

    name: str
    url: str
    has_token: bool
    insecure: bool = False


class ServerList(Result):
    servers: list[ServerEntry]


class Preferences(Result):
    questions_off: list[Question]
    display: DisplaySettings


class TrustReply(Result):
    trust: TrustState


class Package(msgspec.Struct, kw_only=True):
    name: str
    version: str


class Packages(Result):
    """`python` is None when the kernel is not a Python one (nothing to list)."""

    python: str | None
    packages: list[Package]


class Completion(Result):
    matches: list[str]
    cursor_start: int
    cursor_end: int
    metadata: dict[str, Any]


class Inspection(Result):
    """The kernel's `inspect_reply`: `data` is a MIME bundle (IPython's text/plain holds
    ANSI colours), empty when `found` is false."""

    found: bool
    data: dict[str, Any]
    metadata: dict[str, Any]


class HistoryPoint(msgspec.Struct, kw_only=True):
    """Consecutive changes of one author within a few seconds, as one timeline point.
    `heads` are the document's heads right after its last change; `time` that change's
    time (unix seconds); `session` counts from 0 and grows after a gap of 30 minutes or
    more; `author_id` is the changes' actor (hex), `author_label` words for people."""

    heads: list[str]
    time: float
    session: int
    author: HistoryAuthor
    author_id: str
    author_label: str
    marks: list[HistoryMark]
    changes: int


class History(Result):
    """The timeline, oldest first, and for how many days the outputs of old points are
    kept (the user's blob retention)."""

    points: list[HistoryPoint]
    retention_days: int


class NotebookAt(Result):
    """nbformat-shaped JSON: each cell's `outputs` are the stored manifest hashes (as the
    document holds them), so the page renders them as it renders the document's."""

    notebook: dict[str, Any]


class DiffLine(msgspec.Struct, kw_only=True):
    op: DiffOp
    text: str


class CellDiff(msgspec.Struct, kw_only=True):
    """One cell of a comparison. `source_lines` is a unified diff of the source (empty
    unless it changed); `left_outputs`/`right_outputs` are output manifest hashes, as the
    document holds them (a file or git side's outputs are stored in the blob store
    first); `output_lines` diffs the outputs' text summaries (images by size and sha256),
    empty unless they changed; `metadata_changed` lists changed metadata keys."""

    status: CellChange
    cell_id: str
    cell_type: str
    left_index: int | None
    right_index: int | None
    source_lines: list[DiffLine]
    outputs_changed: bool
    left_outputs: list[str]
    right_outputs: list[str]
    output_lines: list[DiffLine]
    metadata_changed: list[str]


class Comparison(Result):
    left_label: str
    right_label: str
    cells: list[CellDiff]


class Pong(Result):
    pong: bool
    daemon_version: str


class RoomStatus(msgspec.Struct, kw_only=True):
    notebook_id: NotebookId
    path: str | None
    state: str
    peers: int
    cells: int
    kernel: str
    running: str | None
    queued: int
    kernel_pid: int | None
    python: str | None


class RoomList(Result):
    rooms: list[RoomStatus]


class Stopping(Result):
    stopping: bool


class GcReport(Result):
    deleted: int
    kept: int
    bytes_freed: int
    envs_removed: list[str]


class DaemonStatusReply(Result):
    pid: int
    version: str
    socket: str
    home: str
    blob_url: str | None
    uptime: float
    rss_bytes: int
    kernels_rss_bytes: int
    rooms: list[RoomStatus]
    pools: dict[str, Any]
    connections: int


RESULT_OF: dict[type[rq.Request], type[Result]] = {
    rq.OpenNotebook: HandshakeReply,
    rq.CreateNotebook: HandshakeReply,
    rq.JoinNotebook: HandshakeReply,
    rq.ControlChannel: HandshakeReply,
    rq.GetDocBytes: DocBytes,
    rq.GetRawMetadata: RawMetadata,
    rq.SetRawMetadata: Done,
    rq.SaveNotebook: SavedTo,
    rq.ClearOutputs: Done,
    rq.SyncBarrier: Heads,
    rq.ExecuteCell: ExecutionQueued,
    rq.RunAll: ExecutionsQueued,
    rq.Interrupt: Done,
    rq.RestartKernel: Done,
    rq.ShutdownKernel: Done,
    rq.LaunchKernel: KernelLaunched,
    rq.ListKernels: KernelChoices,
    rq.ChangeKernel: KernelLaunched,
    rq.ListServers: ServerList,
    rq.AddServer: ServerList,
    rq.RemoveServer: ServerList,
    rq.GetPreferences: Preferences,
    rq.SetQuestionAsked: Preferences,
    rq.SetDisplay: Preferences,
    rq.InputReply: Done,
    rq.GetTrust: TrustReply,
    rq.ApproveTrust: TrustReply,
    rq.SetDependencies: TrustReply,
    rq.ListPackages: Packages,
    rq.Complete: Completion,
    rq.Inspect: Inspection,
    rq.SendComm: Done,
    rq.GetHistory: History,
    rq.GetNotebookAt: NotebookAt,
    rq.Compare: Comparison,
    rq.Ping: Pong,
    rq.DaemonStatus: DaemonStatusReply,
    rq.ListRooms: RoomList,
    rq.StopDaemon: Stopping,
    rq.CollectGarbage: GcReport,
}


class ErrorInfo(msgspec.Struct):
    code: ErrorCode
    message: str


class OkResponse(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    """The envelope of a success; the result's fields sit next to these two."""

    id: RequestId
    ok: Literal[True]


class ErrorResponse(msgspec.Struct, kw_only=True):
    """`id` is None when the daemon could not read the request's id (or there was none:
    a connection closed for a protocol error)."""

    id: RequestId | None
    ok: Literal[False]
    error: ErrorInfo
