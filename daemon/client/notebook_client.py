"""The Python client: a full Automerge peer of a notebook room, plus the daemon control channel.

Scripts and tests use it. A `NotebookClient` keeps its own replica (`client.doc`, a
NotebookDoc) and one sync state for the daemon; edit the replica inside `client.edit()`
and the changes are sent when the block ends. `confirm_sync()` returns when the daemon
holds (durably) everything this client wrote and this client holds everything the
daemon had at that moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from nbdesk.daemon.blobs.manifests import content_blob_refs, manifest_to_output
from nbdesk.daemon.doc.automerge_doc import SyncPeer
from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.daemon.home.config import Home
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError, ProtocolError
from nbdesk.daemon.wire.framing import PREAMBLE, Frame, FrameType, encode_frame, read_frame
from nbdesk.daemon.wire.messages import check_response, decode_map, encode, parse_result
from nbdesk.daemon.wire.responses import HandshakeReply

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT = 30.0


class _FetchedBlobs:
    """Blobs already fetched over HTTP, readable where a BlobStore is expected."""

    def __init__(self, blobs: dict[str, bytes]) -> None:
        self._blobs = blobs

    def get(self, blob_hash: str) -> bytes:
        return self._blobs[blob_hash]


class DaemonNotRunning(NbdeskError):
    code = ErrorCode.NO_DAEMON


class Connection:
    """Framed requests and responses over the daemon socket; sync frames go to a callback."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.broadcasts: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.broadcast_listeners: list[Callable[[dict[str, Any]], None]] = []
        self._on_sync: Callable[[bytes], None] | None = None
        self._early_sync: list[bytes] = []
        self.closed = asyncio.Event()
        self._read_task = asyncio.create_task(self._read_loop(), name="nbdesk-client-reader")

    @classmethod
    async def connect(cls, home: Home | None = None) -> Connection:
        home = home or Home.from_env()
        try:
            reader, writer = await asyncio.open_unix_connection(str(home.socket))
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise DaemonNotRunning(
                f"no nbdesk daemon is running for {home.root} (start it with `nbdesk daemon start`)"
            ) from exc
        writer.write(PREAMBLE)
        return cls(reader, writer)

    def set_sync_handler(self, handler: Callable[[bytes], None]) -> None:
        """Route sync frames to `handler`, first replaying any that arrived before it."""
        self._on_sync = handler
        early, self._early_sync = self._early_sync, []
        for payload in early:
            handler(payload)

    def send_frame(self, frame_type: FrameType, payload: bytes) -> None:
        if self.closed.is_set():
            raise DaemonNotRunning("the connection to the daemon is closed")
        self._writer.write(encode_frame(frame_type, payload))

    async def request(
        self, op: str, timeout: float = DEFAULT_TIMEOUT, **fields: Any
    ) -> dict[str, Any]:
        """Send a request and wait for its response; an error response raises NbdeskError."""
        request_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        body = {"id": request_id, "op": op, **{k: v for k, v in fields.items() if v is not None}}
        try:
            self.send_frame(FrameType.REQUEST, encode(body))
            await self._writer.drain()
            response = await asyncio.wait_for(future, timeout)
        finally:
            self._waiting.pop(request_id, None)
        check_response(response)
        return response

    async def _read_loop(self) -> None:
        try:
            while (frame := await read_frame(self._reader)) is not None:
                self._dispatch(frame)
        except (NbdeskError, ConnectionError) as exc:
            log.info("daemon connection ended: %s", exc)
        finally:
            self.closed.set()
            for future in self._waiting.values():
                if not future.done():
                    future.set_exception(DaemonNotRunning("the daemon closed the connection"))

    def _dispatch(self, frame: Frame) -> None:
        if frame.type == FrameType.DOC_SYNC:
            if self._on_sync is None:
                self._early_sync.append(frame.payload)
            else:
                self._on_sync(frame.payload)
        elif frame.type == FrameType.RESPONSE:
            response = decode_map(frame.payload)
            future = self._waiting.get(response.get("id"))  # type: ignore[arg-type]
            if future is not None and not future.done():
                future.set_result(response)
            elif not response.get("ok"):
                log.warning("daemon error: %s", response.get("error"))
        elif frame.type == FrameType.BROADCAST:
            message = decode_map(frame.payload)
            for listener in self.broadcast_listeners:
                listener(message)
            self.broadcasts.put_nowait(message)

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(Exception):
            await self._writer.wait_closed()
        self._read_task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._read_task
        self.closed.set()


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
        self._finished: dict[str, dict[str, Any]] = {}
        self._finish_waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._http: Any = None
        self.kernel_status = "not_started"
        connection.set_sync_handler(self._on_sync)
        connection.broadcast_listeners.append(self._on_broadcast)

    def __repr__(self) -> str:
        return f"NotebookClient({self.notebook_id}, path={self.path!r}, cells={len(self.doc)})"

    @classmethod
    async def _handshake(cls, home: Home | None, op: str, **fields: Any) -> NotebookClient:
        connection = await Connection.connect(home)
        try:
            reply = await connection.request(op, **fields)
            client = cls(connection, parse_result(reply, HandshakeReply))
            await client.wait_for(lambda doc: doc.is_synced())
        except BaseException:
            await connection.close()
            raise
        return client

    @classmethod
    async def open(cls, path: str | Path, home: Home | None = None) -> NotebookClient:
        return await cls._handshake(home, "open", path=str(Path(path).resolve()))

    @classmethod
    async def create(cls, home: Home | None = None) -> NotebookClient:
        return await cls._handshake(home, "create")

    @classmethod
    async def join(cls, notebook_id: str, home: Home | None = None) -> NotebookClient:
        return await cls._handshake(home, "join", notebook_id=notebook_id)

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
        reply = await self.connection.request(
            "sync_barrier", timeout=timeout, required_heads=self.doc.heads_hex()
        )
        heads = reply["heads"]
        await self.wait_for(lambda doc: doc.contains_heads(heads), timeout)

    # -- requests --------------------------------------------------------------------------

    async def request(self, op: str, **fields: Any) -> dict[str, Any]:
        """A room request that first makes sure the daemon has this client's edits."""
        self.send_sync()
        return await self.connection.request(op, required_heads=self.doc.heads_hex(), **fields)

    async def save(self, path: str | Path | None = None) -> str:
        reply = await self.request("save", path=str(Path(path).resolve()) if path else None)
        self.path = reply["path"]
        return self.path

    async def get_doc_bytes(self) -> bytes:
        return (await self.request("get_doc_bytes"))["bytes"]

    async def get_raw_metadata(self, key: str) -> str | None:
        return (await self.request("get_raw_metadata", key=key))["value"]

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

    async def execute(self, cell_id: str, timeout: float | None = None) -> list[dict[str, Any]]:
        """Run a cell and return its outputs (nbformat dicts) when it is done."""
        reply = await self.request("execute_cell", cell_id=cell_id)
        await self.wait_done(reply["execution_id"], timeout)
        return await self.outputs(cell_id)

    async def run_all(self, timeout: float | None = None) -> dict[str, list[dict[str, Any]]]:
        """Run every code cell in order; returns each cell's outputs, keyed by cell id."""
        reply = await self.request("run_all")
        for execution_id in reply["execution_ids"]:
            await self.wait_done(execution_id, timeout)
        return {cell_id: await self.outputs(cell_id) for cell_id in reply["cell_ids"]}

    async def interrupt(self) -> None:
        await self.request("interrupt")

    async def restart(self) -> None:
        await self.request("restart_kernel")

    async def shutdown_kernel(self) -> None:
        await self.request("shutdown_kernel")

    async def complete(self, code: str, cursor_pos: int) -> dict[str, Any]:
        return await self.request("complete", code=code, cursor_pos=cursor_pos)

    async def outputs(self, cell_id: str) -> list[dict[str, Any]]:
        """A cell's outputs as nbformat dicts, fetched from the daemon's blob server."""
        return await self.resolve_outputs(self.doc.outputs(cell_id))

    async def resolve_outputs(
        self, manifest_hashes: tuple[str, ...] | list[str]
    ) -> list[dict[str, Any]]:
        manifests = [json.loads(await self.fetch_blob(h)) for h in manifest_hashes]
        blobs: dict[str, bytes] = {
            h: await self.fetch_blob(h) for m in manifests for h in content_blob_refs(m)
        }
        reader: Any = _FetchedBlobs(blobs)
        return [manifest_to_output(reader, m) for m in manifests]

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


class ControlClient:
    """The daemon-level channel: ping, status, list rooms, stop."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @classmethod
    async def connect(cls, home: Home | None = None) -> ControlClient:
        connection = await Connection.connect(home)
        try:
            await connection.request("control", timeout=10)
        except BaseException:
            await connection.close()
            raise
        return cls(connection)

    async def ping(self) -> dict[str, Any]:
        return await self.connection.request("ping", timeout=10)

    async def status(self) -> dict[str, Any]:
        return await self.connection.request("status", timeout=10)

    async def list_rooms(self) -> list[dict[str, Any]]:
        return (await self.connection.request("list_rooms", timeout=10))["rooms"]

    async def stop(self) -> None:
        await self.connection.request("stop", timeout=60)

    async def collect_garbage(
        self, min_age: float = 3600.0, env_max_age: float | None = None
    ) -> dict[str, Any]:
        """Delete blobs no notebook references (older than `min_age` seconds) and
        environments unused for `env_max_age` seconds (None: the daemon's setting)."""
        return await self.connection.request(
            "gc", timeout=300, min_age=min_age, env_max_age=env_max_age
        )

    async def close(self) -> None:
        await self.connection.close()

    async def __aenter__(self) -> ControlClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
