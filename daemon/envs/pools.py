"""A pool of prewarmed environments of one kind (uv or conda).

The pool keeps `size` ready environments of one spec. On start it adopts the valid
ones left on disk (python present, marker hash matching) and removes broken or
mismatched ones; then one background task builds the missing ones, one at a time.
`take()` is instant: it moves a ready environment out of the pool (the caller owns it)
and wakes the builder. A failed build waits (exponential backoff) before the next
try; the failure is in `status()` and reported through `on_progress`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
from collections import deque
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

from nbdesk.daemon.envs.env import (
    Env,
    EnvSpec,
    Processes,
    build,
    new_env_path,
    read_env,
    remove_env,
)
from nbdesk.daemon.home.backoff import Backoff

log = logging.getLogger(__name__)
Progress = Callable[[str, str, str], None]  # (kind, phase, message)


class PoolState(StrEnum):
    IDLE = "idle"
    WARMING = "warming"
    BACKOFF = "backoff"
    STOPPED = "stopped"


class EnvPool:
    def __init__(
        self,
        spec: EnvSpec,
        size: int,
        root: Path,
        *,
        cache_dir: Path,
        backoff: float,
        backoff_max: float,
        on_progress: Progress,
    ) -> None:
        self.spec = spec
        self.kind = spec.kind
        self.size = size
        self.root = root
        self.cache_dir = cache_dir
        self.backoff = Backoff(backoff, backoff_max)
        self.on_progress = on_progress
        self.ready: deque[Env] = deque()
        self.state = PoolState.IDLE
        self.error: str | None = None
        self.retry_at: float | None = None
        self.processes = Processes()
        self._wakeup = asyncio.Event()
        self._available = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"EnvPool({self.kind}, {self.state}, ready={len(self.ready)}/{self.size}, failures={self.backoff.failures})"

    @property
    def prefix(self) -> str:
        return f"nbdesk-{self.kind}-"

    async def adopt(self) -> None:
        """Take back the valid unowned environments of this kind on disk; remove the rest."""
        for path in sorted(self.root.glob(self.prefix + "*")):
            env = read_env(path)
            if env is not None and env.owner is not None:
                continue  # a notebook's own environment: not the pool's business
            if env is not None and env.usable(self.spec.hash) and len(self.ready) < self.size:
                self.ready.append(env)
                log.info("%r adopted %s", self, path.name)
                continue
            log.info("%r removes %s (%s)", self, path.name, _why_not(env, self.spec.hash))
            await remove_env(path)
        if self.ready:
            self._available.set()

    def start(self) -> None:
        if self.size > 0 and self._task is None:
            self._task = asyncio.create_task(self._fill(), name=f"pool {self.kind}")

    async def resize(self, size: int) -> None:
        """Keep `size` ready from now on (the user changed it in the settings page): the
        builder starts or wakes for more, the environments beyond it are removed."""
        self.size = size
        await self._trim()
        if self._task is None:
            self.start()
        else:
            self._wakeup.set()

    async def _trim(self) -> None:
        while len(self.ready) > self.size:
            env = self.ready.pop()
            log.info("%r removes %s (the pool is smaller now)", self, env.path.name)
            await remove_env(env.path)
        if not self.ready:
            self._available.clear()

    def take(self, owner: str) -> Env | None:
        """A ready environment, now owned by `owner`; the pool refills in the background."""
        while self.ready:
            env = self.ready.popleft()
            if not self.ready:
                self._available.clear()
            self._wakeup.set()
            if env.usable():
                env.touch(owner)
                log.info("%r: %s taken by %s", self, env.path.name, owner)
                return env
            log.warning("%r: %s broke while pooled; dropping it", self, env.path.name)
            shutil.rmtree(env.path, ignore_errors=True)
        return None

    async def take_waiting(self, owner: str, timeout: float) -> Env | None:
        """Like take(), but waits (bounded) for the pool to have one."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.size > 0 and self._task is not None:
            env = self.take(owner)
            if env is not None:
                return env
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._available.wait(), remaining)
        return None

    def holds(self, path: Path) -> bool:
        return any(env.path == path for env in self.ready)

    async def _fill(self) -> None:
        while True:
            if len(self.ready) >= self.size:
                self.state = PoolState.IDLE
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            self.state = PoolState.WARMING
            path = new_env_path(self.root, self.kind)
            self.on_progress(self.kind, "warming", f"building {path.name}")
            started = time.monotonic()
            try:
                env = await build(path, self.spec, self.processes, self.cache_dir)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                await self._failed(exc)
                continue
            self.backoff.succeeded()
            self.error, self.retry_at = None, None
            self.ready.append(env)
            self._available.set()
            await self._trim()  # the pool shrank while this one was building
            elapsed = time.monotonic() - started
            log.info("%r: %s ready in %.1f s", self, path.name, elapsed)
            self.on_progress(self.kind, "ready", f"{path.name} ready in {elapsed:.1f} s")

    async def _failed(self, exc: Exception) -> None:
        self.error = str(exc)
        delay = self.backoff.failed()
        self.retry_at = time.time() + delay
        self.state = PoolState.BACKOFF
        log.warning("%r: warming failed (retry in %.1f s): %s", self, delay, exc)
        self.on_progress(self.kind, "failed", f"{exc} (retry in {delay:.1f} s)")
        await asyncio.sleep(delay)

    def status(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "size": self.size,
            "ready": len(self.ready),
            "warming": 1 if self.state == PoolState.WARMING else 0,
            "state": str(self.state),
            "failures": self.backoff.failures,
            "error": self.error,
            "retry_in": max(0.0, self.retry_at - time.time()) if self.retry_at else None,
            "envs": [env.path.name for env in self.ready],
        }

    async def close(self) -> None:
        """Stop warming; a half-built environment is removed, running builders killed."""
        self.state = PoolState.STOPPED
        self.processes.kill_all()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


def _why_not(env: Env | None, expected_hash: str) -> str:
    if env is None:
        return "no valid marker: an unfinished build"
    if not env.usable():
        return "python is missing"
    if env.hash != expected_hash:
        return "its package set is not the configured one"
    return "the pool is already full"
