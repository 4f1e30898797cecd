"""Every room the daemon knows: by id, by file path, live or persisted.

Opening a path twice joins one room; joining an id brings a persisted room back; a room
with no peers is flushed and evicted after the keep-alive; save-as rebinds a room to a
new path unless another open room owns it.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
from pathlib import Path

import msgspec

from nbdesk.daemon.blobs.store import BlobStore
from nbdesk.daemon.doc.history_log import HistoryLog
from nbdesk.daemon.doc.ipynb import import_notebook, merge_notebook, read_ipynb
from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.daemon.doc.store import DocStore, RoomRecord
from nbdesk.daemon.envs.environments import Environments
from nbdesk.daemon.home.config import Home, Settings
from nbdesk.daemon.kernels.session import KernelSession, hot_session
from nbdesk.daemon.rooms.context import RoomContext
from nbdesk.daemon.rooms.room import Room, RoomState
from nbdesk.daemon.wire.broadcasts import PathChanged
from nbdesk.daemon.wire.errors import DocumentError, ErrorCode, NbdeskError, NotebookFileError
from nbdesk.daemon.wire.ids import NotebookId, new_notebook_id

log = logging.getLogger(__name__)


def canonical(path: str | Path) -> Path:
    return Path(path).expanduser().resolve()


async def read_notebook_file(path: Path) -> bytes:
    """The file's bytes; FIFOs, devices and folders are refused before any read blocks."""

    def read() -> bytes:
        if not path.exists():
            raise NotebookFileError(path, "does not exist")
        if not path.is_file():
            raise NotebookFileError(path, "not a regular file")
        return path.read_bytes()

    try:
        return await asyncio.to_thread(read)
    except OSError as exc:
        raise NotebookFileError(path, f"cannot read the file ({exc.strerror})") from exc


class RoomRegistry:
    def __init__(self, home: Home, settings: Settings, blobs: BlobStore) -> None:
        self.home = home
        self.settings = settings
        self.blobs = blobs
        self.doc_store = DocStore(home.docs)
        self.rooms: dict[NotebookId, Room] = {}
        self._by_path: dict[Path, NotebookId] = {}
        self._evictions: dict[NotebookId, asyncio.TimerHandle] = {}
        self._lock = asyncio.Lock()
        self.envs: Environments[KernelSession] = Environments(
            home,
            settings,
            functools.partial(hot_session, cwd=home.root, runtime_dir=home.kernel_dir),
        )
        self.envs.broadcast = self.broadcast_all
        self.envs.in_use = self.envs_in_use
        self.context = RoomContext(
            home, settings, blobs, self.doc_store, self.envs, self.rebind, self.broadcast_all
        )

    def broadcast_all(self, event: msgspec.Struct) -> None:
        """A daemon-wide event (pool warming) to every peer of every room."""
        for room in list(self.rooms.values()):
            room.broadcast(event)

    def envs_in_use(self) -> set[str]:
        """Owners and interpreters of live rooms: their environments are never collected."""
        used: set[str] = set()
        for room in self.rooms.values():
            used.add(room.id)
            if room.kernel.session is not None and room.kernel.session.python:
                used.add(room.kernel.session.python)
        return used

    def __repr__(self) -> str:
        return f"RoomRegistry(rooms={len(self.rooms)})"

    def room_for_path(self, path: Path) -> Room | None:
        notebook_id = self._by_path.get(path)
        return self.rooms.get(notebook_id) if notebook_id else None

    async def open_path(self, path_text: str) -> Room:
        path = canonical(path_text)
        if (room := self.room_for_path(path)) is not None:
            return room
        log.info("opening %s", path)
        data = await read_notebook_file(path)
        nb, repairs = read_ipynb(data, source=path)
        async with self._lock:
            if (room := self.room_for_path(path)) is not None:
                return room
            restored = self._restore_for_path(path, data, nb)
            if restored is None:
                room = self._register(import_notebook(nb, self.context.outputs))
            else:
                room = self._register(restored[0])
                room.restore(restored[1])
            room.bind_file(path, data)
            if repairs:
                room.file_repaired(repairs)
            self._by_path[path] = room.id
            await room.persist_now()
            return room

    def _restore_for_path(
        self, path: Path, data: bytes, nb: dict
    ) -> tuple[NotebookDoc, RoomRecord] | None:
        """The persisted document last bound to `path` (keeps unsaved edits), if usable,
        with its record."""
        for record in self.doc_store.records():
            if record.path != str(path) or record.notebook_id in self.rooms:
                continue
            loaded = self._load_persisted(record.notebook_id)
            if loaded is None:
                return None
            if record.file_sha256 != hashlib.sha256(data).hexdigest():
                merge_notebook(loaded, nb, self.context.outputs)
            return loaded, record
        return None

    def _load_persisted(self, notebook_id: str) -> NotebookDoc | None:
        stored = self.doc_store.load(notebook_id)
        if stored is None:
            return None
        try:
            return NotebookDoc.load(stored[1])
        except DocumentError as exc:
            if exc.code == "future_schema":
                raise
            log.error(
                "persisted notebook %s is unreadable (%s); keeping it aside", notebook_id, exc
            )
            self.doc_store.quarantine(notebook_id)
            return None

    async def create(self, folder: str | None = None, *, launch: bool = True) -> Room:
        """A new untitled notebook, living in `folder` (checked) until it is saved."""
        where = canonical(folder) if folder else None
        if where is not None and not where.is_dir():
            raise NbdeskError(f"folder {where} does not exist", code=ErrorCode.BAD_PATH)
        async with self._lock:
            room = self._register(NotebookDoc.create(new_notebook_id()))
            room.folder = where
            await room.persist_now()
        if launch:
            room.kernel.launch_in_background()
        return room

    async def join(self, notebook_id: str) -> Room:
        async with self._lock:
            if (room := self.rooms.get(NotebookId(notebook_id))) is not None:
                return room
            doc = self._load_persisted(notebook_id)
            if doc is None or doc.notebook_id != notebook_id:
                raise NbdeskError(f"no notebook {notebook_id!r}", code=ErrorCode.NO_SUCH_NOTEBOOK)
            record = self.doc_store.load_record(notebook_id)
            room = self._register(doc)
            if record is not None:
                room.restore(record)
            if record and record.path and canonical(record.path) not in self._by_path:
                path = canonical(record.path)
                try:
                    disk: bytes | None = await read_notebook_file(path)
                except NotebookFileError:
                    disk = None
                room.bind_file(path, disk)
                self._by_path[path] = room.id
                if disk is not None and record.file_sha256 != hashlib.sha256(disk).hexdigest():
                    await room.file.check_disk()  # type: ignore[union-attr]
            return room

    def _register(self, doc: NotebookDoc) -> Room:
        notebook_id = doc.notebook_id
        if notebook_id is None:
            raise DocumentError("document has no notebook_id")
        if doc.get_comms():
            doc.clear_comms()  # widgets of a kernel that no longer runs
        room = Room(notebook_id, doc, self.context)
        self.rooms[notebook_id] = room
        return room

    # -- lifetime ----------------------------------------------------------------------

    def peer_joined(self, room: Room) -> None:
        timer = self._evictions.pop(room.id, None)
        if timer is not None:
            timer.cancel()

    def peer_left(self, room: Room) -> None:
        if room.peers or room.state == RoomState.CLOSED:
            return
        timer = self._evictions.pop(room.id, None)
        if timer is not None:
            timer.cancel()
        self._evictions[room.id] = asyncio.get_running_loop().call_later(
            self.settings.keep_alive, lambda: asyncio.create_task(self.evict(room))
        )

    async def evict(self, room: Room) -> None:
        self._evictions.pop(room.id, None)
        if room.peers or self.rooms.get(room.id) is not room:
            return
        log.info("evicting %r after keep-alive", room)
        await room.close()
        self.rooms.pop(room.id, None)
        for path, notebook_id in list(self._by_path.items()):
            if notebook_id == room.id:
                del self._by_path[path]

    async def rebind(self, notebook_id: NotebookId, path_text: str) -> Path:
        """Save-as: bind the room to `path` in place (same id, same peers)."""
        room = self.rooms[notebook_id]
        path = canonical(path_text)
        owner = self.room_for_path(path)
        if owner is not None and owner is not room and not owner.peers:
            # Nobody has it open (say an earlier `nbdesk run -o` kept for its keep-alive):
            # close that room now rather than refuse the save.
            timer = self._evictions.pop(owner.id, None)
            if timer is not None:
                timer.cancel()
            await self.evict(owner)
            owner = self.room_for_path(path)
        if owner is not None and owner is not room:
            raise NbdeskError(f"{path} is open in another window", code=ErrorCode.PATH_IN_USE)
        if not path.parent.is_dir():
            raise NbdeskError(f"folder {path.parent} does not exist", code=ErrorCode.BAD_PATH)
        if owner is room:
            return path
        old = room.path
        await room.unbind_file()
        if old is not None:
            self._by_path.pop(old, None)
        file = room.bind_file(path, None)
        self._by_path[path] = room.id
        try:
            await file.write(explicit=True)
        except NbdeskError:
            await room.unbind_file()
            self._by_path.pop(path, None)
            if old is not None:
                room.bind_file(old, None)
                self._by_path[old] = room.id
            raise
        await room.persist_now()
        room.broadcast(PathChanged(path=str(path)))
        return path

    def all_docs(self) -> list[tuple[NotebookDoc, HistoryLog]]:
        """Every document that may reference blobs, with its history log: live rooms and
        persisted ones.

        Raises DocumentError when a persisted document cannot be read, so a blob sweep
        never runs without all of its roots.
        """
        docs = [(room.doc, room.history) for room in self.rooms.values()]
        for record in self.doc_store.records():
            if record.notebook_id in self.rooms:
                continue
            stored = self.doc_store.load(record.notebook_id)
            if stored is not None:
                doc = NotebookDoc.load(stored[1], migrate=False)
                history = self.doc_store.load_history(record.notebook_id)
                docs.append((doc, history or HistoryLog.start(doc)))
        return docs

    async def close_all(self) -> None:
        for timer in self._evictions.values():
            timer.cancel()
        self._evictions.clear()
        # All at once: each waits on its kernel stopping, and the daemon must stop promptly.
        rooms = list(self.rooms.values())
        results = await asyncio.gather(*(room.close() for room in rooms), return_exceptions=True)
        for room, result in zip(rooms, results, strict=True):
            if isinstance(result, Exception):
                log.error("closing %r failed", room, exc_info=result)
        self.rooms.clear()
        self._by_path.clear()
