"""Run an async action a moment after the last trigger, at most one at a time.

An action that fails (a full disk, a folder gone) is retried with backoff until it
works, without waiting for another trigger: what it would have written is still
pending. `on_failure` hears each failure, `on_recovery` the first success after some.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from nbdesk.daemon.home.backoff import Backoff

log = logging.getLogger(__name__)


RETRY_FIRST = 0.5
RETRY_MOST = 10.0


class Debouncer:
    def __init__(
        self,
        delay: float,
        action: Callable[[], Awaitable[None]],
        name: str,
        *,
        on_failure: Callable[[Exception], None] | None = None,
        on_recovery: Callable[[], None] | None = None,
    ) -> None:
        self.delay = delay
        self.name = name
        self._action = action
        self._on_failure = on_failure
        self._on_recovery = on_recovery
        self._retry = Backoff(RETRY_FIRST, RETRY_MOST)
        self._timer: asyncio.TimerHandle | None = None
        self._running: asyncio.Task[None] | None = None
        self._dirty = False

    def __repr__(self) -> str:
        return f"Debouncer({self.name!r}, dirty={self._dirty})"

    @property
    def pending(self) -> bool:
        return self._dirty

    def trigger(self, delay: float | None = None) -> None:
        self._dirty = True
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(
            self.delay if delay is None else delay, self._fire
        )

    def _fire(self) -> None:
        self._timer = None
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._run(), name=self.name)

    async def _run(self) -> None:
        while self._dirty:
            self._dirty = False
            try:
                await self._action()
            except Exception as exc:
                self._failed(exc)
                return
            self._succeeded()

    def _failed(self, exc: Exception) -> None:
        delay = self._retry.failed()
        log.error("%s failed (retrying in %g s): %s", self.name, delay, exc)
        if self._on_failure is not None:
            self._on_failure(exc)
        if self._timer is None:
            self.trigger(delay)

    def _succeeded(self) -> None:
        if self._retry.failures and self._on_recovery is not None:
            log.info("%s works again", self.name)
            self._on_recovery()
        self._retry.succeeded()

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
            try:
                await self._action()
            except Exception as exc:
                self._failed(exc)
                raise
            self._succeeded()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
