"""One connected client as seen by the daemon: its sync state and its ordered outbox.

Frames to a peer go through one queue drained by one writer task, so frames are never
interleaved and the read loop never writes. A peer whose outbox grows past its byte
budget cannot keep up: it is disconnected (and resyncs when it reconnects), never
silently skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections import deque
from enum import StrEnum

from nbdesk.daemon.doc.automerge_doc import SyncPeer
from nbdesk.daemon.wire.framing import Frame, FrameType, encode_frame, read_frame

log = logging.getLogger(__name__)
_peer_ids = itertools.count(1)


class PeerState(StrEnum):
    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


class Peer:
    """A client connection over an asyncio stream (Unix socket)."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, max_queue_bytes: int
    ) -> None:
        self.id = next(_peer_ids)
        self.sync = SyncPeer(f"peer-{self.id}")
        self.state = PeerState.OPEN
        self.close_reason = ""
        self._reader = reader
        self._writer = writer
        self._max_queue_bytes = max_queue_bytes
        self._outbox: deque[bytes] = deque()
        self._queued_bytes = 0
        self._wakeup = asyncio.Event()
        self._writer_task = asyncio.create_task(self._write_loop(), name=f"peer-{self.id}-writer")

    def __repr__(self) -> str:
        return (
            f"Peer({self.id}, {self.state}, queued={len(self._outbox)} frames/"
            f"{self._queued_bytes} bytes)"
        )

    async def read_frame(self) -> Frame | None:
        return await read_frame(self._reader)

    def send(self, frame_type: FrameType, payload: bytes) -> None:
        """Queue a frame; a peer that cannot keep up is disconnected."""
        if self.state != PeerState.OPEN:
            return
        data = encode_frame(frame_type, payload)
        if self._queued_bytes + len(data) > self._max_queue_bytes:
            log.warning("%r cannot keep up; disconnecting it", self)
            self.abort("cannot keep up")
            return
        self._outbox.append(data)
        self._queued_bytes += len(data)
        self._wakeup.set()

    async def _write_loop(self) -> None:
        try:
            while True:
                while not self._outbox:
                    if self.state != PeerState.OPEN:
                        return
                    self._wakeup.clear()
                    await self._wakeup.wait()
                data = self._outbox.popleft()
                self._queued_bytes -= len(data)
                self._writer.write(data)
                await self._writer.drain()
        except (ConnectionError, OSError) as exc:
            self.abort(f"write failed: {exc}")

    async def drained(self) -> None:
        """Wait until every frame queued so far has been handed to the socket."""
        while self._outbox and self.state == PeerState.OPEN:
            await asyncio.sleep(0.001)

    def abort(self, reason: str) -> None:
        """Drop the connection now, discarding anything still queued."""
        if self.state == PeerState.CLOSED:
            return
        self.state = PeerState.CLOSED
        self.close_reason = self.close_reason or reason
        self._outbox.clear()
        self._queued_bytes = 0
        self._wakeup.set()
        self._writer.transport.abort()

    async def close(self, reason: str = "closed") -> None:
        """Write what is queued (bounded), then close."""
        if self.state == PeerState.OPEN:
            self.state = PeerState.CLOSING
            self.close_reason = reason
            self._wakeup.set()
            with contextlib.suppress(asyncio.TimeoutError, ConnectionError, OSError):
                await asyncio.wait_for(asyncio.shield(self._writer_task), 2)
        self.state = PeerState.CLOSED
        self._wakeup.set()
        self._writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._writer.wait_closed(), 1)
        self._writer_task.cancel()
