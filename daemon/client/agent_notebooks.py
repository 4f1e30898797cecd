"""What an agent may do to the notebooks a daemon has open, as a peer like a window.

`AgentNotebooks` keeps one `NotebookClient` per notebook it touched (joined once, kept
for later calls, rejoined if the daemon went away), so every edit is an ordinary
Automerge change the user's windows show live, and every read sees the user's edits.
Answers are plain data (`cell_view`, `output_parts`) that the MCP server turns into
content blocks; failures are `NbdeskError`s whose message says what to do next. Has no
MCP in it (`mcp_server.py` is the protocol), and no approval of dependencies: that is
the user's alone.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbdesk.daemon.client.connection import HomeLike
from nbdesk.daemon.client.control_client import ControlClient
from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.client.widget_snapshot import WIDGET_VIEW_MIME
from nbdesk.daemon.doc.dependencies import notebook_dependencies
from nbdesk.daemon.wire.enums import CellType
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError

TEXT_LIMIT = 20_000  # characters of one output an agent gets; the rest is cut, and said so
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class ImagePart:
    data: str  # base64, as the kernel sent it
    mime_type: str


Part = str | ImagePart


def _cut(text: str) -> str:
    if len(text) <= TEXT_LIMIT:
        return text
    return text[:TEXT_LIMIT] + f"\n… ({len(text) - TEXT_LIMIT} more characters not shown)"


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def output_parts(output: dict[str, Any], widgets: dict[str, dict[str, Any]]) -> list[Part]:
    """One output as text and images an agent can read."""
    kind = output.get("output_type")
    if kind == "stream":
        return [_cut(f"[{output.get('name', 'stdout')}] {_joined(output.get('text', ''))}")]
    if kind == "error":
        trace = ANSI.sub("", "\n".join(output.get("traceback") or []))
        return [_cut(f"[error] {output.get('ename')}: {output.get('evalue')}\n{trace}")]
    data: dict[str, Any] = output.get("data") or {}
    parts: list[Part] = [
        ImagePart(str(data[mime]).replace("\n", ""), mime) for mime in IMAGE_TYPES if mime in data
    ]
    view = data.get(WIDGET_VIEW_MIME)
    if isinstance(view, dict) and view.get("model_id") in widgets:
        widget = widgets[view["model_id"]]
        state = {k: v for k, v in widget["state"].items() if not k.startswith("_")}
        parts.append(_cut(f"[widget {widget['model_name']}] {state}"))
    elif "text/markdown" in data:
        parts.append(_cut(_joined(data["text/markdown"])))
    elif "text/plain" in data:
        parts.append(_cut(_joined(data["text/plain"])))
    elif not parts and data:
        parts.append(f"[{', '.join(sorted(data))} output]")
    return parts


class AgentNotebooks:
    def __init__(self, home: HomeLike = None) -> None:
        self.home = home
        self._clients: dict[str, NotebookClient] = {}
        self._lock = asyncio.Lock()

    async def close(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.close()

    # -- which notebook ---------------------------------------------------------------

    async def list_open(self) -> list[dict[str, Any]]:
        async with await ControlClient.connect(self.home) as control:
            rooms = await control.list_rooms()
        return [
            {
                "notebook_id": room.notebook_id,
                "path": room.path,
                "cells": room.cells,
                "kernel": room.kernel,
                "running": room.running,
                "windows_and_clients": room.peers,
            }
            for room in rooms
        ]

    async def open(self, path: str) -> NotebookClient:
        resolved = Path(path).expanduser().resolve()
        if not resolved.is_file():
            raise NbdeskError(
                f"no notebook file at {resolved}; give the path of an existing .ipynb, "
                "or create_notebook for a new one",
                code=ErrorCode.BAD_PATH,
            )
        return self._keep(await NotebookClient.open(resolved, self.home))

    async def create(self, folder: str | None) -> NotebookClient:
        if folder is not None and not Path(folder).expanduser().is_dir():
            raise NbdeskError(f"no folder at {folder}", code=ErrorCode.BAD_PATH)
        where = Path(folder).expanduser() if folder else None
        return self._keep(await NotebookClient.create(self.home, folder=where))

    def _keep(self, client: NotebookClient) -> NotebookClient:
        old = self._clients.get(client.notebook_id)
        if old is not None and old is not client:
            asyncio.get_running_loop().create_task(old.close())
        self._clients[client.notebook_id] = client
        return client

    async def client(self, notebook_id: str) -> NotebookClient:
        """The kept client of a notebook, joined on first use and after a lost daemon."""
        async with self._lock:
            client = self._clients.get(notebook_id)
            if client is not None and not client.connection.closed.is_set():
                return client
            try:
                return self._keep(await NotebookClient.join(notebook_id, self.home))
            except NbdeskError as exc:
                if exc.code == ErrorCode.NO_SUCH_NOTEBOOK:
                    raise NbdeskError(
                        f"no notebook {notebook_id} is open in nbdesk; list_notebooks shows "
                        "the open ones, open_notebook opens a file",
                        code=exc.code,
                    ) from exc
                raise

    # -- reading ----------------------------------------------------------------------

    async def cells(
        self, notebook_id: str, start: int = 0, end: int | None = None
    ) -> list[list[Part]]:
        """Cells `start` to `end` (exclusive), each as a header, its source and outputs."""
        client = await self.client(notebook_id)
        await client.confirm_sync()
        widgets = {w["comm_id"]: w for w in await client.get_widgets()}
        cells = client.doc.cells()
        chosen = list(enumerate(cells))[start:end]
        views: list[list[Part]] = []
        for index, cell in chosen:
            count = f" [{cell.execution_count}]" if cell.execution_count is not None else ""
            parts: list[Part] = [
                f"cell {index} id={cell.id} {cell.cell_type}{count}\n{_cut(cell.source)}"
            ]
            if cell.outputs:
                for output in await client.resolve_outputs(cell.outputs):
                    parts.extend(output_parts(output, widgets))
            views.append(parts)
        return views

    async def dependencies(self, notebook_id: str) -> list[str]:
        client = await self.client(notebook_id)
        await client.confirm_sync()
        return list(notebook_dependencies(client.doc.get_metadata))

    # -- editing ----------------------------------------------------------------------

    def _index_in_range(self, client: NotebookClient, index: int, *, inserting: bool) -> int:
        top = len(client.doc) if inserting else len(client.doc) - 1
        if index < 0:
            index += top + 1
        if not 0 <= index <= top:
            raise NbdeskError(
                f"index {index} is outside the notebook (0 to {top})", code=ErrorCode.BAD_REQUEST
            )
        return index

    def _known_cell(self, client: NotebookClient, cell_id: str) -> None:
        if not client.doc.has_cell(cell_id):
            raise NbdeskError(
                f"no cell {cell_id} in this notebook (another peer may have deleted it); "
                "read_cells lists the current ids",
                code=ErrorCode.NO_SUCH_CELL,
            )

    async def insert(self, notebook_id: str, source: str, cell_type: str, index: int | None) -> str:
        client = await self.client(notebook_id)
        kind = _cell_type(cell_type)
        at = (
            len(client.doc)
            if index is None
            else self._index_in_range(client, index, inserting=True)
        )
        cell_id = client.add_cell(source, kind, at)
        await client.confirm_sync()
        return cell_id

    async def edit(
        self, notebook_id: str, cell_id: str, source: str | None, cell_type: str | None
    ) -> None:
        client = await self.client(notebook_id)
        self._known_cell(client, cell_id)
        kind = _cell_type(cell_type) if cell_type is not None else None
        with client.edit() as doc:
            if source is not None:
                doc.replace_source(cell_id, source)  # minimal splices: the user's cursor stays
            if kind is not None:
                doc.set_cell_type(cell_id, kind)
        await client.confirm_sync()

    async def move(self, notebook_id: str, cell_id: str, index: int) -> None:
        client = await self.client(notebook_id)
        self._known_cell(client, cell_id)
        at = self._index_in_range(client, index, inserting=False)
        with client.edit() as doc:
            doc.move_cell(cell_id, at)
        await client.confirm_sync()

    async def delete(self, notebook_id: str, cell_id: str) -> None:
        client = await self.client(notebook_id)
        self._known_cell(client, cell_id)
        with client.edit() as doc:
            doc.delete_cell(cell_id)
        await client.confirm_sync()

    # -- the kernel -------------------------------------------------------------------

    async def run(
        self, notebook_id: str, cell_ids: list[str] | None, timeout: float
    ) -> list[list[Part]]:
        """Run the cells (all code cells when None) in order and wait for each."""
        client = await self.client(notebook_id)
        ids = (
            cell_ids
            if cell_ids is not None
            else [c.id for c in client.doc.cells() if c.cell_type == CellType.CODE]
        )
        for cell_id in ids:
            self._known_cell(client, cell_id)
            if client.doc.cell(cell_id).cell_type != CellType.CODE:
                raise NbdeskError(f"cell {cell_id} is not a code cell", code=ErrorCode.NOT_CODE)
        queued = [await client.queue_cell(cell_id) for cell_id in ids]
        results: list[list[Part]] = []
        for cell_id, execution_id in zip(ids, queued, strict=True):
            try:
                done = await client.wait_done(execution_id, timeout)
            except TimeoutError:
                raise NbdeskError(
                    f"cell {cell_id} still runs after {timeout:g} s; it goes on running: "
                    "read_cells later, or interrupt it",
                    code=ErrorCode.KERNEL_ERROR,
                ) from None
            widgets = {w["comm_id"]: w for w in await client.get_widgets()}
            head = f"cell {cell_id}: {done['status']} [{done.get('execution_count')}]"
            parts: list[Part] = [head]
            for output in await client.resolve_outputs(client.doc.outputs(cell_id)):
                parts.extend(output_parts(output, widgets))
            results.append(parts)
        return results

    async def interrupt(self, notebook_id: str) -> None:
        await (await self.client(notebook_id)).interrupt()

    async def restart(self, notebook_id: str) -> None:
        await (await self.client(notebook_id)).restart()


def _cell_type(name: str) -> CellType:
    try:
        return CellType(name)
    except ValueError:
        raise NbdeskError(
            f"cell type {name!r} is not one of code, markdown, raw", code=ErrorCode.BAD_REQUEST
        ) from None
