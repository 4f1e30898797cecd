"""One app per user: the first launch owns `run/app.lock` and serves `run/app.sock`; a later
launch hands its paths to that app over the socket and exits.

The lock (not the socket) decides who is first, so two launches at once cannot both win
and a crashed app's leftover socket file does not block the next one. A message is one
JSON line, `{"open": ["/abs/a.ipynb", ...]}` (an empty list asks for a new notebook),
answered by `{"ok": true}`.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

from nbdesk.daemon.home.config import Home
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError

log = logging.getLogger(__name__)

MAX_MESSAGE = 1 << 20
HAND_OVER_TIMEOUT = 10.0


class HandOverFailed(NbdeskError):
    code = ErrorCode.HAND_OVER_FAILED


def parse_open_message(line: bytes) -> list[str]:
    """The paths of an `{"open": [...]}` line; ValueError for anything else."""
    value = json.loads(line)
    if not isinstance(value, dict) or not isinstance(value.get("open"), list):
        raise ValueError('expected {"open": [paths]}')
    paths = value["open"]
    if not all(isinstance(path, str) and os.path.isabs(path) for path in paths):
        raise ValueError("every path must be an absolute path string")
    return paths


class AppInstance:
    def __init__(self, home: Home) -> None:
        self.home = home
        self._lock_fd: int | None = None
        self._server: asyncio.AbstractServer | None = None

    @property
    def socket_path(self) -> Path:
        return self.home.run_dir / "app.sock"

    @property
    def lock_path(self) -> Path:
        return self.home.run_dir / "app.lock"

    def claim(self) -> bool:
        """Become the app (True), or learn that another process is (False)."""
        self.home.prepare()
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._lock_fd = fd
        return True

    def hand_over(self, paths: list[str], timeout: float = HAND_OVER_TIMEOUT) -> None:
        """Ask the running app to open `paths`; it may still be starting, so retry a while."""
        message = json.dumps({"open": [str(Path(p).resolve()) for p in paths]}).encode() + b"\n"
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.socket(socket.AF_UNIX) as conn:
                    conn.settimeout(timeout)
                    conn.connect(str(self.socket_path))
                    conn.sendall(message)
                    reply = conn.makefile("rb").readline(MAX_MESSAGE)
                if json.loads(reply or b"{}").get("ok") is True:
                    return
                raise HandOverFailed(f"the running nbdesk refused: {reply[:200]!r}")
            except (OSError, ValueError) as exc:
                if time.monotonic() > deadline:
                    raise HandOverFailed(f"the running nbdesk does not answer: {exc}") from exc
                time.sleep(0.1)

    async def serve(self, on_open: Callable[[list[str]], None]) -> None:
        """Accept hand-overs (call after `claim()` returned True)."""
        if self._lock_fd is None:
            raise RuntimeError("serve() needs the instance lock")
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()  # a crashed app's leftover: we hold the lock

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                line = await asyncio.wait_for(reader.readline(), HAND_OVER_TIMEOUT)
                paths = parse_open_message(line)
            except (ValueError, TimeoutError, asyncio.LimitOverrunError, ConnectionError) as exc:
                log.warning("refused a hand-over: %s", exc)
                writer.write(json.dumps({"ok": False, "message": str(exc)}).encode() + b"\n")
            else:
                log.info("another launch asked to open %s", paths or "a new notebook")
                on_open(paths)
                writer.write(b'{"ok": true}\n')
            with contextlib.suppress(ConnectionError):
                await writer.drain()
            writer.close()

        self._server = await asyncio.start_unix_server(
            handle, path=str(self.socket_path), limit=MAX_MESSAGE
        )
        os.chmod(self.socket_path, 0o600)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
            with contextlib.suppress(FileNotFoundError):
                self.socket_path.unlink()

    def release(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
