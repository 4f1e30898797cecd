"""What a room may use of the daemon around it.

The registry builds one `RoomContext` and hands it to every room it creates; a room
never reaches back into the registry (which would make rooms and registry a cycle).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import msgspec

from nbdesk.daemon.blobs.manifests import ManifestOutputs
from nbdesk.daemon.blobs.store import BlobStore
from nbdesk.daemon.doc.store import DocStore
from nbdesk.daemon.envs.environments import Environments
from nbdesk.daemon.home.config import Home, Settings
from nbdesk.daemon.kernels.session import KernelSession
from nbdesk.daemon.rooms.live_settings import LiveSettings
from nbdesk.daemon.wire.ids import NotebookId

Rebind = Callable[[NotebookId, str], Awaitable[Path]]


@dataclass(frozen=True)
class RoomContext:
    home: Home
    settings: Settings
    blobs: BlobStore
    doc_store: DocStore
    environments: Environments[KernelSession]
    rebind: Rebind  # save-as: bind a room to another path (the registry keeps the index)
    broadcast_all: Callable[[msgspec.Struct], None]  # to every peer of every room
    live: LiveSettings  # the settings the user may change while the daemon runs

    @cached_property
    def outputs(self) -> ManifestOutputs:
        """The blob store as the output store kernels and `.ipynb` files write through."""
        return ManifestOutputs(self.blobs)
