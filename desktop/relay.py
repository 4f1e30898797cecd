"""The per-window relay: a pure byte pipe between one page WebSocket and one daemon connection.

It owns the daemon connection of one window (handshake, reconnect with backoff) and the
shell-page control plane (WebSocket text messages as JSON). It holds no document and no
sync state and never decodes sync frames: the only frame it decodes is the handshake
reply. Each direction is a transport (`StreamTransport` to the daemon,
`WebSocketTransport` to the page) whose outbox is drained by its own writer task, so
nothing is written from inside a read loop and frames are never interleaved; a full
outbox makes the opposite reader wait (backpressure). It does not start the
daemon (the shell does), serve files or check tokens (`nbdesk.desktop.web_server` does).

Control messages (`nbdesk.daemon.wire.control`), relay -> page: `connected` once, right
after the handshake; `daemon_lost` when the daemon connection ends; `reconnected` once it
is back (the page then resets its sync state and resyncs from scratch); `error` before a
fatal close. Page -> shell messages are decoded and go to `on_control`.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

import msgspec
from aiohttp import WSCloseCode, web

from nbdesk.daemon.home.backoff import Backoff
from nbdesk.daemon.home.config import Home
from nbdesk.daemon.wire.control import (
    Connected,
    ControlError,
    DaemonLost,
    HostRequest,
    Reconnected,
    ToPage,
    control_text,
    parse_host_request,
)
from nbdesk.daemon.wire.enums import PeerKind
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError, ProtocolError
from nbdesk.daemon.wire.framing import PREAMBLE, FrameType, encode_frame, read_frame
from nbdesk.daemon.wire.ids import HANDSHAKE_ID
from nbdesk.daemon.wire.messages import decode_map, encode, parse_result
from nbdesk.daemon.wire.outbox import Overflow
from nbdesk.daemon.wire.responses import HandshakeReply
from nbdesk.daemon.wire.transport import StreamTransport
from nbdesk.desktop.ws_transport import WebSocketTransport

log = logging.getLogger(__name__)

ControlHandler = Callable[[HostRequest], Awaitable[None] | None]

HANDSHAKE_TIMEOUT = 60.0  # opening a large notebook takes a while
BACKOFF_FIRST = 0.1
BACKOFF_MAX = 2.0
OUTBOX_BYTES = 32 * 1024 * 1024  # past this a reader waits for its writer (backpressure)
_READ_LIMIT = 1024 * 1024


class DaemonUnavailable(NbdeskError):
    """The daemon socket could not be reached, or the connection ended in the handshake."""

    code = ErrorCode.NO_DAEMON


class HandshakeRefused(NbdeskError):
    """The daemon answered the handshake with an error; its code and message are kept."""


class RelayState(StrEnum):
    NEW = "new"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    CLOSED = "closed"


class _DaemonLink:
    """One daemon connection: its transport and its reader task."""

    def __init__(self, transport: StreamTransport) -> None:
        self.transport = transport
        self.reader: asyncio.Task[None] | None = None

    def close(self) -> None:
        self.transport.abort("relay closed the daemon connection")
        if self.reader is not None and self.reader is not asyncio.current_task():
            self.reader.cancel()


async def _open_link(home: Home, handshake: dict[str, Any]) -> tuple[_DaemonLink, HandshakeReply]:
    """Connect, send the preamble and the handshake (request id 0), and read its reply."""
    try:
        reader, writer = await asyncio.open_unix_connection(
            str(home.checked_socket()), limit=_READ_LIMIT
        )
    except OSError as exc:
        raise DaemonUnavailable(f"cannot reach the daemon at {home.socket}: {exc}") from exc
    try:
        async with asyncio.timeout(HANDSHAKE_TIMEOUT):
            writer.write(
                PREAMBLE
                + encode_frame(
                    FrameType.REQUEST,
                    # a page is a window: the notebook's history says so of its changes
                    encode({**handshake, "peer": PeerKind.WINDOW, "id": HANDSHAKE_ID}),
                )
            )
            await writer.drain()
            while True:
                frame = await read_frame(reader)
                if frame is None:
                    raise DaemonUnavailable("the daemon closed the connection in the handshake")
                if frame.type != FrameType.RESPONSE:
                    continue  # the daemon sends nothing before the reply; skip it if it did
                raw = decode_map(frame.payload)
                if raw.get("id") not in (HANDSHAKE_ID, None):
                    continue
                if raw.get("ok") is not True:
                    try:
                        parse_result(raw, HandshakeReply)
                    except NbdeskError as exc:
                        raise HandshakeRefused(exc.message, code=exc.code) from None
                reply = parse_result(raw, HandshakeReply)
                transport = StreamTransport(
                    reader, writer, budget=OUTBOX_BYTES, overflow=Overflow.WAIT, name="daemon"
                )
                return _DaemonLink(transport), reply
    except TimeoutError as exc:
        writer.close()
        raise DaemonUnavailable(f"no handshake reply within {HANDSHAKE_TIMEOUT:g} s") from exc
    except (ConnectionError, OSError) as exc:
        writer.close()
        raise DaemonUnavailable(f"the daemon connection failed in the handshake: {exc}") from exc
    except BaseException:
        writer.close()
        raise


class Relay:
    """One window's pipe: page WebSocket <-> daemon socket, plus the control plane."""

    def __init__(
        self,
        page: web.WebSocketResponse,
        home: Home,
        on_control: ControlHandler | None = None,
    ) -> None:
        self.page = page
        self.home = home
        self.on_control = on_control
        self.state = RelayState.NEW
        self.notebook_id: str | None = None
        self.reply: HandshakeReply | None = None
        self.window: str | None = None  # the shell's name for the page's window, if any
        self.dropped = 0  # page frames that arrived while the daemon was away
        self._link: _DaemonLink | None = None
        self._page = WebSocketTransport(
            page, budget=OUTBOX_BYTES, overflow=Overflow.WAIT, on_text=self._on_text, name="page"
        )
        self._reconnect_task: asyncio.Task[None] | None = None
        self._control_tasks: set[asyncio.Future[None]] = set()

    def __repr__(self) -> str:
        return (
            f"Relay({self.notebook_id}, {self.state}, page={self._page!r}, dropped={self.dropped})"
        )

    # -- lifecycle ------------------------------------------------------------------------

    async def connect(self, handshake: dict[str, Any]) -> HandshakeReply:
        """Open the daemon connection with `{"op": "open"|"create"|"join", ...}`.

        Returns the daemon's reply; raises DaemonUnavailable or HandshakeRefused.
        """
        self._link, reply = await _open_link(self.home, handshake)
        self.reply = reply
        self.notebook_id = reply.notebook_id
        return reply

    async def serve(self) -> None:
        """Pipe frames both ways until the page goes away, reconnecting to the daemon."""
        if self._link is None or self.reply is None or self.state != RelayState.NEW:
            raise RuntimeError("serve() needs a fresh relay after a successful connect()")
        self.send_control(Connected(**msgspec.structs.asdict(self.reply)))
        self._start(self._link)
        try:
            await self._read_page()
        finally:
            await self.close()

    async def run(self, handshake: dict[str, Any]) -> None:
        """connect() then serve(); a failed handshake is told to the page, which is closed."""
        try:
            await self.connect(handshake)
        except NbdeskError as exc:
            log.info("relay handshake %r failed: %s", handshake.get("op"), exc)
            self.state = RelayState.CLOSED
            self.send_control(ControlError(code=exc.code, message=exc.message))
            await self._page.close(exc.message, code=WSCloseCode.INTERNAL_ERROR)
            return
        await self.serve()

    async def close(self, code: int = WSCloseCode.OK, reason: str = "") -> None:
        """Close the daemon connection and the page, flushing what the page is owed."""
        if self.state == RelayState.CLOSED:
            return
        self.state = RelayState.CLOSED
        tasks: list[asyncio.Future[None]] = [*self._control_tasks]
        if self._reconnect_task is not None:
            tasks.append(self._reconnect_task)
        if self._link is not None:
            if self._link.reader is not None:
                tasks.append(self._link.reader)
            self._link.close()
            self._link = None
        _cancel(tasks)
        await self._page.close(reason, code=code)
        current = asyncio.current_task()
        await asyncio.gather(*(t for t in tasks if t is not current), return_exceptions=True)

    # -- control plane --------------------------------------------------------------------

    def send_control(self, message: ToPage) -> None:
        """Queue a control message (JSON text) for the page, in order with the frames."""
        self._page.send_text(control_text(message))

    def _on_text(self, text: str) -> None:
        try:
            message = parse_host_request(text)
        except msgspec.DecodeError as exc:
            log.warning("%r: bad control message: %s", self, exc)
            self.send_control(
                ControlError(code=ErrorCode.BAD_CONTROL, message=f"bad control message: {exc}")
            )
            return
        if self.on_control is None:
            log.debug("%r: no handler for control message %r", self, message)
            return
        try:
            result = self.on_control(message)
        except Exception:
            log.exception("%r: control handler failed on %r", self, message)
            return
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(result)
            self._control_tasks.add(task)
            task.add_done_callback(self._control_done)

    def _control_done(self, task: asyncio.Future[None]) -> None:
        self._control_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%r: control handler failed", self, exc_info=task.exception())

    # -- page side ------------------------------------------------------------------------

    async def _read_page(self) -> None:
        try:
            async for frame in self._page.frames():
                if self._link is None:
                    self.dropped += 1  # the page resyncs from scratch on "reconnected"
                else:
                    self._link.transport.send(frame.type, frame.payload)
                    await self._link.transport.drain()
        except ProtocolError as exc:
            log.warning("%r: closing the page: %s", self, exc)
            await self.close(WSCloseCode.PROTOCOL_ERROR, f"malformed frame: {exc}")
        except ConnectionError as exc:
            log.info("%r: page socket error: %s", self, exc)

    # -- daemon side ----------------------------------------------------------------------

    def _start(self, link: _DaemonLink) -> None:
        self._link = link
        self.state = RelayState.CONNECTED
        link.reader = asyncio.create_task(self._read_daemon(link), name="relay-daemon-reader")

    async def _read_daemon(self, link: _DaemonLink) -> None:
        reason = "the daemon closed the connection"
        try:
            async for frame in link.transport.frames():
                self._page.send(frame.type, frame.payload)
                await self._page.drain()
        except (NbdeskError, ConnectionError, OSError) as exc:
            reason = str(exc)
        except Exception as exc:
            log.exception("%r: reading from the daemon failed", self)
            reason = f"relay error: {exc}"
        if self.state == RelayState.CLOSED or self._link is not link:
            return
        log.warning("%r: daemon connection lost: %s", self, reason)
        link.close()
        self._link = None
        self.state = RelayState.RECONNECTING
        self.send_control(DaemonLost(reason=reason))
        self._reconnect_task = asyncio.create_task(self._reconnect(), name="relay-reconnect")

    async def _reconnect(self) -> None:
        backoff = Backoff(BACKOFF_FIRST, BACKOFF_MAX)
        while self.state == RelayState.RECONNECTING:
            await asyncio.sleep(backoff.delay)
            try:
                link, reply = await _open_link(
                    self.home, {"op": "join", "notebook_id": self.notebook_id}
                )
            except HandshakeRefused as exc:
                log.warning("%r: the daemon refused to rejoin: %s", self, exc)
                self.send_control(ControlError(code=exc.code, message=exc.message))
                await self.close(WSCloseCode.INTERNAL_ERROR, f"cannot rejoin: {exc}")
                return
            except Exception as exc:  # the daemon is still away, or going away again
                log.debug(
                    "%r: reconnect failed (retrying in %g s): %s", self, backoff.failed(), exc
                )
                continue
            if self.state != RelayState.RECONNECTING:
                link.close()
                return
            log.info("%r: reconnected to the daemon", self)
            self.reply = reply  # a new daemon has a new blob_url
            # queued before the new connection's first sync frame, so the page resets first
            self.send_control(Reconnected(**msgspec.structs.asdict(reply)))
            self._start(link)
            return


def _cancel(tasks: list[asyncio.Future[None]]) -> None:
    current = asyncio.current_task()
    for task in tasks:
        if task is not current:
            task.cancel()
