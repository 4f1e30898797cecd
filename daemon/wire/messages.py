"""Wire messages over the framing: handshake, requests, responses and broadcasts.

Each direction is one tagged union of msgspec structs encoded as msgpack maps, snake_case
throughout. Requests are tagged by `op`, broadcasts by `event`; a response is
`{id, ok: true, ...result}` or `{id, ok: false, error: {code, message}}`. The daemon, the
relay and the Python client import these; the TypeScript side is generated from them
(`python -m nbdesk.daemon.wire.gen_ts`). Framing lives in `nbdesk.daemon.wire.framing`; nothing here does I/O.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from nbdesk.daemon.wire.errors import NbdeskError, ProtocolError

# -- requests -------------------------------------------------------------------------


class Request(msgspec.Struct, tag_field="op", kw_only=True, forbid_unknown_fields=False):
    """Every request carries an id (echoed by its response) and optional required heads."""

    id: int
    required_heads: list[str] | None = None


class OpenNotebook(Request, tag="open"):
    path: str


class CreateNotebook(Request, tag="create"):
    pass


class JoinNotebook(Request, tag="join"):
    notebook_id: str


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
    cell_id: str | None = None


class SyncBarrier(Request, tag="sync_barrier"):
    """Answered once the daemon holds `required_heads` and has persisted them."""


class ExecuteCell(Request, tag="execute_cell"):
    """Run a cell's source as the daemon's document holds it (after `required_heads`)."""

    cell_id: str


class RunAll(Request, tag="run_all"):
    pass


class Interrupt(Request, tag="interrupt"):
    """Interrupt the running cell and drop everything queued."""


class RestartKernel(Request, tag="restart_kernel"):
    pass


class ShutdownKernel(Request, tag="shutdown_kernel"):
    pass


class LaunchKernel(Request, tag="launch_kernel"):
    """Start (or replace) the room's kernel. `env` is a Python interpreter path, or "uv" /
    "conda" for an environment from that pool; None lets the daemon choose (the
    notebook's dependencies, its own environment, a hot kernel, the uv pool)."""

    env: str | None = None


class Complete(Request, tag="complete"):
    code: str
    cursor_pos: int


class CollectGarbage(Request, tag="gc"):
    """Delete blobs no notebook references that are older than `min_age` seconds, and
    environments no live notebook uses that were last used over `env_max_age` seconds ago
    (None: the daemon's setting)."""

    min_age: float = 3600.0
    env_max_age: float | None = None


class SendComm(Request, tag="send_comm"):
    """A widget message from a frontend to the kernel (`data.method`: update or custom)."""

    comm_id: str
    data: dict[str, Any]
    buffers: list[bytes] = []


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
    | Complete
    | SendComm
)
ControlRequest = Ping | DaemonStatus | ListRooms | StopDaemon | CollectGarbage
AnyRequest = Handshake | RoomRequest | ControlRequest

# -- broadcasts -----------------------------------------------------------------------


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
    cell_id: str
    execution_id: str


class ExecutionDone(Broadcast, tag="execution_done"):
    """Sent after the outputs are in the document; `heads` include them."""

    cell_id: str
    execution_id: str
    status: Literal["ok", "error", "aborted"]
    execution_count: int | None
    heads: list[str]


class QueueChanged(Broadcast, tag="queue_changed"):
    running: str | None
    queued: list[str]


class KernelStatusChanged(Broadcast, tag="kernel_status"):
    status: str


class KernelErrorEvent(Broadcast, tag="kernel_error"):
    message: str


class CommCustom(Broadcast, tag="comm_custom"):
    """A widget's custom message from the kernel; binary buffers are blob references."""

    comm_id: str
    content: dict[str, Any]
    buffers: list[dict[str, Any]] = []


class EnvProgress(Broadcast, tag="env_progress"):
    """An environment being prepared: `kind` uv | conda (pool warming, sent to every
    notebook) or deps (this notebook's dependencies); `phase` warming | building | ready |
    failed."""

    kind: str
    phase: str
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

# -- responses ------------------------------------------------------------------------


class HandshakeReply(msgspec.Struct, kw_only=True):
    notebook_id: str | None
    path: str | None
    daemon_version: str
    blob_url: str | None


class ErrorInfo(msgspec.Struct):
    code: str
    message: str


_encoder = msgspec.msgpack.Encoder()
_raw_decoder = msgspec.msgpack.Decoder()


def encode(message: msgspec.Struct | dict[str, Any]) -> bytes:
    return _encoder.encode(message)


def ok_response(request_id: int, result: msgspec.Struct | dict[str, Any] | None = None) -> bytes:
    body: dict[str, Any] = {"id": request_id, "ok": True}
    if result is not None:
        body.update(msgspec.to_builtins(result) if isinstance(result, msgspec.Struct) else result)
    return _encoder.encode(body)


def error_response(request_id: int | None, error: NbdeskError) -> bytes:
    return _encoder.encode({"id": request_id, "ok": False, "error": error.to_wire()})


def decode_map(payload: bytes) -> dict[str, Any]:
    """Decode a msgpack map, or raise ProtocolError (the connection cannot be trusted)."""
    try:
        value = _raw_decoder.decode(payload)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise ProtocolError(f"invalid msgpack: {exc}", code="bad_msgpack") from exc
    if not isinstance(value, dict):
        raise ProtocolError(
            f"expected a msgpack map, got {type(value).__name__}", code="bad_msgpack"
        )
    return value


def request_id_of(raw: dict[str, Any]) -> int | None:
    value = raw.get("id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_request(raw: dict[str, Any], kinds: Any = AnyRequest) -> Any:
    """A typed request from a decoded map; unknown ops and bad fields raise ProtocolError."""
    try:
        return msgspec.convert(raw, kinds)
    except msgspec.ValidationError as exc:
        op = raw.get("op")
        code = "unknown_op" if "op" in str(exc) and "Invalid value" in str(exc) else "bad_request"
        raise ProtocolError(f"bad request {op!r}: {exc}", code=code) from exc
