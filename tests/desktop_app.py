"""The nbdesk app as a test drives it: a private Xvfb display, the app process (pywebview +
PySide6), xdotool for keys and windows, and screenshots into artifacts/."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from conftest import DaemonProcess

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"

needs_desktop = pytest.mark.usefixtures("desktop_prerequisites")


@pytest.fixture
def display() -> Iterator[str]:
    """A private Xvfb; it picks a free display number itself (`-displayfd`), so tests in
    parallel workers never share one."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(write_end,),
    )
    os.close(write_end)
    with os.fdopen(read_end) as announced:
        number = announced.readline().strip()
    assert number.isdigit(), "Xvfb did not start"
    yield f":{number}"
    server.terminate()
    server.wait(10)


class App:
    """One launch of `nbdesk` on the test's display and the daemon's home."""

    def __init__(self, daemon: DaemonProcess, display: str, **env: str) -> None:
        self.env = {
            **daemon.env,
            "DISPLAY": display,
            "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox --disable-gpu",
            **env,
        }
        self.home = daemon.home
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, *paths: str) -> App:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nbdesk.cli", *paths],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return self

    def launch(self, *paths: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        """Run `nbdesk` to completion (a second launch), returning its output."""
        return subprocess.run(
            [sys.executable, "-m", "nbdesk.cli", *paths],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def log(self) -> str:
        try:
            return (self.home.root / "logs" / "app.log").read_text()
        except OSError:
            return ""

    def window_names(self) -> list[str]:
        return [self.xdotool("getwindowname", w).strip() for w in self.windows()]

    def focus(self, window: str) -> None:
        self.xdotool("windowactivate", "--sync", window)
        self.xdotool("windowfocus", "--sync", window)

    def exited(self) -> bool:
        return self.proc is not None and self.proc.poll() is not None

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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DevTools:
    """The app's pages over the Chrome DevTools Protocol (Qt WebEngine serves it when the
    app runs with `QTWEBENGINE_REMOTE_DEBUGGING`): what a window computes, read directly."""

    def __init__(self) -> None:
        self.port = free_port()

    @property
    def env(self) -> dict[str, str]:
        return {"QTWEBENGINE_REMOTE_DEBUGGING": f"127.0.0.1:{self.port}"}

    async def pages(self) -> list[dict[str, Any]]:
        url = f"http://127.0.0.1:{self.port}/json/list"
        async with aiohttp.ClientSession() as session, session.get(url) as reply:
            return [p for p in await reply.json() if p.get("type") == "page"]

    async def evaluate(self, expression: str) -> Any:
        """`expression`'s value in the notebook window (the first page the app shows)."""
        pages = [p for p in await self.pages() if "token=" in p.get("url", "")]
        assert pages, "no notebook window over DevTools"
        url = pages[0]["webSocketDebuggerUrl"]
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as socket_:
            await socket_.send_json(
                {
                    "id": 1,
                    "method": "Runtime.evaluate",
                    "params": {"expression": expression, "returnByValue": True},
                }
            )
            async for message in socket_:
                reply = json.loads(message.data)
                if reply.get("id") == 1:
                    return reply["result"]["result"].get("value")
        raise AssertionError("DevTools closed before answering")

    async def wait_for(self, expression: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if await self.evaluate(expression) is True:
                    return
            except (aiohttp.ClientError, AssertionError):
                pass  # the window is still starting
            assert time.monotonic() < deadline, f"{expression} never held"
            await asyncio.sleep(0.1)
