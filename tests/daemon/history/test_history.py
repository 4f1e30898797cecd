"""A notebook's history through a real daemon: who made each change (a window, a script,
the kernel's outputs, the file on disk), marks at saves, executions and external edits,
the notebook at any point, and all of it after a daemon restart."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from conftest import DaemonFactory, DaemonProcess

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.wire.errors import NbdeskError
from nbdesk.daemon.wire.responses import HistoryPoint


def write_notebook(path: Path, sources: list[str]) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    path.write_text(nbformat.writes(nb))


def authors(points: list[HistoryPoint]) -> list[str]:
    return [str(p.author) for p in points]


async def test_authors_and_marks_are_recorded_and_survive_a_restart(
    daemon_factory: DaemonFactory, tmp_path: Path
) -> None:
    daemon = daemon_factory()
    path = tmp_path / "story.ipynb"
    write_notebook(path, ["x = 1"])
    async with NotebookClient.open(path, daemon.home) as client:
        points = await client.history()
        assert authors(points)[-1] == "file"
        assert points[-1].author_label == "the file on disk"
        cell = client.add_cell("print('from a script')")
        await client.confirm_sync()
        points = await client.history()
        assert points[-1].author == "client"
        assert points[-1].author_id == next(iter(client.doc.author_actors()))
        window = await NotebookClient._handshake(
            daemon.home, "join", notebook_id=client.notebook_id, peer="window"
        )
        window.set_source(cell, "print('from a window')")
        await window.confirm_sync()
        points = await client.history()
        assert points[-1].author == "window" and points[-1].author_label == "a window"
        await client.request("launch_kernel")
        await client.wait_for(lambda doc: doc.source(cell) == "print('from a window')")
        result = await client.execute(cell, timeout=120)
        assert result.status == "ok"
        points = await client.history()
        kernel_points = [p for p in points if p.author == "kernel"]
        assert kernel_points and "execution" in kernel_points[-1].marks
        await client.save()
        points = await client.history()
        assert "save" in points[-1].marks
        # an edit made outside nbdesk
        nb = nbformat.read(path, as_version=4)
        nb.cells[0].source = "x = 2  # edited in another editor"
        path.write_text(nbformat.writes(nb))
        await client.next_broadcast("file_changed", timeout=30)
        points = await client.history()
        assert points[-1].author == "file" and "external_edit" in points[-1].marks
        before = [str(p.author) for p in points]
        await window.close()
    daemon.stop()
    daemon = daemon_factory()
    async with NotebookClient.open(path, daemon.home) as client:
        points = await client.history()
        assert [str(p.author) for p in points][: len(before)] == before
        assert {"save", "execution", "external_edit"} <= {m for p in points for m in p.marks}


async def test_the_notebook_at_a_point_brings_back_a_deleted_cell(daemon: DaemonProcess) -> None:
    async with NotebookClient.create(daemon.home, launch=False) as client:
        keep = client.add_cell("kept = True")
        gone = client.add_cell("deleted = 'soon'")
        await client.confirm_sync()
        before = (await client.history())[-1]
        with client.edit() as doc:
            doc.delete_cell(gone)
        await client.confirm_sync()
        old = await client.notebook_at(before.heads)
        assert [c.source for c in old.cells] == ["kept = True", "deleted = 'soon'"]
        assert [c.id for c in old.cells] == [keep, gone]
        now = await client.notebook_at((await client.history())[-1].heads)
        assert [c.source for c in now.cells] == ["kept = True"]


async def test_bad_heads_are_refused(daemon: DaemonProcess) -> None:
    async with NotebookClient.create(daemon.home, launch=False) as client:
        for heads, code in ((["zz"], "bad_heads"), (["ab" * 32], "unknown_heads")):
            with pytest.raises(NbdeskError) as info:
                await client.notebook_at(heads)
            assert info.value.code == code
