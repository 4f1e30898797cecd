"""A blob written into a full disk is not lost: its bytes stay readable from memory and
every flush writes them again until the disk has room (an output is never dropped)."""

from __future__ import annotations

import os

import pytest
from conftest import SmallDisk, fill_disk

from nbdesk.daemon.blobs.store import BlobStore
from nbdesk.daemon.wire.errors import BlobError


def test_a_blob_put_on_a_full_disk_is_written_once_there_is_room(small_disk: SmallDisk) -> None:
    disk = small_disk("1m")
    store = BlobStore(disk / "blobs")
    filler = fill_disk(disk)
    data = os.urandom(200_000)
    blob_hash = store.put(data, "image/png")
    assert store.get(blob_hash) == data
    with pytest.raises(BlobError) as full:
        store.flush()
    assert "No space left on device" in str(full.value)
    # Still pending, still served, and a second flush on a still-full disk fails again.
    assert store.get(blob_hash) == data
    assert store.media_type(blob_hash) == "image/png"
    assert store.contains(blob_hash)
    with pytest.raises(BlobError):
        store.flush()
    assert not store.path_for(blob_hash).exists()
    assert not [p for p in (disk / "blobs").rglob(".tmp-*")], "no temp file is left behind"

    filler.unlink()
    store.flush()
    assert store.path_for(blob_hash).read_bytes() == data
    store.close()
    reopened = BlobStore(disk / "blobs")
    assert reopened.get(blob_hash) == data
    assert reopened.media_type(blob_hash) == "image/png"
    reopened.close()
