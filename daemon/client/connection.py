"""The client's end of one daemon connection: requests matched to responses, sync frames
handed to one handler, broadcasts kept in a bounded buffer.

Frames go out through a `StreamTransport` (one writer task; a full outbox makes
`request()` wait). Response envelopes are read by the wire's `check_response` and
`parse_result`; `call()` returns the typed result struct a request is answered with. This
module owns no document and knows no request beyond the envelope.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from nbdesk.daemon.home.config import Home
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError
from nbdesk.daemon.wire.framing import PREAMBLE, Frame, FrameType
from nbdesk.daemon.wire.messages import check_response, decode_map, encode, parse_result
from nbdesk.daemon.wire.outbox import OutboxState, Overflow
from nbdesk.daemon.wire.responses import Result
from nbdesk.daemon.wire.transport import StreamTransport

R = TypeVar("R", bound=Result)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
OUTBOX_BYTES = 64 * 1024 * 1024  # past this a request waits for the socket (backpressure)
BROADCAST_LIMIT = 1024  # unread broadcasts kept; older ones are dropped and counted
_READ_LIMIT = 1024 * 1024

HomeLike = Home | str | Path | None


def as_home(home: HomeLike) -> Home:
    """A Home from a path (the daemon's home folder), a Home, or None (NBDESK_HOME)."""
    if home is None:
        return Home.from_env()
    if isinstance(home, Home):
        return home
    return Home(Path(home).expanduser().resolve())


class DaemonNotRunning(NbdeskError):
    code = ErrorCode.NO_DAEMON


class BroadcastBuffer:
    """Broadcasts not read yet, at most `limit`: a client nobody reads from for days
    keeps the newest ones and counts what it dropped, instead of growing."""

    def __init__(self, limit: int = BROADCAST_LIMIT) -> None:
        self.limit = limit
        self.dropped = 0
        self._items: deque[dict[str, Any]] = deque()
        self._arrived = asyncio.Event()

    def __repr__(self) -> str:
        return f"BroadcastBuffer({len(self._items)}/{self.limit}, dropped={self.dropped})"

    def __len__(self) -> int:
        return len(self._items)

    def put(self, message: dict[str, Any]) -> None:
        if len(self._items) >= self.limit:
            self._items.popleft()
            self.dropped += 1
        self._items.append(message)
        self._arrived.set()

    def get_nowait(self) -> dict[str, Any] | None:
        return self._items.popleft() if self._items else None

    async def get(self) -> dict[str, Any]:
        while not self._items:
            self._arrived.clear()
            await self._arrived.wait()
        return self._items.popleft()


class Connection:
    """Framed requests and responses over the daemon socket; sync frames go to a handler."""

    def __init__(self, transport: StreamTransport) -> None:
        self.transport = transport
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.broadcasts = BroadcastBuffer()
        self.broadcast_listeners: list[Callable[[dict[str, Any]], None]] = []
        self._on_sync: Callable[[bytes], None] | None = None
        self._early_sync: list[bytes] = []
        self.closed = asyncio.Event()
        self._read_task = asyncio.create_task(self._read_loop(), name="nbdesk-client-reader")

    def __repr__(self) -> str:
        return f"Connection({self.transport!r}, waiting={len(self._waiting)}, {self.broadcasts!r})"

    @classmethod
    async def connect(cls, home: HomeLike = None) -> Connection:
        home = as_home(home)
        try:
            reader, writer = await asyncio.open_unix_connection(
                str(home.checked_socket()), limit=_READ_LIMIT
            )
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise DaemonNotRunning(
                f"no nbdesk daemon is running for {home.root} (start it with `nbdesk daemon start`)"
            ) from exc
        writer.write(PREAMBLE)  # before the writer task starts, so it goes first
        transport = StreamTransport(
            reader, writer, budget=OUTBOX_BYTES, overflow=Overflow.WAIT, name="client"
        )
        return cls(transport)

    def set_sync_handler(self, handler: Callable[[bytes], None]) -> None:
        """Route sync frames to `handler`, first replaying any that arrived before it."""
        self._on_sync = handler
        early, self._early_sync = self._early_sync, []
        for payload in early:
            handler(payload)

    def send_frame(self, frame_type: FrameType, payload: bytes) -> None:
        if self.closed.is_set() or self.transport.state != OutboxState.OPEN:
            raise DaemonNotRunning("the connection to the daemon is closed")
        self.transport.send(frame_type, payload)

    async def request(
        self, op: str, timeout: float = DEFAULT_TIMEOUT, **fields: Any
    ) -> dict[str, Any]:
        """Send a request and wait for its raw response; a refusal raises NbdeskError."""
        request_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        body = {"id": request_id, "op": op, **{k: v for k, v in fields.items() if v is not None}}
        try:
            self.send_frame(FrameType.REQUEST, encode(body))
            async with asyncio.timeout(timeout):
                await self.transport.drain()
                response = await future
        finally:
            self._waiting.pop(request_id, None)
        check_response(response)
        return response

    async def call(
        self, op: str, result: type[R], timeout: float = DEFAULT_TIMEOUT, **fields: Any
    ) -> R:
        """Send a request and return its typed result (see `wire.responses.RESULT_OF`)."""
        return parse_result(await self.request(op, timeout, **fields), result)

    async def _read_loop(self) -> None:
        try:
            async for frame in self.transport.frames():
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
            self.broadcasts.put(message)

    async def close(self) -> None:
        await self.transport.close("client closed")
        self._read_task.cancel()
        await asyncio.wait({self._read_task})
        self.closed.set()
