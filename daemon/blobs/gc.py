"""Garbage collection of blobs that no notebook references any more.

The roots are the manifest hashes in every cell's and every comm's `outputs`, now and
at the points of each notebook's history within the user's retention
(`nbdesk.daemon.doc.history_outputs`); each manifest keeps alive the blobs it references. A blob is deleted only when it is
unreferenced *and* was last put longer than `min_age_seconds` ago: outputs being written
right now (put, but not yet in any document the caller passed) are never collected, and
`BlobStore.put` refreshes the age of a blob it is handed again.

Owns the marking and the sweep; which documents count (live rooms, persisted rooms) and
when to run is the caller's business. Reading documents is cheap and must happen where
the documents live; reading manifests and sweeping touch the disk, so callers run
`expand_references` and `collect_garbage` on a worker thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

from nbdesk.daemon.blobs.manifests import blob_refs, load_manifest
from nbdesk.daemon.blobs.store import BlobStore, is_blob_hash
from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.daemon.wire.errors import BlobError

log = logging.getLogger(__name__)

DEFAULT_MIN_AGE_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class GcReport:
    deleted: int
    kept: int
    bytes_freed: int


def output_hashes(docs: Iterable[NotebookDoc]) -> set[str]:
    """Every manifest hash in the documents' cell and comm outputs (documents only)."""
    found: set[str] = set()
    for doc in docs:
        found.update(doc.output_hashes())
    return found


def expand_references(store: BlobStore, manifest_hashes: Iterable[str]) -> set[str]:
    """The manifests plus every blob they reference; unreadable manifests are logged."""
    referenced: set[str] = set()
    for manifest_hash in manifest_hashes:
        if not is_blob_hash(manifest_hash):
            log.warning("ignoring an output that is not a blob hash: %r", manifest_hash[:80])
            continue
        referenced.add(manifest_hash)
        try:
            manifest = load_manifest(store, manifest_hash)
        except (BlobError, OSError) as exc:
            log.warning("cannot read manifest %s; keeping it: %s", manifest_hash, exc)
            continue
        referenced.update(blob_refs(manifest))
    return referenced


def referenced_hashes(store: BlobStore, docs: Iterable[NotebookDoc]) -> set[str]:
    """Every blob the documents keep alive: their manifests and what those reference."""
    return expand_references(store, output_hashes(docs))


def collect_garbage(
    store: BlobStore,
    referenced: set[str],
    *,
    min_age_seconds: float = DEFAULT_MIN_AGE_SECONDS,
) -> GcReport:
    """Delete every blob not in `referenced` that was last put before `min_age_seconds` ago."""
    store.flush()
    cutoff = time.time() - min_age_seconds
    deleted = kept = bytes_freed = 0
    for blob_hash in store.hashes():
        if blob_hash in referenced:
            kept += 1
            continue
        try:
            freed = store.delete_if_older(blob_hash, cutoff)
        except OSError as exc:
            log.warning("cannot delete blob %s: %s", blob_hash, exc)
            freed = None
        if freed is None:
            kept += 1
        else:
            deleted += 1
            bytes_freed += freed
    if deleted:
        log.info("collected %d unreferenced blobs (%d bytes); kept %d", deleted, bytes_freed, kept)
    return GcReport(deleted=deleted, kept=kept, bytes_freed=bytes_freed)
