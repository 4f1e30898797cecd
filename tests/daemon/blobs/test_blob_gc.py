"""Garbage collection: what notebooks reference is kept, old unreferenced blobs go."""

from __future__ import annotations

import base64
import logging
import os
import time

import pytest

from nbdesk.daemon.blobs.gc import (
    GcReport,
    collect_garbage,
    expand_references,
    output_hashes,
    referenced_hashes,
)
from nbdesk.daemon.blobs.manifests import INLINE_LIMIT, load_output, store_output
from nbdesk.daemon.blobs.store import BlobStore
from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.daemon.wire.ids import NotebookId

DAY = 86_400


def image_output(raw: bytes) -> dict:
    return {
        "output_type": "display_data",
        "metadata": {},
        "data": {"image/png": base64.b64encode(raw).decode(), "text/plain": "<Figure>"},
    }


def html_output(text: str) -> dict:
    return {
        "output_type": "display_data",
        "metadata": {},
        "data": {"text/html": text + " " * INLINE_LIMIT},
    }


def notebook(name: str, *cell_outputs: list[str]) -> NotebookDoc:
    doc = NotebookDoc.create(NotebookId(name))
    for index, outputs in enumerate(cell_outputs):
        doc.insert_cell(index, "code", f"cell {index}", outputs=outputs)
    return doc


def age_everything(store: BlobStore, seconds: float = DAY) -> None:
    store.flush()
    then = time.time() - seconds
    for path in store.root.rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


def blob_files(store: BlobStore) -> set[str]:
    return {p.parent.name + p.name for p in store.root.rglob("*") if p.is_file()}


def test_a_blob_shared_by_two_notebooks_outlives_one_of_them(store: BlobStore) -> None:
    shared = store_output(store, image_output(b"shared image" * 100))
    only_b = store_output(store, html_output("only in b"))
    a = notebook("a", [shared])
    b = notebook("b", [shared, only_b])
    age_everything(store)
    both = referenced_hashes(store, [a, b])
    assert collect_garbage(store, both).deleted == 0

    report = collect_garbage(store, referenced_hashes(store, [a]))  # b was removed
    assert report.deleted == 2  # b's manifest and its HTML blob
    assert load_output(store, shared) == image_output(b"shared image" * 100)
    assert not store.contains(only_b)
    assert report.kept == len(store.hashes()) == 2  # the shared manifest and its PNG


def test_unreferenced_old_blobs_and_their_media_types_are_deleted(store: BlobStore) -> None:
    kept = store_output(store, html_output("kept"))
    orphans = [
        store.put(f"orphan {i}".encode() * 50, "text/plain; charset=utf-8") for i in range(5)
    ]
    age_everything(store)
    referenced = referenced_hashes(store, [notebook("n", [kept])])
    report = collect_garbage(store, referenced)
    assert report == GcReport(
        deleted=5, kept=2, bytes_freed=sum(len(f"orphan {i}".encode()) * 50 for i in range(5))
    )
    assert not any(store.contains(h) for h in orphans)
    assert blob_files(store) == {h for h in store.hashes()} | {h + ".type" for h in store.hashes()}
    assert load_output(store, kept) == html_output("kept")


def test_young_blobs_are_kept(store: BlobStore) -> None:
    old = store.put(b"old and unreferenced")
    age_everything(store)
    young = store.put(b"written just now, not in any document yet")
    report = collect_garbage(store, set())
    assert report == GcReport(deleted=1, kept=1, bytes_freed=len(b"old and unreferenced"))
    assert store.contains(young) and not store.contains(old)


def test_a_min_age_of_zero_collects_everything_unreferenced(store: BlobStore) -> None:
    store.put(b"one")
    store.put(b"two")
    store.flush()
    time.sleep(0.01)
    assert collect_garbage(store, set(), min_age_seconds=0).deleted == 2
    assert store.hashes() == []


def test_a_blob_put_again_is_young_again(store: BlobStore) -> None:
    reused = store.put(b"the same plot again")
    age_everything(store)
    assert store.put(b"the same plot again") == reused  # a new output, not yet in a document
    assert collect_garbage(store, set()).deleted == 0
    assert store.contains(reused)


def test_pending_blobs_are_flushed_before_collecting(store: BlobStore) -> None:
    pending = [store.put(bytes([i]) * 50_000) for i in range(10)]
    report = collect_garbage(store, set())
    assert report == GcReport(deleted=0, kept=10, bytes_freed=0)
    assert all(store.get(h) == bytes([i]) * 50_000 for i, h in enumerate(pending))


def test_comm_outputs_count_as_references(store: BlobStore) -> None:
    in_widget = store_output(store, html_output("inside an Output widget"))
    doc = notebook("w")
    doc.put_comm("comm-1", "jupyter.widget", "@jupyter-widgets/output", "OutputModel", "{}")
    doc.set_comm_outputs("comm-1", [in_widget])
    age_everything(store)
    referenced = referenced_hashes(store, [doc])
    assert in_widget in referenced and len(referenced) == 2
    assert collect_garbage(store, referenced).deleted == 0
    assert load_output(store, in_widget) == html_output("inside an Output widget")


def test_references_are_found_in_stream_error_and_json_outputs(store: BlobStore) -> None:
    outputs = [
        {"output_type": "stream", "name": "stdout", "text": "x" * INLINE_LIMIT},
        {"output_type": "error", "ename": "E", "evalue": "", "traceback": ["t" * INLINE_LIMIT]},
        {
            "output_type": "execute_result",
            "execution_count": 1,
            "metadata": {},
            "data": {"application/json": {"k": "v" * INLINE_LIMIT}},
        },
    ]
    hashes = [store_output(store, o) for o in outputs]
    age_everything(store)
    doc = notebook("n", hashes)
    assert output_hashes([doc]) == set(hashes)
    assert len(referenced_hashes(store, [doc])) == 6
    assert collect_garbage(store, referenced_hashes(store, [doc])).deleted == 0
    assert [load_output(store, h) for h in hashes] == outputs


def test_a_missing_or_broken_manifest_does_not_stop_collection(
    store: BlobStore, caplog: pytest.LogCaptureFixture
) -> None:
    good = store_output(store, html_output("fine"))
    not_json = store.put(b"\xff\xfe not a manifest")
    not_an_object = store.put(b"[1, 2, 3]")
    missing = "e" * 64
    orphan = store.put(b"nobody wants me")
    age_everything(store)
    doc = notebook("n", [missing, not_json, good, not_an_object, "not-a-hash"])
    with caplog.at_level(logging.WARNING, logger="nbdesk.daemon.blobs.gc"):
        referenced = referenced_hashes(store, [doc])
    assert {missing, not_json, not_an_object, good} <= referenced
    assert "not-a-hash" not in referenced
    assert sum("cannot read manifest" in r.message for r in caplog.records) == 3

    report = collect_garbage(store, referenced)
    assert report.deleted == 1 and not store.contains(orphan)
    assert store.contains(not_json) and store.contains(not_an_object)
    assert load_output(store, good) == html_output("fine")


def test_expand_references_reads_each_manifest_from_any_source(store: BlobStore) -> None:
    manifest = store_output(store, html_output("from a persisted document"))
    referenced = expand_references(store, [manifest, manifest])
    assert manifest in referenced and len(referenced) == 2


def test_documents_survive_a_save_and_load_before_collection(store: BlobStore) -> None:
    output = store_output(store, image_output(b"persisted" * 200))
    saved = notebook("p", [output]).save()
    age_everything(store)
    report = collect_garbage(store, referenced_hashes(store, [NotebookDoc.load(saved)]))
    assert report.deleted == 0
    assert load_output(store, output) == image_output(b"persisted" * 200)
