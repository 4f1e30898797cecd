"""Real windows: the nbdesk app (pywebview + PySide6) under Xvfb, driven with xdotool.

Screenshots go to artifacts/. Skipped where pywebview, Xvfb or xdotool is missing.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DaemonProcess

from daemon.client import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("webview") is None
    or shutil.which("Xvfb") is None
    or shutil.which("xdotool") is None
    or not (ROOT / "web" / "dist" / "app.js").exists(),
    reason="needs pywebview[pyside6], Xvfb, xdotool and the web build",
)


@pytest.fixture
def display() -> Iterator[str]:
    number = 90 + os.getpid() % 9
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        assert time.monotonic() < deadline, "Xvfb did not start"
        time.sleep(0.05)
    yield f":{number}"
    server.terminate()
    server.wait(10)


class App:
    def __init__(self, daemon: DaemonProcess, display: str) -> None:
        self.env = {
            **daemon.env,
            "DISPLAY": display,
            "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox --disable-gpu",
        }
        self.home = daemon.home
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, *paths: str) -> App:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "desktop.cli", *paths],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return self

    def xdotool(self, *args: str) -> str:
        return subprocess.run(
            ["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=20
        ).stdout

    def windows(self) -> list[str]:
        return self.xdotool("search", "--onlyvisible", "--name", ".").split()

    def session(self) -> list[dict[str, str]]:
        try:
            return json.loads((self.home.root / "session.json").read_text())["windows"]
        except (OSError, ValueError, KeyError):
            return []

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        subprocess.run(
            ["import", "-window", "root", str(ARTIFACTS / f"{name}.png")],
            env=self.env,
            timeout=30,
            check=False,
        )

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


async def wait_until(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.1)


def joined(entries: list[dict[str, str]]) -> list[str]:
    return [entry["join"] for entry in entries if "join" in entry]


async def test_the_app_runs_a_cell_opens_windows_and_restores_them(
    daemon: DaemonProcess, display: str
) -> None:
    app = App(daemon, display).start()
    try:
        await wait_until(lambda: len(joined(app.session())) == 1)
        notebook_id = joined(app.session())[0]
        client = await NotebookClient.join(notebook_id, home=daemon.home)
        with client.edit() as doc:
            cell = doc.insert_cell(0, source="1+1")
        await client.confirm_sync()
        await asyncio.sleep(1.0)
        window = app.windows()[-1]
        app.xdotool("windowfocus", "--sync", window)
        app.xdotool("mousemove", "--window", window, "400", "95", "click", "1")
        await asyncio.sleep(0.5)
        app.xdotool("key", "--clearmodifiers", "shift+Return")
        await client.wait_for(lambda doc: len(doc.outputs(cell)) == 1, timeout=30)
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
        await asyncio.sleep(2.0)
        assert sorted(joined(relaunched.session())) == before
        relaunched.screenshot("desktop-restored")
        again = await NotebookClient.join(notebook_id, home=daemon.home)
        assert again.doc.cells()[0].source == "1+1"  # Shift-Enter added one below
        await again.close()
    finally:
        relaunched.stop()
