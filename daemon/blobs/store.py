"""Content-addressed blob store in a directory: `root/ab/cdef...` named by SHA-256.

Owns writing (atomic, size-capped), reading and hash validation. `put` hashes at once
and hands the file write to one background thread, so callers building documents or
handling kernel output never wait on the disk; a blob is readable through `get` from
the moment `put` returns. `flush()` waits for pending writes, makes them durable and
raises any write failure; callers flush before persisting a document that references
new blobs. A write that fails for want of space (a full disk, a quota) keeps its bytes
pending, served from memory, and is tried again on every flush until it works; any other
failure is raised once and the blob is dropped.

A blob's media type, when the caller gives one, lives in a sidecar `ab/cdef....type`;
the first type recorded for a blob wins. A blob's mtime is when it was last `put`
(re-putting an existing blob touches it), which is what garbage collection ages by.
Serving blobs over HTTP and deciding which ones are unreferenced live elsewhere.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import itertools
import logging
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from nbdesk.daemon.home.private import DIR_MODE, FILE_MODE, private_dir
from nbdesk.daemon.wire.errors import BlobError, ErrorCode
from nbdesk.daemon.wire.ids import BlobHash

log = logging.getLogger(__name__)

MAX_BLOB_SIZE = 100 * 1024 * 1024
TYPE_SUFFIX = ".type"
_HASH_RE = re.compile(r"[0-9a-f]{64}")
# RFC 9110 media type: token "/" token *( ";" token "=" ( token / quoted-string ) ).
# Anything else (a kernel can send any MIME key) is dropped rather than served.
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_MEDIA_TYPE_RE = re.compile(
    rf"{_TOKEN}/{_TOKEN}(?:[ \t]*;[ \t]*{_TOKEN}=(?:{_TOKEN}|\"[^\"\\\x00-\x1f\x7f]*\"))*"
)
_MAX_MEDIA_TYPE = 255
# Write failures that space coming back cures: those blobs are kept and written again.
OUT_OF_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_blob_hash(name: str) -> bool:
    return bool(_HASH_RE.fullmatch(name))


def valid_media_type(media_type: str | None) -> str | None:
    """`media_type` if it is safe to send as a Content-Type header, else None."""
    if media_type is None or len(media_type) > _MAX_MEDIA_TYPE:
        return None
    return media_type if _MEDIA_TYPE_RE.fullmatch(media_type) else None


def hash_bytes(data: bytes) -> BlobHash:
    return BlobHash(hashlib.sha256(data).hexdigest())


class BlobStore:
    """A directory of immutable blobs keyed by the SHA-256 of their bytes."""

    def __init__(self, root: Path | str, *, max_size: int = MAX_BLOB_SIZE) -> None:
        self.root = Path(root)
        self.max_size = max_size
        private_dir(self.root)
        self._lock = threading.Lock()
        self._pending: dict[BlobHash, bytes] = {}
        self._pending_types: dict[BlobHash, str] = {}
        self._unflushed: list[Path] = []
        self._failures: list[BlobError] = []
        self._unwritten: dict[BlobHash, Path] = {}  # writes that failed: retried on flush
        self._unwritten_types: dict[BlobHash, Path] = {}
        self._made_dirs: set[Path] = set()
        self._tmp_names = (f".tmp-{os.getpid()}-{n}" for n in itertools.count())
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nbdesk-blobs")

    def __repr__(self) -> str:
        return f"BlobStore({str(self.root)!r}, pending={len(self._pending)})"

    def path_for(self, blob_hash: str) -> Path:
        if not is_blob_hash(blob_hash):
            raise BlobError(f"not a blob hash: {blob_hash[:80]!r}", code=ErrorCode.BAD_HASH)
        return self.root / blob_hash[:2] / blob_hash[2:]

    def type_path_for(self, blob_hash: str) -> Path:
        return _type_path(self.path_for(blob_hash))

    def put(self, data: bytes, media_type: str | None = None) -> BlobHash:
        """Accept bytes (idempotent) and return their hash; the file is written behind.

        `media_type` is recorded unless the blob already has one; an invalid one is
        dropped (the blob is still stored).
        """
        if len(data) > self.max_size:
            raise BlobError(
                f"blob of {len(data)} bytes exceeds the {self.max_size}-byte limit",
                code=ErrorCode.BLOB_TOO_LARGE,
            )
        blob_hash = hash_bytes(data)
        path = self.path_for(blob_hash)
        checked_type = valid_media_type(media_type)
        if media_type is not None and checked_type is None:
            log.warning(
                "not recording invalid media type %r for blob %s", media_type[:80], blob_hash
            )
        with self._lock:
            # Under the lock so collect-garbage cannot delete between this check and
            # the caller referencing the blob: the touch makes the blob young again.
            if blob_hash not in self._pending and not _touch(path):
                self._pending[blob_hash] = bytes(data)
                self._writer.submit(self._write, blob_hash, path)
            if checked_type is not None and blob_hash not in self._pending_types:
                type_path = _type_path(path)
                if blob_hash in self._pending or not type_path.exists():
                    self._pending_types[blob_hash] = checked_type
                    self._writer.submit(self._write_type, blob_hash, type_path)
        return blob_hash

    def _write(self, blob_hash: BlobHash, path: Path) -> None:
        """Runs on the writer thread: temp file, then an atomic rename into place."""
        with self._lock:
            data = self._pending[blob_hash]
        failure = self._write_file(path, data)
        with self._lock:
            if failure is None:
                self._unflushed.append(path)
                self._pending.pop(blob_hash, None)
                return
            self._failures.append(_write_error(f"blob {blob_hash}", failure))
            if failure.errno in OUT_OF_SPACE:
                # The bytes stay pending (served from memory) and the next flush writes
                # them again: a full disk must not lose an output.
                self._unwritten[blob_hash] = path
            else:
                self._pending.pop(blob_hash, None)

    def _write_type(self, blob_hash: BlobHash, path: Path) -> None:
        """Runs on the writer thread, after the blob's own write: first type wins."""
        with self._lock:
            media_type = self._pending_types[blob_hash]
        failure = None
        if not path.exists():
            failure = self._write_file(path, media_type.encode())
        with self._lock:
            if failure is None:
                self._unflushed.append(path)
                self._pending_types.pop(blob_hash, None)
                return
            self._failures.append(_write_error(f"media type of {blob_hash}", failure))
            if failure.errno in OUT_OF_SPACE:
                self._unwritten_types[blob_hash] = path
            else:
                self._pending_types.pop(blob_hash, None)

    def _write_file(self, path: Path, data: bytes) -> OSError | None:
        tmp = path.parent / next(self._tmp_names)
        try:
            if path.parent not in self._made_dirs:
                path.parent.mkdir(mode=DIR_MODE, exist_ok=True)
                self._made_dirs.add(path.parent)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            return exc
        return None

    def get(self, blob_hash: str) -> bytes:
        with self._lock:
            pending = self._pending.get(BlobHash(blob_hash))
        if pending is not None:
            return pending
        try:
            return self.path_for(blob_hash).read_bytes()
        except FileNotFoundError as exc:
            raise BlobError(f"no blob {blob_hash}", code=ErrorCode.NO_SUCH_BLOB) from exc

    def open(self, blob_hash: str) -> BinaryIO:
        """A readable file for the blob (its bytes in memory while still pending)."""
        with self._lock:
            pending = self._pending.get(BlobHash(blob_hash))
        if pending is not None:
            return io.BytesIO(pending)
        try:
            return self.path_for(blob_hash).open("rb")
        except FileNotFoundError as exc:
            raise BlobError(f"no blob {blob_hash}", code=ErrorCode.NO_SUCH_BLOB) from exc

    def media_type(self, blob_hash: str) -> str | None:
        """The media type recorded for the blob, or None."""
        type_path = self.type_path_for(blob_hash)
        with self._lock:
            pending = self._pending_types.get(BlobHash(blob_hash))
        if pending is not None:
            return pending
        try:
            raw = type_path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            return valid_media_type(raw.decode("ascii"))
        except UnicodeDecodeError:
            return None

    def contains(self, blob_hash: str) -> bool:
        if not is_blob_hash(blob_hash):
            return False
        with self._lock:
            if blob_hash in self._pending:
                return True
        return self.path_for(blob_hash).exists()

    def flush(self) -> None:
        """Write again what failed before, wait for pending writes, make them durable, and
        raise the first that failed (its bytes stay pending for the next flush)."""
        with self._lock:
            retry, self._unwritten = self._unwritten, {}
            retry_types, self._unwritten_types = self._unwritten_types, {}
            for blob_hash, path in retry.items():
                self._writer.submit(self._write, blob_hash, path)
            for blob_hash, path in retry_types.items():
                self._writer.submit(self._write_type, blob_hash, path)
        self._writer.submit(lambda: None).result()
        with self._lock:
            written, self._unflushed = self._unflushed, []
            failures, self._failures = self._failures, []
        for path in written:
            _fsync(path)
        for directory in {path.parent for path in written}:
            _fsync(directory)
        if failures:
            raise failures[0]

    def close(self) -> None:
        """Flush and stop the writer thread."""
        try:
            self.flush()
        finally:
            self._writer.shutdown(wait=True)

    def hashes(self) -> list[BlobHash]:
        """Every stored blob (for garbage collection)."""
        self.flush()
        found: list[BlobHash] = []
        for sub in self.root.iterdir():
            if sub.is_dir() and len(sub.name) == 2:
                found.extend(
                    BlobHash(sub.name + p.name)
                    for p in sub.iterdir()
                    if is_blob_hash(sub.name + p.name)
                )
        return found

    def delete(self, blob_hash: str) -> None:
        path = self.path_for(blob_hash)
        with self._lock:
            path.unlink(missing_ok=True)
            _type_path(path).unlink(missing_ok=True)

    def delete_if_older(self, blob_hash: str, cutoff: float) -> int | None:
        """Delete the blob (and its media type) unless it was put at or after `cutoff`.

        Returns the bytes freed, or None when the blob is kept or already gone. Atomic
        with respect to `put`, so a blob re-put during collection is never lost.
        """
        path = self.path_for(blob_hash)
        with self._lock:
            if blob_hash in self._pending:
                return None
            try:
                info = path.stat()
            except FileNotFoundError:
                return None
            if info.st_mtime >= cutoff:
                return None
            path.unlink(missing_ok=True)
            _type_path(path).unlink(missing_ok=True)
        return info.st_size


def _write_error(what: str, exc: OSError) -> BlobError:
    return BlobError(f"cannot write {what}: {exc}", code=ErrorCode.BLOB_WRITE)


def _type_path(blob_path: Path) -> Path:
    return blob_path.with_name(blob_path.name + TYPE_SUFFIX)


def _touch(path: Path) -> bool:
    """Refresh the file's mtime; False when it does not exist."""
    try:
        os.utime(path)
    except FileNotFoundError:
        return False
    except OSError:
        return path.exists()
    return True


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
