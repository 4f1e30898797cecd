"""Every environment the daemon manages: the uv and conda pools, the hot kernels, the
environments notebooks own, the dependency cache, and their collection.

Where a room's kernel runs is decided by `resolver` (`nbdesk.daemon.envs.resolution`),
which takes environments from here. Environments nobody used for `env_max_age` are
removed by `collect()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any, Generic

from nbdesk.daemon.envs import layers
from nbdesk.daemon.envs.env import (
    Env,
    EnvSpec,
    Processes,
    build,
    conda_spec,
    describe,
    read_env,
    remove_env,
    uv_spec,
)
from nbdesk.daemon.envs.hot_kernels import HotKernels, NewSession, S
from nbdesk.daemon.envs.pools import EnvPool
from nbdesk.daemon.envs.resolution import Resolver
from nbdesk.daemon.envs.trust import Approval, Trust
from nbdesk.daemon.home.config import Home, Settings
from nbdesk.daemon.home.private import private_dir
from nbdesk.daemon.wire.broadcasts import EnvProgress
from nbdesk.daemon.wire.enums import EnvKind, EnvPhase
from nbdesk.daemon.wire.errors import EnvError, ErrorCode

log = logging.getLogger(__name__)
HOT_OWNER = "hot-kernel"
GC_INTERVAL = 3600.0
POOL_WAIT = 600.0


class Environments(Generic[S]):
    """`new_session` makes the hot kernels' sessions (the daemon passes one that builds a
    `KernelSession`): this layer sits beside `kernels`, not above it."""

    def __init__(self, home: Home, settings: Settings, new_session: NewSession[S]) -> None:
        self.root = home.envs
        self.nbdesk_home = home
        self.settings = settings
        self.cache_dir = home.cache / "rattler"
        self.trust = Trust(home.trust_dir)
        self.pools = {
            "uv": self._pool(uv_spec(settings.default_packages), settings.pool_uv),
            "conda": self._pool(conda_spec(settings.conda_channels), settings.pool_conda),
        }
        self.hot = HotKernels(
            settings.hot_kernels,
            new_session=new_session,
            get_env=self._env_for_hot_kernel,
            drop_env=self._drop,
            backoff=settings.pool_backoff,
            backoff_max=settings.pool_backoff_max,
        )
        self.broadcast: Callable[[EnvProgress], None] = lambda event: None
        self.in_use: Callable[[], set[str]] = set
        self._deps_locks: dict[str, asyncio.Lock] = {}
        self.builders = Processes()
        self.resolver: Resolver[S] = Resolver(self)
        self._gc_task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"Environments({self.pools['uv']!r}, {self.pools['conda']!r}, {self.hot!r})"

    def _pool(self, spec: EnvSpec, size: int) -> EnvPool:
        return EnvPool(
            spec,
            size,
            self.root,
            cache_dir=self.cache_dir,
            backoff=self.settings.pool_backoff,
            backoff_max=self.settings.pool_backoff_max,
            on_progress=self._pool_progress,
        )

    def _pool_progress(self, kind: str, phase: str, message: str) -> None:
        self.broadcast(EnvProgress(kind=EnvKind(kind), phase=EnvPhase(phase), message=message))

    async def start(self) -> None:
        """Adopt what is on disk at once, then warm what is missing in the background."""
        private_dir(self.root)
        for env in self._envs():
            if env.owner == HOT_OWNER:
                env.owner = None  # its hot kernel died with the last daemon: unused, pool it
                env.write_marker()
        for path in self.root.glob("nbdesk-layer-*"):
            if read_env(path) is None:  # cut short by a daemon that died making it
                await remove_env(path)
        for pool in self.pools.values():
            await pool.adopt()
            pool.start()
        self.hot.start()
        self._gc_task = asyncio.create_task(self._collect_periodically(), name="env gc")

    async def resize(self, *, pool_uv: int, pool_conda: int, hot_kernels: int) -> None:
        """The pools and hot kernels at the sizes the user chose, without a restart."""
        await self.pools["uv"].resize(pool_uv)
        await self.pools["conda"].resize(pool_conda)
        await self.hot.resize(hot_kernels)

    async def close(self) -> None:
        if self._gc_task is not None:
            self._gc_task.cancel()
        self.builders.kill_all()
        await self.hot.close()
        for pool in self.pools.values():
            await pool.close()

    # -- taking ---------------------------------------------------------------------------

    def take(self, kind: str, owner: str) -> Env | None:
        pool = self.pools.get(kind)
        if pool is None:
            raise EnvError(f"no {kind!r} pool: use uv or conda", code=ErrorCode.BAD_ENV)
        return pool.take(owner)

    async def take_waiting(self, kind: str, owner: str) -> Env:
        """An environment of `kind`, waiting for the pool when none is ready yet."""
        pool = self.pools.get(kind)
        if pool is None:
            raise EnvError(f"no {kind!r} pool: use uv or conda", code=ErrorCode.BAD_ENV)
        if pool.size <= 0:
            raise EnvError(
                f"the {kind} pool is off (set NBDESK_POOL_{kind.upper()})", code=ErrorCode.POOL_OFF
            )
        env = await pool.take_waiting(owner, POOL_WAIT)
        if env is None:
            raise EnvError(f"no {kind} environment became ready: {pool.error or 'still warming'}")
        return env

    async def _env_for_hot_kernel(self) -> Env | None:
        pool = self.pools["uv"]
        if pool.size <= 0:
            return None
        while (env := await pool.take_waiting(HOT_OWNER, POOL_WAIT)) is None:
            await asyncio.sleep(1.0)
        return env

    async def _drop(self, env: Env) -> None:
        await remove_env(env.path)

    def owned_by(self, owner: str) -> Env | None:
        for env in self._envs():
            if env.owner == owner and env.kind in ("uv", "conda") and env.usable():
                return env
        return None

    async def deps_env(
        self,
        deps: tuple[str, ...],
        approval: Approval | None,
        on_progress: Callable[[EnvProgress], None],
    ) -> Env:
        """The environment for a dependency set: built once, shared by every notebook
        listing the same set (the directory name is the hash of the set). Refused
        (`untrusted`) unless `approval` is the user's consent for exactly `deps`."""
        self.trust.require(approval, deps)
        spec = uv_spec((*self.settings.default_packages, *deps), kind="deps")
        path = self.root / f"nbdesk-deps-{spec.hash[:16]}"
        lock = self._deps_locks.setdefault(spec.hash, asyncio.Lock())
        async with lock:
            env = read_env(path)
            if env is not None and env.usable(spec.hash):
                env.touch()
                return env
            await remove_env(path)
            message = f"installing {', '.join(deps)}"
            on_progress(EnvProgress(kind=EnvKind.DEPS, phase=EnvPhase.BUILDING, message=message))
            started = time.monotonic()

            def on_line(line: str) -> None:
                on_progress(EnvProgress(kind=EnvKind.DEPS, phase=EnvPhase.BUILDING, message=line))

            try:
                env = await build(path, spec, self.builders, self.cache_dir, on_line=on_line)
            except EnvError as exc:
                on_progress(
                    EnvProgress(kind=EnvKind.DEPS, phase=EnvPhase.FAILED, message=exc.message)
                )
                raise
            elapsed = time.monotonic() - started
            on_progress(
                EnvProgress(
                    kind=EnvKind.DEPS,
                    phase=EnvPhase.READY,
                    message=f"{message}: done in {elapsed:.1f} s",
                )
            )
            return env

    async def layer_for(self, base: Env, owner: str) -> Env:
        """`owner`'s private layer over the shared dependency environment `base`, where
        its kernel runs and `%pip` installs (`nbdesk.daemon.envs.layers`)."""
        layer = layers.find_layer(self._envs(), base, owner)
        if layer is None:
            layer = await layers.make_layer(self.root, base, owner, self.builders)
        layer.touch()
        return layer

    # -- collection and status ------------------------------------------------------------

    def _envs(self) -> list[Env]:
        envs = []
        for path in sorted(self.root.glob("nbdesk-*")):
            env = read_env(path)
            if env is not None:
                envs.append(env)
        return envs

    async def collect(self, max_age: float | None = None) -> list[str]:
        """Remove environments no pool holds and no live notebook uses, last used more than
        `max_age` seconds ago; returns their names."""
        max_age = self.settings.env_max_age if max_age is None else max_age
        in_use = self.in_use()
        held = {hot.env.path for hot in self.hot.ready if hot.env is not None}
        cutoff = time.time() - max_age
        envs = self._envs()

        def kept(env: Env) -> bool:
            pooled = any(pool.holds(env.path) for pool in self.pools.values())
            if pooled or env.path in held or env.owner == HOT_OWNER:
                return True
            return env.owner in in_use or env.python in in_use or env.last_used > cutoff

        # a dependency environment stays while a kept layer runs on it
        layered = {env.hash for env in envs if env.kind == "layer" and kept(env)}
        removed = []
        for env in envs:
            if kept(env) or (env.kind == "deps" and env.hash in layered):
                continue
            await remove_env(env.path)
            removed.append(env.path.name)
        if removed:
            log.info("collected %d unused environments: %s", len(removed), ", ".join(removed))
        return removed

    async def _collect_periodically(self) -> None:
        while True:
            with contextlib.suppress(Exception):
                await self.collect()
            await asyncio.sleep(GC_INTERVAL)

    def status(self) -> dict[str, Any]:
        envs = self._envs()
        return {
            "uv": self.pools["uv"].status(),
            "conda": self.pools["conda"].status(),
            "hot_kernels": self.hot.status(),
            "envs": [describe(env) for env in envs],
            "builders": len(self.builders)
            + sum(len(pool.processes) for pool in self.pools.values()),
        }
