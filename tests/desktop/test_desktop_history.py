"""Time travel in the real app (pywebview + PySide6 under Xvfb): a notebook edited over
several sessions, a cell run and then deleted, brought back with its outputs from the
history panel, and the notebook compared with its last git commit. The test drives the
app's own web view over the Chrome DevTools Protocol (tests/desktop_cdp.py: real mouse
and key events); screenshots of the real window go to artifacts/.

The earlier sessions are seeded (tests/history_seed.py: changes with older change times
from a JS Automerge peer), since a test cannot wait for the 30-minute gap."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
from conftest import DaemonProcess
from desktop_app import App, display, needs_desktop, wait_until
from desktop_cdp import CdpPage
from history_seed import PastSession, seed_past_sessions

from nbdesk.daemon.client.notebook_client import NotebookClient

pytestmark = [needs_desktop, pytest.mark.timeout(300)]
__all__ = ["display"]  # a fixture

SOURCES = ["x = 1", "print('kept', 1)", "y = x + 1"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def committed_notebook(folder: Path) -> Path:
    """A notebook in a fresh git repository, committed as HEAD."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in SOURCES]
    path = folder / "travel.ipynb"
    nbformat.write(notebook, path)
    for command in (
        ["git", "init", "-q"],
        ["git", "add", "travel.ipynb"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "first"],
    ):
        subprocess.run(command, cwd=folder, check=True, timeout=30)
    return path


async def test_a_deleted_cell_comes_back_and_the_notebook_is_compared_with_git(
    daemon: DaemonProcess, display: str, tmp_path: Path
) -> None:
    path = committed_notebook(tmp_path)
    # Two earlier sessions, two and three hours ago, by another peer.
    client = await NotebookClient.open(path, home=daemon.home)
    try:
        now = time.time()
        await seed_past_sessions(
            client,
            [
                PastSession(start=now - 3 * 3600, edits=4),
                PastSession(start=now - 2 * 3600, edits=4),
            ],
        )
    finally:
        await client.close()
    port = free_port()
    app = App(daemon, display, QTWEBENGINE_REMOTE_DEBUGGING=f"127.0.0.1:{port}").start(str(path))
    page: CdpPage | None = None
    try:
        await wait_until(lambda: "travel.ipynb" in " ".join(app.window_names()), timeout=60)
        page = await CdpPage.connect(port)
        await page.wait_for("document.querySelectorAll('main .cell').length === 3")
        # This session: run the second cell, then delete it (D D in command mode).
        await page.click("main .cell:nth-child(2) .cm-content")
        await page.press("Control+Enter")
        second = "main .cell:nth-child(2)"
        await page.wait_for(
            f"document.querySelector('{second} .output')?.textContent.includes('kept 1')", 120
        )
        doomed = await page.evaluate(f"document.querySelector('{second}').dataset.cellId")
        await page.press("Escape")
        await page.press("d")
        await page.press("d")
        await page.wait_for("document.querySelectorAll('main .cell').length === 2")

        await page.click("[data-action=history]")
        await page.wait_for(
            "document.querySelectorAll('[data-history] .history-session').length >= 3"
        )
        points = "[data-history] button[data-history-point]"
        count = await page.count(points)
        await page.wait_for(
            f"document.activeElement === [...document.querySelectorAll('{points}')].at(-1)"
        )
        await page.press("Enter")
        in_past = f"[data-history-view] .cell[data-cell-id='{doomed}']"
        index = count - 1
        while True:
            await page.wait_for(
                f"document.querySelectorAll('{points}')[{index}].getAttribute('aria-current') === 'true'"
            )
            if await page.count(in_past) > 0:
                break
            index -= 1
            assert index >= 0, "no point shows the deleted cell"
            await page.press("ArrowUp")
        await page.wait_for(
            f"document.querySelector(\"{in_past} .output\")?.textContent.includes('kept 1')"
        )
        await asyncio.sleep(1.0)  # the window repaints after the DOM changed
        app.screenshot("desktop-history-past-point")
        await page.click(f"{in_past} .cell-gutter")
        await page.click("button[data-history-action=restore-cell]")
        await page.wait_for(
            f"document.querySelector(\"main .cell[data-cell-id='{doomed}'] .output\")"
            "?.textContent.includes('kept 1')"
        )
        check = await NotebookClient.open(path, home=daemon.home)
        try:
            await check.wait_for(lambda doc: doc.has_cell(doomed) and len(doc.outputs(doomed)) == 1)
        finally:
            await check.close()
        await asyncio.sleep(1.0)  # the window repaints after the DOM changed
        app.screenshot("desktop-history-restored")

        # The notebook now against its last commit: the seeded edits show as modified cells.
        await page.click("button[data-history-compare=git]")
        await page.wait_for("document.querySelector('dialog[data-compare]').open")
        assert "HEAD" in await page.text("dialog[data-compare] h2")
        await page.wait_for(
            "document.querySelectorAll('dialog[data-compare] [data-status=modified]').length > 0"
        )
        added = await page.text("dialog[data-compare] .diff-line[data-op=add]")
        assert "# session" in added, added
        await asyncio.sleep(1.0)  # the window repaints after the DOM changed
        app.screenshot("desktop-history-compare-git")
    finally:
        if page is not None:
            await page.close()
        app.stop()
