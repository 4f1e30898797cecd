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
from jupyter_client.kernelspec import KernelSpec

from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.daemon.home.servers import RemoteKernelRef
from nbdesk.daemon.kernels.session import KernelSession
from nbdesk.daemon.wire.broadcasts import EnvProgress
from nbdesk.daemon.wire.enums import KernelChoiceKind, ResolutionSource
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


class KernelTarget(Protocol):
    """Where the resolution order says the kernel runs (`nbdesk.daemon.envs.resolution`)."""

    source: ResolutionSource
    display_name: str
    language: str
    env_label: str
    python: str | None
    kernelspec: KernelSpec | None
    kernelspec_name: str | None
    deps: tuple[str, ...]
    missing_kernelspec: str | None
    remote: RemoteKernelRef | None  # a kernel of a Jupyter server, not a local one

    @property
    def env(self) -> KernelEnv | None: ...

    @property
    def hot(self) -> StartedKernel | None: ...

    def for_restart(self) -> KernelTarget: ...


class KernelResolver(Protocol):
    async def resolve(
        self,
        owner: str,
        *,
        folder: Path | None,
        get_metadata: Callable[[str], str | None],
        chosen: tuple[KernelChoiceKind, str] | None,
        deps: tuple[str, ...],
        on_progress: Callable[[EnvProgress], None],
        on_line: Callable[[str], None],
    ) -> KernelTarget: ...

    async def chosen(
        self,
        owner: str,
        pick: tuple[KernelChoiceKind, str],
        folder: Path | None,
        on_line: Callable[[str], None],
    ) -> KernelTarget: ...

    async def pool(self, kind: str, owner: str) -> KernelTarget: ...


class KernelEnvironments(Protocol):
    @property
    def resolver(self) -> KernelResolver: ...


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
    def project_folder(self) -> Path | None:
        """Where the notebook's project is looked for (None: a new notebook, no folder)."""

    @property
    def kernel_choice(self) -> tuple[KernelChoiceKind, str] | None:
        """What the user picked for this notebook (kept across restarts), if anything."""

    @property
    def kernel_ready_timeout(self) -> float: ...

    @property
    def kernel_runtime_dir(self) -> Path: ...

    def broadcast(self, event: msgspec.Struct) -> None: ...

    def local_change(self) -> None:
        """Call after the kernel changed the document."""
