"""The trust dialog and the dependencies panel in the real app (pywebview + PySide6 under
Xvfb, driven with xdotool): a notebook from elsewhere asks first, is approved from the
keyboard and builds; the Kernel menu's "Dependencies…" opens the panel, where a package is
added. Screenshots in artifacts/."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import DaemonProcess
from desktop_app import App, display, needs_desktop, wait_until

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.desktop.menus import MENUS

pytestmark = [needs_desktop, pytest.mark.timeout(300)]
__all__ = ["display"]  # a fixture

BUILD_TIMEOUT = 240.0


async def ready_in_dependencies(client: NotebookClient) -> dict[str, Any]:
    """The first kernel_location saying the kernel is ready in the notebook's own
    environment (earlier ones, on the default, pass)."""
    while True:
        event = await client.next_broadcast("kernel_location", timeout=BUILD_TIMEOUT)
        if event["phase"] == "ready" and event["source"] == "inline_deps":
            return event


async def test_trust_dialog_and_dependencies_panel_in_the_app(
    daemon: DaemonProcess, display: str, tmp_path: Path
) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("import six\nprint(six.__version__)"))
    # tomli-w is real and installable, and two letters from tomli: the dialog flags it
    nb.metadata["nbdesk"] = {"uv": {"dependencies": ["six", "tomli-w"]}}
    path = tmp_path / "from-elsewhere.ipynb"
    nbformat.write(nb, path)

    app = App(daemon, display).start(str(path))
    try:
        await wait_until(lambda: " ready at " in app.log())
        client = await NotebookClient.open(path, home=daemon.home)
        trust = (await client.request("get_trust"))["trust"]
        assert trust["status"] == "untrusted" and trust["flagged"], trust
        window = app.windows()[-1]
        app.focus(window)
        await asyncio.sleep(1.0)  # let the dialog paint before the screenshot
        app.screenshot("desktop-trust-dialog")

        # Keyboard only: the focus is on "Open without installing"; Tab, Enter approves.
        app.xdotool("key", "--clearmodifiers", "Tab")
        app.xdotool("key", "--clearmodifiers", "Return")
        ready = await ready_in_dependencies(client)
        assert ready["display_name"], ready
        trust = (await client.request("get_trust"))["trust"]
        assert trust["status"] == "trusted", trust

        # The Kernel menu (File, then Right to it), its last item: Dependencies…
        app.focus(window)
        app.xdotool("mousemove", "--window", window, "20", "12", "click", "1")
        await asyncio.sleep(0.5)
        kernel_menu = [title for title, _ in MENUS].index("Kernel")
        app.xdotool("key", *["Right"] * kernel_menu, "Up", "Return")
        await asyncio.sleep(0.5)
        # The panel opened with its field focused: a package typed there is added.
        app.xdotool("type", "--delay", "50", "iniconfig")
        app.xdotool("key", "--clearmodifiers", "Return")

        async def has_iniconfig() -> bool:
            raw = await client.get_raw_metadata("nbdesk")
            deps = json.loads(raw or "{}").get("uv", {}).get("dependencies", [])
            return "iniconfig" in deps

        for _ in range(300):
            if await has_iniconfig():
                break
            await asyncio.sleep(0.1)
        assert await has_iniconfig(), "the panel did not add iniconfig"
        await client.next_broadcast("env_sync_state", timeout=30)
        await asyncio.sleep(1.0)  # let the panel paint
        app.screenshot("desktop-dependencies-panel")
        await client.close()
    finally:
        app.stop()
