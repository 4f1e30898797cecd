"""The content-addressed blob store and output manifests."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from daemon.blobs import BlobStore, hash_bytes, is_blob_hash
from daemon.errors import BlobError
from daemon.manifests import (
    INLINE_LIMIT,
    is_binary_mime,
    load_output,
    output_to_manifest,
    resolve_ref,
    store_output,
)


def test_put_get_is_content_addressed(store: BlobStore) -> None:
    h = store.put(b"hello")
    assert h == hash_bytes(b"hello") and is_blob_hash(h)
    assert store.put(b"hello") == h
    assert store.get(h) == b"hello"
    store.flush()
    assert (store.root / h[:2] / h[2:]).read_bytes() == b"hello"
    assert store.contains(h) and h in store.hashes()
    store.flush()
    store.delete(h)
    assert not store.contains(h)


@pytest.mark.parametrize("name", ["../etc/passwd", "ABC", "g" * 64, "a" * 63, "", "a" * 64 + "/x"])
def test_non_hex_names_are_refused(store: BlobStore, name: str) -> None:
    with pytest.raises(BlobError) as info:
        store.get(name)
    assert info.value.code == "bad_hash"
    assert not store.contains(name)


def test_unknown_blob_and_size_cap(tmp_path: Path) -> None:
    small = BlobStore(tmp_path / "b", max_size=10)
    with pytest.raises(BlobError) as info:
        small.get("0" * 64)
    assert info.value.code == "no_such_blob"
    with pytest.raises(BlobError) as info:
        small.put(b"x" * 11)
    assert info.value.code == "blob_too_large"
    assert small.hashes() == []


def test_no_temp_files_left_behind(store: BlobStore) -> None:
    for i in range(20):
        store.put(str(i).encode() * 100)
    store.flush()
    leftovers = list(store.root.rglob(".tmp-*"))
    assert leftovers == []
    assert len(store.hashes()) == 20


def test_blobs_are_readable_before_they_reach_the_disk(store: BlobStore) -> None:
    hashes = [store.put(bytes([i]) * 10_000) for i in range(50)]
    assert all(store.get(h) == bytes([i]) * 10_000 for i, h in enumerate(hashes))
    assert all(store.contains(h) for h in hashes)
    store.close()
    reopened = BlobStore(store.root)
    assert all(reopened.get(h) == bytes([i]) * 10_000 for i, h in enumerate(hashes))


def test_a_failed_write_surfaces_at_flush_and_loses_nothing_else(store: BlobStore) -> None:
    doomed = b"cannot be written"
    blocked = hash_bytes(doomed)
    (store.root / blocked[:2]).write_text("a file where the directory should be")
    fine = store.put(b"fine")
    store.put(doomed)
    with pytest.raises(BlobError) as info:
        store.flush()
    assert info.value.code == "blob_write"
    assert store.get(fine) == b"fine"
    store.flush()


@pytest.mark.parametrize(
    ("mime", "binary"),
    [
        ("image/png", True),
        ("image/svg+xml", False),
        ("application/pdf", True),
        ("application/json", False),
        ("application/vnd.jupyter.widget-view+json", False),
        ("text/html", False),
        ("video/mp4", True),
    ],
)
def test_binary_mime_rule(mime: str, binary: bool) -> None:
    assert is_binary_mime(mime) is binary


def test_manifest_inlines_small_text_and_blobs_large(store: BlobStore) -> None:
    small = "x" * (INLINE_LIMIT - 1)
    large = "y" * INLINE_LIMIT
    manifest = output_to_manifest(
        store,
        {
            "output_type": "display_data",
            "data": {"text/plain": small, "text/html": large},
            "metadata": {},
        },
    )
    assert manifest["data"]["text/plain"] == small
    assert manifest["data"]["text/html"] == {
        "blob": hash_bytes(large.encode()),
        "size": INLINE_LIMIT,
        "kind": "text",
    }


def test_binary_values_are_stored_decoded(store: BlobStore) -> None:
    raw = bytes(range(256))
    encoded = base64.b64encode(raw).decode()
    manifest = output_to_manifest(
        store, {"output_type": "display_data", "data": {"image/png": encoded}, "metadata": {}}
    )
    ref = manifest["data"]["image/png"]
    assert store.get(ref["blob"]) == raw and ref["kind"] == "binary" and "newlines" not in ref
    assert resolve_ref(store, ref) == encoded


def test_invalid_base64_is_kept_as_text(store: BlobStore) -> None:
    manifest = output_to_manifest(
        store, {"output_type": "display_data", "data": {"image/png": "not base64!"}, "metadata": {}}
    )
    assert manifest["data"]["image/png"] == "not base64!"


@pytest.mark.parametrize(
    "output",
    [
        {"output_type": "stream", "name": "stdout", "text": "a\nb\n" * 1000},
        {"output_type": "error", "ename": "E", "evalue": "v", "traceback": ["line"] * 500},
        {
            "output_type": "execute_result",
            "execution_count": 3,
            "metadata": {"x": 1},
            "data": {"application/json": {"k": list(range(500))}},
        },
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {"application/json": {"blob": "looks like a ref"}},
        },
    ],
)
def test_store_and_load_output_round_trip(store: BlobStore, output: dict) -> None:
    h = store_output(store, output)
    assert load_output(store, h) == output
    assert store_output(store, output) == h


def test_malformed_reference_is_a_clear_error(store: BlobStore) -> None:
    with pytest.raises(BlobError) as info:
        resolve_ref(store, 42)
    assert info.value.code == "bad_manifest"
