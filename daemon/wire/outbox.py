"""An ordered queue of outgoing messages with a byte budget, drained by one writer task.

Every connection writes through one: the daemon's peers, both directions of the relay
and the Python client. One task writes, in order, and nothing is written from a read
loop, so two frames are never interleaved. What happens when the other end falls
behind is the owner's choice: `Overflow.WAIT` makes `drain()` wait until the queue is
back under its budget (backpressure, for the relay and the client); `Overflow.FAIL`
ends the outbox (a daemon peer that cannot keep up is disconnected and resyncs when
it reconnects, never silently skipped). It owns no socket: a `write` callable does
the I/O and an `on_end` callback drops the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sized
from enum import StrEnum
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item", bound=Sized)


class Overflow(StrEnum):
    WAIT = "wait"  # drain() waits for room: the producer slows down
    FAIL = "fail"  # the outbox ends: the consumer is dropped


class OutboxState(StrEnum):
    OPEN = "open"
    CLOSING = "closing"  # writing what is queued, taking nothing new
    CLOSED = "closed"


class Outbox(Generic[Item]):
    """Messages for one connection, written in order by one task."""

    def __init__(
        self,
        write: Callable[[Item], Awaitable[None]],
        *,
        budget: int,
        overflow: Overflow,
        name: str = "outbox",
        on_end: Callable[[str], None] | None = None,
    ) -> None:
        self.name = name
        self.budget = budget
        self.overflow = overflow
        self.state = OutboxState.OPEN
        self.reason = ""
        self._write = write
        self._on_end = on_end
        self._items: deque[Item] = deque()
        self._bytes = 0
        self._writing = False
        self._ready = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task = asyncio.create_task(self._run(), name=f"{name}-writer")

    def __repr__(self) -> str:
        return (
            f"Outbox({self.name}, {self.state}, {len(self._items)} messages/"
            f"{self._bytes} bytes of {self.budget}, {self.overflow})"
        )

    @property
    def queued_bytes(self) -> int:
        return self._bytes

    def put(self, item: Item) -> bool:
        """Queue `item`; False if it was not taken (the outbox is closing or closed).

        Past the budget a FAIL outbox ends here; a WAIT outbox takes the item anyway
        (callers that can wait call `drain()` after putting).
        """
        if self.state != OutboxState.OPEN:
            return False
        if self.overflow == Overflow.FAIL and self._bytes + len(item) > self.budget:
            log.warning("%r: the other end cannot keep up", self)
            self.abort("cannot keep up")
            return False
        self._items.append(item)
        self._bytes += len(item)
        self._idle.clear()
        self._ready.set()
        if self._bytes >= self.budget:
            self._room.clear()
        return True

    async def drain(self) -> None:
        """Wait until the queue is under its budget (or the outbox has ended)."""
        while self._bytes >= self.budget and self.state != OutboxState.CLOSED:
            await self._room.wait()

    async def flushed(self) -> None:
        """Wait until everything queued so far has been written (or the outbox has ended)."""
        while not self._idle.is_set() and self.state != OutboxState.CLOSED:
            await self._idle.wait()

    async def _run(self) -> None:
        try:
            while True:
                while not self._items:
                    self._idle.set()
                    if self.state != OutboxState.OPEN:
                        return
                    self._ready.clear()
                    await self._ready.wait()
                item = self._items.popleft()
                self._bytes -= len(item)
                if self._bytes < self.budget:
                    self._room.set()
                await self._write(item)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.abort(f"write failed: {exc}")

    async def close(self, timeout: float = 2.0, reason: str = "closed") -> None:
        """Take nothing new, write what is queued (for at most `timeout` s), then end."""
        if self.state == OutboxState.OPEN:
            self.state = OutboxState.CLOSING
            self.reason = reason
            self._ready.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._task), timeout)
        self._end(self.reason or reason)

    def abort(self, reason: str) -> None:
        """End now, discarding anything still queued."""
        self._end(reason)

    def _end(self, reason: str) -> None:
        if self.state == OutboxState.CLOSED:
            return
        self.state = OutboxState.CLOSED
        self.reason = self.reason or reason
        self._items.clear()
        self._bytes = 0
        for event in (self._ready, self._room, self._idle):
            event.set()
        if self._task is not asyncio.current_task():
            self._task.cancel()
        if self._on_end is not None:
            self._on_end(self.reason)

    async def wait_closed(self) -> None:
        """Wait for the writer task to finish (after close() or abort())."""
        await asyncio.wait({self._task})
