"""One connected client as seen by a room: its sync state and its transport.

Frames to a peer go through the transport's outbox (one writer task, in order). The
daemon's peers use the FAIL overflow policy: a peer whose outbox grows past its byte
budget cannot keep up and is disconnected (it resyncs when it reconnects), never
silently skipped. The room never sees the socket under the transport.
"""

from __future__ import annotations

import itertools

from nbdesk.daemon.doc.automerge_doc import SyncPeer
from nbdesk.daemon.wire.enums import HistoryAuthor, PeerKind
from nbdesk.daemon.wire.framing import Frame, FrameType
from nbdesk.daemon.wire.outbox import OutboxState
from nbdesk.daemon.wire.transport import Transport

_peer_ids = itertools.count(1)


class Peer:
    """A client connection: an id, a sync state and the transport frames go through."""

    def __init__(self, transport: Transport) -> None:
        self.id = next(_peer_ids)
        self.sync = SyncPeer(f"peer-{self.id}")
        self.transport = transport
        self.kind = PeerKind.CLIENT  # what its handshake said it is

    @property
    def author(self) -> HistoryAuthor:
        """Who the history says made the changes this peer brings."""
        return HistoryAuthor(self.kind.value)

    def __repr__(self) -> str:
        return f"Peer({self.id}, {self.transport!r})"

    @property
    def state(self) -> OutboxState:
        return self.transport.state

    @property
    def close_reason(self) -> str:
        return self.transport.close_reason

    async def read_frame(self) -> Frame | None:
        return await self.transport.receive()

    def send(self, frame_type: FrameType, payload: bytes) -> None:
        """Queue a frame; a peer that cannot keep up is disconnected."""
        self.transport.send(frame_type, payload)

    async def drained(self) -> None:
        """Wait until every frame queued so far has been handed to the socket."""
        await self.transport.flushed()

    def abort(self, reason: str) -> None:
        self.transport.abort(reason)

    async def close(self, reason: str = "closed") -> None:
        """Write what is queued (bounded), then close."""
        await self.transport.close(reason)
