"""The boundary with the pinned Automerge binding: guarded calls, transactions, sync.

`automerge==0.2.0.dev4` has hazards this module contains: a Transaction left open when its
Document dies segfaults, so transactions are only ever entered with `with`; counters
make it panic with a PanicException (a BaseException), which becomes a DocumentError
here; a panic inside a write poisons the document, so nothing here writes counters.
`AutomergeDoc` gives subclasses typed reads and one-change-at-a-time writes; it knows
nothing of notebooks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from automerge import core

from nbdesk.daemon.wire.errors import DocumentError, ErrorCode, NbdeskError
from nbdesk.daemon.wire.ids import BlobHash

log = logging.getLogger(__name__)

_ROOT = core.ROOT
_Map = core.ObjType.Map
_Text = core.ObjType.Text
_List = core.ObjType.List


def _is_panic(exc: BaseException) -> bool:
    return type(exc).__name__ == "PanicException"


@contextmanager
def automerge_guard(action: str) -> Iterator[None]:
    """Translate the binding's errors, panics included, into DocumentError."""
    try:
        yield
    except NbdeskError:
        raise
    except Exception as exc:
        raise DocumentError(f"{action} failed: {exc}") from exc
    except BaseException as exc:
        if not _is_panic(exc):
            raise
        raise DocumentError(
            f"{action} failed: the document holds a value the Automerge binding cannot "
            "handle (a counter or unknown type written by another peer)",
            code=ErrorCode.UNSUPPORTED_VALUE,
        ) from None


class SyncPeer:
    """Sync state for one remote replica over one connection.

    Create it when the connection opens and drop it when it closes; never share it
    between replicas or reuse it after a reconnect (automerge-notes §4.2).
    """

    __slots__ = ("messages_received", "messages_sent", "name", "state")

    def __init__(self, name: str = "peer") -> None:
        self.name = name
        self.state = core.SyncState()
        self.messages_sent = 0
        self.messages_received = 0

    def __repr__(self) -> str:
        return f"SyncPeer({self.name!r}, sent={self.messages_sent}, recv={self.messages_received})"


class AutomergeDoc:
    """An Automerge document with guarded reads, grouped writes and per-peer sync."""

    def __init__(self, doc: core.Document) -> None:
        self._doc = doc
        self._tx: Any = None
        self._known_changes: set[bytes] = set()
        self._known_at: list[bytes] = []

    def save(self) -> bytes:
        with automerge_guard("saving the document"):
            return bytes(self._doc.save())

    def fork(self) -> Any:
        """An independent copy with its own (fresh, random) actor."""
        with automerge_guard("forking the document"):
            return type(self)(self._doc.fork())

    # -- transactions -------------------------------------------------------------

    @contextmanager
    def change(self) -> Iterator[None]:
        """Group writes into one Automerge change; nested uses join the outer one."""
        if self._tx is not None:
            yield
            return
        with automerge_guard("changing the document"), self._doc.transaction() as tx:
            self._tx = tx
            try:
                yield
            finally:
                self._tx = None

    @property
    def _reader(self) -> Any:
        return self._tx if self._tx is not None else self._doc

    def _get(self, obj: bytes, prop: str | int) -> Any:
        """The value at `prop`. A value the binding cannot convert (another peer's counter)
        reads as absent, so one bad value cannot make listings, the cell order or `load`
        fail; read panics do not poison the document, so going on is safe.
        """
        try:
            with automerge_guard(f"reading {prop!r}"):
                return self._reader.get(obj, prop)
        except DocumentError as exc:
            if exc.code != "unsupported_value":
                raise
            log.warning("%s; reading it as absent", exc)
            return None

    def _scalar(self, obj: bytes, prop: str | int, default: Any = None) -> Any:
        got = self._get(obj, prop)
        if got is None:
            return default
        value, _ = got
        if isinstance(value, tuple):
            return value[1]
        if value == _Text:
            return self._reader.text(got[1])
        raise DocumentError(
            f"{prop!r} holds a {value}, expected a scalar", code=ErrorCode.BAD_SCHEMA
        )

    def _object(self, obj: bytes, prop: str | int, kind: core.ObjType) -> bytes | None:
        got = self._get(obj, prop)
        if got is None:
            return None
        value, obj_id = got
        if value != kind:
            raise DocumentError(f"{prop!r} is not a {kind}", code=ErrorCode.BAD_SCHEMA)
        return bytes(obj_id)

    def _root_map(self, name: str) -> bytes:
        obj = self._object(_ROOT, name, _Map)
        if obj is None:
            raise DocumentError(
                f"the document has no {name!r} map yet (a replica must sync before editing)",
                code=ErrorCode.NOT_SYNCED,
            )
        return obj

    def _str_list(self, obj: bytes | None) -> tuple[BlobHash, ...]:
        if obj is None:
            return ()
        try:
            with automerge_guard("reading a list"):
                return tuple(BlobHash(v[0][1]) for v in self._reader.values(obj))
        except DocumentError as exc:
            if exc.code != "unsupported_value":
                raise
            log.warning("%s; reading the list as empty", exc)
            return ()

    def _list_in(self, obj: bytes, key: str) -> bytes:
        found = self._object(obj, key, _List)
        return found if found is not None else bytes(self._tx.put_object(obj, key, _List))

    def _replace_str_list(self, obj: bytes, key: str, values: list[str] | tuple[str, ...]) -> None:
        """Put a fresh list of strings at `key` (replacing, not editing, the old one)."""
        items = self._tx.put_object(obj, key, _List)
        for index, value in enumerate(values):
            self._tx.insert(items, index, core.ScalarType.Str, value)

    def _clear_list(self, obj: bytes, key: str) -> None:
        found = self._object(obj, key, _List)
        if found is not None and self._reader.length(found):
            self._tx.put_object(obj, key, _List)

    # -- heads and sync ---------------------------------------------------------------

    def heads(self) -> list[bytes]:
        with automerge_guard("reading heads"):
            return [bytes(h) for h in self._doc.get_heads()]

    def heads_hex(self) -> list[str]:
        return sorted(h.hex() for h in self.heads())

    def contains_heads(self, heads_hex: list[str]) -> bool:
        """True when every given change hash is part of this document's history."""
        try:
            wanted = [bytes.fromhex(h) for h in heads_hex]
        except ValueError as exc:
            raise DocumentError(f"bad change hash: {exc}", code=ErrorCode.BAD_HEADS) from exc
        if not wanted:
            return True
        self._learn_changes()
        return all(h in self._known_changes for h in wanted)

    def _learn_changes(self) -> None:
        """Add the hashes of changes since the last look (the binding's `fork_at` can panic
        on valid heads, and it has no lookup by hash)."""
        heads = self.heads()
        if heads == self._known_at:
            return
        with automerge_guard("listing changes"):
            changes = self._doc.get_changes(self._known_at)
        self._known_changes.update(bytes(change.hash) for change in changes)
        self._known_at = heads

    def generate_sync_message(self, peer: SyncPeer) -> bytes | None:
        """The next message for `peer`, or None when it has nothing new to hear."""
        with automerge_guard("generating a sync message"):
            message = self._doc.generate_sync_message(peer.state)
        if message is None:
            return None
        peer.messages_sent += 1
        return bytes(message.encode())

    def receive_sync_message(self, peer: SyncPeer, data: bytes) -> bool:
        """Apply a message from `peer`; True when the document changed."""
        with automerge_guard("decoding a sync message"):
            message = core.Message.decode(bytes(data))
        before = self.heads()
        with automerge_guard("applying a sync message"):
            self._doc.receive_sync_message(peer.state, message)
        peer.messages_received += 1
        return self.heads() != before
