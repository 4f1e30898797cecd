"""One handler per room request: `(room, request) -> result struct`, behind a thin
dispatcher; the server wraps the result in the response envelope.

Handlers run after the request's `required_heads` are in the document. They raise
NbdeskError for anything the client should hear about; the server turns that into an
error response and keeps the connection.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nbdesk.daemon.rooms import (
    history_handlers,
    kernel_choices,
    preference_handlers,
    server_settings,
    trust_handlers,
)
from nbdesk.daemon.rooms.room import Room
from nbdesk.daemon.wire.broadcasts import Saved
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError
from nbdesk.daemon.wire.requests import (
    AddServer,
    ChangeKernel,
    ClearOutputs,
    Complete,
    ExecuteCell,
    GetDocBytes,
    GetPreferences,
    GetRawMetadata,
    InputReply,
    Inspect,
    Interrupt,
    LaunchKernel,
    ListKernels,
    ListServers,
    RemoveServer,
    RestartKernel,
    RunAll,
    SaveNotebook,
    SendComm,
    SetDisplay,
    SetQuestionAsked,
    SetRawMetadata,
    ShutdownKernel,
    SyncBarrier,
)
from nbdesk.daemon.wire.responses import (
    Completion,
    DocBytes,
    Done,
    ExecutionQueued,
    ExecutionsQueued,
    Heads,
    Inspection,
    KernelChoices,
    KernelLaunched,
    RawMetadata,
    Result,
    SavedTo,
)


async def get_doc_bytes(room: Room, request: GetDocBytes) -> DocBytes:
    return DocBytes(bytes=room.doc.save(), heads=room.doc.heads_hex())


async def get_raw_metadata(room: Room, request: GetRawMetadata) -> RawMetadata:
    return RawMetadata(value=room.doc.get_metadata(request.key))


async def set_raw_metadata(room: Room, request: SetRawMetadata) -> Done:
    room.doc.set_metadata(request.key, request.value)
    room.local_change()
    return Done()


async def save(room: Room, request: SaveNotebook) -> SavedTo:
    if request.path is not None:
        path = await room.context.rebind(room.id, request.path)
    elif room.file is None:
        raise NbdeskError("this notebook is untitled: save it with a path", code=ErrorCode.NO_PATH)
    else:
        path = room.file.path
    assert room.file is not None
    await room.file.write(explicit=True)
    await room.persist_now()
    room.broadcast(Saved(path=str(path)))
    return SavedTo(path=str(path))


async def clear_outputs(room: Room, request: ClearOutputs) -> Done:
    with room.doc.change():
        cell_ids = [request.cell_id] if request.cell_id else room.doc.cell_ids()
        for cell_id in cell_ids:
            room.doc.clear_outputs(cell_id)
            room.doc.set_execution_count(cell_id, None)
    room.local_change()
    return Done()


async def sync_barrier(room: Room, request: SyncBarrier) -> Heads:
    """Everything the client sent (its required heads) is now durable on the daemon."""
    await room.persist_now()
    return Heads(heads=room.doc.heads_hex())


async def execute_cell(room: Room, request: ExecuteCell) -> ExecutionQueued:
    execution = await room.kernel.execute_cell(request.cell_id, allow_stdin=request.allow_stdin)
    return ExecutionQueued(execution_id=execution.id)


async def run_all(room: Room, request: RunAll) -> ExecutionsQueued:
    executions = await room.kernel.run_all(request.cell_ids)
    return ExecutionsQueued(
        execution_ids=[e.id for e in executions], cell_ids=[e.cell_id for e in executions]
    )


async def interrupt(room: Room, request: Interrupt) -> Done:
    await room.kernel.interrupt()
    return Done()


async def restart_kernel(room: Room, request: RestartKernel) -> Done:
    await room.kernel.restart()
    return Done()


async def shutdown_kernel(room: Room, request: ShutdownKernel) -> Done:
    await room.kernel.shutdown()
    return Done()


async def launch_kernel(room: Room, request: LaunchKernel) -> KernelLaunched:
    await room.kernel.launch(request.env, request.kernelspec)
    return launched(room)


def launched(room: Room) -> KernelLaunched:
    session = room.kernel.session
    if session is None:
        return KernelLaunched(python=None)
    return KernelLaunched(
        python=session.python,
        display_name=session.display_name,
        language=session.language,
    )


async def list_kernels(room: Room, request: ListKernels) -> KernelChoices:
    return KernelChoices(choices=await kernel_choices.list_choices(room))


async def change_kernel(room: Room, request: ChangeKernel) -> KernelLaunched:
    await kernel_choices.change_kernel(room, request)
    return launched(room)


async def input_reply(room: Room, request: InputReply) -> Done:
    room.kernel.answer_input(request.execution_id, request.value)
    return Done()


async def complete(room: Room, request: Complete) -> Completion:
    session = await room.kernel.ready()
    content = await session.complete(request.code, request.cursor_pos)
    return Completion(
        matches=content.get("matches", []),
        cursor_start=content.get("cursor_start", request.cursor_pos),
        cursor_end=content.get("cursor_end", request.cursor_pos),
        metadata=content.get("metadata", {}),
    )


async def inspect(room: Room, request: Inspect) -> Inspection:
    session = await room.kernel.ready()
    content = await session.inspect(request.code, request.cursor_pos, request.detail_level)
    found = content.get("status") == "ok" and bool(content.get("found"))
    return Inspection(
        found=found,
        data=content.get("data", {}) if found else {},
        metadata=content.get("metadata", {}) if found else {},
    )


async def send_comm(room: Room, request: SendComm) -> Done:
    await room.kernel.ready()
    room.kernel.widgets.send(request.comm_id, request.data, request.buffers)
    return Done()


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
    ListKernels: list_kernels,
    ChangeKernel: change_kernel,
    ListServers: server_settings.list_servers,
    AddServer: server_settings.add_server,
    RemoveServer: server_settings.remove_server,
    GetPreferences: preference_handlers.get_preferences,
    SetQuestionAsked: preference_handlers.set_question_asked,
    SetDisplay: preference_handlers.set_display,
    InputReply: input_reply,
    Complete: complete,
    Inspect: inspect,
    SendComm: send_comm,
    **trust_handlers.HANDLERS,
    **history_handlers.HANDLERS,
}


async def handle(room: Room, request: Any) -> Result:
    return await HANDLERS[type(request)](room, request)
