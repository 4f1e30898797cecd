"""Drive the Node interop peer (web/dist/interop-peer.mjs) as a second Automerge replica.

The peer speaks the daemon's framing over its stdin/stdout. `JsPeer` pumps sync messages
both ways (Python answers every message it receives), sends requests and matches their
responses, and can hold sync traffic back so both sides edit concurrently.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import msgpack

from nbdesk.daemon.client.connection import Connection
from nbdesk.daemon.doc.notebook_doc import NotebookDoc, SyncPeer
from nbdesk.daemon.home.config import Home
from nbdesk.daemon.wire.framing import FrameType, encode_frame, read_frame

WEB = Path(__file__).resolve().parent.parent / "web"
PEER_SCRIPT = WEB / "dist" / "interop-peer.mjs"
REQUEST_TIMEOUT = 10.0


class PeerUnavailable(Exception):
    """Neither node nor a built peer exists: the interop tests cannot run here."""


class JsPeerError(Exception):
    """An `{ok: false}` response: `code` and message come from the JS side."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


def _stale(bundle: Path) -> bool:
    built = bundle.stat().st_mtime
    sources = [
        *(WEB / "src").rglob("*.ts"),
        *(WEB / name for name in ("build.mjs", "package.json", "tsconfig.json")),
    ]
    return any(path.stat().st_mtime > built for path in sources if path.exists())


def ensure_peer_built() -> Path:
    """The peer bundle, (re)built with `npm run build` when node is available."""
    node = shutil.which("node")
    if node is None:
        if not PEER_SCRIPT.exists():
            raise PeerUnavailable("node is not installed and web/dist/interop-peer.mjs is missing")
        raise RuntimeError("web/dist/interop-peer.mjs exists but node is not on PATH")
    if PEER_SCRIPT.exists() and not _stale(PEER_SCRIPT):
        return PEER_SCRIPT
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("node is installed but npm is not: cannot build the interop peer")
    if not (WEB / "node_modules").is_dir():
        raise RuntimeError("web/node_modules is missing: run `npm ci` in web/ first")
    built = subprocess.run(
        [npm, "run", "build"], cwd=WEB, capture_output=True, text=True, timeout=300, check=False
    )
    if built.returncode != 0 or not PEER_SCRIPT.exists():
        raise RuntimeError(f"`npm run build` failed:\n{built.stdout}\n{built.stderr}")
    return PEER_SCRIPT


def python_cells(doc: NotebookDoc) -> list[dict[str, Any]]:
    """Python's cells in the snapshot's shape, metadata parsed."""
    return [
        {
            "id": cell.id,
            "cell_type": str(cell.cell_type),
            "position": cell.position,
            "source": cell.source,
            "execution_count": cell.execution_count,
            "outputs": list(cell.outputs),
            "metadata": cell.metadata,
        }
        for cell in doc.cells()
    ]


def js_cells(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """The JS snapshot's cells with metadata parsed (each side serialises JSON its own way)."""
    return [{**cell, "metadata": json.loads(cell["metadata"])} for cell in snapshot["cells"]]


class JsPeer:
    """One running Node peer, synced with `doc` through a single SyncPeer."""

    def __init__(self, process: asyncio.subprocess.Process, doc: NotebookDoc) -> None:
        self.doc = doc
        self.sync = SyncPeer("js")
        self._process = process
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._held: list[bytes] | None = None
        self._failure: BaseException | None = None
        self._stderr = bytearray()
        self._tasks = [
            asyncio.create_task(self._read_frames()),
            asyncio.create_task(self._read_stderr()),
        ]

    @classmethod
    async def start(cls, script: Path, doc: NotebookDoc) -> JsPeer:
        process = await asyncio.create_subprocess_exec(
            "node",
            str(script),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(process, doc)

    @property
    def stderr(self) -> str:
        return self._stderr.decode(errors="replace")

    # -- wire -----------------------------------------------------------------------

    async def write_raw(self, data: bytes) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        stdin.write(data)
        await stdin.drain()

    async def _read_frames(self) -> None:
        stdout = self._process.stdout
        assert stdout is not None
        try:
            while (frame := await read_frame(stdout)) is not None:
                if frame.type == FrameType.DOC_SYNC:
                    await self._on_sync(frame.payload)
                elif frame.type == FrameType.RESPONSE:
                    self._on_response(frame.payload)
        except Exception as exc:
            self._failure = exc
        finally:
            self._fail_pending()

    async def _read_stderr(self) -> None:
        stderr = self._process.stderr
        assert stderr is not None
        while chunk := await stderr.read(65536):
            self._stderr += chunk

    def _fail_pending(self) -> None:
        reason = self._failure or ConnectionError("the JS peer closed its stdout")
        for future in self._pending.values():
            if not future.done():
                future.set_exception(RuntimeError(f"{reason}\nJS stderr:\n{self.stderr}"))
        self._pending.clear()

    def _on_response(self, payload: bytes) -> None:
        reply = msgpack.unpackb(payload, raw=False)
        future = self._pending.pop(reply.get("id"), None)
        if future is not None and not future.done():
            future.set_result(reply)

    # -- sync ------------------------------------------------------------------------

    async def _on_sync(self, message: bytes) -> None:
        if self._held is not None:
            self._held.append(message)
            return
        self.doc.receive_sync_message(self.sync, message)
        await self._send_sync()

    async def _send_sync(self) -> None:
        message = self.doc.generate_sync_message(self.sync)
        if message is not None:
            await self.write_raw(encode_frame(FrameType.DOC_SYNC, message))

    async def flush(self) -> None:
        """Send Python's next sync message (after its own edits); a no-op while offline."""
        if self._held is None:
            await self._send_sync()

    @asynccontextmanager
    async def offline(self) -> AsyncIterator[None]:
        """Hold sync traffic both ways, so edits made inside are concurrent."""
        self._held = []
        try:
            yield
        finally:
            held, self._held = self._held, None
            for message in held:
                self.doc.receive_sync_message(self.sync, message)
                await self._send_sync()
            await self._send_sync()

    # -- requests --------------------------------------------------------------------

    async def request(
        self, op: str, *, chunk_size: int | None = None, **fields: Any
    ) -> dict[str, Any]:
        """Send `{id, op, **fields}` and return the matching `{ok: true}` reply.

        `chunk_size` splits the frame into separate writes, to exercise reassembly.
        """
        if self._failure is not None:
            raise RuntimeError(f"the JS peer link failed: {self._failure}\n{self.stderr}")
        request_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        payload = msgpack.packb({"id": request_id, "op": op, **fields}, use_bin_type=True)
        frame = encode_frame(FrameType.REQUEST, payload)
        step = chunk_size or len(frame)
        for start in range(0, len(frame), step):
            await self.write_raw(frame[start : start + step])
            await asyncio.sleep(0)
        reply = await asyncio.wait_for(future, REQUEST_TIMEOUT)
        if not reply.get("ok"):
            error = reply.get("error") or {}
            raise JsPeerError(error.get("code", "?"), error.get("message", ""))
        return reply

    async def snapshot(self) -> dict[str, Any]:
        return await self.request("snapshot")

    async def converge(
        self, *, check_cells: bool = True, rounds: int = 200, timeout: float = 20.0
    ) -> dict[str, Any]:
        """Sync until both heads match, then (optionally) assert both sides show the same cells."""
        async with asyncio.timeout(timeout):
            for _ in range(rounds):
                await self.flush()
                snapshot = await self.snapshot()
                if snapshot["heads"] == self.doc.heads_hex():
                    if check_cells:
                        ours, theirs = python_cells(self.doc), js_cells(snapshot)
                        assert theirs == ours, f"cells differ:\npython {ours}\njs     {theirs}"
                    return snapshot
        raise AssertionError(
            f"no convergence after {rounds} rounds: python {self.doc.heads_hex()} "
            f"js {snapshot['heads']}"
        )

    # -- lifetime --------------------------------------------------------------------

    async def wait_exit(self, timeout: float = 5.0) -> int:
        async with asyncio.timeout(timeout):
            code = await self._process.wait()
            await asyncio.gather(*self._tasks, return_exceptions=True)
        return code

    async def close(self) -> int | None:
        """Ask the peer to exit; kill it if it does not."""
        if self._process.returncode is None:
            with suppress(Exception):
                await self.request("exit")
            with suppress(TimeoutError):
                return await self.wait_exit()
            self._process.kill()
        code = await self._process.wait()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        return code


class RelayedJsPeer(JsPeer):
    """The Node peer joined to a daemon room through a byte pipe, as the desktop relay does."""

    connection: Connection

    async def join(self, home: Home, notebook_id: str, peer: str = "window") -> None:
        """Join as the relay does for a page: a window, unless `peer` says otherwise."""
        self.connection = await Connection.connect(home)
        self._to_js: asyncio.Queue[bytes] = asyncio.Queue()
        self._pump = asyncio.create_task(self._forward_to_js())
        self.connection.set_sync_handler(self._to_js.put_nowait)
        await self.connection.request("join", notebook_id=notebook_id, peer=peer)

    async def _forward_to_js(self) -> None:
        while True:
            message = await self._to_js.get()
            await self.write_raw(encode_frame(FrameType.DOC_SYNC, message))

    async def _on_sync(self, message: bytes) -> None:
        self.connection.send_frame(FrameType.DOC_SYNC, message)

    async def leave(self) -> None:
        self._pump.cancel()
        await self.connection.close()
        await self.close()
