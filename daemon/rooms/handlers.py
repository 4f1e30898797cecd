"""One handler per room request: `(room, request) -> result`, behind a thin dispatcher.

Handlers run after the request's `required_heads` are in the document. They raise
NbdeskError for anything the client should hear about; the server turns that into an
error response and keeps the connection.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nbdesk.daemon.rooms.room import Room
from nbdesk.daemon.wire.errors import NbdeskError
from nbdesk.daemon.wire.messages import (
    ClearOutputs,
    Complete,
    ExecuteCell,
    GetDocBytes,
    GetRawMetadata,
    Interrupt,
    LaunchKernel,
    RestartKernel,
    RunAll,
    Saved,
    SaveNotebook,
    SendComm,
    SetRawMetadata,
    ShutdownKernel,
    SyncBarrier,
)

Result = dict[str, Any] | None


async def get_doc_bytes(room: Room, request: GetDocBytes) -> Result:
    return {"bytes": room.doc.save(), "heads": room.doc.heads_hex()}


async def get_raw_metadata(room: Room, request: GetRawMetadata) -> Result:
    return {"value": room.doc.get_metadata(request.key)}


async def set_raw_metadata(room: Room, request: SetRawMetadata) -> Result:
    room.doc.set_metadata(request.key, request.value)
    room.local_change()
    return None


async def save(room: Room, request: SaveNotebook) -> Result:
    if request.path is not None:
        path = await room.context.rebind(room.id, request.path)
    elif room.file is None:
        raise NbdeskError("this notebook is untitled: save it with a path", code="no_path")
    else:
        path = room.file.path
    assert room.file is not None
    await room.file.write(explicit=True)
    await room.persist_now()
    room.broadcast(Saved(path=str(path)))
    return {"path": str(path)}


async def clear_outputs(room: Room, request: ClearOutputs) -> Result:
    with room.doc.change():
        cell_ids = [request.cell_id] if request.cell_id else room.doc.cell_ids()
        for cell_id in cell_ids:
            room.doc.clear_outputs(cell_id)
            room.doc.set_execution_count(cell_id, None)
    room.local_change()
    return None


async def sync_barrier(room: Room, request: SyncBarrier) -> Result:
    """Everything the client sent (its required heads) is now durable on the daemon."""
    await room.persist_now()
    return {"heads": room.doc.heads_hex()}


async def execute_cell(room: Room, request: ExecuteCell) -> Result:
    execution = await room.kernel.execute_cell(request.cell_id)
    return {"execution_id": execution.id}


async def run_all(room: Room, request: RunAll) -> Result:
    executions = await room.kernel.run_all()
    return {
        "execution_ids": [e.id for e in executions],
        "cell_ids": [e.cell_id for e in executions],
    }


async def interrupt(room: Room, request: Interrupt) -> Result:
    await room.kernel.interrupt()
    return None


async def restart_kernel(room: Room, request: RestartKernel) -> Result:
    await room.kernel.restart()
    return None


async def shutdown_kernel(room: Room, request: ShutdownKernel) -> Result:
    await room.kernel.shutdown()
    return None


async def launch_kernel(room: Room, request: LaunchKernel) -> Result:
    await room.kernel.launch(request.env)
    return {"python": room.kernel.session.python if room.kernel.session else None}


async def complete(room: Room, request: Complete) -> Result:
    session = await room.kernel.ready()
    content = await session.complete(request.code, request.cursor_pos)
    return {
        "matches": content.get("matches", []),
        "cursor_start": content.get("cursor_start", request.cursor_pos),
        "cursor_end": content.get("cursor_end", request.cursor_pos),
        "metadata": content.get("metadata", {}),
    }


async def send_comm(room: Room, request: SendComm) -> Result:
    await room.kernel.ready()
    room.kernel.widgets.send(request.comm_id, request.data, request.buffers)
    return None


HANDLERS: dict[type, Callable[[Room, Any], Awaitable[Result]]] = {
    GetDocBytes: get_doc_bytes,
    GetRawMetadata: get_raw_metadata,
    SetRawMetadata: set_raw_metadata,
    SaveNotebook: save,
    ClearOutputs: clear_outputs,
    SyncBarrier: sync_barrier,
    ExecuteCell: execute_cell,
    RunAll: run_all,
    Interrupt: interrupt,
    RestartKernel: restart_kernel,
    ShutdownKernel: shutdown_kernel,
    LaunchKernel: launch_kernel,
    Complete: complete,
    SendComm: send_comm,
}


async def handle(room: Room, request: Any) -> Result:
    return await HANDLERS[type(request)](room, request)
