"""`.ipynb` import and export: round trips on real notebooks, canonical bytes, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from nbdesk.daemon.blobs.manifests import ManifestOutputs, load_manifest
from nbdesk.daemon.blobs.store import BlobStore
from nbdesk.daemon.doc.ipynb import (
    export_bytes,
    export_notebook,
    import_notebook,
    load_ipynb,
    parse_ipynb,
    read_ipynb,
)
from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.daemon.wire.errors import NotebookFileError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CANONICAL = ["widgets", "images", "attachments", "errors"]


def reread(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("name", CANONICAL)
def test_canonical_fixture_exports_byte_identical(name: str, store: BlobStore) -> None:
    path = FIXTURES / f"{name}.ipynb"
    doc = load_ipynb(path, ManifestOutputs(store))
    assert export_bytes(doc, ManifestOutputs(store)) == path.read_bytes()


@pytest.mark.parametrize("name", CANONICAL)
def test_round_trip_through_saved_document(name: str, store: BlobStore) -> None:
    path = FIXTURES / f"{name}.ipynb"
    doc = NotebookDoc.load(load_ipynb(path, ManifestOutputs(store)).save())
    assert export_bytes(doc, ManifestOutputs(store)) == path.read_bytes()


def test_thousand_cells_round_trip(thousand_cell_path: Path, store: BlobStore) -> None:
    doc = load_ipynb(thousand_cell_path, ManifestOutputs(store))
    assert len(doc) == 1000
    assert doc.cell_ids()[:3] == ["code-0", "code-1", "code-2"]
    assert export_bytes(doc, ManifestOutputs(store)) == thousand_cell_path.read_bytes()


def test_legacy_notebook_gets_ids_once_and_keeps_content(tmp_path: Path, store: BlobStore) -> None:
    path = FIXTURES / "legacy_v44.ipynb"
    doc = load_ipynb(path, ManifestOutputs(store))
    first = export_bytes(doc, ManifestOutputs(store))
    exported = json.loads(first)
    assert exported["nbformat_minor"] == 5
    ids = [c["id"] for c in exported["cells"]]
    assert len(set(ids)) == 3 and all(ids)
    original = reread(path)
    for old, new in zip(
        original.cells, nbformat.reads(first.decode(), as_version=4).cells, strict=True
    ):
        assert old.source == new.source
        assert old.cell_type == new.cell_type
        assert old.get("outputs") == new.get("outputs")
    again = tmp_path / "again.ipynb"
    again.write_bytes(first)
    reloaded = load_ipynb(again, ManifestOutputs(store))
    assert [c.id for c in reloaded.cells()] == ids
    assert export_bytes(reloaded, ManifestOutputs(store)) == first


def test_wrapped_base64_survives_exactly(store: BlobStore) -> None:
    doc = load_ipynb(FIXTURES / "legacy_v44.ipynb", ManifestOutputs(store))
    code = doc.cells()[1]
    manifest = load_manifest(store, code.outputs[0])
    ref = manifest["data"]["image/png"]
    assert ref["kind"] == "binary" and ref["newlines"]
    assert store.get(ref["blob"]).startswith(b"\x89PNG")
    original = reread(FIXTURES / "legacy_v44.ipynb").cells[1].outputs[0].data["image/png"]
    assert (
        export_notebook(doc, ManifestOutputs(store)).cells[1].outputs[0].data["image/png"]
        == original
    )


def test_outputs_become_manifests_with_blobs(store: BlobStore) -> None:
    doc = load_ipynb(FIXTURES / "images.ipynb", ManifestOutputs(store))
    by_id = {c.id: c for c in doc.cells()}
    big = load_manifest(store, by_id["big-png"].outputs[0])
    assert big["data"]["image/png"]["kind"] == "binary"
    assert big["data"]["text/plain"] == "<Figure size 300x200>"
    html = load_manifest(store, by_id["html"].outputs[0])
    assert html["data"]["text/html"]["kind"] == "text"
    assert "😀" in store.get(html["data"]["text/html"]["blob"]).decode()
    errors = load_ipynb(FIXTURES / "errors.ipynb", ManifestOutputs(store))
    boom = load_manifest(store, {c.id: c for c in errors.cells()}["boom"].outputs[0])
    assert boom["ename"] == "ZeroDivisionError"
    long_stream = load_manifest(store, {c.id: c for c in errors.cells()}["long-stream"].outputs[0])
    assert long_stream["text"]["size"] == 5001


def test_metadata_attachments_and_raw_cells_survive(store: BlobStore) -> None:
    doc = load_ipynb(FIXTURES / "attachments.ipynb", ManifestOutputs(store))
    assert json.loads(doc.get_metadata("authors") or "") == [{"name": "Ada"}]
    cells = {c.id: c for c in doc.cells()}
    assert "logo.png" in (cells["md-attach"].attachments or {})
    assert cells["raw-latex"].metadata == {"format": "text/latex"}
    assert cells["raw-empty"].source == ""


def test_edit_then_export_is_valid_and_reflects_edits(store: BlobStore) -> None:
    doc = load_ipynb(FIXTURES / "errors.ipynb", ManifestOutputs(store))
    doc.splice_source("boom", 0, 0, "# edited\n")
    doc.insert_cell(0, "markdown", "new ✨")
    doc.delete_cell("empty")
    nb = nbformat.reads(export_bytes(doc, ManifestOutputs(store)).decode(), as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].source == "new ✨"
    assert [c.source for c in nb.cells if c.get("id") == "boom"] == ["# edited\n1/0"]
    assert all(c.get("id") != "empty" for c in nb.cells)


def test_import_keeps_given_notebook_id(store: BlobStore) -> None:
    nb = reread(FIXTURES / "widgets.ipynb")
    doc = import_notebook(nb, ManifestOutputs(store), notebook_id="fixed-id")  # type: ignore[arg-type]
    assert doc.notebook_id == "fixed-id"


BAD_FILES = {
    "empty": (b"", "empty"),
    "whitespace": (b"  \n", "empty"),
    "truncated": (None, "truncated"),
    "not json": (b"hello world", "not valid JSON"),
    "json list": (b"[1, 2, 3]", "not a Jupyter notebook"),
    "json object": (b'{"name": "package.json"}', "not a Jupyter notebook"),
    "future major": (
        b'{"nbformat": 5, "nbformat_minor": 0, "cells": [], "metadata": {}}',
        "not supported",
    ),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not UTF-8"),
    "bad cell": (
        b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code"}]}',
        "missing an expected key",
    ),
    "cells not a list": (
        b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": 7}',
        "unreadable notebook",
    ),
}


def test_values_the_schema_rejects_are_repaired_and_said() -> None:
    """nbformat reads this (a source that is not text, a repeated id, an unknown key),
    so it opens, repaired, with the repairs in words."""
    cell = {"cell_type": "code", "id": "a", "metadata": {}, "outputs": [], "execution_count": None}
    data = json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [{**cell, "source": 42}, {**cell, "source": "b", "by_a_plugin": 1}],
        }
    )
    nb, repairs = read_ipynb(data)
    nbformat.validate(nb)
    assert [c.source for c in nb.cells] == ["42", "b"]
    assert len(repairs) == 3 and "by_a_plugin" in repairs[2] and "'a'" in repairs[1]


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_corrupt_files_raise_clear_errors_naming_the_file(
    case: str, tmp_path: Path, store: BlobStore
) -> None:
    data, problem = BAD_FILES[case]
    if data is None:
        data = (FIXTURES / "images.ipynb").read_bytes()[:3000]
    path = tmp_path / f"{case.replace(' ', '_')}.ipynb"
    path.write_bytes(data)
    with pytest.raises(NotebookFileError) as info:
        load_ipynb(path, ManifestOutputs(store))
    assert str(path) in str(info.value)
    assert problem in str(info.value)
    assert info.value.code == "bad_notebook"
    assert path.read_bytes() == data


def test_missing_file_is_a_clear_error(tmp_path: Path, store: BlobStore) -> None:
    with pytest.raises(NotebookFileError, match="cannot read the file"):
        load_ipynb(tmp_path / "nope.ipynb", ManifestOutputs(store))


def test_parse_accepts_str_and_bytes() -> None:
    text = (FIXTURES / "widgets.ipynb").read_text(encoding="utf-8")
    assert parse_ipynb(text).cells == parse_ipynb(text.encode()).cells
