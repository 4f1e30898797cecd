"""Content-addressed blob store in a directory: `root/ab/cdef...` named by SHA-256.

Owns writing (atomic, size-capped), reading and hash validation. Blobs are written
without fsync for speed; `flush()` makes every blob written since the last flush
durable, and callers flush before persisting a document that references them. Serving
blobs over HTTP and collecting unreferenced ones live elsewhere.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
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
        self._unflushed: list[Path] = []
        self.root.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"BlobStore({str(self.root)!r})"

    def path_for(self, blob_hash: str) -> Path:
        if not is_blob_hash(blob_hash):
            raise BlobError(f"not a blob hash: {blob_hash[:80]!r}", code="bad_hash")
        return self.root / blob_hash[:2] / blob_hash[2:]

    def put(self, data: bytes) -> BlobHash:
        """Store bytes (idempotent) and return their hash."""
        if len(data) > self.max_size:
            raise BlobError(
                f"blob of {len(data)} bytes exceeds the {self.max_size}-byte limit",
                code="blob_too_large",
            )
        blob_hash = hash_bytes(data)
        path = self.path_for(blob_hash)
        if path.exists():
            return blob_hash
        path.parent.mkdir(exist_ok=True)
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except OSError as exc:
            raise BlobError(f"cannot write blob {blob_hash}: {exc}", code="blob_write") from exc
        self._unflushed.append(path)
        return blob_hash

    def get(self, blob_hash: str) -> bytes:
        try:
            return self.path_for(blob_hash).read_bytes()
        except FileNotFoundError as exc:
            raise BlobError(f"no blob {blob_hash}", code="no_such_blob") from exc

    def contains(self, blob_hash: str) -> bool:
        return is_blob_hash(blob_hash) and self.path_for(blob_hash).exists()

    def flush(self) -> None:
        """Make every blob written since the last flush durable."""
        pending, self._unflushed = self._unflushed, []
        for path in pending:
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        for directory in {path.parent for path in pending}:
            fd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def hashes(self) -> list[BlobHash]:
        """Every stored blob (for garbage collection)."""
        found = []
        for sub in self.root.iterdir():
            if sub.is_dir() and len(sub.name) == 2:
                found.extend(BlobHash(sub.name + p.name) for p in sub.iterdir() if is_blob_hash(sub.name + p.name))
        return found

    def delete(self, blob_hash: str) -> None:
        self.path_for(blob_hash).unlink(missing_ok=True)
