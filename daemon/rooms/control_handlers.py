"""One handler per control request (a connection that joined no room): `(daemon, request)
-> result struct`, the twin of `handlers` for rooms; the server wraps the result in the
response envelope and stops the daemon once a `stop` reply is on its way.

A handler sees the daemon as `DaemonView`, the little the server shares with it, so this
module does not import the server.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from nbdesk import __version__
from nbdesk.daemon.blobs.gc import collect_garbage, expand_references, output_hashes
from nbdesk.daemon.blobs.store import BlobStore
from nbdesk.daemon.doc.history_outputs import outputs_since
from nbdesk.daemon.home.config import Home
from nbdesk.daemon.home.preferences import history_retention_days
from nbdesk.daemon.rooms.registry import RoomRegistry
from nbdesk.daemon.wire.requests import (
    CollectGarbage,
    DaemonStatus,
    ListRooms,
    Ping,
    StopDaemon,
)
from nbdesk.daemon.wire.responses import (
    DaemonStatusReply,
    GcReport,
    Pong,
    Result,
    RoomList,
    RoomStatus,
    Stopping,
)

log = logging.getLogger(__name__)


class DaemonView(Protocol):
    """What a control request may read of the daemon."""

    @property
    def home(self) -> Home: ...

    @property
    def blobs(self) -> BlobStore: ...

    @property
    def registry(self) -> RoomRegistry: ...

    @property
    def started_at(self) -> float: ...

    @property
    def blob_url(self) -> str | None: ...

    @property
    def connection_count(self) -> int: ...


async def ping(daemon: DaemonView, request: Ping) -> Pong:
    return Pong(pong=True, daemon_version=__version__)


async def list_rooms(daemon: DaemonView, request: ListRooms) -> RoomList:
    return RoomList(rooms=rooms_status(daemon.registry))


async def status(daemon: DaemonView, request: DaemonStatus) -> DaemonStatusReply:
    registry = daemon.registry
    return DaemonStatusReply(
        pid=os.getpid(),
        version=__version__,
        socket=str(daemon.home.socket),
        home=str(daemon.home.root),
        blob_url=daemon.blob_url,
        uptime=time.time() - daemon.started_at,
        rss_bytes=_rss_bytes(),
        kernels_rss_bytes=sum(_rss_bytes(pid) for pid in _kernel_pids(registry)),
        rooms=rooms_status(registry),
        pools=registry.envs.status(),
        connections=daemon.connection_count,
    )


async def collect(daemon: DaemonView, request: CollectGarbage) -> GcReport:
    envs_removed = await daemon.registry.envs.collect(request.env_max_age)
    report = await collect_blobs(daemon.registry, daemon.blobs, request.min_age)
    report.envs_removed = envs_removed
    return report


async def stop(daemon: DaemonView, request: StopDaemon) -> Stopping:
    return Stopping(stopping=True)  # the server stops once this reply is sent


async def collect_blobs(registry: RoomRegistry, blobs: BlobStore, min_age: float) -> GcReport:
    """Sweep unreferenced blobs; refuses (rather than guesses) if a root is unreadable.
    Outputs that a history point within the user's retention shows are roots too."""
    docs = registry.all_docs()
    since = time.time() - history_retention_days(registry.context.home) * 86400.0
    roots = output_hashes(doc for doc, _ in docs)
    for doc, history in docs:
        roots |= outputs_since(doc, history, since)
    report = await asyncio.to_thread(
        lambda: collect_garbage(blobs, expand_references(blobs, roots), min_age_seconds=min_age)
    )
    log.info("blob gc: %s", report)
    return GcReport(
        deleted=report.deleted, kept=report.kept, bytes_freed=report.bytes_freed, envs_removed=[]
    )


def rooms_status(registry: RoomRegistry) -> list[RoomStatus]:
    return [
        RoomStatus(
            notebook_id=room.id,
            path=str(room.path) if room.path else None,
            state=str(room.state),
            peers=len(room.peers),
            cells=len(room.doc),
            kernel=str(room.kernel.status),
            running=repr(room.kernel.running) if room.kernel.running else None,
            queued=len(room.kernel.queue),
            kernel_pid=room.kernel.session.pid if room.kernel.session else None,
            python=room.kernel.session.python if room.kernel.session else None,
        )
        for room in registry.rooms.values()
    ]


def _kernel_pids(registry: RoomRegistry) -> list[int]:
    pids = [room.kernel.session.pid for room in registry.rooms.values() if room.kernel.session]
    return [pid for pid in pids if pid is not None] + registry.envs.hot.pids()


def _rss_bytes(pid: int | str = "self") -> int:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


CONTROL_HANDLERS: dict[type, Callable[[DaemonView, Any], Awaitable[Result]]] = {
    Ping: ping,
    ListRooms: list_rooms,
    DaemonStatus: status,
    CollectGarbage: collect,
    StopDaemon: stop,
}


async def handle(daemon: DaemonView, request: Any) -> Result:
    return await CONTROL_HANDLERS[type(request)](daemon, request)
