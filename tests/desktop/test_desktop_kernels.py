"""The kernel picker and an R notebook in the real app (pywebview + PySide6 under Xvfb,
driven with xdotool), with screenshots of both in artifacts/."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import DaemonProcess
from desktop_app import App, display, joined, needs_desktop, wait_until
from jupyter_servers import JupyterServerProcess

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.home import servers

pytestmark = [needs_desktop, pytest.mark.timeout(240)]
__all__ = ["display"]  # a fixture

# The picker's groups, top to bottom (web/src/ui/kernel-picker.ts).
GROUP_ORDER = ["project", "python", "kernelspec", "remote", "default"]


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def open_the_picker(app: App) -> None:
    """Command mode, then back through the toolbar to "Change kernel…" (past the Cells
    and Run menus, Settings, ⌨, History, Outline, Find, Clear all and Clear: web/src/ui/toolbar.ts),
    and Enter: the picker opens with the list focused."""
    app.xdotool("key", "--clearmodifiers", "Escape")
    for _ in range(10):
        app.xdotool("key", "--clearmodifiers", "shift+Tab")
    app.xdotool("key", "--clearmodifiers", "Return")


async def chosen_and_ready(client: NotebookClient) -> dict[str, Any]:
    """The first kernel_location saying the user's pick is ready (earlier ones pass)."""
    while True:
        event = await client.next_broadcast("kernel_location", timeout=120)
        if event["phase"] == "ready" and event["source"] == "chosen":
            return event


async def test_the_kernel_picker_in_the_app(daemon: DaemonProcess, display: str) -> None:
    app = App(daemon, display).start()
    try:
        await wait_until(lambda: len(joined(app.session())) == 1)
        await wait_until(lambda: " ready at " in app.log())
        client = await NotebookClient.join(joined(app.session())[0], home=daemon.home)
        choices = await client.list_kernels()
        first = min(choices, key=lambda choice: GROUP_ORDER.index(choice.kind))
        window = app.windows()[-1]
        app.focus(window)
        open_the_picker(app)
        await asyncio.sleep(1.0)  # let it paint before the screenshot
        app.screenshot("desktop-kernel-picker")
        # The keys reached the picker: Home and Enter choose its first kernel.
        app.xdotool("key", "--clearmodifiers", "Home")
        app.xdotool("key", "--clearmodifiers", "Return")
        ready = await chosen_and_ready(client)
        assert ready["display_name"] == first.display_name
        await client.close()
    finally:
        app.stop()


@pytest.mark.usefixtures("r_kernel_prerequisites")
async def test_an_r_notebook_in_the_app(
    daemon: DaemonProcess, display: str, tmp_path: Path
) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    nb.metadata["language_info"] = {"name": "R"}
    nb.cells.append(nbformat.v4.new_code_cell("squares <- function(n) (1:n)^2\nsquares(5)"))
    path = tmp_path / "squares.ipynb"
    nbformat.write(nb, path)

    app = App(daemon, display).start(str(path))
    try:
        await wait_until(lambda: " ready at " in app.log())
        client = await NotebookClient.open(path, home=daemon.home)
        cell = client.doc.cell_ids()[0]
        app.focus(app.windows()[-1])  # the opened notebook's first cell has the keyboard
        app.xdotool("key", "--clearmodifiers", "ctrl+Return")
        await client.wait_for(lambda doc: len(doc.outputs(cell)) == 1, 120)
        outputs = await client.outputs(cell)
        assert "1  4  9 16 25" in outputs[0]["data"]["text/plain"]
        await asyncio.sleep(1.0)  # let the output paint before the screenshot
        app.screenshot("desktop-r-notebook")
        await client.close()
    finally:
        app.stop()


async def test_a_notebook_in_the_app_runs_on_a_jupyter_servers_kernel(
    daemon: DaemonProcess, display: str, jupyter_server: JupyterServerProcess
) -> None:
    servers.add(daemon.home, "lab", jupyter_server.url, jupyter_server.token)
    app = App(daemon, display).start()
    try:
        await wait_until(lambda: len(joined(app.session())) == 1)
        await wait_until(lambda: " ready at " in app.log())
        client = await NotebookClient.join(joined(app.session())[0], home=daemon.home)
        await client.wait_for(lambda doc: len(doc.cell_ids()) == 1, 30)
        choices = await client.list_kernels()
        # The picker's order: by group, then as listed. From its last entry (End), up to
        # the server's Python kernel, and Enter.
        shown = sorted(choices, key=lambda choice: GROUP_ORDER.index(choice.kind))
        names = [choice.display_name for choice in shown]
        target = names.index("Python 3 (ipykernel) on lab")
        app.focus(app.windows()[-1])
        open_the_picker(app)
        await asyncio.sleep(1.0)  # let it list the server's kernels and paint
        app.screenshot("desktop-remote-picker")
        app.xdotool("key", "--clearmodifiers", "End")
        for _ in range(len(names) - 1 - target):
            app.xdotool("key", "--clearmodifiers", "Up")
        app.xdotool("key", "--clearmodifiers", "Return")
        ready = await chosen_and_ready(client)
        assert ready["display_name"] == "Python 3 (ipykernel) on lab"
        # The cell's source comes from the script (a peer like any window); the focus is
        # back on "Change kernel…", and "Run all" is four buttons before it.
        cell = client.doc.cell_ids()[0]
        client.set_source(
            cell, "import os, ipywidgets as w\nprint(os.getcwd())\nw.IntSlider(value=7)"
        )
        await client.list_kernels()  # a reply after the edit: the daemon has the source
        for _ in range(4):
            app.xdotool("key", "--clearmodifiers", "shift+Tab")
        app.xdotool("key", "--clearmodifiers", "Return")
        try:
            await client.wait_for(lambda doc: len(doc.outputs(cell)) == 2, 120)
            await asyncio.sleep(1.0)  # let the slider paint before the screenshot
        finally:
            app.screenshot("desktop-remote-kernel")
        printed, shown = await client.outputs(cell)
        assert printed["text"].strip() == str(jupyter_server.root / "work")
        assert WIDGET_VIEW in shown["data"]
        await client.close()
    finally:
        app.stop()
