"""The connection interface sync code talks through: send a frame, receive frames, close.

Rooms, the relay and the client never touch a socket; they hold a `Transport`. Sending
queues the encoded frame in an `Outbox` (one writer task, a byte budget, an overflow
policy); receiving yields decoded `Frame`s until the other end goes away. Two
implementations live here: `StreamTransport` over an asyncio stream (the daemon's Unix
socket) and `MemoryTransport.pair()` for two ends in one process; the page's WebSocket
has its own in `nbdesk.desktop.ws_transport`. This module does not own the preamble or
the handshake: whoever opens the connection exchanges those first.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator
from typing import Protocol

from nbdesk.daemon.wire.framing import FRAME_CAPS, HEADER_LEN, Frame, FrameType, encode_frame
from nbdesk.daemon.wire.framing import read_frame as read_stream_frame
from nbdesk.daemon.wire.outbox import Outbox, OutboxState, Overflow

FLUSH_ON_CLOSE = 2.0  # seconds close() spends writing what is queued


class Transport(Protocol):
    """One framed connection, as the code above the wire sees it."""

    @property
    def state(self) -> OutboxState: ...

    @property
    def close_reason(self) -> str: ...

    def send(self, frame_type: FrameType, payload: bytes) -> bool:
        """Queue a frame; False if it was not taken (closing, closed, or over a FAIL budget)."""
        ...

    async def drain(self) -> None:
        """Wait until the outgoing queue is under its budget (backpressure)."""
        ...

    async def flushed(self) -> None:
        """Wait until every frame queued so far has been written."""
        ...

    async def receive(self) -> Frame | None:
        """The next frame; None once the other end has gone away."""
        ...

    def frames(self) -> AsyncIterator[Frame]:
        """Every frame received, until the other end goes away."""
        ...

    async def close(self, reason: str = "closed") -> None:
        """Write what is queued (bounded), then close."""
        ...

    def abort(self, reason: str) -> None:
        """Drop the connection now, discarding anything still queued."""
        ...


class OutboxTransport:
    """The sending half every implementation shares: frames go through one Outbox."""

    def __init__(self, *, budget: int, overflow: Overflow, name: str) -> None:
        self._graceful = False
        self.outbox: Outbox[bytes | str] = Outbox(
            self._write, budget=budget, overflow=overflow, name=name, on_end=self._on_end
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.outbox!r})"

    @property
    def state(self) -> OutboxState:
        return self.outbox.state

    @property
    def close_reason(self) -> str:
        return self.outbox.reason

    def send(self, frame_type: FrameType, payload: bytes) -> bool:
        return self.outbox.put(encode_frame(frame_type, payload))

    async def drain(self) -> None:
        await self.outbox.drain()

    async def flushed(self) -> None:
        await self.outbox.flushed()

    async def frames(self) -> AsyncIterator[Frame]:
        while (frame := await self.receive()) is not None:
            yield frame

    async def receive(self) -> Frame | None:
        raise NotImplementedError

    async def close(self, reason: str = "closed") -> None:
        self._graceful = True
        await self.outbox.close(FLUSH_ON_CLOSE, reason)
        await self.outbox.wait_closed()
        await self._closed()

    def abort(self, reason: str) -> None:
        self.outbox.abort(reason)

    def _on_end(self, reason: str) -> None:
        self._shutdown(graceful=self._graceful)

    async def _write(self, data: bytes | str) -> None:
        raise NotImplementedError

    def _shutdown(self, graceful: bool) -> None:
        """Close the underlying connection: after the last write, or dropping it now."""
        raise NotImplementedError

    async def _closed(self) -> None:
        """Wait (briefly) for the underlying connection to finish closing."""


class StreamTransport(OutboxTransport):
    """Frames over an asyncio stream pair (the daemon's Unix socket)."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        budget: int,
        overflow: Overflow,
        name: str = "stream",
    ) -> None:
        self._reader = reader
        self._writer = writer
        super().__init__(budget=budget, overflow=overflow, name=name)

    async def receive(self) -> Frame | None:
        """Never cancel this mid-frame: a partial read would desynchronise the stream."""
        return await read_stream_frame(self._reader)

    async def _write(self, data: bytes | str) -> None:
        assert isinstance(data, bytes)
        self._writer.write(data)
        await self._writer.drain()

    def _shutdown(self, graceful: bool) -> None:
        if graceful:
            self._writer.close()
        else:
            self._writer.transport.abort()

    async def _closed(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._writer.wait_closed(), 1)


class _Pipe:
    """One direction of an in-memory connection, holding at most `window` bytes in flight
    (as a socket buffer would), so a reader that stops reading stops the writer."""

    def __init__(self, window: int) -> None:
        self.window = window
        self._chunks: deque[bytes] = deque()
        self._bytes = 0
        self._readable = asyncio.Event()
        self._writable = asyncio.Event()
        self._writable.set()
        self.ended = False

    async def write(self, data: bytes) -> None:
        while self._bytes >= self.window and not self.ended:
            self._writable.clear()
            await self._writable.wait()
        if self.ended:
            raise ConnectionResetError("the other end is gone")
        self._chunks.append(data)
        self._bytes += len(data)
        self._readable.set()

    async def read(self) -> bytes | None:
        while not self._chunks:
            if self.ended:
                return None
            self._readable.clear()
            await self._readable.wait()
        data = self._chunks.popleft()
        self._bytes -= len(data)
        self._writable.set()
        return data

    def end(self, *, discard: bool) -> None:
        self.ended = True
        if discard:
            self._chunks.clear()
        self._readable.set()
        self._writable.set()


class MemoryTransport(OutboxTransport):
    """One end of an in-process connection; make both with `MemoryTransport.pair()`."""

    def __init__(
        self, incoming: _Pipe, outgoing: _Pipe, *, budget: int, overflow: Overflow, name: str
    ) -> None:
        self._incoming = incoming
        self._outgoing = outgoing
        super().__init__(budget=budget, overflow=overflow, name=name)

    @classmethod
    def pair(
        cls, *, budget: int, overflow: Overflow, window: int = 64 * 1024
    ) -> tuple[MemoryTransport, MemoryTransport]:
        a_to_b, b_to_a = _Pipe(window), _Pipe(window)
        return (
            cls(b_to_a, a_to_b, budget=budget, overflow=overflow, name="memory-a"),
            cls(a_to_b, b_to_a, budget=budget, overflow=overflow, name="memory-b"),
        )

    async def receive(self) -> Frame | None:
        while (data := await self._incoming.read()) is not None:
            type_byte = data[HEADER_LEN]
            if type_byte in FRAME_CAPS:  # unknown types are skipped, as on a socket
                return Frame(FrameType(type_byte), data[HEADER_LEN + 1 :])
        return None

    async def _write(self, data: bytes | str) -> None:
        assert isinstance(data, bytes)
        await self._outgoing.write(data)

    def _shutdown(self, graceful: bool) -> None:
        self._outgoing.end(discard=not graceful)
        self._incoming.end(discard=True)
