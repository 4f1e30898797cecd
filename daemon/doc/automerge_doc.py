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
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from automerge import core

from nbdesk.daemon.wire.enums import HistoryAuthor
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


def parse_heads(heads_hex: list[str]) -> list[bytes]:
    """Hex change hashes (the JS `getHeads` form) as the binding's bytes."""
    try:
        heads = [bytes.fromhex(h) for h in heads_hex]
    except ValueError as exc:
        raise DocumentError(f"bad change hash: {exc}", code=ErrorCode.BAD_HEADS) from exc
    if any(len(h) != 32 for h in heads):
        raise DocumentError("a change hash is 32 bytes (64 hex digits)", code=ErrorCode.BAD_HEADS)
    return heads


class _ReaderAt:
    """The binding's reads as of fixed heads: what a read-only view reads through."""

    __slots__ = ("_doc", "_heads")

    def __init__(self, doc: core.Document, heads: list[bytes]) -> None:
        self._doc = doc
        self._heads = heads

    def get(self, obj: bytes, prop: str | int) -> Any:
        return self._doc.get(obj, prop, self._heads)

    def keys(self, obj: bytes) -> list[str]:
        return list(self._doc.keys(obj, self._heads))

    def values(self, obj: bytes) -> Any:
        return self._doc.values(obj, self._heads)

    def length(self, obj: bytes) -> int:
        return int(self._doc.length(obj, self._heads))

    def text(self, obj: bytes) -> str:
        return str(self._doc.text(obj, self._heads))


class AutomergeDoc:
    """An Automerge document with guarded reads, grouped writes and per-peer sync.

    Writes can be made as one of the history's authors (`change(author=...)`): each
    author gets an actor of its own in this replica, so the history can tell the kernel's
    outputs and the file's imports from the daemon's other writes. `at(heads)` is a
    read-only view of the document as it was at `heads`, read by the same accessors.
    """

    def __init__(self, doc: core.Document) -> None:
        self._doc = doc
        self._tx: Any = None
        self._known_changes: set[bytes] = set()
        self._known_at: list[bytes] = []
        self._at: _ReaderAt | None = None
        self._actors: dict[HistoryAuthor, bytes] = {HistoryAuthor.DAEMON: bytes(doc.get_actor())}

    def at(self, heads_hex: list[str]) -> Any:
        """A read-only view of the document at `heads` (which it must contain)."""
        heads = parse_heads(heads_hex)
        if not self.contains_heads(heads_hex):
            raise DocumentError(
                "this notebook's history has no such point (unknown heads)",
                code=ErrorCode.UNKNOWN_HEADS,
            )
        view = type(self)(self._doc)
        view._at = _ReaderAt(self._doc, heads)
        return view

    def author_actors(self) -> dict[str, HistoryAuthor]:
        """The actors (hex) this replica wrote with, by author."""
        return {actor.hex(): author for author, actor in self._actors.items()}

    def save(self) -> bytes:
        with automerge_guard("saving the document"):
            return bytes(self._doc.save())

    def fork(self) -> Any:
        """An independent copy with its own (fresh, random) actor."""
        with automerge_guard("forking the document"):
            return type(self)(self._doc.fork())

    # -- transactions -------------------------------------------------------------

    @contextmanager
    def change(self, author: HistoryAuthor | None = None) -> Iterator[None]:
        """Group writes into one Automerge change; nested uses join the outer one. With
        an `author`, the change is made with that author's actor."""
        if self._at is not None:
            raise DocumentError("a view of the past is read-only")
        if self._tx is not None:
            yield
            return
        with (
            automerge_guard("changing the document"),
            self._acting_as(author),
            self._doc.transaction() as tx,
        ):
            self._tx = tx
            try:
                yield
            finally:
                self._tx = None

    @contextmanager
    def _acting_as(self, author: HistoryAuthor | None) -> Iterator[None]:
        if author is None or author == HistoryAuthor.DAEMON:
            yield
            return
        actor = self._actors.get(author)
        if actor is None:
            actor = self._actors[author] = os.urandom(16)
        self._doc.set_actor(actor)
        try:
            yield
        finally:
            self._doc.set_actor(self._actors[HistoryAuthor.DAEMON])

    @property
    def _reader(self) -> Any:
        if self._at is not None:
            return self._at
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
        return self._scalar_of(self._get(obj, prop), prop, default)

    def _scalar_of(self, got: Any, prop: str | int, default: Any = None) -> Any:
        """The scalar (or text) a `get`/`values` entry holds."""
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

    def _props(self, obj: bytes) -> dict[str, Any] | None:
        """Every entry of a map in two calls (reading a whole notebook is thousands of
        reads); None when one value cannot be converted, so callers read key by key."""
        try:
            with automerge_guard("reading a map"):
                return dict(zip(self._reader.keys(obj), self._reader.values(obj), strict=True))
        except DocumentError as exc:
            if exc.code != "unsupported_value":
                raise
            return None

    def _object(self, obj: bytes, prop: str | int, kind: core.ObjType) -> bytes | None:
        return self._object_of(self._get(obj, prop), prop, kind)

    def _object_of(self, got: Any, prop: str | int, kind: core.ObjType) -> bytes | None:
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
        wanted = parse_heads(heads_hex)
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

    def changes(self, since: list[bytes] | None = None) -> list[Any]:
        """The binding's Change objects (hash, actor_id, seq, timestamp, deps) in causal
        order: all of them, or those not in the history of `since`."""
        with automerge_guard("listing changes"):
            return list(self._doc.get_changes(since or []))

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
