"""The page's WebSocket as a `Transport`: one binary message carries exactly one frame.

Binary messages are checked (one complete frame within its cap) and yielded as frames;
text messages are the shell-page control plane and go, in order with the frames, to
`on_text` (incoming) and `send_text` (outgoing). Works over aiohttp's server and client
WebSockets alike. It does not decode payloads or know about rooms.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable
from typing import Any

from aiohttp import ClientWebSocketResponse, WSCloseCode, WSMsgType, web

from nbdesk.daemon.wire.errors import ErrorCode, ProtocolError
from nbdesk.daemon.wire.framing import FRAME_CAPS, HEADER_LEN, Frame, FrameType, check_header
from nbdesk.daemon.wire.outbox import Overflow
from nbdesk.daemon.wire.transport import OutboxTransport

WebSocket = web.WebSocketResponse | ClientWebSocketResponse


def check_page_frame(data: bytes) -> None:
    """Raise ProtocolError unless `data` is exactly one complete frame within its cap."""
    if len(data) < HEADER_LEN + 1:
        raise ProtocolError(
            f"a {len(data)}-byte message cannot hold a frame (length + type byte)",
            code=ErrorCode.BAD_FRAME,
        )
    (length,) = struct.unpack_from(">I", data)
    check_header(length, data[HEADER_LEN])
    if length != len(data) - HEADER_LEN:
        raise ProtocolError(
            f"frame declares {length} bytes but the message holds {len(data) - HEADER_LEN}",
            code=ErrorCode.BAD_FRAME,
        )


def close_reason(text: str) -> bytes:
    """A WebSocket close reason: at most 123 bytes of UTF-8."""
    return text.encode()[:123].decode(errors="ignore").encode()


class WebSocketTransport(OutboxTransport):
    """Frames (binary) and control messages (text) over one WebSocket."""

    def __init__(
        self,
        ws: WebSocket,
        *,
        budget: int,
        overflow: Overflow,
        on_text: Callable[[str], None] | None = None,
        name: str = "websocket",
    ) -> None:
        self.ws = ws
        self.on_text = on_text
        self.close_code: int = WSCloseCode.OK
        self._closing: asyncio.Task[Any] | None = None
        super().__init__(budget=budget, overflow=overflow, name=name)

    def send_text(self, text: str) -> bool:
        """Queue a control message, in order with the frames (it never waits for room)."""
        return self.outbox.put(text)

    async def receive(self) -> Frame | None:
        """The next frame; ProtocolError on a malformed one, None when the socket ends."""
        while True:
            message = await self.ws.receive()
            if message.type == WSMsgType.BINARY:
                data: bytes = message.data
                check_page_frame(data)
                if data[HEADER_LEN] in FRAME_CAPS:  # unknown types are skipped
                    return Frame(FrameType(data[HEADER_LEN]), data[HEADER_LEN + 1 :])
            elif message.type == WSMsgType.TEXT:
                if self.on_text is not None:
                    self.on_text(message.data)
            elif message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                return None
            elif message.type == WSMsgType.ERROR:
                raise ConnectionResetError(f"WebSocket error: {self.ws.exception()}")

    async def close(self, reason: str = "closed", code: int = WSCloseCode.OK) -> None:
        self.close_code = code
        await super().close(reason)

    async def _write(self, data: bytes | str) -> None:
        if isinstance(data, str):
            await self.ws.send_str(data)
        else:
            await self.ws.send_bytes(data)

    def _shutdown(self, graceful: bool) -> None:
        # aiohttp closes only asynchronously; the task is awaited in _closed() or left to end
        code = self.close_code if graceful else WSCloseCode.GOING_AWAY
        if not self.ws.closed:
            message = close_reason(self.close_reason) if code != WSCloseCode.OK else b""
            self._closing = asyncio.ensure_future(self.ws.close(code=code, message=message))

    async def _closed(self) -> None:
        if self._closing is not None:
            await asyncio.wait({self._closing}, timeout=1)
