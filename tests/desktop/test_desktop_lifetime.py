"""The app's lifetime in real windows: one instance per user, a daemon of another version
replaced after it flushed, the startup watchdog, Cmd-W, the save-as dialog, the menus."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from conftest import DaemonProcess
from desktop_app import ROOT, App, display, joined, needs_desktop, wait_until

from nbdesk.daemon.client import daemon_cli
from nbdesk.daemon.client.control_client import ControlClient
from nbdesk.daemon.client.notebook_client import NotebookClient

pytestmark = needs_desktop
__all__ = ["display"]  # a fixture


def write_notebook(path: Path, source: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(source))
    path.write_text(nbformat.writes(notebook))
    return path


async def test_a_second_launch_hands_its_paths_to_the_running_app(
    daemon: DaemonProcess, display: str, tmp_path: Path
) -> None:
    first = write_notebook(tmp_path / "first.ipynb", "1")
    second = write_notebook(tmp_path / "second.ipynb", "2")
    app = App(daemon, display).start(str(first))
    try:
        await wait_until(lambda: "first.ipynb" in app.window_names())
        handed = App(daemon, display).launch(str(second))
        assert handed.returncode == 0, handed.stderr
        assert "already running" in handed.stdout
        await wait_until(lambda: "second.ipynb" in app.window_names())
        assert not app.exited()
        app.screenshot("desktop-single-instance")
    finally:
        app.stop()


async def test_a_daemon_of_another_version_is_replaced_after_it_flushed(
    daemon_home: Path, display: str, tmp_path: Path
) -> None:
    # A copy of the package whose version says 0.0.9, first on PYTHONPATH.
    old_code = tmp_path / "old"
    shutil.copytree(ROOT / "nbdesk", old_code / "nbdesk", symlinks=False)
    init = old_code / "nbdesk" / "__init__.py"
    init.write_text(init.read_text().replace('__version__ = "0.1.0"', '__version__ = "0.0.9"'))
    settings = DaemonProcess(daemon_home)  # only for its environment and home
    old = subprocess.Popen(
        [sys.executable, "-m", "nbdesk.daemon", "--quiet"],
        cwd=old_code,
        env={**settings.env, "PYTHONPATH": str(old_code), "NBDESK_PERSIST_DELAY": "5"},
    )
    app = App(settings, display)
    try:
        daemon_cli.wait_until_serving(settings.home, old)
        client = await NotebookClient.create(home=settings.home)
        assert client.daemon_version == "0.0.9"
        with client.edit() as doc:
            doc.insert_cell(0, source="kept across the upgrade")
        await client.confirm_sync()  # in the old daemon's memory; persisted on its stop
        notebook_id = client.notebook_id
        await client.close()

        app.start()
        await wait_until(lambda: old.poll() is not None, timeout=40)
        await wait_until(lambda: len(joined(app.session())) == 1, timeout=40)
        async with await ControlClient.connect(settings.home) as control:
            assert (await control.status()).version == "0.1.0"
        assert "replacing daemon 0.0.9" in app.log()
        again = await NotebookClient.join(notebook_id, home=settings.home)
        assert [cell.source for cell in again.doc.cells()] == ["kept across the upgrade"]
        await again.close()
    finally:
        app.stop()
        if old.poll() is None:
            old.kill()
        await asyncio.to_thread(daemon_cli.stop, settings.home)


async def test_a_page_that_never_loads_becomes_a_clear_error(
    daemon: DaemonProcess, display: str, tmp_path: Path
) -> None:
    dead = tmp_path / "dead-web"
    dead.mkdir()
    (dead / "index.html").write_text("<!doctype html><title>nbdesk</title><p>no script here")
    app = App(daemon, display, NBDESK_WEB_DIR=str(dead), NBDESK_WINDOW_TIMEOUT="2").start()
    try:
        await wait_until(lambda: "nbdesk: window failed to load" in app.window_names())
        assert "did not load within 2 seconds" in app.log()
        assert not app.exited()
        app.screenshot("desktop-watchdog")
    finally:
        app.stop()


async def test_ctrl_w_hands_edits_over_and_the_last_window_ends_the_app(
    daemon: DaemonProcess, display: str
) -> None:
    app = App(daemon, display).start()
    try:
        await wait_until(lambda: len(joined(app.session())) == 1)
        await wait_until(lambda: "window" in app.log() and " ready at " in app.log())
        notebook_id = joined(app.session())[0]
        window = app.windows()[-1]
        app.focus(window)
        app.xdotool("type", "--delay", "20", "x = 42")
        app.xdotool("key", "--clearmodifiers", "ctrl+w")
        await wait_until(app.exited, timeout=15)
        assert app.proc is not None and app.proc.returncode == 0
        client = await NotebookClient.join(notebook_id, home=daemon.home)
        assert [cell.source for cell in client.doc.cells()] == ["x = 42"]
        await client.close()
    finally:
        app.stop()


async def test_save_as_writes_through_the_native_dialog(
    daemon: DaemonProcess, display: str, tmp_path: Path
) -> None:
    app = App(daemon, display).start()
    target = tmp_path / "chosen"
    try:
        await wait_until(lambda: " ready at " in app.log())
        notebook_window = app.windows()[-1]
        app.focus(notebook_window)
        app.xdotool("type", "--delay", "20", "'saved'")
        app.xdotool("key", "--clearmodifiers", "ctrl+shift+s")
        await wait_until(lambda: len(app.windows()) >= 2, timeout=20)
        await asyncio.sleep(1.0)
        app.screenshot("desktop-save-as-dialog")
        dialog = next(w for w in app.windows() if w != notebook_window)
        app.focus(dialog)
        app.xdotool("key", "--clearmodifiers", "ctrl+a")
        app.xdotool("type", "--delay", "10", str(target))
        app.xdotool("key", "--clearmodifiers", "Return")
        saved = tmp_path / "chosen.ipynb"  # .ipynb appended
        await wait_until(saved.exists, timeout=20)
        assert nbformat.read(saved, as_version=4).cells[0].source == "'saved'"
        await wait_until(lambda: "chosen.ipynb" in app.window_names(), timeout=20)
        app.screenshot("desktop-saved-as")
    finally:
        app.stop()


async def test_the_file_menu_opens_a_new_notebook(daemon: DaemonProcess, display: str) -> None:
    app = App(daemon, display).start()
    try:
        await wait_until(lambda: len(joined(app.session())) == 1)
        await wait_until(lambda: " ready at " in app.log())
        window = app.windows()[-1]
        app.focus(window)
        app.xdotool("mousemove", "--window", window, "20", "12", "click", "1")
        await asyncio.sleep(0.5)
        app.screenshot("desktop-file-menu")
        app.xdotool("key", "Down", "Return")  # the first item: New Notebook
        await wait_until(lambda: len(joined(app.session())) == 2, timeout=30)
    finally:
        app.stop()


async def test_many_new_and_closed_windows_do_not_crash_the_app(
    daemon: DaemonProcess, display: str
) -> None:
    """Closed windows' Qt objects once died on a non-GUI thread and aborted the app
    ("Cannot make QOpenGLContext current in a different thread") within a few rounds."""
    app = App(daemon, display).start()
    try:
        await wait_until(lambda: " ready at " in app.log())
        first = app.windows()[-1]
        for round_ in range(10):
            app.focus(first)
            app.xdotool("key", "--clearmodifiers", "ctrl+n")
            ready = round_ + 2
            await wait_until(lambda r=ready: app.log().count(" ready at ") == r, timeout=30)
            opened = next(w for w in app.windows() if w != first)
            app.focus(opened)
            app.xdotool("key", "--clearmodifiers", "ctrl+w")
            await wait_until(lambda w=opened: w not in app.windows(), timeout=15)
            assert not app.exited(), f"the app ended after {round_ + 1} rounds"
    finally:
        app.stop()
