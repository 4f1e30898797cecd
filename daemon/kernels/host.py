"""What a kernel may use of the room that owns it.

A room hands its kernel this interface (its document, broadcasts, where outputs are
stored, environments and where the kernel runs) instead of letting the kernel reach up into the room or its
registry; the room satisfies it structurally, so `kernels` never imports `rooms`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import msgspec

from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.daemon.kernels.session import KernelSession
from nbdesk.daemon.wire.broadcasts import EnvProgress
from nbdesk.daemon.wire.ids import NotebookId


class KernelOutputs(Protocol):
    """Where a kernel's outputs go (the room's blob store, as output manifests): the
    document holds only the hashes this returns. `kernels` and `blobs` are siblings."""

    def store_output(self, output: dict[str, Any]) -> str: ...

    def load_output(self, manifest_hash: str, *, keep_transient: bool = False) -> dict[str, Any]:
        """The output a hash stands for; with its `transient` (display id) if asked."""

    def display_id(self, manifest_hash: str) -> str | None: ...

    def put_blob(self, data: bytes, media_type: str) -> str: ...


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
    def outputs(self) -> KernelOutputs: ...

    @property
    def environments(self) -> KernelEnvironments: ...

    @property
    def kernel_cwd(self) -> Path: ...

    @property
    def kernel_runtime_dir(self) -> Path: ...

    def broadcast(self, event: msgspec.Struct) -> None: ...

    def local_change(self) -> None:
        """Call after the kernel changed the document."""
