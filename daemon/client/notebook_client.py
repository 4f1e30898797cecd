"""The Python client of one notebook: a full Automerge peer of its room.

`nbdesk.open(path)`, `nbdesk.create()` and `nbdesk.join(notebook_id)` (defined here)
return an `Opening`: await it, or use it in `async with`. A `NotebookClient` keeps its
own replica (`client.doc`, a NotebookDoc) and one sync state for the daemon; edit the
replica inside `client.edit()` and the changes are sent when the block ends.
`confirm_sync()` returns when the daemon holds (durably) everything this client wrote
and this client holds everything the daemon had at that moment. The connection itself
is `connection.py`; typed results are `results.py`; the daemon-level channel is
`control_client.py`; the synchronous wrapper is `sync.py`.

Memory stays bounded in a client that lives for days: unread broadcasts are a bounded
buffer, and `execution_done` events nobody waited for are kept for the most recent
`FINISHED_LIMIT` executions only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import nbformat

from nbdesk.daemon.blobs.manifests import content_blob_refs, manifest_to_output
from nbdesk.daemon.client.connection import (
    DEFAULT_TIMEOUT,
    Connection,
    DaemonNotRunning,
    HomeLike,
    R,
)
from nbdesk.daemon.client.opening import Opening
from nbdesk.daemon.client.results import ExecutionResult, execution_result, nodes
from nbdesk.daemon.doc.automerge_doc import SyncPeer
from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.daemon.wire.broadcasts import TrustState
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError, ProtocolError
from nbdesk.daemon.wire.framing import FrameType
from nbdesk.daemon.wire.requests import CompareSide
from nbdesk.daemon.wire.responses import (
    Comparison,
    Completion,
    DocBytes,
    ExecutionQueued,
    ExecutionsQueued,
    HandshakeReply,
    Heads,
    History,
    HistoryPoint,
    Inspection,
    KernelChoice,
    KernelChoices,
    KernelLaunched,
    NotebookAt,
    RawMetadata,
    SavedTo,
    TrustReply,
)

FINISHED_LIMIT = 256  # execution_done events kept for a later wait_done()


class _FetchedBlobs:
    """Blobs already fetched over HTTP, readable where a BlobStore is expected."""

    def __init__(self, blobs: dict[str, bytes]) -> None:
        self._blobs = blobs

    def get(self, blob_hash: str) -> bytes:
        return self._blobs[blob_hash]


class NotebookClient:
    """One notebook room, joined as a full Automerge peer."""

    def __init__(self, connection: Connection, handshake: HandshakeReply) -> None:
        if handshake.notebook_id is None:
            raise ProtocolError("a notebook handshake reply without a notebook id")
        self.connection = connection
        self.doc = NotebookDoc.empty()
        self.sync_peer = SyncPeer("daemon")
        self.notebook_id: str = handshake.notebook_id
        self.path: str | None = handshake.path
        self.blob_url: str | None = handshake.blob_url
        self.daemon_version: str = handshake.daemon_version
        self._changed = asyncio.Event()
        self._finished: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._finish_waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._http: Any = None
        self.kernel_status = "not_started"
        connection.set_sync_handler(self._on_sync)
        connection.broadcast_listeners.append(self._on_broadcast)

    def __repr__(self) -> str:
        return f"NotebookClient({self.notebook_id}, path={self.path!r}, cells={len(self.doc)})"

    @classmethod
    async def _handshake(cls, home: HomeLike, op: str, **fields: Any) -> NotebookClient:
        connection = await Connection.connect(home)
        try:
            client = cls(connection, await connection.call(op, HandshakeReply, **fields))
            await client.wait_for(lambda doc: doc.is_synced())
        except BaseException:
            await connection.close()
            raise
        return client

    @classmethod
    def open(cls, path: str | Path, home: HomeLike = None) -> Opening[NotebookClient]:
        """The notebook file at `path`, opened in the daemon of `home` (a path or a Home)."""
        resolved = str(Path(path).resolve())
        return Opening(lambda: cls._handshake(home, "open", path=resolved), f"open {resolved}")

    @classmethod
    def create(
        cls, home: HomeLike = None, *, folder: str | Path | None = None, launch: bool = True
    ) -> Opening[NotebookClient]:
        """A new untitled notebook; in `folder` (its kernel's working directory and where
        its project is found); with `launch` False no kernel starts until asked."""
        where = str(Path(folder).resolve()) if folder is not None else None
        return Opening(
            lambda: cls._handshake(home, "create", folder=where, launch=launch), "create"
        )

    @classmethod
    def join(cls, notebook_id: str, home: HomeLike = None) -> Opening[NotebookClient]:
        """A notebook already open in the daemon, by its id."""
        return Opening(
            lambda: cls._handshake(home, "join", notebook_id=notebook_id), f"join {notebook_id}"
        )

    # -- sync ------------------------------------------------------------------------

    def _on_sync(self, payload: bytes) -> None:
        changed = self.doc.receive_sync_message(self.sync_peer, payload)
        if changed or not self._changed.is_set():
            self._changed.set()
            self._changed = asyncio.Event()
        asyncio.get_running_loop().call_soon(self._acknowledge)

    def _acknowledge(self) -> None:
        """Reply after waiters have woken: the reply is rarely more than an ack."""
        if not self.connection.closed.is_set():
            self.send_sync()

    def send_sync(self) -> None:
        message = self.doc.generate_sync_message(self.sync_peer)
        if message is not None:
            self.connection.send_frame(FrameType.DOC_SYNC, message)

    @contextlib.contextmanager
    def edit(self) -> Iterator[NotebookDoc]:
        """Edit the replica as one change; it is sent to the daemon when the block ends."""
        with self.doc.change():
            yield self.doc
        self.send_sync()

    def add_cell(self, source: str = "", cell_type: str = "code", index: int | None = None) -> str:
        """Insert a cell (at the end unless `index` is given) and return its id."""
        with self.edit() as doc:
            return doc.insert_cell(len(doc) if index is None else index, cell_type, source)

    def set_source(self, cell_id: str, source: str) -> None:
        with self.edit() as doc:
            doc.replace_source(cell_id, source)

    async def wait_for(
        self, predicate: Callable[[NotebookDoc], bool], timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        """Wait until `predicate(self.doc)` holds, re-checking after every sync message."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate(self.doc):
            if self.connection.closed.is_set():
                raise DaemonNotRunning("the daemon closed the connection")
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError("the document did not reach the expected state in time")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(remaining, 0.5)):
                    await self._changed.wait()

    async def confirm_sync(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.send_sync()
        reply = await self.connection.call(
            "sync_barrier", Heads, timeout=timeout, required_heads=self.doc.heads_hex()
        )
        heads = reply.heads
        await self.wait_for(lambda doc: doc.contains_heads(heads), timeout)

    # -- requests --------------------------------------------------------------------------

    async def request(self, op: str, **fields: Any) -> dict[str, Any]:
        """A room request that first makes sure the daemon has this client's edits."""
        self.send_sync()
        return await self.connection.request(op, required_heads=self.doc.heads_hex(), **fields)

    async def call(self, op: str, result: type[R], **fields: Any) -> R:
        """`request` with the typed result the daemon answers `op` with."""
        self.send_sync()
        return await self.connection.call(op, result, required_heads=self.doc.heads_hex(), **fields)

    async def save(self, path: str | Path | None = None) -> str:
        reply = await self.call("save", SavedTo, path=str(Path(path).resolve()) if path else None)
        self.path = reply.path
        return reply.path

    async def get_doc_bytes(self) -> bytes:
        return (await self.call("get_doc_bytes", DocBytes)).bytes

    async def get_raw_metadata(self, key: str) -> str | None:
        return (await self.call("get_raw_metadata", RawMetadata, key=key)).value

    async def set_raw_metadata(self, key: str, value: str) -> None:
        await self.request("set_raw_metadata", key=key, value=value)

    async def clear_outputs(self, cell_id: str | None = None) -> None:
        await self.request("clear_outputs", cell_id=cell_id)

    # -- kernels ------------------------------------------------------------------------

    def _on_broadcast(self, message: dict[str, Any]) -> None:
        event = message.get("event")
        if event == "kernel_status":
            self.kernel_status = message["status"]
        elif event == "execution_done":
            execution_id = message["execution_id"]
            waiter = self._finish_waiters.pop(execution_id, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(message)
            else:
                self._finished[execution_id] = message
                while len(self._finished) > FINISHED_LIMIT:
                    self._finished.popitem(last=False)

    async def wait_done(self, execution_id: str, timeout: float | None = None) -> dict[str, Any]:
        """The `execution_done` event of an execution, once its outputs are in this replica."""
        done = self._finished.pop(execution_id, None)
        if done is None:
            waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
            self._finish_waiters[execution_id] = waiter
            try:
                done = await asyncio.wait_for(waiter, timeout)
            finally:
                self._finish_waiters.pop(execution_id, None)
        heads = done["heads"]
        await self.wait_for(lambda doc: doc.contains_heads(heads), timeout or DEFAULT_TIMEOUT)
        return done

    async def execute(
        self, cell_id: str, timeout: float | None = None, *, allow_stdin: bool = True
    ) -> ExecutionResult:
        """Run a cell; its status, execution count and outputs once it is done. With
        `allow_stdin` False, `input()` raises in the kernel (as under nbclient)."""
        execution_id = await self.queue_cell(cell_id, allow_stdin=allow_stdin)
        done = await self.wait_done(execution_id, timeout)
        return execution_result(done, await self.outputs(cell_id))

    async def queue_cell(self, cell_id: str, *, allow_stdin: bool = True) -> str:
        """Queue a cell for execution; its execution id, for `wait_done`."""
        reply = await self.call(
            "execute_cell", ExecutionQueued, cell_id=cell_id, allow_stdin=allow_stdin
        )
        return reply.execution_id

    async def run(self, source: str, timeout: float | None = None) -> ExecutionResult:
        """Append a code cell with `source` and execute it."""
        return await self.execute(self.add_cell(source), timeout)

    async def run_all(self, timeout: float | None = None) -> list[ExecutionResult]:
        """Run every code cell in order; one result per cell, in order."""
        reply = await self.call("run_all", ExecutionsQueued)
        done = [await self.wait_done(execution_id, timeout) for execution_id in reply.execution_ids]
        return [execution_result(d, await self.outputs(d["cell_id"])) for d in done]

    async def interrupt(self) -> None:
        await self.request("interrupt")

    async def restart(self) -> None:
        await self.request("restart_kernel")

    async def shutdown_kernel(self) -> None:
        await self.request("shutdown_kernel")

    async def launch_kernel(
        self, *, kernelspec: str | None = None, env: str | None = None
    ) -> KernelLaunched:
        """Start the kernel: an installed kernelspec, an interpreter (or "uv"/"conda"), or
        with neither wherever the daemon's resolution order says."""
        return await self.call("launch_kernel", KernelLaunched, kernelspec=kernelspec, env=env)

    # -- dependencies and trust -------------------------------------------------------------

    async def get_trust(self) -> TrustState:
        """The notebook's dependencies, whether they may be installed here, and flags for
        names close to popular packages."""
        return (await self.call("get_trust", TrustReply)).trust

    async def dependencies(self) -> list[str]:
        """The packages the notebook lists, as written."""
        return (await self.get_trust()).dependencies

    async def set_dependencies(self, dependencies: list[str]) -> TrustState:
        """Replace the notebook's uv dependency list (`metadata.nbdesk.uv.dependencies`).

        Each entry must name a package from the index (options, URLs and paths are
        refused with `bad_dependency`). What this client writes is signed as written,
        since this script is the user's own, unless the list keeps packages from a list
        nobody approved here: those still wait for the user.

        There is deliberately no `approve()`: approving is the user's answer to a list
        they were shown (the notebook's window, or `nbdesk trust PATH`), and a script
        that could approve what it opened would make that question meaningless. A
        script runs as the same user, so it could read the key in the daemon's home or
        send `approve_trust` itself: trust protects the user from notebooks that come
        from elsewhere, not from their own programs."""
        return (
            await self.call("set_dependencies", TrustReply, dependencies=list(dependencies))
        ).trust

    async def list_kernels(self) -> list[KernelChoice]:
        return (await self.call("list_kernels", KernelChoices)).choices

    async def change_kernel(
        self, kind: str, name: str = "", *, install_ipykernel: bool = False
    ) -> KernelLaunched:
        """Pick a kernel for this notebook (kept by the daemon) and restart there."""
        return await self.call(
            "change_kernel",
            KernelLaunched,
            kind=kind,
            name=name,
            install_ipykernel=install_ipykernel,
        )

    async def answer_input(self, execution_id: str, value: str) -> None:
        """Answer the `input()` a running cell waits on (its `input_request` broadcast)."""
        await self.request("input_reply", execution_id=execution_id, value=value)

    async def complete(self, code: str, cursor_pos: int | None = None) -> Completion:
        """Completions at `cursor_pos` (default: the end of `code`)."""
        pos = len(code) if cursor_pos is None else cursor_pos
        return await self.call("complete", Completion, code=code, cursor_pos=pos)

    async def inspect(
        self, code: str, cursor_pos: int | None = None, detail_level: int = 0
    ) -> Inspection:
        """The kernel's help on the name at `cursor_pos` (default: the end of `code`)."""
        pos = len(code) if cursor_pos is None else cursor_pos
        return await self.call(
            "inspect", Inspection, code=code, cursor_pos=pos, detail_level=detail_level
        )

    async def outputs(self, cell_id: str) -> list[nbformat.NotebookNode]:
        """A cell's outputs as nbformat nodes, fetched from the daemon's blob server."""
        return nodes(await self.resolve_outputs(self.doc.outputs(cell_id)))

    async def resolve_outputs(
        self, manifest_hashes: tuple[str, ...] | list[str]
    ) -> list[dict[str, Any]]:
        manifests = [json.loads(await self.fetch_blob(h)) for h in manifest_hashes]
        blobs: dict[str, bytes] = {
            h: await self.fetch_blob(h) for m in manifests for h in content_blob_refs(m)
        }
        reader: Any = _FetchedBlobs(blobs)
        return [manifest_to_output(reader, m) for m in manifests]

    # -- history ----------------------------------------------------------------------

    async def history(self) -> list[HistoryPoint]:
        """The notebook's history as timeline points, oldest first (each with the heads
        to pass to `notebook_at`, its time, session, author and marks)."""
        return (await self.call("history", History)).points

    async def notebook_at(self, heads: list[str]) -> nbformat.NotebookNode:
        """The notebook as it was at `heads` (a history point's), outputs included."""
        notebook = (await self.call("notebook_at", NotebookAt, heads=list(heads))).notebook
        for cell in notebook["cells"]:
            if "outputs" in cell:
                cell["outputs"] = await self.resolve_outputs(cell["outputs"])
        return nbformat.from_dict(notebook)

    async def compare(self, left: CompareSide, right: CompareSide) -> Comparison:
        """The cell-aware diff between two versions (heads, now, the file, a git rev)."""
        return await self.call(
            "compare",
            Comparison,
            left=msgspec.to_builtins(left),
            right=msgspec.to_builtins(right),
        )

    # -- widgets ----------------------------------------------------------------------

    async def get_widgets(self) -> list[dict[str, Any]]:
        """Every live widget in this replica, with its state and (Output widgets) outputs.

        Call `confirm_sync()` first to see everything the daemon has.
        """
        return [
            {
                "comm_id": comm.comm_id,
                "target_name": comm.target_name,
                "model_module": comm.model_module,
                "model_name": comm.model_name,
                "state": comm.state,
                "outputs": await self.resolve_outputs(comm.outputs),
            }
            for comm in self.doc.get_comms()
        ]

    async def set_widget_state(
        self,
        comm_id: str,
        state: dict[str, Any],
        buffers: dict[tuple[str, ...], bytes] | None = None,
    ) -> None:
        """Send a widget update to the kernel; its echo lands in the document."""
        buffers = buffers or {}
        data = {
            "method": "update",
            "state": state,
            "buffer_paths": [list(path) for path in buffers],
        }
        await self.request("send_comm", comm_id=comm_id, data=data, buffers=list(buffers.values()))

    async def send_widget_custom(self, comm_id: str, content: dict[str, Any]) -> None:
        """A custom widget message (a button's click is `{"event": "click"}`)."""
        await self.request(
            "send_comm", comm_id=comm_id, data={"method": "custom", "content": content}
        )

    async def fetch_blob(self, blob_hash: str) -> bytes:
        if not self.blob_url:
            raise NbdeskError("the daemon serves no blobs", code=ErrorCode.NO_BLOB_SERVER)
        if self._http is None:
            import aiohttp  # only scripts that read outputs pay for importing it

            self._http = aiohttp.ClientSession()
        async with self._http.get(f"{self.blob_url}/blob/{blob_hash}") as response:
            if response.status != 200:
                raise NbdeskError(
                    f"blob {blob_hash}: HTTP {response.status}", code=ErrorCode.NO_SUCH_BLOB
                )
            return await response.read()

    async def next_broadcast(
        self, event: str | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> dict[str, Any]:
        """The next broadcast (of the given event, skipping others)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = await asyncio.wait_for(
                self.connection.broadcasts.get(), deadline - loop.time()
            )
            if event is None or message.get("event") == event:
                if message.get("event") == "path_changed":
                    self.path = message.get("path")
                return message

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
        await self.connection.close()

    async def __aenter__(self) -> NotebookClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def open(path: str | Path, home: HomeLike = None) -> Opening[NotebookClient]:
    """`async with nbdesk.open("a.ipynb") as nb:` (or `nb = await nbdesk.open(...)`)."""
    return NotebookClient.open(path, home)


def create(home: HomeLike = None, *, folder: str | Path | None = None) -> Opening[NotebookClient]:
    """`async with nbdesk.create() as nb:` a new untitled notebook (in `folder`, if given)."""
    return NotebookClient.create(home, folder=folder)


def join(notebook_id: str, home: HomeLike = None) -> Opening[NotebookClient]:
    """`async with nbdesk.join(notebook_id) as nb:` a notebook another peer has open."""
    return NotebookClient.join(notebook_id, home)
