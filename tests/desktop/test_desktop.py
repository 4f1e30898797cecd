"""Real windows: the nbdesk app (pywebview + PySide6) under Xvfb, driven with xdotool.

Screenshots go to artifacts/. Without pywebview, Xvfb or xdotool the tests fail, saying how
to install them.
"""

from __future__ import annotations

import asyncio

from conftest import DaemonProcess
from desktop_app import App, display, joined, needs_desktop, wait_until

from nbdesk.daemon.client.notebook_client import NotebookClient

pytestmark = needs_desktop
__all__ = ["display"]  # a fixture


async def test_the_app_runs_a_cell_opens_windows_and_restores_them(
    daemon: DaemonProcess, display: str
) -> None:
    app = App(daemon, display).start()
    try:
        await wait_until(lambda: len(joined(app.session())) == 1)
        await wait_until(lambda: " ready at " in app.log())  # its first empty cell is in
        notebook_id = joined(app.session())[0]
        client = await NotebookClient.join(notebook_id, home=daemon.home)
        # The page said ready once it added the cell; the cell may still be on its way here.
        await client.wait_for(lambda doc: len(doc.cell_ids()) == 1, 30)
        window = app.windows()[-1]
        app.focus(window)  # a new notebook's first cell has the keyboard: type and run it
        app.xdotool("type", "--delay", "20", "1+1")
        app.xdotool("key", "--clearmodifiers", "shift+Return")
        try:
            await client.wait_for(lambda doc: len(doc.outputs(doc.cell_ids()[0])) == 1, 30)
        finally:
            app.screenshot("desktop-first-window")
        cell = client.doc.cell_ids()[0]
        assert client.doc.cells()[0].source == "1+1"
        assert (await client.outputs(cell))[0]["data"]["text/plain"] == "2"
        await asyncio.sleep(0.5)
        app.screenshot("desktop-first-window")

        app.xdotool("key", "--clearmodifiers", "ctrl+n")
        await wait_until(lambda: len(joined(app.session())) == 2)
        await asyncio.sleep(1.0)
        app.screenshot("desktop-second-window")
        before = sorted(joined(app.session()))
        await client.close()
    finally:
        app.stop()

    relaunched = App(daemon, display).start()
    try:
        await wait_until(lambda: len(relaunched.windows()) >= 2)
        await wait_until(lambda: sorted(joined(relaunched.session())) == before)
        relaunched.screenshot("desktop-restored")
        again = await NotebookClient.join(notebook_id, home=daemon.home)
        assert again.doc.cells()[0].source == "1+1"  # Shift-Enter added one below
        await again.close()
    finally:
        relaunched.stop()
