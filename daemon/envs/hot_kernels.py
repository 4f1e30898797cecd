"""Kernels already started and answering, waiting for the next new notebook.

Each hot kernel runs from an environment taken from the uv pool (or, with no uv pool,
from the daemon's own interpreter), in the daemon home, and has passed the readiness
check. `take()` hands one over at once (the caller rebinds its IOPub and death
callbacks) and a background task starts the next. A hot kernel that dies while waiting
is dropped and replaced; shutdown stops every kernel it holds or is starting.

The kernels themselves are made by the `new_session` the daemon passes in (a
`nbdesk.daemon.kernels.session.KernelSession`): environments and kernels are sibling
layers, and this module only needs a kernel's process to start, check and stop it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from nbdesk.daemon.envs.env import Env
from nbdesk.daemon.home.backoff import Backoff
from nbdesk.daemon.wire.errors import NbdeskError

log = logging.getLogger(__name__)


class KernelProcess(Protocol):
    """What a hot kernel pool does with a kernel: start it, warm it, stop it."""

    @property
    def pid(self) -> int | None: ...

    async def start(self) -> Any: ...

    async def run_silently(self, code: str) -> None: ...

    async def shutdown(self) -> None: ...


S = TypeVar("S", bound=KernelProcess)
# (python, on_death) -> a kernel not started yet
NewSession = Callable[[str | None, Callable[[str], None]], S]


@dataclass
class HotKernel(Generic[S]):
    session: S
    env: Env | None
    started: float = field(default_factory=time.monotonic)

    def __repr__(self) -> str:
        return f"HotKernel(pid={self.session.pid}, env={self.env.path.name if self.env else None})"


class HotKernels(Generic[S]):
    def __init__(
        self,
        size: int,
        *,
        new_session: NewSession[S],
        get_env: Callable[[], Awaitable[Env | None]],
        drop_env: Callable[[Env], Awaitable[None]],
        backoff: float,
        backoff_max: float,
    ) -> None:
        self.size = size
        self._new_session = new_session
        self._get_env = get_env
        self._drop_env = drop_env
        self._backoff = Backoff(backoff, backoff_max)
        self.ready: list[HotKernel[S]] = []
        self.starting: S | None = None
        self.error: str | None = None
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return (
            f"HotKernels(ready={len(self.ready)}/{self.size}, starting={self.starting is not None})"
        )

    def start(self) -> None:
        if self.size > 0 and self._task is None:
            self._task = asyncio.create_task(self._fill(), name="hot kernels")

    async def resize(self, size: int) -> None:
        """Keep `size` kernels started from now on; the ones beyond it are shut down."""
        self.size = size
        extra, self.ready = self.ready[size:], self.ready[:size]
        await asyncio.gather(*(self._discard(hot) for hot in extra), return_exceptions=True)
        if self._task is None:
            self.start()
        else:
            self._wakeup.set()

    def take(self) -> HotKernel[S] | None:
        """A started kernel, or None; the caller must rebind it before anything else."""
        while self.ready:
            hot = self.ready.pop(0)
            self._wakeup.set()
            if hot.session.pid is not None:
                log.info("%r: handing out %r", self, hot)
                return hot
        return None

    async def _fill(self) -> None:
        while True:
            if len(self.ready) >= self.size:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            env = await self._get_env()
            try:
                hot = await self._start_one(env)
            except NbdeskError as exc:
                self.error = exc.message
                delay = self._backoff.failed()
                log.warning(
                    "%r: a hot kernel did not start (retry in %.1f s): %s", self, delay, exc
                )
                if env is not None:
                    await self._drop_env(env)
                await asyncio.sleep(delay)
                continue
            self._backoff.succeeded()
            self.error = None
            self.ready.append(hot)
            log.info("%r: %r ready", self, hot)
            if len(self.ready) > self.size:  # the user turned them down while it started
                await self._discard(self.ready.pop())

    async def _start_one(self, env: Env | None) -> HotKernel[S]:
        holder: list[HotKernel[S]] = []
        session = self._new_session(
            env.python if env else None, lambda reason: self._died(holder, reason)
        )
        self.starting = session
        try:
            await session.start()
            # A kernel's first cell pays for IPython's first-run setup; pay it here.
            await session.run_silently("None")
        except BaseException:
            await asyncio.shield(session.shutdown())
            raise
        finally:
            self.starting = None
        holder.append(HotKernel(session, env))
        return holder[0]

    def _died(self, holder: list[HotKernel[S]], reason: str) -> None:
        """A pooled kernel died before anyone took it: drop it (and its env) and refill."""
        if not holder or holder[0] not in self.ready:
            return
        hot = holder[0]
        self.ready.remove(hot)
        log.warning("%r: %r died while waiting (%s)", self, hot, reason)
        task = asyncio.create_task(self._discard(hot))
        self._stopping.add(task)
        task.add_done_callback(self._stopping.discard)
        self._wakeup.set()

    async def _discard(self, hot: HotKernel[S]) -> None:
        await hot.session.shutdown()
        if hot.env is not None:
            await self._drop_env(hot.env)

    def status(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "ready": len(self.ready),
            "starting": 1 if self.starting is not None else 0,
            "failures": self._backoff.failures,
            "error": self.error,
            "pids": [hot.session.pid for hot in self.ready],
        }

    def pids(self) -> list[int]:
        pids = [hot.session.pid for hot in self.ready]
        if self.starting is not None:
            pids.append(self.starting.pid)
        return [pid for pid in pids if pid is not None]

    async def close(self) -> None:
        """Stop the refill task and every kernel held or starting."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        ready, self.ready = self.ready, []
        await asyncio.gather(*(hot.session.shutdown() for hot in ready), return_exceptions=True)
        await asyncio.gather(*self._stopping, return_exceptions=True)
