"""Content-addressed blob store in a directory: `root/ab/cdef...` named by SHA-256.

Owns writing (atomic, size-capped), reading and hash validation. `put` hashes at once
and hands the file write to one background thread, so callers building documents or
handling kernel output never wait on the disk; a blob is readable through `get` from
the moment `put` returns. `flush()` waits for pending writes, makes them durable and
raises any write failure; callers flush before persisting a document that references
new blobs. Serving blobs over HTTP and collecting unreferenced ones live elsewhere.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from daemon.errors import BlobError
from daemon.ids import BlobHash

MAX_BLOB_SIZE = 100 * 1024 * 1024
_HASH_RE = re.compile(r"[0-9a-f]{64}")


def is_blob_hash(name: str) -> bool:
    return bool(_HASH_RE.fullmatch(name))


def hash_bytes(data: bytes) -> BlobHash:
    return BlobHash(hashlib.sha256(data).hexdigest())


class BlobStore:
    """A directory of immutable blobs keyed by the SHA-256 of their bytes."""

    def __init__(self, root: Path | str, *, max_size: int = MAX_BLOB_SIZE) -> None:
        self.root = Path(root)
        self.max_size = max_size
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._pending: dict[BlobHash, bytes] = {}
        self._unflushed: list[Path] = []
        self._failures: list[BlobError] = []
        self._made_dirs: set[Path] = set()
        self._tmp_names = (f".tmp-{os.getpid()}-{n}" for n in itertools.count())
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nbdesk-blobs")

    def __repr__(self) -> str:
        return f"BlobStore({str(self.root)!r}, pending={len(self._pending)})"

    def path_for(self, blob_hash: str) -> Path:
        if not is_blob_hash(blob_hash):
            raise BlobError(f"not a blob hash: {blob_hash[:80]!r}", code="bad_hash")
        return self.root / blob_hash[:2] / blob_hash[2:]

    def put(self, data: bytes) -> BlobHash:
        """Accept bytes (idempotent) and return their hash; the file is written behind."""
        if len(data) > self.max_size:
            raise BlobError(
                f"blob of {len(data)} bytes exceeds the {self.max_size}-byte limit",
                code="blob_too_large",
            )
        blob_hash = hash_bytes(data)
        path = self.path_for(blob_hash)
        with self._lock:
            if blob_hash in self._pending:
                return blob_hash
        if path.exists():
            return blob_hash
        with self._lock:
            self._pending[blob_hash] = bytes(data)
        self._writer.submit(self._write, blob_hash, path)
        return blob_hash

    def _write(self, blob_hash: BlobHash, path: Path) -> None:
        """Runs on the writer thread: temp file, then an atomic rename into place."""
        with self._lock:
            data = self._pending[blob_hash]
        tmp = path.parent / next(self._tmp_names)
        try:
            if path.parent not in self._made_dirs:
                path.parent.mkdir(exist_ok=True)
                self._made_dirs.add(path.parent)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
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
            failure = BlobError(f"cannot write blob {blob_hash}: {exc}", code="blob_write")
            with self._lock:
                self._failures.append(failure)
                self._pending.pop(blob_hash, None)
            return
        with self._lock:
            self._unflushed.append(path)
            self._pending.pop(blob_hash, None)

    def get(self, blob_hash: str) -> bytes:
        with self._lock:
            pending = self._pending.get(BlobHash(blob_hash))
        if pending is not None:
            return pending
        try:
            return self.path_for(blob_hash).read_bytes()
        except FileNotFoundError as exc:
            raise BlobError(f"no blob {blob_hash}", code="no_such_blob") from exc

    def contains(self, blob_hash: str) -> bool:
        if not is_blob_hash(blob_hash):
            return False
        with self._lock:
            if blob_hash in self._pending:
                return True
        return self.path_for(blob_hash).exists()

    def flush(self) -> None:
        """Wait for pending writes, make them durable, and raise the first that failed."""
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
        self.path_for(blob_hash).unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
