"""The daemon process: singleton lock, socket, accept loop, handshake and per-peer loops.

Each connection is served by its own task whose top level catches everything, so one bad
peer costs one connection and the daemon keeps serving everyone else. Rooms, requests
(`rooms.handlers`, `rooms.control_handlers`) and persistence live in their own modules.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import signal
import time
from typing import IO, Any

from nbdesk import __version__
from nbdesk.daemon.blobs.server import BlobServer
from nbdesk.daemon.blobs.store import BlobStore
from nbdesk.daemon.home.atomic import atomic_write
from nbdesk.daemon.home.config import Home, Settings
from nbdesk.daemon.home.private import private_opener
from nbdesk.daemon.rooms import control_handlers, handlers
from nbdesk.daemon.rooms.peer import Peer
from nbdesk.daemon.rooms.registry import RoomRegistry
from nbdesk.daemon.rooms.room import Room
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError, ProtocolError
from nbdesk.daemon.wire.framing import PROTOCOL_VERSION, FrameType, read_preamble
from nbdesk.daemon.wire.messages import (
    decode_map,
    error_response,
    ok_response,
    parse_request,
    request_id_of,
)
from nbdesk.daemon.wire.outbox import Overflow
from nbdesk.daemon.wire.requests import (
    ControlChannel,
    ControlRequest,
    CreateNotebook,
    Handshake,
    JoinNotebook,
    OpenNotebook,
    RoomRequest,
    StopDaemon,
)
from nbdesk.daemon.wire.responses import (
    HandshakeReply,
)
from nbdesk.daemon.wire.transport import StreamTransport

log = logging.getLogger(__name__)


class AlreadyRunning(NbdeskError):
    code = ErrorCode.ALREADY_RUNNING


def acquire_lock(home: Home) -> IO[str]:
    """Hold the home's lock for the life of this process, or raise AlreadyRunning."""
    home.prepare()
    handle = open(home.lock, "a+", opener=private_opener)  # noqa: SIM115 - held until the process exits
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise AlreadyRunning(f"a daemon already runs for {home.root}") from None
    return handle


class Daemon:
    def __init__(self, home: Home, settings: Settings) -> None:
        self.home = home
        self.settings = settings
        self.blobs = BlobStore(home.blobs)
        self.registry = RoomRegistry(home, settings, self.blobs)
        self.started_at = time.time()
        self.blob_url: str | None = None
        self.blob_server: BlobServer | None = None
        self._stopping = asyncio.Event()
        self._server: asyncio.AbstractServer | None = None
        self._connections: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"Daemon(pid={os.getpid()}, rooms={len(self.registry.rooms)}, connections={len(self._connections)})"

    async def serve(self) -> None:
        """Listen until asked to stop, then flush every room. The lock must be held."""
        socket_path = self.home.socket
        with contextlib.suppress(FileNotFoundError):
            socket_path.unlink()
        await self.registry.envs.start()
        self.blob_server = await BlobServer.start(self.blobs)
        self.blob_url = self.blob_server.url
        # Bound but not listening until the socket is private and daemon.json is written:
        # whoever can connect can also read where the blob server is.
        self._server = await asyncio.start_unix_server(
            self._on_connect, path=str(socket_path), start_serving=False
        )
        os.chmod(socket_path, 0o600)
        self._write_info()
        await self._server.start_serving()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.request_stop)
        log.info("nbdesk daemon %s listening on %s (pid %d)", __version__, socket_path, os.getpid())
        gc_task = asyncio.create_task(self._collect_blobs_later(60.0), name="blob gc")
        try:
            await self._stopping.wait()
        finally:
            gc_task.cancel()
            await self._shutdown()

    def request_stop(self) -> None:
        self._stopping.set()

    async def _shutdown(self) -> None:
        log.info("stopping: flushing %d rooms", len(self.registry.rooms))
        if self._server is not None:
            self._server.close()
        await self.registry.close_all()
        await self.registry.envs.close()
        if self.blob_server is not None:
            await self.blob_server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await asyncio.to_thread(self.blobs.close)
        with contextlib.suppress(FileNotFoundError):
            self.home.socket.unlink()
        with contextlib.suppress(FileNotFoundError):
            self.home.info.unlink()
        log.info("stopped")

    def _write_info(self) -> None:
        info = {
            "pid": os.getpid(),
            "version": __version__,
            "protocol_version": PROTOCOL_VERSION,
            "socket": str(self.home.socket),
            "blob_url": self.blob_url,
            "started_at": self.started_at,
        }
        atomic_write(self.home.info, (json.dumps(info, indent=1) + "\n").encode(), private=True)

    # -- connections -------------------------------------------------------------------

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        transport = StreamTransport(
            reader,
            writer,
            budget=self.settings.peer_queue_bytes,
            overflow=Overflow.FAIL,
            name="peer",
        )
        peer = Peer(transport)
        try:
            await self._serve_peer(peer, reader)
        except ProtocolError as exc:
            log.warning("closing %r: %s", peer, exc)
            peer.send(FrameType.RESPONSE, error_response(None, exc))
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            log.info("%r went away: %s", peer, exc)
        except TimeoutError:
            log.warning(
                "closing %r: no handshake within %g s", peer, self.settings.handshake_timeout
            )
            peer.send(
                FrameType.RESPONSE,
                error_response(
                    None, ProtocolError("no handshake in time", code=ErrorCode.HANDSHAKE_TIMEOUT)
                ),
            )
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("closing %r after an unexpected error", peer)
        finally:
            await peer.close()
            self._connections.discard(task)

    async def _serve_peer(self, peer: Peer, reader: asyncio.StreamReader) -> None:
        timeout = self.settings.handshake_timeout
        await asyncio.wait_for(read_preamble(reader), timeout)
        frame = await asyncio.wait_for(peer.read_frame(), timeout)
        if frame is None:
            return
        if frame.type != FrameType.REQUEST:
            raise ProtocolError(
                "the first frame must be a handshake request", code=ErrorCode.NO_HANDSHAKE
            )
        raw = decode_map(frame.payload)
        handshake = parse_request(raw, Handshake)
        request_id = handshake.id
        if isinstance(handshake, ControlChannel):
            peer.send(FrameType.RESPONSE, ok_response(request_id, self._reply(None)))
            await self._serve_control(peer)
            return
        try:
            room = await self._room_for(handshake)
        except NbdeskError as exc:
            log.info("refusing %r: %s", peer, exc)
            peer.send(FrameType.RESPONSE, error_response(request_id, exc))
            return
        peer.kind = handshake.peer
        peer.send(FrameType.RESPONSE, ok_response(request_id, self._reply(room)))
        self.registry.peer_joined(room)
        room.attach(peer)
        try:
            await self._serve_room(peer, room)
        finally:
            room.detach(peer)
            self.registry.peer_left(room)

    async def _room_for(self, handshake: Any) -> Room:
        if isinstance(handshake, OpenNotebook):
            return await self.registry.open_path(handshake.path)
        if isinstance(handshake, CreateNotebook):
            return await self.registry.create(handshake.folder, launch=handshake.launch)
        assert isinstance(handshake, JoinNotebook)
        return await self.registry.join(handshake.notebook_id)

    def _reply(self, room: Room | None) -> HandshakeReply:
        return HandshakeReply(
            notebook_id=room.id if room else None,
            path=str(room.path) if room and room.path else None,
            daemon_version=__version__,
            blob_url=self.blob_url,
        )

    async def _serve_room(self, peer: Peer, room: Room) -> None:
        pending: set[asyncio.Task[None]] = set()
        while (frame := await peer.read_frame()) is not None:
            if frame.type == FrameType.DOC_SYNC:
                try:
                    room.receive_sync(peer, frame.payload)
                except NbdeskError as exc:
                    raise ProtocolError(
                        f"bad sync message: {exc}", code=ErrorCode.BAD_SYNC
                    ) from exc
            elif frame.type == FrameType.REQUEST:
                task = asyncio.create_task(self._answer(peer, room, decode_map(frame.payload)))
                pending.add(task)
                task.add_done_callback(pending.discard)
            else:
                log.debug("%r sent a %s frame; ignoring it", peer, frame.type.name)

    async def _answer(self, peer: Peer, room: Room, raw: dict[str, Any]) -> None:
        request_id = request_id_of(raw)
        try:
            request = parse_request(raw, RoomRequest)
            if request.required_heads:
                await room.wait_for_heads(
                    request.required_heads, self.settings.required_heads_timeout
                )
            result = await handlers.handle(room, request)
            peer.send(FrameType.RESPONSE, ok_response(request.id, result))
        except NbdeskError as exc:
            peer.send(FrameType.RESPONSE, error_response(request_id, exc))
        except Exception as exc:
            log.exception("request %r failed", raw.get("op"))
            peer.send(
                FrameType.RESPONSE,
                error_response(
                    request_id, NbdeskError(f"internal error: {exc}", code=ErrorCode.INTERNAL)
                ),
            )

    async def _serve_control(self, peer: Peer) -> None:
        while (frame := await peer.read_frame()) is not None:
            if frame.type != FrameType.REQUEST:
                continue
            raw = decode_map(frame.payload)
            try:
                request = parse_request(raw, ControlRequest)
                result = await control_handlers.handle(self, request)
            except NbdeskError as exc:
                peer.send(FrameType.RESPONSE, error_response(request_id_of(raw), exc))
                continue
            peer.send(FrameType.RESPONSE, ok_response(request.id, result))
            if isinstance(request, StopDaemon):
                await peer.drained()
                self.request_stop()

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    async def _collect_blobs_later(self, delay: float) -> None:
        await asyncio.sleep(delay)
        try:
            await control_handlers.collect_blobs(self.registry, self.blobs, 3600.0)
        except Exception:
            log.exception("blob gc at start failed; blobs are kept")
