"""A kernel of a Jupyter server, reached over its REST API and channels WebSocket: the
same `Session` a room's queue uses for a local kernel (`nbdesk.daemon.kernels.interface`).

Start is `POST /api/kernels`; messages go both ways on one WebSocket (the v1 subprotocol
when the server accepts it, else the legacy JSON framing; `ws_frames`); interrupt is
`POST /api/kernels/ID/interrupt`; shutdown is `DELETE /api/kernels/ID`, so a room that
closes never leaves its kernel running on the server.

A dropped WebSocket is reconnected with backoff under the same session id (Jupyter Server
buffers the kernel's messages for that session meanwhile and replays them); a cell that
was running is told so by a line on its stderr. The kernel is dead, once, when the
server says the kernel restarted or died, when the kernel is gone from the server (the
server restarted), or when the server stays unreachable for `reconnect_for` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import aiohttp
from jupyter_client.session import Session as MessageFactory

from nbdesk.daemon.home.backoff import Backoff
from nbdesk.daemon.home.servers import Server
from nbdesk.daemon.kernels.jupyter_api import JupyterApi, RemoteSpec
from nbdesk.daemon.kernels.replies import ShellReplies
from nbdesk.daemon.kernels.ws_frames import (
    V1_PROTOCOL,
    decode_legacy,
    decode_v1,
    encode_legacy,
    encode_v1,
)
from nbdesk.daemon.wire.errors import ErrorCode, KernelError, ServerError

log = logging.getLogger(__name__)
READY_TIMEOUT = 60.0
RECONNECT_FOR = 60.0  # how long a dropped connection is retried before the kernel is lost
RECONNECT_FIRST = 0.2
RECONNECT_MOST = 5.0
IOPUB_LIVE_POLL = 0.1
RELEASE_TIMEOUT = 5.0
_numbers = itertools.count(1)


class RemoteState(StrEnum):
    NEW = "new"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    DEAD = "dead"
    CLOSED = "closed"


class RemoteKernelSession:
    def __init__(
        self,
        server: Server,
        kernelspec: str,
        *,
        on_iopub: Callable[[dict[str, Any]], None],
        on_death: Callable[[str], None],
        ready_timeout: float = READY_TIMEOUT,
        reconnect_for: float = RECONNECT_FOR,
    ) -> None:
        self.python: str | None = None
        self.kernel_info: dict[str, Any] = {}
        self.on_stdin: Callable[[dict[str, Any]], None] = _ignore
        self.server = server
        self.kernelspec_name = kernelspec
        self.spec = RemoteSpec(kernelspec, kernelspec, "")
        self.kernel_id: str | None = None
        self.number = next(_numbers)
        self.state = RemoteState.NEW
        self.ready_timeout = ready_timeout
        self.reconnect_for = reconnect_for
        self.api = JupyterApi(server)
        self._on_iopub = on_iopub
        self._on_death = on_death
        self._messages = MessageFactory(username="nbdesk")
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._v1 = False
        self._connected = asyncio.Event()
        self._outbox: asyncio.Queue[tuple[str, dict[str, Any], list[bytes] | None]] = (
            asyncio.Queue()
        )
        self._replies = ShellReplies()
        self._running: set[str] = set()  # execute requests not yet idle
        self._iopub_live = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._cleanup: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return (
            f"RemoteKernelSession({self.number}, {self.server.name}, {self.kernelspec_name}, "
            f"{self.state}, kernel={self.kernel_id})"
        )

    @property
    def display_name(self) -> str:
        return f"{self.spec.display_name} on {self.server.name}"

    @property
    def language(self) -> str:
        return self.spec.language

    @property
    def pid(self) -> int | None:
        return None

    # -- start ------------------------------------------------------------------------------

    async def start(self) -> dict[str, Any]:
        self.spec = await self.api.kernelspec(self.kernelspec_name)
        self.kernel_id = await self.api.start_kernel(self.kernelspec_name, self.ready_timeout)
        log.info("%r: started", self)
        await self._connect()
        self._tasks = [
            asyncio.create_task(self._pump(), name=f"remote-kernel-{self.number}-read"),
            asyncio.create_task(self._write(), name=f"remote-kernel-{self.number}-write"),
        ]
        reply = await self.wait_ready()
        self.kernel_info = reply.get("content", {})
        return reply

    async def _connect(self) -> None:
        assert self.kernel_id is not None
        ws = await self.api.channels(self.kernel_id, self._messages.session)
        self._ws, self._v1 = ws, ws.protocol == V1_PROTOCOL
        self.state = RemoteState.CONNECTED
        self._connected.set()

    async def wait_ready(self) -> dict[str, Any]:
        """A kernel_info reply, and IOPub delivering (the reply's own status messages)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.ready_timeout
        while loop.time() < deadline:
            msg_id = self._send("shell", "kernel_info_request", {})
            try:
                reply = await self.request(msg_id, timeout=deadline - loop.time())
                await asyncio.wait_for(self._iopub_live.wait(), IOPUB_LIVE_POLL)
                return reply
            except TimeoutError:
                continue
        raise KernelError(
            f"{self.display_name} did not answer within {self.ready_timeout:g} s; "
            "restart it or choose another kernel",
            code=ErrorCode.KERNEL_START,
        )

    # -- requests ----------------------------------------------------------------------------

    def _send(
        self,
        channel: str,
        msg_type: str,
        content: dict[str, Any],
        buffers: list[bytes] | None = None,
    ) -> str:
        msg = self._messages.msg(msg_type, content)
        msg_id = str(msg["header"]["msg_id"])
        if channel == "shell":
            self.expect_reply(msg_id)
        self._outbox.put_nowait((channel, msg, buffers))
        return msg_id

    def expect_reply(self, msg_id: str) -> asyncio.Future[dict[str, Any]]:
        return self._replies.expect(msg_id)

    async def request(self, msg_id: str, timeout: float | None = None) -> dict[str, Any]:
        return await self._replies.wait(msg_id, timeout)

    def execute(self, code: str, *, allow_stdin: bool = False) -> str:
        content = {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": allow_stdin,
            "stop_on_error": True,
        }
        msg_id = self._send("shell", "execute_request", content)
        self._running.add(msg_id)
        return msg_id

    def input_reply(self, value: str) -> None:
        self._send("stdin", "input_reply", {"value": value})

    async def complete(self, code: str, cursor_pos: int) -> dict[str, Any]:
        msg_id = self._send("shell", "complete_request", {"code": code, "cursor_pos": cursor_pos})
        reply = await self.request(msg_id, timeout=10)
        return dict(reply["content"])

    async def inspect(self, code: str, cursor_pos: int, detail_level: int) -> dict[str, Any]:
        content = {"code": code, "cursor_pos": cursor_pos, "detail_level": detail_level}
        reply = await self.request(self._send("shell", "inspect_request", content), timeout=10)
        return dict(reply["content"])

    def comm_msg(
        self, comm_id: str, data: dict[str, Any], buffers: list[bytes] | None = None
    ) -> str:
        return self._send("shell", "comm_msg", {"comm_id": comm_id, "data": data}, buffers)

    async def interrupt(self) -> None:
        if self.kernel_id is not None:
            await self.api.interrupt(self.kernel_id)

    # -- the socket ----------------------------------------------------------------------------

    async def _write(self) -> None:
        """Send queued messages in order; while the socket is down they wait for it."""
        while True:
            channel, msg, buffers = await self._outbox.get()
            while True:
                await self._connected.wait()
                ws = self._ws
                assert ws is not None
                frame = (encode_v1 if self._v1 else encode_legacy)(channel, msg, buffers)
                try:
                    if isinstance(frame, bytes):
                        await ws.send_bytes(frame)
                    else:
                        await ws.send_str(frame)
                    break
                except (aiohttp.ClientError, ConnectionError, RuntimeError):
                    if self._ws is ws:  # the reader reconnects; wait for it
                        self._connected.clear()

    async def _pump(self) -> None:
        """Read until the socket closes, then reconnect; until the kernel is lost."""
        while True:
            ws = self._ws
            assert ws is not None
            async for frame in ws:
                if frame.type == aiohttp.WSMsgType.BINARY:
                    channel, msg = decode_v1(frame.data) if self._v1 else decode_legacy(frame.data)
                elif frame.type == aiohttp.WSMsgType.TEXT:
                    channel, msg = decode_legacy(frame.data)
                else:
                    break
                try:
                    self._dispatch(channel, msg)
                except Exception:
                    log.exception("%r: handling %s failed", self, msg.get("msg_type"))
            if self._stopping or not await self._reconnect():
                return

    def _dispatch(self, channel: str, msg: dict[str, Any]) -> None:
        parent_id = msg["parent_header"].get("msg_id", "")
        if channel in ("shell", "control"):
            self._replies.arrived(msg)
        elif channel == "iopub":
            self._iopub_live.set()
            if msg["msg_type"] == "status":
                state = msg["content"].get("execution_state")
                if state in ("restarting", "dead"):  # the server's word on its kernel
                    how = "restarted it empty" if state == "restarting" else "could not restart it"
                    self._die(
                        f"the kernel died on the Jupyter server {self.server.name}, which {how}"
                    )
                    return
                if state == "idle":
                    self._running.discard(parent_id)
            self._on_iopub(msg)
        elif channel == "stdin":
            self.on_stdin(msg)

    async def _reconnect(self) -> bool:
        """After a drop: the same kernel again, or its death. True when reconnected."""
        loop = asyncio.get_running_loop()
        dropped = loop.time()
        self._connected.clear()
        self.state = RemoteState.RECONNECTING
        log.warning("%r: the WebSocket dropped; reconnecting", self)
        backoff = Backoff(RECONNECT_FIRST, RECONNECT_MOST)
        problem = "it did not come back"
        while loop.time() - dropped < self.reconnect_for:
            await asyncio.sleep(backoff.failed())
            assert self.kernel_id is not None
            try:
                if not await self.api.kernel_exists(self.kernel_id):
                    self._die(
                        f"the kernel is gone from the Jupyter server {self.server.name} "
                        "(the server restarted or stopped it)"
                    )
                    return False
                await self._connect()
            except ServerError as exc:
                if exc.code == ErrorCode.SERVER_REFUSED:
                    self._die(exc.message)
                    return False
                problem = exc.message
                continue
            took = loop.time() - dropped
            log.info("%r: reconnected after %.1f s", self, took)
            self._notice(
                f"[nbdesk] the connection to the Jupyter server {self.server.name} dropped "
                f"while this cell ran; reconnected after {took:.1f} s\n"
            )
            return True
        self._die(
            f"lost the connection to the Jupyter server {self.server.name} for "
            f"{self.reconnect_for:g} s: {problem}"
        )
        return False

    def _notice(self, text: str) -> None:
        """A line on the stderr of every cell still running, so the cell says what happened."""
        for parent_id in list(self._running):
            msg_id = uuid.uuid4().hex
            self._on_iopub(
                {
                    "header": {"msg_id": msg_id, "msg_type": "stream"},
                    "parent_header": {"msg_id": parent_id},
                    "metadata": {},
                    "content": {"name": "stderr", "text": text},
                    "buffers": [],
                    "msg_id": msg_id,
                    "msg_type": "stream",
                }
            )

    # -- the end ---------------------------------------------------------------------------

    def _die(self, reason: str) -> None:
        if self._stopping or self.state == RemoteState.DEAD:
            return
        log.warning("%r: %s", self, reason)
        self.state = RemoteState.DEAD
        self._notice(f"[nbdesk] {reason}\n")
        self._replies.fail_all(reason)
        self._on_death(reason)
        self._cleanup = asyncio.create_task(self.shutdown(), name=f"release {self!r}")

    async def shutdown(self) -> None:
        """Stop reading, delete the kernel on the server, close the connection; safe twice."""
        self._stopping = True
        current = asyncio.current_task()
        tasks = [task for task in self._tasks if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks = []
        self._replies.fail_all("the kernel was shut down")
        ws, self._ws = self._ws, None
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        kernel_id, self.kernel_id = self.kernel_id, None
        if kernel_id is not None:
            try:
                await asyncio.wait_for(self.api.delete_kernel(kernel_id), RELEASE_TIMEOUT)
            except (ServerError, TimeoutError) as exc:
                log.warning("%r: could not delete kernel %s: %s", self, kernel_id, exc)
        await self.api.close()
        if self.state != RemoteState.DEAD:
            self.state = RemoteState.CLOSED


def _ignore(msg: dict[str, Any]) -> None:
    """stdin nobody listens to yet."""
