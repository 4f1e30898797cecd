"""The daemon's user-changeable settings as the running daemon uses them, and a change
from the settings page applied without a restart where the daemon can: keep-alive (for
notebooks closed from then on), the pool sizes and the hot kernels (resized at once).
The default packages are the uv pool's package set and every dependency environment's
base, so a change waits for the next start; `pending` names what waits.
"""

from __future__ import annotations

import dataclasses

from nbdesk.daemon.envs.environments import Environments
from nbdesk.daemon.home.config import Settings
from nbdesk.daemon.home.daemon_preferences import of_settings
from nbdesk.daemon.kernels.session import KernelSession
from nbdesk.daemon.wire.daemon_settings import DaemonSettings

APPLIED_AFTER_RESTART = ("default_packages",)


class LiveSettings:
    def __init__(self, settings: Settings, envs: Environments[KernelSession]) -> None:
        self.current = settings
        self._envs = envs

    def __repr__(self) -> str:
        return f"LiveSettings({of_settings(self.current)!r})"

    def pending(self, chosen: DaemonSettings) -> list[str]:
        """The fields of `chosen` the running daemon does not use yet."""
        running = of_settings(self.current)
        return [
            field
            for field in APPLIED_AFTER_RESTART
            if getattr(chosen, field) != getattr(running, field)
        ]

    async def apply(self, chosen: DaemonSettings) -> None:
        """Use `chosen` from now on, all but what waits for a restart."""
        self.current = dataclasses.replace(
            self.current,
            keep_alive=chosen.keep_alive,
            pool_uv=chosen.pool_uv,
            pool_conda=chosen.pool_conda,
            hot_kernels=chosen.hot_kernels,
        )
        await self._envs.resize(
            pool_uv=chosen.pool_uv, pool_conda=chosen.pool_conda, hot_kernels=chosen.hot_kernels
        )
