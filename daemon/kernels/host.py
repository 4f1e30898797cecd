"""What a kernel may use of the room that owns it.

A room hands its kernel this interface (its document, broadcasts, blobs, environments
and where the kernel runs) instead of letting the kernel reach up into the room or its
registry; the room satisfies it structurally, so `kernels` never imports `rooms`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import msgspec

from nbdesk.daemon.blobs.store import BlobStore
from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.daemon.kernels.session import KernelSession
from nbdesk.daemon.wire.broadcasts import EnvProgress
from nbdesk.daemon.wire.ids import NotebookId


class KernelEnv(Protocol):
    """An environment a kernel runs in (a pool's or a notebook's own)."""

    @property
    def python(self) -> str: ...

    def touch(self) -> None: ...


class StartedKernel(Protocol):
    """A kernel started ahead of time (a hot kernel) and handed over."""

    @property
    def session(self) -> KernelSession: ...


class KernelSource(Protocol):
    """Where the environments say a notebook's kernel comes from."""

    @property
    def env(self) -> KernelEnv | None: ...

    @property
    def hot(self) -> StartedKernel | None: ...

    @property
    def deps(self) -> tuple[str, ...]: ...

    @property
    def python(self) -> str | None: ...


class KernelEnvironments(Protocol):
    async def take_waiting(self, kind: str, owner: str) -> KernelEnv: ...

    async def kernel_source(
        self,
        owner: str,
        deps: tuple[str, ...],
        *,
        on_progress: Callable[[EnvProgress], None],
    ) -> KernelSource: ...


class KernelHost(Protocol):
    """The room, as its kernel sees it."""

    @property
    def id(self) -> NotebookId: ...

    @property
    def doc(self) -> NotebookDoc: ...

    @property
    def blobs(self) -> BlobStore: ...

    @property
    def environments(self) -> KernelEnvironments: ...

    @property
    def kernel_cwd(self) -> Path: ...

    @property
    def kernel_runtime_dir(self) -> Path: ...

    def broadcast(self, event: msgspec.Struct) -> None: ...

    def local_change(self) -> None:
        """Call after the kernel changed the document."""
