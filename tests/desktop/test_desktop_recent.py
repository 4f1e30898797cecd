"""File → Open Recent in the real app (pywebview + PySide6 under Xvfb, driven with
xdotool): a notebook opened in one launch is offered by the next, started fresh with no
session, and opening it from the menu opens its window."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from conftest import DaemonProcess
from desktop_app import App, display, needs_desktop, wait_until

from nbdesk.daemon.home.config import Home
from nbdesk.desktop.recent import RecentNotebooks

pytestmark = [needs_desktop, pytest.mark.timeout(180)]
__all__ = ["display"]  # a fixture


def write_notebook(path: Path) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell("'recent'"))
    nbformat.write(notebook, path)
    return path


async def test_open_recent_on_a_fresh_start(
    daemon: DaemonProcess, display: str, tmp_path: Path
) -> None:
    notebook = write_notebook(tmp_path / "lately.ipynb")
    first = App(daemon, display).start(str(notebook))
    try:
        await wait_until(lambda: "lately.ipynb" in first.window_names())
    finally:
        first.stop()
    assert [e.path for e in RecentNotebooks(Home(daemon.home.root)).entries()] == [notebook]

    (daemon.home.root / "session.json").unlink()  # a fresh start: no windows to restore
    readies = first.log().count(" ready at ")
    app = App(daemon, display).start()
    try:
        await wait_until(lambda: app.log().count(" ready at ") > readies)
        [window] = app.windows()
        assert "lately.ipynb" not in app.window_names()
        app.focus(window)
        # File (the menu bar's first title), then past New Notebook and Open… to Open
        # Recent, into its submenu, and its first notebook.
        app.xdotool("mousemove", "--window", window, "20", "10", "click", "1")
        for key in ("Down", "Down", "Down", "Right"):
            app.xdotool("key", "--clearmodifiers", key)
        app.screenshot("desktop-open-recent")
        app.xdotool("key", "--clearmodifiers", "Return")
        await wait_until(lambda: "lately.ipynb" in app.window_names())
        assert len(app.windows()) == 2
    finally:
        app.stop()
