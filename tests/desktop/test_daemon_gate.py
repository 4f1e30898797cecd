"""The shell's daemon gate: pages wait, told why, while the shell starts the daemon; a
start that fails reaches every page as an error; instance hand-over messages are checked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from test_relay import Page, web_dir

from nbdesk.daemon.client import daemon_cli
from nbdesk.daemon.home.config import Home
from nbdesk.desktop.daemon_gate import DaemonGate, ensure_daemon
from nbdesk.desktop.instance import AppInstance, HandOverFailed, parse_open_message
from nbdesk.desktop.web_server import ShellServer

__all__ = ["web_dir"]  # a fixture


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_a_page_is_told_it_waits_for_the_daemon_then_connects(
    daemon_home: Path, web_dir: Path, http: aiohttp.ClientSession
) -> None:
    home = Home(daemon_home)
    gate = DaemonGate(home)
    server = ShellServer(home, web_dir, daemon_gate=gate)
    await server.start()
    try:
        page = await Page.open(http, server, create="1")
        status = await page.control()
        assert status == {"type": "status", "message": "Starting the nbdesk daemon…"}
        gate.start()
        connected = await page.control(timeout=40)
        assert connected["type"] == "connected" and connected["notebook_id"]
        await page.close()
        reused = await asyncio.to_thread(ensure_daemon, home)
        assert reused["pid"] == gate.wait()["pid"]  # reused, not restarted
    finally:
        await server.close()
        await asyncio.to_thread(daemon_cli.stop, home)


async def test_a_daemon_that_cannot_start_is_an_error_on_every_page(
    tmp_path: Path, web_dir: Path, http: aiohttp.ClientSession
) -> None:
    blocked = tmp_path / "home-is-a-file"
    blocked.write_text("not a directory")
    gate = DaemonGate(Home(blocked))
    server = ShellServer(Home(blocked), web_dir, daemon_gate=gate)
    await server.start()
    try:
        gate.start()
        for _ in range(2):
            page = await Page.open(http, server, create="1")
            message = await page.control()
            while message["type"] == "status":
                message = await page.control()
            assert message["type"] == "error"
            assert message["code"] == "daemon_start_failed"
            assert "nbdesk could not start" in message["message"]
            await page.wait_closed()
    finally:
        await server.close()


@pytest.mark.parametrize(
    "line",
    [b"", b"not json", b"[]", b'{"open": "x"}', b'{"open": [1]}', b'{"open": ["relative.ipynb"]}'],
)
def test_bad_hand_over_messages_are_refused(line: bytes) -> None:
    with pytest.raises(ValueError):
        parse_open_message(line)


async def test_one_instance_holds_the_lock_and_serves_hand_overs(daemon_home: Path) -> None:
    first, second = AppInstance(Home(daemon_home)), AppInstance(Home(daemon_home))
    assert first.claim()
    assert not second.claim()
    received: list[list[str]] = []
    await first.serve(received.append)
    try:
        await asyncio.to_thread(second.hand_over, ["a.ipynb"])
        assert received == [[str(Path("a.ipynb").resolve())]]
        await asyncio.to_thread(second.hand_over, [])
        assert received[-1] == []
    finally:
        await first.close()
        first.release()
    with pytest.raises(HandOverFailed):
        await asyncio.to_thread(second.hand_over, ["b.ipynb"], 0.3)
    assert second.claim()  # the lock passed on once the first let go
    second.release()
