"""Where the daemon keeps its state, and the settings it reads from the environment.

Everything lives under one home directory: platformdirs' user data dir, or `NBDESK_HOME`
(tests always set it). Settings have defaults a user never needs to touch; the
environment overrides them so tests can shorten timeouts.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from nbdesk.daemon.home.private import private_dir, tighten_home
from nbdesk.daemon.home.runtime import check_private, prepare_run_dir, run_dir_for


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


def _env_list(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return tuple(raw.split())


@dataclass(frozen=True)
class Settings:
    keep_alive: float = 30.0
    handshake_timeout: float = 10.0
    persist_delay: float = 0.2
    autosave_delay: float = 1.0
    required_heads_timeout: float = 10.0
    peer_queue_bytes: int = 256 * 1024 * 1024
    pool_uv: int = 2
    pool_conda: int = 0
    hot_kernels: int = 1
    default_packages: tuple[str, ...] = ()
    conda_channels: tuple[str, ...] = ("conda-forge",)
    env_max_age: float = 7 * 24 * 3600.0
    pool_backoff: float = 2.0
    pool_backoff_max: float = 300.0
    kernel_ready_timeout: float = 60.0

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            keep_alive=_env_float("NBDESK_KEEP_ALIVE", cls.keep_alive),
            handshake_timeout=_env_float("NBDESK_HANDSHAKE_TIMEOUT", cls.handshake_timeout),
            persist_delay=_env_float("NBDESK_PERSIST_DELAY", cls.persist_delay),
            autosave_delay=_env_float("NBDESK_AUTOSAVE_DELAY", cls.autosave_delay),
            required_heads_timeout=_env_float(
                "NBDESK_REQUIRED_HEADS_TIMEOUT", cls.required_heads_timeout
            ),
            peer_queue_bytes=int(_env_float("NBDESK_PEER_QUEUE_BYTES", cls.peer_queue_bytes)),
            pool_uv=int(_env_float("NBDESK_POOL_UV", cls.pool_uv)),
            pool_conda=int(_env_float("NBDESK_POOL_CONDA", cls.pool_conda)),
            hot_kernels=int(_env_float("NBDESK_HOT_KERNELS", cls.hot_kernels)),
            default_packages=_env_list("NBDESK_DEFAULT_PACKAGES", cls.default_packages),
            conda_channels=_env_list("NBDESK_CONDA_CHANNELS", cls.conda_channels),
            env_max_age=_env_float("NBDESK_ENV_MAX_AGE", cls.env_max_age),
            pool_backoff=_env_float("NBDESK_POOL_BACKOFF", cls.pool_backoff),
            pool_backoff_max=_env_float("NBDESK_POOL_BACKOFF_MAX", cls.pool_backoff_max),
            kernel_ready_timeout=_env_float(
                "NBDESK_KERNEL_READY_TIMEOUT", cls.kernel_ready_timeout
            ),
        )


@dataclass(frozen=True)
class Home:
    root: Path

    @classmethod
    def from_env(cls) -> Home:
        configured = os.environ.get("NBDESK_HOME")
        root = Path(configured) if configured else Path(platformdirs.user_data_dir("nbdesk"))
        return cls(root.expanduser().resolve())

    @property
    def run_dir(self) -> Path:
        """Sockets and locks: `run/`, or a short folder for a deep home (see `runtime`)."""
        return run_dir_for(self.root)

    @property
    def kernel_dir(self) -> Path:
        """Kernels' connection files and IPC sockets."""
        return self.run_dir / "kernels"

    @property
    def socket(self) -> Path:
        return self.run_dir / "daemon.sock"

    def checked_socket(self) -> Path:
        """The daemon's socket, for connecting: only in a private folder of this user
        (else RuntimeDirError), so a client never talks to a socket someone planted."""
        check_private(self.run_dir)
        return self.socket

    @property
    def lock(self) -> Path:
        return self.run_dir / "daemon.lock"

    @property
    def info(self) -> Path:
        return self.root / "daemon.json"

    @property
    def log_file(self) -> Path:
        return self.root / "logs" / "daemon.log"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def blobs(self) -> Path:
        return self.root / "blobs"

    @property
    def envs(self) -> Path:
        return self.root / "envs"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def trust_dir(self) -> Path:
        """The user's trust key and the packages they approved (private to this user)."""
        return self.root / "trust"

    def prepare(self) -> None:
        """Create the directories, all of the home private to this user (see `private`)."""
        private_dir(self.root)
        tighten_home(self.root)
        for directory in (self.docs, self.log_file.parent):
            private_dir(directory)
        prepare_run_dir(self.run_dir)


def read_info(home: Home) -> dict[str, Any] | None:
    """The running daemon's `daemon.json`, or None (it may be stale: check by connecting)."""
    try:
        return json.loads(home.info.read_text())
    except (OSError, ValueError):
        return None
