"""The `.ipynb` file a room is bound to: autosave, explicit save, and edits made outside.

Autosave is debounced, skipped when the bytes on disk are already identical, and never
writes an empty notebook over a non-empty one. The bytes last written or read are kept,
so the watcher recognises the daemon's own writes and only merges real external edits.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from watchfiles import awatch

from nbdesk.daemon.blobs.manifests import ManifestOutputs
from nbdesk.daemon.blobs.store import BlobStore
from nbdesk.daemon.doc.ipynb import cell_count, export_bytes, merge_notebook, read_ipynb
from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.daemon.home.atomic import atomic_write
from nbdesk.daemon.rooms.debounce import Debouncer
from nbdesk.daemon.wire.errors import NotebookFileError

log = logging.getLogger(__name__)

OWN_WRITES_KEPT = 16


class NotebookFile:
    def __init__(
        self,
        path: Path,
        doc: NotebookDoc,
        blobs: BlobStore,
        *,
        autosave_delay: float,
        on_external_edit: Callable[[int, list[str]], None],
        on_autosave_failed: Callable[[Exception], None] | None = None,
        on_autosave_recovered: Callable[[], None] | None = None,
    ) -> None:
        self.path = path
        self.doc = doc
        self.outputs = ManifestOutputs(blobs)
        self.disk_bytes: bytes | None = None
        # Digests of our own recent writes: the watcher may read one of them after a newer
        # write began, and must not merge our older text back over fresher typing.
        self._own_writes: collections.deque[str] = collections.deque(maxlen=OWN_WRITES_KEPT)
        self.autosave = Debouncer(
            autosave_delay,
            self._autosave,
            f"autosave {path.name}",
            on_failure=on_autosave_failed,
            on_recovery=on_autosave_recovered,
        )
        self._on_external_edit = on_external_edit
        self._stop = asyncio.Event()
        self._watcher: asyncio.Task[None] | None = None
        self.writes = 0

    def __repr__(self) -> str:
        return f"NotebookFile({str(self.path)!r}, writes={self.writes})"

    @property
    def disk_sha256(self) -> str | None:
        return None if self.disk_bytes is None else hashlib.sha256(self.disk_bytes).hexdigest()

    async def _autosave(self) -> None:
        await self.write(explicit=False)

    async def write(self, *, explicit: bool) -> bool:
        """Export and write when the bytes differ from disk; True when a write happened."""
        data = export_bytes(self.doc, self.outputs)
        if data == self.disk_bytes:
            if not explicit:
                heads = ",".join(head[:12] for head in self.doc.heads_hex())
                log.info(
                    "autosave of %s at heads %s skipped: the file holds these bytes",
                    self.path,
                    heads,
                )
            return False
        if not explicit and len(self.doc) == 0 and self.disk_bytes and cell_count(self.disk_bytes):
            log.warning("not autosaving an empty notebook over %s, which has cells", self.path)
            return False
        previous, self.disk_bytes = self.disk_bytes, data
        self._own_writes.append(hashlib.sha256(data).hexdigest())
        try:
            await asyncio.to_thread(atomic_write, self.path, data)
        except Exception:
            self.disk_bytes = previous
            raise
        self.writes += 1
        return True

    def start_watching(self) -> None:
        if self._watcher is None:
            self._stop.clear()
            self._watcher = asyncio.create_task(self._watch(), name=f"watch {self.path.name}")

    async def stop_watching(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._watcher
            self._watcher = None

    async def _watch(self) -> None:
        target = str(self.path)
        try:
            async for changes in awatch(
                self.path.parent,
                stop_event=self._stop,
                recursive=False,
                debounce=100,
                step=20,
                watch_filter=lambda _change, changed: changed == target,
            ):
                if changes:
                    await self.check_disk()
        except Exception:
            log.exception("watching %s failed", self.path)

    async def check_disk(self) -> int:
        """Merge the file into the document if someone else changed it; cells changed."""
        try:
            data = await asyncio.to_thread(self.path.read_bytes)
        except OSError:
            return 0
        if data == self.disk_bytes or hashlib.sha256(data).hexdigest() in self._own_writes:
            return 0
        try:
            nb, repairs = read_ipynb(data, source=self.path)
        except NotebookFileError as exc:
            log.warning("ignoring an unreadable external edit: %s", exc)
            return 0
        self.disk_bytes = data
        changed = merge_notebook(self.doc, nb, self.outputs)
        log.info("merged an external edit of %s (%d cells changed)", self.path, changed)
        self._on_external_edit(changed, repairs)
        return changed
