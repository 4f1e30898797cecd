"""`compare` through a real daemon: the notebook now against a history point, its file
on disk and a git revision, cell by cell; and the clear errors outside git, for an
unknown revision and for an untitled notebook."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from conftest import DaemonFactory, DaemonProcess

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.wire.enums import CompareKind
from nbdesk.daemon.wire.errors import NbdeskError
from nbdesk.daemon.wire.requests import CompareSide
from nbdesk.daemon.wire.responses import CellDiff

NOW = CompareSide(kind=CompareKind.NOW)


def write_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    out = nbformat.v4.new_output("stream", name="stdout", text="saved output\n")
    nb.cells = [
        nbformat.v4.new_code_cell("a = 1\nprint(a)\n", outputs=[out]),
        nbformat.v4.new_code_cell("b = 2"),
    ]
    path.write_text(nbformat.writes(nb))


def statuses(cells: list[CellDiff]) -> list[str]:
    return [str(c.status) for c in cells]


def git(repo: Path, *args: str) -> None:
    exe = shutil.which("git")
    assert exe is not None, "git is needed for the git comparisons"
    subprocess.run(
        [exe, "-c", "user.email=t@example.com", "-c", "user.name=T", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


async def test_now_against_an_earlier_point(daemon: DaemonProcess) -> None:
    async with NotebookClient.create(daemon.home, launch=False) as client:
        first = client.add_cell("x = 1\ny = 2\n")
        second = client.add_cell("gone = True")
        await client.confirm_sync()
        point = (await client.history())[-1]
        client.set_source(first, "x = 10\ny = 2\n")
        with client.edit() as doc:
            doc.delete_cell(second)
        third = client.add_cell("new = 3")
        await client.confirm_sync()
        result = await client.compare(CompareSide(kind=CompareKind.HEADS, heads=point.heads), NOW)
        assert result.left_label == "this point" and result.right_label == "now"
        assert statuses(result.cells) == ["modified", "removed", "added"]
        modified, removed, added = result.cells
        assert modified.cell_id == first and removed.cell_id == second and added.cell_id == third
        assert [(str(d.op), d.text) for d in modified.source_lines] == [
            ("-", "x = 1"),
            ("+", "x = 10"),
            (" ", "y = 2"),
        ]
        assert (removed.left_index, removed.right_index) == (1, None)


async def test_now_against_the_file_and_git(daemon_factory: DaemonFactory, tmp_path: Path) -> None:
    daemon = daemon_factory(NBDESK_AUTOSAVE_DELAY="3600")  # the file keeps what was saved
    repo = tmp_path / "repo"
    repo.mkdir()
    path = repo / "work.ipynb"
    write_notebook(path)
    git(repo, "init", "-q")
    git(repo, "add", "work.ipynb")
    git(repo, "commit", "-qm", "first")
    async with NotebookClient.open(path, daemon.home) as client:
        first, _ = client.doc.cell_ids()
        await client.clear_outputs(first)
        client.set_source(first, "a = 1\nprint(a * 2)\n")
        await client.confirm_sync()
        for side, label in (
            (CompareSide(kind=CompareKind.FILE), "work.ipynb on disk"),
            (CompareSide(kind=CompareKind.GIT), "work.ipynb at HEAD"),
        ):
            result = await client.compare(side, NOW)
            assert result.left_label == label
            assert statuses(result.cells) == ["modified", "unchanged"]
            changed = result.cells[0]
            assert ("-", "print(a)") in [(str(d.op), d.text) for d in changed.source_lines]
            assert changed.outputs_changed and changed.right_outputs == []
            assert ("-", "[stdout] saved output") in [
                (str(d.op), d.text) for d in changed.output_lines
            ]
            (stored,) = changed.left_outputs  # the file's output, stored as a manifest
            assert json.loads(await client.fetch_blob(stored))["output_type"] == "stream"
        with pytest.raises(NbdeskError) as info:
            await client.compare(CompareSide(kind=CompareKind.GIT, rev="no-such-rev"), NOW)
        assert info.value.code == "no_such_revision" and "no commit 'no-such-rev'" in str(
            info.value
        )


async def test_git_and_file_sides_need_a_file_in_a_repository(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    path = tmp_path / "loose.ipynb"
    write_notebook(path)
    async with NotebookClient.open(path, daemon.home) as client:
        with pytest.raises(NbdeskError) as info:
            await client.compare(CompareSide(kind=CompareKind.GIT), NOW)
        assert info.value.code == "not_in_git" and "not in a git repository" in str(info.value)
    async with NotebookClient.create(daemon.home, launch=False) as client:
        for kind in (CompareKind.FILE, CompareKind.GIT):
            with pytest.raises(NbdeskError) as info:
                await client.compare(CompareSide(kind=kind), NOW)
            assert info.value.code == "no_path" and "no file yet" in str(info.value)
