"""File → Export in the real app: the native menu, the native save dialog, and a file
that holds what the window shows (an edit typed and never saved included)."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import nbformat
import pytest
from conftest import DaemonFactory, DaemonProcess
from desktop_app import ARTIFACTS, App, display, needs_desktop, wait_until

from nbdesk.desktop.exports import EXPORT_ACTIONS, suggested_name
from nbdesk.desktop.menus import MENUS

pytestmark = needs_desktop
__all__ = ["display"]  # a fixture


@pytest.fixture
def daemon(daemon_factory: DaemonFactory) -> DaemonProcess:
    """Autosave far off, so the notebook file lacks what was typed: the export must come
    from the daemon's document, not the file."""
    return daemon_factory(NBDESK_AUTOSAVE_DELAY="600")


def test_the_file_menu_offers_every_export() -> None:
    file_items = [entry[1] for entry in dict(MENUS)["File"] if entry is not None]
    assert [a for a in file_items if a.startswith("export-")] == list(EXPORT_ACTIONS)
    assert suggested_name("/notes/q3.ipynb", "pdf") == "q3.pdf"
    assert suggested_name(None, "script") == "Untitled"  # the kernel's suffix is added


async def test_export_as_html_from_the_file_menu(
    daemon: DaemonProcess, display: str, tmp_path: Path
) -> None:
    path = tmp_path / "menu.ipynb"
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(""))
    path.write_text(nbformat.writes(notebook))
    app = App(daemon, display).start(str(path))
    target = tmp_path / "chosen.html"
    try:
        await wait_until(lambda: " ready at " in app.log())
        window = app.windows()[-1]
        app.focus(window)
        app.xdotool("type", "--delay", "20", "'typed, never saved'")
        app.xdotool("mousemove", "--window", window, "20", "12", "click", "1")
        await asyncio.sleep(0.5)
        # New Notebook, Open…, Open Recent, Save, Save As…, then Export as HTML…
        app.xdotool("key", "Down", "Down", "Down", "Down", "Down", "Down", "Return")
        await wait_until(lambda: len(app.windows()) >= 2, timeout=20)
        await asyncio.sleep(1.0)
        app.screenshot("desktop-export-dialog")
        dialog = next(w for w in app.windows() if w != window)
        app.focus(dialog)
        app.xdotool("key", "--clearmodifiers", "ctrl+a")
        app.xdotool("type", "--delay", "10", str(target))
        app.xdotool("key", "--clearmodifiers", "Return")
        await wait_until(lambda: "exported " in app.log(), timeout=60)
        assert "typed, never saved" in target.read_text()
        assert "typed, never saved" not in path.read_text()
    finally:
        app.stop()


async def test_export_as_pdf_prints_with_the_apps_own_engine(
    daemon: DaemonProcess, display: str, tmp_path: Path
) -> None:
    """File → Export as PDF… prints with Qt WebEngine: with no Chromium to fall back on
    (NBDESK_CHROMIUM points at nothing), the PDF is still written, and its page renders."""
    path = tmp_path / "printed.ipynb"
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(""))
    path.write_text(nbformat.writes(notebook))
    app = App(daemon, display, NBDESK_CHROMIUM=str(tmp_path / "no-chromium")).start(str(path))
    target = tmp_path / "chosen.pdf"
    try:
        await wait_until(lambda: " ready at " in app.log())
        window = app.windows()[-1]
        app.focus(window)
        app.xdotool("type", "--delay", "20", "'printed by the app'")
        app.xdotool("mousemove", "--window", window, "20", "12", "click", "1")
        await asyncio.sleep(0.5)
        # New Notebook, Open…, Open Recent, Save, Save As…, HTML, Script, Markdown, then PDF
        app.xdotool("key", *["Down"] * 9, "Return")
        await wait_until(lambda: len(app.windows()) >= 2, timeout=20)
        await asyncio.sleep(1.0)
        dialog = next(w for w in app.windows() if w != window)
        app.focus(dialog)
        app.xdotool("key", "--clearmodifiers", "ctrl+a")
        app.xdotool("type", "--delay", "10", str(target))
        app.xdotool("key", "--clearmodifiers", "Return")
        await wait_until(lambda: "exported " in app.log() or "failed" in app.log(), timeout=90)
        assert f"as pdf to {target}" in app.log(), app.log()
    finally:
        app.stop()
    assert target.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True)
    assert "printed by the app" in text.stdout
    png = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(target), str(png)], check=True
    )
    rendered = next(tmp_path.glob("page*.png"))
    assert rendered.stat().st_size > 2000  # a drawn page, not an empty one
    ARTIFACTS.mkdir(exist_ok=True)
    rendered.replace(ARTIFACTS / "desktop-export-pdf-page1.png")
