"""Kernel → Run All Above in the real app (pywebview + PySide6 under Xvfb, driven with
xdotool): the native menu item reaches the page, which runs the cells above the
selected one on a real kernel, and only those."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nbformat
import pytest
from conftest import DaemonProcess
from desktop_app import App, display, joined, needs_desktop, wait_until

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.desktop.menus import MENUS

pytestmark = [needs_desktop, pytest.mark.timeout(240)]
__all__ = ["display"]  # a fixture


def menu_keys(title: str, action: str) -> tuple[int, int]:
    """(Right presses from File, Down presses from the first item) to reach `action`."""
    titles = [name for name, _ in MENUS]
    items = [entry[1] for entry in dict(MENUS)[title] if entry is not None]
    return titles.index(title), items.index(action)


async def test_run_all_above_from_the_kernel_menu(
    daemon: DaemonProcess, display: str, tmp_path: Path
) -> None:
    path = tmp_path / "above.ipynb"
    notebook = nbformat.v4.new_notebook()
    for source in ["x = 1", "x = x + 10", "print('below', x)", "print('last')"]:
        notebook.cells.append(nbformat.v4.new_code_cell(source))
    path.write_text(nbformat.writes(notebook))
    app = App(daemon, display).start(str(path))
    try:
        await wait_until(lambda: len(joined(app.session())) == 1)
        await wait_until(lambda: " ready at " in app.log())
        client = await NotebookClient.join(joined(app.session())[0], home=daemon.home)
        window = app.windows()[-1]
        app.focus(window)
        # Command mode, the third cell selected.
        app.xdotool("key", "--clearmodifiers", "Escape", "j", "j")
        app.xdotool("mousemove", "--window", window, "20", "12", "click", "1")
        await asyncio.sleep(0.5)  # the File menu opens on the click
        rights, downs = menu_keys("Kernel", "run-above")
        app.xdotool("key", *["Right"] * rights, "Home", *["Down"] * downs)
        await asyncio.sleep(0.5)
        app.screenshot("desktop-kernel-menu-run-above")
        app.xdotool("key", "Return")
        await client.wait_for(
            lambda doc: [c.execution_count for c in doc.cells()] == [1, 2, None, None],
            timeout=120,
        )
        assert all(not client.doc.outputs(cell.id) for cell in client.doc.cells()[2:])
        await client.close()
    finally:
        app.stop()
