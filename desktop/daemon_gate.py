"""Getting the app a daemon of its own version while its windows say what they wait for.

Windows open at once; the daemon is started (or a daemon of another version is stopped,
which flushes its rooms, and replaced) on a thread. Relays await `ready()` before their
handshake and show `status` to the page meanwhile.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable
from typing import Any

from nbdesk import __version__
from nbdesk.daemon.client import daemon_cli
from nbdesk.daemon.home.config import Home
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError

log = logging.getLogger(__name__)


class DaemonStartFailed(NbdeskError):
    code = ErrorCode.DAEMON_START_FAILED


def ensure_daemon(
    home: Home, version: str = __version__, on_status: Callable[[str], None] = lambda _: None
) -> dict[str, Any]:
    """A running daemon of `version` for `home`: reused, started, or replaced after a flush."""
    running = asyncio.run(daemon_cli.ping(home))
    if running is not None and running.get("version") != version:
        old = running.get("version")
        on_status(f"Replacing nbdesk daemon {old} with {version}; saving its notebooks first…")
        log.info("replacing daemon %s (pid %s) with %s", old, running.get("pid"), version)
        daemon_cli.stop(home)
        if asyncio.run(daemon_cli.ping(home)) is not None:
            raise DaemonStartFailed(f"the nbdesk daemon {old} did not stop; stop it and retry")
        running = None
    if running is None:
        on_status("Starting the nbdesk daemon…")
        running = daemon_cli.start(home)
    if running.get("version") != version:
        raise DaemonStartFailed(
            f"another nbdesk daemon ({running.get('version')}) took over; expected {version}"
        )
    return running


class DaemonGate:
    """The daemon start, run once on a thread; awaitable from any event loop."""

    def __init__(self, home: Home, version: str = __version__) -> None:
        self.home = home
        self.version = version
        self.status = "Starting the nbdesk daemon…"
        self._result: concurrent.futures.Future[dict[str, Any]] = concurrent.futures.Future()

    def start(self) -> None:
        threading.Thread(target=self._run, name="nbdesk-daemon-start", daemon=True).start()

    @property
    def done(self) -> bool:
        return self._result.done()

    def wait(self, timeout: float | None = None) -> dict[str, Any]:
        return self._result.result(timeout)

    async def ready(self) -> dict[str, Any]:
        return await asyncio.wrap_future(self._result)

    def _set_status(self, text: str) -> None:
        self.status = text

    def _run(self) -> None:
        try:
            status = ensure_daemon(self.home, self.version, self._set_status)
        except Exception as exc:
            log.exception("could not start the daemon")
            message = exc.message if isinstance(exc, NbdeskError) else str(exc)
            self._result.set_exception(DaemonStartFailed(f"nbdesk could not start: {message}"))
        else:
            self._result.set_result(status)
