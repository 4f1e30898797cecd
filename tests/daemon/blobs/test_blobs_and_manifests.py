"""The content-addressed blob store and output manifests."""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path

import pytest

from nbdesk.daemon.blobs.manifests import (
    INLINE_LIMIT,
    blob_refs,
    display_id_of,
    is_binary_mime,
    load_manifest,
    load_output,
    manifest_to_output,
    output_to_manifest,
    resolve_ref,
    store_output,
)
from nbdesk.daemon.blobs.store import BlobStore, hash_bytes, is_blob_hash
from nbdesk.daemon.wire.errors import BlobError


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
        # JSON values that are lists stay lists (they are not lines of text to join)
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {
                "application/json": [1, 2],
                "application/vnd.vegalite.v5+json": ["a", "b"],
            },
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


# -- media types ----------------------------------------------------------------------


def test_media_type_is_recorded_beside_the_blob(store: BlobStore) -> None:
    h = store.put(b"<svg/>", "image/svg+xml; charset=utf-8")
    assert store.media_type(h) == "image/svg+xml; charset=utf-8"  # still pending
    store.flush()
    sidecar = store.root / h[:2] / (h[2:] + ".type")
    assert sidecar.read_text() == "image/svg+xml; charset=utf-8"
    assert store.hashes() == [h]
    assert BlobStore(store.root).media_type(h) == "image/svg+xml; charset=utf-8"


def test_first_media_type_wins(store: BlobStore) -> None:
    h = store.put(b"same bytes", "text/plain; charset=utf-8")
    assert store.put(b"same bytes", "text/html; charset=utf-8") == h
    assert store.media_type(h) == "text/plain; charset=utf-8"
    store.flush()
    store.put(b"same bytes", "text/html; charset=utf-8")
    store.flush()
    assert BlobStore(store.root).media_type(h) == "text/plain; charset=utf-8"


def test_a_later_put_adds_a_missing_media_type(store: BlobStore) -> None:
    h = store.put(b"untyped")
    store.flush()
    assert store.media_type(h) is None
    store.put(b"untyped", "image/png")
    assert store.media_type(h) == "image/png"
    store.flush()
    assert BlobStore(store.root).media_type(h) == "image/png"


@pytest.mark.parametrize(
    "media_type",
    ["text/html\r\nSet-Cookie: a=b", "text", "text/html; charset", 'a/b; c="\n"', "x/" + "y" * 300],
)
def test_invalid_media_types_are_dropped_and_the_blob_kept(
    store: BlobStore, media_type: str
) -> None:
    h = store.put(b"payload", media_type)
    assert store.get(h) == b"payload"
    assert store.media_type(h) is None
    store.flush()
    assert not (store.root / h[:2] / (h[2:] + ".type")).exists()


def test_delete_removes_the_media_type(store: BlobStore) -> None:
    h = store.put(b"gone soon", "text/plain; charset=utf-8")
    store.flush()
    store.delete(h)
    assert not store.contains(h) and store.media_type(h) is None
    assert list(store.root.rglob("*")) == [store.root / h[:2]]


def test_media_type_refuses_bad_hashes(store: BlobStore) -> None:
    with pytest.raises(BlobError) as info:
        store.media_type("../" + "a" * 61)
    assert info.value.code == "bad_hash"


def test_putting_an_existing_blob_again_makes_it_young(store: BlobStore) -> None:
    h = store.put(b"reused")
    store.flush()
    path = store.path_for(h)
    old = time.time() - 86_400
    os.utime(path, (old, old))
    assert store.delete_if_older(h, time.time() - 3600) is not None
    h = store.put(b"reused")
    store.flush()
    os.utime(path, (old, old))
    store.put(b"reused")
    assert store.delete_if_older(h, time.time() - 3600) is None
    assert store.get(h) == b"reused"


def test_open_reads_pending_and_written_blobs(store: BlobStore) -> None:
    h = store.put(b"x" * 5000)
    with store.open(h) as pending:
        assert pending.read() == b"x" * 5000
    store.flush()
    with store.open(h) as written:
        assert written.read() == b"x" * 5000
    with pytest.raises(BlobError) as info:
        store.open("0" * 64)
    assert info.value.code == "no_such_blob"


def _media_type_of(store: BlobStore, ref: object) -> str | None:
    assert isinstance(ref, dict)
    return store.media_type(ref["blob"])


def test_manifest_blobs_carry_their_media_types(store: BlobStore) -> None:
    png = base64.b64encode(bytes(range(256)) * 8).decode()
    big = "z" * INLINE_LIMIT
    output = {
        "output_type": "display_data",
        "metadata": {},
        "data": {
            "image/png": png,
            "image/svg+xml": f"<svg>{big}</svg>",
            "text/html": f"<p>{big}</p>",
            "application/javascript": f"//{big}",
            "application/vnd.custom+json": {"k": big},
        },
    }
    manifest = output_to_manifest(store, output)
    data = manifest["data"]
    assert _media_type_of(store, data["image/png"]) == "image/png"
    assert _media_type_of(store, data["image/svg+xml"]) == "image/svg+xml; charset=utf-8"
    assert _media_type_of(store, data["text/html"]) == "text/html; charset=utf-8"
    assert (
        _media_type_of(store, data["application/javascript"])
        == "application/javascript; charset=utf-8"
    )
    assert _media_type_of(store, data["application/vnd.custom+json"]) == "application/json"
    assert store.media_type(store_output(store, output)) == "application/json"


def test_stream_text_and_tracebacks_carry_media_types(store: BlobStore) -> None:
    stream = output_to_manifest(
        store, {"output_type": "stream", "name": "stdout", "text": "a" * INLINE_LIMIT}
    )
    assert _media_type_of(store, stream["text"]) == "text/plain; charset=utf-8"
    error = output_to_manifest(
        store,
        {"output_type": "error", "ename": "E", "evalue": "", "traceback": ["t" * INLINE_LIMIT]},
    )
    assert _media_type_of(store, error["traceback"]) == "application/json"


def test_text_that_is_not_base64_is_served_as_plain_text(store: BlobStore) -> None:
    bogus = "not base64! " * 100
    manifest = output_to_manifest(
        store, {"output_type": "display_data", "data": {"image/png": bogus}, "metadata": {}}
    )
    assert _media_type_of(store, manifest["data"]["image/png"]) == "text/plain; charset=utf-8"


def test_charset_given_by_a_kernel_is_replaced_by_utf8(store: BlobStore) -> None:
    manifest = output_to_manifest(
        store,
        {
            "output_type": "display_data",
            "data": {"text/csv; charset=latin-1": "x" * INLINE_LIMIT},
            "metadata": {},
        },
    )
    ref = manifest["data"]["text/csv; charset=latin-1"]
    assert _media_type_of(store, ref) == "text/csv; charset=utf-8"


# -- transient display ids --------------------------------------------------------------


def test_manifest_keeps_transient_and_the_output_drops_it(store: BlobStore) -> None:
    output = {
        "output_type": "display_data",
        "data": {"text/plain": "1"},
        "metadata": {},
        "transient": {"display_id": "abc"},
    }
    h = store_output(store, output)
    manifest = load_manifest(store, h)
    assert manifest["transient"] == {"display_id": "abc"}
    assert display_id_of(manifest) == "abc"
    rebuilt = load_output(store, h)
    assert "transient" not in rebuilt
    assert rebuilt == {k: v for k, v in output.items() if k != "transient"}
    assert "transient" not in manifest_to_output(store, manifest)


@pytest.mark.parametrize(
    "manifest",
    [
        {"output_type": "display_data"},
        {"output_type": "display_data", "transient": {}},
        {"output_type": "display_data", "transient": {"display_id": ""}},
        {"output_type": "display_data", "transient": {"display_id": 7}},
        {"output_type": "display_data", "transient": "abc"},
    ],
)
def test_display_id_of_without_a_usable_id(manifest: dict) -> None:
    assert display_id_of(manifest) is None


def test_the_same_output_under_another_display_id_is_another_manifest(store: BlobStore) -> None:
    base = {"output_type": "display_data", "data": {"text/plain": "1"}, "metadata": {}}
    a = store_output(store, {**base, "transient": {"display_id": "a"}})
    b = store_output(store, {**base, "transient": {"display_id": "b"}})
    assert a != b and load_output(store, a) == load_output(store, b) == base


def test_blob_refs_finds_references_anywhere(store: BlobStore) -> None:
    big = "q" * INLINE_LIMIT
    manifest = output_to_manifest(
        store,
        {
            "output_type": "display_data",
            "data": {"text/html": big, "image/png": base64.b64encode(b"\x89PNG" * 300).decode()},
            "metadata": {"nested": [{"blob": "not a hash"}]},
        },
    )
    assert blob_refs(manifest) == {
        manifest["data"]["text/html"]["blob"],
        manifest["data"]["image/png"]["blob"],
    }
    assert blob_refs({"a": [[{"b": {"blob": "f" * 64}}]]}) == {"f" * 64}
