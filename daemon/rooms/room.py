"""A room: one notebook document, the peers syncing it, and where it is persisted.

After every received sync message and every daemon-side change the room generates a
message for every peer (each peer has its own sync state). Changes are persisted to the
home (debounced) and, for file-backed rooms, autosaved to the `.ipynb`. The room does
not accept connections or parse requests: the server and handlers do.
"""

from __future__ import annotations

import asyncio
import logging
from enum import StrEnum
from pathlib import Path

import msgspec

from nbdesk.daemon.blobs.manifests import ManifestOutputs
from nbdesk.daemon.blobs.store import BlobStore
from nbdesk.daemon.doc.history_log import HistoryLog
from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.daemon.doc.store import RoomRecord
from nbdesk.daemon.envs.environments import Environments
from nbdesk.daemon.kernels.executions import RoomKernel
from nbdesk.daemon.kernels.session import KernelSession
from nbdesk.daemon.rooms.context import RoomContext
from nbdesk.daemon.rooms.debounce import Debouncer
from nbdesk.daemon.rooms.file_binding import NotebookFile
from nbdesk.daemon.rooms.peer import Peer
from nbdesk.daemon.rooms.room_trust import RoomTrust
from nbdesk.daemon.wire.broadcasts import (
    ExecutionDone,
    FileChanged,
    FileRepaired,
    KernelStatusChanged,
    Saved,
    SaveFailed,
    SaveRecovered,
)
from nbdesk.daemon.wire.enums import HistoryAuthor, HistoryMark, KernelChoiceKind
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError
from nbdesk.daemon.wire.framing import FrameType
from nbdesk.daemon.wire.ids import NotebookId
from nbdesk.daemon.wire.messages import encode

log = logging.getLogger(__name__)


class RoomState(StrEnum):
    ACTIVE = "active"
    IDLE = "idle"
    CLOSED = "closed"


class Room:
    def __init__(self, notebook_id: NotebookId, doc: NotebookDoc, context: RoomContext) -> None:
        self.id = notebook_id
        self.doc = doc
        self.context = context
        self.peers: dict[int, Peer] = {}
        self.state = RoomState.IDLE
        self.file: NotebookFile | None = None
        self.repairs: FileRepaired | None = None
        self.folder: Path | None = None  # an untitled notebook's folder, if it has one
        self.kernel_choice: tuple[KernelChoiceKind, str] | None = None
        self._persist = Debouncer(
            context.settings.persist_delay,
            self.persist_now,
            f"persist {notebook_id}",
            on_failure=lambda exc: self.broadcast(SaveFailed(path=None, message=str(exc))),
            on_recovery=lambda: self.broadcast(SaveRecovered(path=None)),
        )
        self._changed = asyncio.Event()
        self._persist_lock = asyncio.Lock()
        self.kernel = RoomKernel(self)
        self.trust = RoomTrust(doc, context.environments.trust, self.broadcast)
        self.history = context.doc_store.load_history(notebook_id) or HistoryLog.start(doc)
        self.history.adopt(doc)
        self.history.observe(doc, HistoryAuthor.DAEMON)
        self._history_saved = -1  # the version persisted last

    def __repr__(self) -> str:
        where = self.file.path.name if self.file else "untitled"
        return f"Room({self.id}, {self.state}, {where}, peers={len(self.peers)}, cells={len(self.doc)})"

    @property
    def path(self) -> Path | None:
        return self.file.path if self.file else None

    # -- what the kernel may use (nbdesk.daemon.kernels.host.KernelHost) -------------------

    @property
    def blobs(self) -> BlobStore:
        return self.context.blobs

    @property
    def outputs(self) -> ManifestOutputs:
        return self.context.outputs

    @property
    def environments(self) -> Environments[KernelSession]:
        return self.context.environments

    @property
    def kernel_cwd(self) -> Path:
        """A notebook's kernel runs in the notebook's folder; an untitled one in its folder
        if it was given one, else in the home."""
        return self.project_folder or self.context.home.root

    @property
    def project_folder(self) -> Path | None:
        return self.path.parent if self.path else self.folder

    @property
    def kernel_ready_timeout(self) -> float:
        return self.context.settings.kernel_ready_timeout

    async def choose_kernel(self, pick: tuple[KernelChoiceKind, str] | None) -> None:
        """Remember the user's pick (durably: it outlives the daemon)."""
        self.kernel_choice = pick
        await self.persist_now()

    @property
    def kernel_runtime_dir(self) -> Path:
        return self.context.home.kernel_dir

    # -- peers and sync ----------------------------------------------------------------

    def attach(self, peer: Peer) -> None:
        """Add a peer: its first sync message, then the kernel status and queue."""
        self.peers[peer.id] = peer
        self.state = RoomState.ACTIVE
        self.sync_peers()
        peer.send(FrameType.BROADCAST, encode(KernelStatusChanged(status=self.kernel.status)))
        peer.send(FrameType.BROADCAST, encode(self.kernel.queue_event()))
        if self.repairs is not None:
            peer.send(FrameType.BROADCAST, encode(self.repairs))
        if self.kernel.location is not None:
            peer.send(FrameType.BROADCAST, encode(self.kernel.location))
        if self.kernel.input.request is not None:
            peer.send(FrameType.BROADCAST, encode(self.kernel.input.request))
        peer.send(FrameType.BROADCAST, encode(self.trust.current()))

    def detach(self, peer: Peer) -> None:
        self.peers.pop(peer.id, None)
        if not self.peers and self.state == RoomState.ACTIVE:
            self.state = RoomState.IDLE

    def receive_sync(self, peer: Peer, payload: bytes) -> None:
        """Apply a peer's sync message, then answer every peer (the sender included)."""
        changed = self.doc.receive_sync_message(peer.sync, payload)
        self.sync_peers(last=peer)
        if changed:
            self.history.observe(self.doc, peer.author)
            self._on_change()

    def local_change(self) -> None:
        """Call after the daemon itself changed the document."""
        self.history.observe(self.doc, HistoryAuthor.DAEMON)
        self.sync_peers()
        self._on_change()

    def sync_peers(self, last: Peer | None = None) -> None:
        """Send each peer its next message; `last` (the sender, whose reply is only an
        acknowledgement) goes after the peers waiting for the news."""
        peers = [p for p in self.peers.values() if p is not last]
        if last is not None and last.id in self.peers:
            peers.append(last)
        for peer in peers:
            message = self.doc.generate_sync_message(peer.sync)
            if message is not None:
                peer.send(FrameType.DOC_SYNC, message)

    def broadcast(self, event: msgspec.Struct) -> None:
        self._mark_history(event)
        payload = encode(event)
        for peer in list(self.peers.values()):
            peer.send(FrameType.BROADCAST, payload)

    def _mark_history(self, event: msgspec.Struct) -> None:
        """Saves, executions and external edits are marked on the timeline."""
        if isinstance(event, ExecutionDone):
            self.history.mark(HistoryMark.EXECUTION, event.heads)
        elif isinstance(event, Saved):
            self.history.mark(HistoryMark.SAVE, self.doc.heads_hex())
        elif isinstance(event, FileChanged):
            self.history.mark(HistoryMark.EXTERNAL_EDIT, self.doc.heads_hex())
        else:
            return
        self._persist.trigger()

    def _on_change(self) -> None:
        self.kernel.check_env_sync()
        self.trust.changed()
        self._persist.trigger()
        if self.file is not None:
            self.file.autosave.trigger()
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for_heads(self, heads: list[str], timeout: float) -> None:
        """Return once the document contains `heads`; a request may depend on them."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.doc.contains_heads(heads):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise NbdeskError(
                    f"the daemon did not receive the required changes within {timeout:g} s",
                    code=ErrorCode.REQUIRED_HEADS_TIMEOUT,
                )
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                continue

    # -- persistence and files -------------------------------------------------------------

    def record(self) -> RoomRecord:
        return RoomRecord(
            self.id,
            str(self.path) if self.path else None,
            self.file.disk_sha256 if self.file else None,
            folder=str(self.folder) if self.folder else None,
            kernel=list(self.kernel_choice) if self.kernel_choice else None,
        )

    def restore(self, record: RoomRecord) -> None:
        """What the room's record keeps beside the document: its folder and kernel pick."""
        self.folder = Path(record.folder) if record.folder else None
        if record.kernel is not None:
            try:
                self.kernel_choice = (KernelChoiceKind(record.kernel[0]), record.kernel[1])
            except ValueError:
                log.warning("%r: ignoring an unknown kernel pick %r", self, record.kernel)

    async def persist_now(self) -> None:
        """Write the document to the home so a crash or restart loses nothing confirmed.

        Serialised per room, and the bytes are taken inside the lock, so a later call
        always writes a document at least as new as an earlier one.
        """
        async with self._persist_lock:
            await asyncio.to_thread(self.context.blobs.flush)
            data = self.doc.save()
            history = None
            if self.history.version != self._history_saved:
                history = HistoryLog.from_json(self.history.to_json())  # a copy for the thread
                history.version = self.history.version
            await asyncio.to_thread(self.context.doc_store.save, self.record(), data)
            if history is not None:
                await asyncio.to_thread(self.context.doc_store.save_history, self.id, history)
                self._history_saved = history.version

    def bind_file(self, path: Path, disk_bytes: bytes | None) -> NotebookFile:
        self.file = NotebookFile(
            path,
            self.doc,
            self.context.blobs,
            autosave_delay=self.context.settings.autosave_delay,
            on_external_edit=self._on_external_edit,
            on_autosave_failed=lambda exc: self.broadcast(
                SaveFailed(path=str(path), message=str(exc))
            ),
            on_autosave_recovered=lambda: self.broadcast(SaveRecovered(path=str(path))),
        )
        self.file.disk_bytes = disk_bytes
        self.file.start_watching()
        return self.file

    async def unbind_file(self) -> None:
        if self.file is not None:
            self.file.autosave.cancel()
            await self.file.stop_watching()
            self.file = None

    def _on_external_edit(self, cells_changed: int, repairs: list[str]) -> None:
        self.local_change()
        assert self.file is not None
        self.broadcast(FileChanged(path=str(self.file.path), cells_changed=cells_changed))
        if repairs:
            self.file_repaired(repairs)

    def file_repaired(self, repairs: list[str]) -> None:
        """The bound file needed repairs to be read: tell every peer (now and joining
        later) and save the repaired notebook over it."""
        assert self.file is not None
        log.warning("%s is not a valid notebook; repaired: %s", self.file.path, "; ".join(repairs))
        self.repairs = FileRepaired(path=str(self.file.path), repairs=repairs)
        self.broadcast(self.repairs)
        self.file.autosave.trigger()

    async def flush(self) -> None:
        """Persist and autosave now whatever is pending."""
        if self.file is not None:
            try:
                await self.file.autosave.flush()
            except NbdeskError as exc:
                log.error("autosave of %r failed: %s", self, exc)
        await self._persist.flush()
        await self.persist_now()

    async def close(self) -> None:
        await self.kernel.close()
        await self.flush()
        await self.unbind_file()
        for peer in list(self.peers.values()):
            await peer.close("room closed")
        self.peers.clear()
        self.state = RoomState.CLOSED
