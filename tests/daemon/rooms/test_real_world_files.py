"""Notebooks as real tools leave them, through a real daemon: one nbformat reads but does
not validate opens with a visible warning and is saved repaired; only an unreadable one
is refused; an external edit of a notebook without cell ids keeps every cell it did not
change (matched by content and position)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import DaemonProcess
from playwright.async_api import Browser, expect

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.wire.errors import NbdeskError
from nbdesk.desktop.web_server import ShellServer


def notebook_json(*sources: str, minor: int = 4, ids: bool = False) -> dict[str, Any]:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    raw: dict[str, Any] = json.loads(nbformat.writes(nb))
    raw["nbformat_minor"] = minor
    if not ids:
        for cell in raw["cells"]:
            del cell["id"]
    return raw


def invalid_but_readable() -> dict[str, Any]:
    """What tools write: cell ids in a 4.4 file, unknown keys, a missing `outputs`, a
    malformed output and metadata nbformat's schema rejects."""
    raw = notebook_json("a = 1", "print(a)", "# notes", ids=True)
    raw["cells"][0]["collapsed_by_newer_tool"] = True
    raw["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout"}]  # no text
    del raw["cells"][2]["outputs"]
    raw["metadata"]["kernelspec"] = {"name": "python3"}  # no display_name
    raw["extension_state"] = {"x": 1}
    return raw


async def wait_for_file(path: Path, check: Any, timeout: float = 20) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            if check(path.read_text()):
                return
        except (OSError, ValueError, nbformat.ValidationError):
            pass
        assert loop.time() < deadline, f"{path} never became what was expected"
        await asyncio.sleep(0.05)


def valid_with_sources(text: str, sources: list[str]) -> bool:
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    return nb.nbformat_minor == 5 and [c.source for c in nb.cells] == sources


async def test_an_invalid_but_readable_notebook_opens_warned_and_is_saved_repaired(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps(invalid_but_readable()))
    with pytest.raises(nbformat.ValidationError):
        nbformat.validate(nbformat.reads(path.read_text(), as_version=nbformat.NO_CONVERT))
    client = await NotebookClient.open(path, home=daemon.home)
    try:
        warning = await client.next_broadcast("file_repaired")
        assert warning["path"] == str(path)
        said = " ".join(warning["repairs"])
        for word in ("extension_state", "collapsed_by_newer_tool", "kernelspec", "output"):
            assert word in said, said
        await client.wait_for(lambda doc: len(doc) == 3)
        assert [c.source for c in client.doc.cells()] == ["a = 1", "print(a)", "# notes"]
        await wait_for_file(
            path, lambda text: valid_with_sources(text, ["a = 1", "print(a)", "# notes"])
        )
        saved = nbformat.reads(path.read_text(), as_version=4)
        assert [c.id for c in saved.cells] == [c.id for c in client.doc.cells()]
        # A second peer is told as well (it may have missed the first broadcast).
        again = await NotebookClient.open(path, home=daemon.home)
        assert (await again.next_broadcast("file_repaired"))["repairs"] == warning["repairs"]
        await again.close()
    finally:
        await client.close()


@pytest.mark.usefixtures("browser_prerequisites")
async def test_the_page_shows_the_repair_warning(
    browser: Browser, shell: ShellServer, tmp_path: Path
) -> None:
    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps(invalid_but_readable()))
    page = await browser.new_page()
    await page.goto(shell.page_url(open=str(path)))
    message = page.locator("[data-message]")
    await expect(message).to_contain_text(
        "was not a valid notebook and was repaired", timeout=20_000
    )
    await expect(message).to_contain_text("extension_state")
    await expect(message).to_have_attribute("data-kind", "error")
    await page.close()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"cells": [{"cell_type": "code", "sour', "not valid JSON"),
        (b"\xff\xfe not text", "not UTF-8"),
        (b'{"nbformat": 4, "nbformat_minor": 4, "cells": 7, "metadata": {}}', "notebook"),
    ],
)
async def test_only_an_unreadable_file_is_refused(
    daemon: DaemonProcess, tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "broken.ipynb"
    path.write_bytes(content)
    with pytest.raises(NbdeskError) as refused:
        await NotebookClient.open(path, home=daemon.home)
    assert refused.value.code == "bad_notebook" and problem in str(refused.value)
    assert path.read_bytes() == content, "a refused file is left as it was"


async def test_an_external_edit_without_cell_ids_changes_only_the_cells_it_changed(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    sources = [f"x{i} = {i}" for i in range(6)]
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(notebook_json(*sources)))  # nbformat 4.4, no ids: valid
    client = await NotebookClient.open(path, home=daemon.home)
    try:
        await client.wait_for(lambda doc: len(doc) == 6)
        ids = [c.id for c in client.doc.cells()]
        # Another tool (an old Jupyter, a script) rewrites the file, still without ids:
        # one cell edited, one inserted, one deleted.
        edited = [*sources[:2], "x2 = 'edited'", "inserted = True", *sources[3:5]]
        path.write_text(json.dumps(notebook_json(*edited)))
        changed = await client.next_broadcast("file_changed")
        assert changed["cells_changed"] == 3, changed
        await client.wait_for(lambda doc: [c.source for c in doc.cells()] == edited)
        after = [c.id for c in client.doc.cells()]
        assert after[:3] == ids[:3], "the edited cell and those before it keep their ids"
        assert after[4:] == ids[3:5] and after[3] not in ids
    finally:
        await client.close()
