"""Run an async action a moment after the last trigger, at most one at a time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Debouncer:
    def __init__(self, delay: float, action: Callable[[], Awaitable[None]], name: str) -> None:
        self.delay = delay
        self.name = name
        self._action = action
        self._timer: asyncio.TimerHandle | None = None
        self._running: asyncio.Task[None] | None = None
        self._dirty = False

    def __repr__(self) -> str:
        return f"Debouncer({self.name!r}, dirty={self._dirty})"

    @property
    def pending(self) -> bool:
        return self._dirty

    def trigger(self) -> None:
        self._dirty = True
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(self.delay, self._fire)

    def _fire(self) -> None:
        self._timer = None
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._run(), name=self.name)

    async def _run(self) -> None:
        while self._dirty:
            self._dirty = False
            try:
                await self._action()
            except Exception:
                log.exception("%s failed", self.name)

    async def flush(self) -> None:
        """Run the action now if anything is pending, and wait for it."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._running is not None and not self._running.done():
            with contextlib.suppress(Exception):
                await self._running
        if self._dirty:
            self._dirty = False
            await self._action()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
