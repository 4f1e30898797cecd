"""Requests, client -> daemon: one tagged union (by `op`) of msgspec structs.

A connection's first request is a `Handshake`; a notebook connection then sends
`RoomRequest`s, a control connection `ControlRequest`s. Each op's answer is declared in
`nbdesk.daemon.wire.responses`; the envelope and the codec are in
`nbdesk.daemon.wire.messages`.
"""

from __future__ import annotations

from typing import Any

import msgspec

from nbdesk.daemon.wire.display import DisplaySettings
from nbdesk.daemon.wire.enums import CompareKind, KernelChoiceKind, PeerKind, Question
from nbdesk.daemon.wire.ids import CellId, CommId, ExecutionId, NotebookId, RequestId

# -- requests -------------------------------------------------------------------------


class Request(msgspec.Struct, tag_field="op", kw_only=True, forbid_unknown_fields=False):
    """Every request carries an id (chosen by the client, echoed by its response) and
    optional required heads (hex change hashes the daemon must hold before acting)."""

    id: RequestId
    required_heads: list[str] | None = None


class NotebookHandshake(Request, kw_only=True):
    """A notebook handshake says who is connecting (windows come through the relay), so
    the notebook's history can say who made each change."""

    peer: PeerKind = PeerKind.CLIENT


class OpenNotebook(NotebookHandshake, tag="open", kw_only=True):
    path: str


class CreateNotebook(NotebookHandshake, tag="create"):
    """A new untitled notebook. `folder` is where it lives until saved (its kernel's working
    directory and where its project is looked for; None: the daemon's home). With `launch`
    False no kernel starts until asked (a script that writes metadata first)."""

    folder: str | None = None
    launch: bool = True


class JoinNotebook(NotebookHandshake, tag="join", kw_only=True):
    notebook_id: NotebookId


class ControlChannel(Request, tag="control"):
    pass


class GetDocBytes(Request, tag="get_doc_bytes"):
    pass


class GetRawMetadata(Request, tag="get_raw_metadata"):
    key: str


class SetRawMetadata(Request, tag="set_raw_metadata"):
    key: str
    value: str


class SaveNotebook(Request, tag="save"):
    path: str | None = None


class ClearOutputs(Request, tag="clear_outputs"):
    cell_id: CellId | None = None


class SyncBarrier(Request, tag="sync_barrier"):
    """Answered once the daemon holds `required_heads` and has persisted them."""


class ExecuteCell(Request, tag="execute_cell"):
    """Run a cell's source as the daemon's document holds it (after `required_heads`).
    With `allow_stdin` False, `input()` in the cell raises (as in nbclient) instead of
    asking the windows for a line."""

    cell_id: CellId
    allow_stdin: bool = True


class RunAll(Request, tag="run_all"):
    """Queue every code cell in document order, or, with `cell_ids`, those cells in the
    order given (run above, below, a selection): cells that are not code are skipped, an
    unknown id refuses the whole request before anything is queued."""

    cell_ids: list[CellId] | None = None


class Interrupt(Request, tag="interrupt"):
    """Interrupt the running cell and drop everything queued."""


class RestartKernel(Request, tag="restart_kernel"):
    pass


class ShutdownKernel(Request, tag="shutdown_kernel"):
    pass


class LaunchKernel(Request, tag="launch_kernel"):
    """Start (or replace) the room's kernel. `env` is a Python interpreter path, or "uv" /
    "conda" for an environment from that pool; `kernelspec` an installed kernelspec's
    name. Neither: the daemon resolves (see `nbdesk.daemon.envs.resolution`)."""

    env: str | None = None
    kernelspec: str | None = None


class ListKernels(Request, tag="list_kernels"):
    """What the kernel picker offers for this notebook."""


class ChangeKernel(Request, tag="change_kernel"):
    """The user picked a kernel: remember the choice, write `metadata.kernelspec` and
    `language_info`, and restart the kernel there. `name` is the kernelspec name, the
    interpreter path, or the project file's path (empty for the default). With
    `install_ipykernel` the user agreed to have ipykernel installed into a Python
    environment that lacks it."""

    kind: KernelChoiceKind
    name: str = ""
    install_ipykernel: bool = False


class ListServers(Request, tag="list_servers"):
    """The Jupyter servers the user added (the page's settings), never their tokens."""


class AddServer(Request, tag="add_server"):
    """Add (or replace) a Jupyter server, as `nbdesk server add` does: `url` must be
    HTTPS, or plain HTTP to a loopback address unless `insecure`."""

    name: str
    url: str
    token: str
    insecure: bool = False

    def __repr__(self) -> str:  # never the token
        return f"AddServer(name={self.name!r}, url={self.url!r}, insecure={self.insecure})"


class RemoveServer(Request, tag="remove_server"):
    name: str


class GetPreferences(Request, tag="get_preferences"):
    """The user's preferences (every window, every launch): which questions are off."""


class SetQuestionAsked(Request, tag="set_question_asked"):
    """Turn one question before a destructive action on (`ask`) or off ("Don't ask
    again"); one question at a time, so two windows changing two never undo each other."""

    question: Question
    ask: bool


class SetDisplay(Request, tag="set_display"):
    """The user's display settings (line numbers, editor font size, theme), for every
    window: stored per user and broadcast to every room as `display_changed`."""

    display: DisplaySettings


class InputReply(Request, tag="input_reply"):
    """A line typed for the kernel's `input()` (answers the pending `input_request`)."""

    execution_id: ExecutionId
    value: str


class GetTrust(Request, tag="get_trust"):
    """The notebook's dependencies and their trust state (also broadcast on change)."""


class ApproveTrust(Request, tag="approve_trust"):
    """The user approved the dependencies a dialog showed: `digest` is the shown list's
    (from `trust_state`) and `required_heads` the document it came from. Refused when
    the list changed since."""

    digest: str


class SetDependencies(Request, tag="set_dependencies"):
    """The user edited the notebook's dependency list (the dependencies panel): written
    to `metadata.nbdesk.uv.dependencies` and signed as written."""

    dependencies: list[str]


class ListPackages(Request, tag="list_packages"):
    """What the running kernel's Python environment holds now."""


class Complete(Request, tag="complete"):
    code: str
    cursor_pos: int


class Inspect(Request, tag="inspect"):
    """What the kernel knows about the name at `cursor_pos` (code points): its
    `inspect_request`, for the editor's Shift-Tab tooltip. `detail_level` 1 asks for
    more (IPython: the source)."""

    code: str
    cursor_pos: int
    detail_level: int = 0


class CollectGarbage(Request, tag="gc"):
    """Delete blobs no notebook references that are older than `min_age` seconds, and
    environments no live notebook uses that were last used over `env_max_age` seconds ago
    (None: the daemon's setting)."""

    min_age: float = 3600.0
    env_max_age: float | None = None


class SendComm(Request, tag="send_comm"):
    """A widget message from a frontend to the kernel (`data.method`: update or custom)."""

    comm_id: CommId
    data: dict[str, Any]
    buffers: list[bytes] = []


class GetHistory(Request, tag="history"):
    """The notebook's history as timeline points, oldest first."""


class GetNotebookAt(Request, tag="notebook_at"):
    """The notebook (nbformat-shaped JSON, outputs as stored manifests) as it was at
    `heads` (hex change hashes)."""

    heads: list[str]


class CompareSide(msgspec.Struct, kw_only=True):
    """One side of a comparison. `heads` for kind "heads"; `rev` for kind "git" (HEAD
    when None)."""

    kind: CompareKind
    heads: list[str] | None = None
    rev: str | None = None


class Compare(Request, tag="compare"):
    """A cell-aware comparison of two versions of this notebook."""

    left: CompareSide
    right: CompareSide


class Ping(Request, tag="ping"):
    pass


class DaemonStatus(Request, tag="status"):
    pass


class ListRooms(Request, tag="list_rooms"):
    pass


class StopDaemon(Request, tag="stop"):
    pass


Handshake = OpenNotebook | CreateNotebook | JoinNotebook | ControlChannel
RoomRequest = (
    GetDocBytes
    | GetRawMetadata
    | SetRawMetadata
    | SaveNotebook
    | ClearOutputs
    | SyncBarrier
    | ExecuteCell
    | RunAll
    | Interrupt
    | RestartKernel
    | ShutdownKernel
    | LaunchKernel
    | ListKernels
    | ChangeKernel
    | ListServers
    | AddServer
    | RemoveServer
    | GetPreferences
    | SetQuestionAsked
    | SetDisplay
    | InputReply
    | GetTrust
    | ApproveTrust
    | SetDependencies
    | ListPackages
    | Complete
    | Inspect
    | SendComm
    | GetHistory
    | GetNotebookAt
    | Compare
)
ControlRequest = Ping | DaemonStatus | ListRooms | StopDaemon | CollectGarbage
AnyRequest = Handshake | RoomRequest | ControlRequest
