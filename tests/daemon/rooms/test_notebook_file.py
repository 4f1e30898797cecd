"""The autosaved file and its watcher: the daemon's own writes are never merged back."""

from __future__ import annotations

from pathlib import Path

from nbdesk.daemon.blobs.store import BlobStore
from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.daemon.rooms.file_binding import NotebookFile
from nbdesk.daemon.wire.ids import new_notebook_id


async def test_an_older_autosave_read_late_does_not_undo_newer_typing(
    tmp_path: Path, store: BlobStore
) -> None:
    """The watcher can read write N after write N+1 began (they overlap under load): that
    file is ours, not an external edit, so the newer text must stay."""
    doc = NotebookDoc.create(new_notebook_id())
    cell = doc.insert_cell(0, source="print(1)")
    edits: list[int] = []
    file = NotebookFile(
        tmp_path / "n.ipynb",
        doc,
        store,
        autosave_delay=60,
        on_external_edit=lambda changed, _repairs: edits.append(changed),
    )
    assert await file.write(explicit=False)
    older = file.path.read_bytes()
    doc.replace_source(cell, "print(1)  # typed after the first autosave")
    assert await file.write(explicit=False)
    file.path.write_bytes(older)  # what a late read of the first write sees
    assert await file.check_disk() == 0
    assert doc.cell(cell).source == "print(1)  # typed after the first autosave"
    assert edits == []


async def test_a_real_external_edit_is_still_merged(tmp_path: Path, store: BlobStore) -> None:
    doc = NotebookDoc.create(new_notebook_id())
    cell = doc.insert_cell(0, source="a = 1")
    edits: list[int] = []
    file = NotebookFile(
        tmp_path / "n.ipynb",
        doc,
        store,
        autosave_delay=60,
        on_external_edit=lambda changed, _repairs: edits.append(changed),
    )
    assert await file.write(explicit=False)
    text = file.path.read_text().replace("a = 1", "a = 2")
    file.path.write_text(text)
    assert await file.check_disk() == 1
    assert doc.cell(cell).source == "a = 2"
    assert edits == [1]
