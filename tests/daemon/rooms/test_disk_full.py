"""A full disk, for real: the notebook's folder and the daemon's home on small tmpfs
mounts (one each, or one for both), filled. Autosave and save never truncate or corrupt the `.ipynb` or the
stored document; peers are told which write failed and the edits are kept; each write
works again, unprompted and announced, once its own disk has room."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import DaemonProcess, SmallDisk, fill_disk

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.daemon.wire.errors import NbdeskError

FULL_EDIT = "typed = 'while the disk was full'"


def stored_documents(home: Path) -> list[NotebookDoc]:
    """Every document in the home, loaded (a torn one raises)."""
    return [NotebookDoc.load(p.read_bytes()) for p in (home / "docs").glob("*.automerge")]


async def broadcasts_until(
    client: NotebookClient, event: str, paths: set[str | None], timeout: float = 30
) -> dict[str | None, dict[str, Any]]:
    """The first `event` broadcast for each of `paths` (None: the daemon's own copy)."""
    seen: dict[str | None, dict[str, Any]] = {}
    while set(seen) != paths:
        message = await client.next_broadcast(event, timeout=timeout)
        assert message["path"] in paths, message
        seen.setdefault(message["path"], message)
    return seen


async def test_a_full_disk_loses_and_corrupts_nothing(
    small_disk: SmallDisk, tmp_path: Path
) -> None:
    notebooks, home_disk = small_disk("2m"), small_disk("4m")
    path = notebooks / "n.ipynb"
    daemon, client, before = await open_and_save(path, home_disk, tmp_path)
    try:
        notebook_filler, home_filler = fill_disk(notebooks), fill_disk(home_disk)
        await edit_while_full(client, daemon, path, before)

        # Each disk recovers on its own, and each write says so: first the notebook's...
        notebook_filler.unlink()
        await broadcasts_until(client, "save_recovered", {str(path)})
        assert_file_has_the_edit(path)
        # ...then the home's (the daemon's own copy of the notebook).
        home_filler.unlink()
        await broadcasts_until(client, "save_recovered", {None})
        assert_home_has_the_edit(daemon)
        await client.save()  # and an explicit save works again
        await client.close()
    finally:
        daemon.stop()
    assert daemon.proc is not None and daemon.proc.returncode == 0, daemon.stderr()[-3000:]


async def test_one_full_disk_for_both_recovers_both(small_disk: SmallDisk, tmp_path: Path) -> None:
    disk = small_disk("4m")
    path = disk / "n.ipynb"
    daemon, client, before = await open_and_save(path, disk, tmp_path)
    try:
        filler = fill_disk(disk)
        await edit_while_full(client, daemon, path, before)
        filler.unlink()
        await broadcasts_until(client, "save_recovered", {str(path), None})
        assert_file_has_the_edit(path)
        assert_home_has_the_edit(daemon)
        await client.close()
    finally:
        daemon.stop()
    assert daemon.proc is not None and daemon.proc.returncode == 0, daemon.stderr()[-3000:]


async def open_and_save(
    path: Path, home_disk: Path, tmp_path: Path
) -> tuple[DaemonProcess, NotebookClient, bytes]:
    """A daemon (its log outside the small disks), the notebook open and saved once."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("before = 1")])
    path.write_text(nbformat.writes(nb))
    daemon = DaemonProcess(home_disk / "home", stderr_file=tmp_path / "daemon.err").start()
    client = await NotebookClient.open(path, home=daemon.home)
    await client.wait_for(lambda doc: len(doc) == 1)
    client.add_cell("typed = 'before the disk filled'")
    await client.save()
    before = path.read_bytes()
    assert b"before the disk filled" in before
    return daemon, client, before


async def edit_while_full(
    client: NotebookClient, daemon: DaemonProcess, path: Path, before: bytes
) -> None:
    """Edit with the disks full: both writes fail and say so, nothing on disk is harmed."""
    cell = client.doc.cell_ids()[-1]
    client.set_source(cell, FULL_EDIT + "  # " + os.urandom(60000).hex())
    failed = await broadcasts_until(client, "save_failed", {str(path), None})
    for message in failed.values():
        assert "No space left on device" in message["message"], message
    with pytest.raises(NbdeskError) as refused:
        await client.save()
    assert "No space left on device" in str(refused.value)
    # Neither the file nor the stored document is touched, let alone truncated.
    assert path.read_bytes() == before
    nbformat.validate(nbformat.reads(before.decode(), as_version=4))
    assert stored_documents(daemon.home.root), "the document stored before is whole"
    assert not list(path.parent.rglob("*.tmp")) + list(daemon.home.root.rglob("*.tmp")), (
        "no temp file is left behind"
    )
    # The edit lives on in the daemon: another peer sees it.
    other = await NotebookClient.join(client.notebook_id, home=daemon.home)
    await other.wait_for(lambda doc: doc.cells()[-1].source.startswith(FULL_EDIT))
    await other.close()


def assert_file_has_the_edit(path: Path) -> None:
    written = nbformat.reads(path.read_text(), as_version=4)
    assert written.cells[-1].source.startswith(FULL_EDIT)


def assert_home_has_the_edit(daemon: DaemonProcess) -> None:
    assert any(
        doc.cells()[-1].source.startswith(FULL_EDIT) for doc in stored_documents(daemon.home.root)
    ), "the stored document holds the edit made while the disk was full"
