"""The daemon's settings a user changes in the settings page (keep-alive, pool sizes,
hot kernels, default packages): the environment's values until the user chooses, the
choice stored per user (0600) and read first by a daemon that starts later, applied to
the running daemon where it can be (a hot kernel starts and stops without a restart),
and bad input refused with what to do, storing nothing."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from conftest import DaemonFactory, DaemonProcess

from nbdesk.daemon.client.control_client import ControlClient
from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.home import preferences
from nbdesk.daemon.home.config import Home
from nbdesk.daemon.wire.errors import NbdeskError

# The test daemons' environment (conftest): pools off, keep-alive 30 s.
FROM_ENV = {
    "keep_alive": 30.0,
    "pool_uv": 0,
    "pool_conda": 0,
    "hot_kernels": 0,
    "default_packages": [],
}


async def hot_kernels(daemon: DaemonProcess) -> dict[str, object]:
    async with await ControlClient.connect(daemon.home) as control:
        return (await control.status()).pools["hot_kernels"]


async def wait_hot(daemon: DaemonProcess, ready: int) -> None:
    for _ in range(300):
        status = await hot_kernels(daemon)
        if status["ready"] == ready:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"hot kernels are {status}, expected {ready} ready")


async def test_settings_apply_live_persist_and_reach_every_room(
    daemon_factory: DaemonFactory,
) -> None:
    daemon = daemon_factory()
    client = await NotebookClient.create(home=daemon.home, launch=False)
    other = await NotebookClient.create(home=daemon.home, launch=False)
    reply = await client.request("get_preferences")
    assert (reply["daemon"], reply["pending_restart"]) == (FROM_ENV, [])

    chosen = {**FROM_ENV, "keep_alive": 5, "hot_kernels": 1, "default_packages": [" rich "]}
    reply = await client.request("set_daemon_settings", settings=chosen)
    stored = {**chosen, "keep_alive": 5.0, "default_packages": ["rich"]}
    assert reply["daemon"] == stored
    assert reply["pending_restart"] == ["default_packages"]  # the uv pool's package set
    event = await other.next_broadcast("daemon_settings_changed", timeout=10)
    assert (event["settings"], event["pending_restart"]) == (stored, ["default_packages"])
    path = preferences.preferences_file(daemon.home)
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text(encoding="utf-8"))["daemon"] == stored

    # A hot kernel starts in the running daemon, and stops when the user turns it off.
    await wait_hot(daemon, 1)
    hot_pid = (await hot_kernels(daemon))["pids"]
    reply = await client.request("set_daemon_settings", settings={**stored, "hot_kernels": 0})
    await wait_hot(daemon, 0)
    assert (await hot_kernels(daemon))["size"] == 0 and hot_pid
    for each in (client, other):
        await each.close()

    # A daemon started later reads the choice before its environment.
    daemon.stop()
    again = daemon_factory()
    client = await NotebookClient.create(home=again.home, launch=False)
    reply = await client.request("get_preferences")
    assert reply["daemon"] == {**stored, "hot_kernels": 0}
    assert reply["pending_restart"] == []  # the default packages are in use now
    await client.close()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"keep_alive": -1}, "keep-alive -1 s is out of range: choose from 0 to 86400 seconds"),
        ({"pool_uv": 99}, "the uv pool size 99 is out of range: choose from 0 to 8"),
        ({"hot_kernels": 5}, "the number of hot kernels 5 is out of range: choose from 0 to 4"),
        ({"default_packages": ["-e ."]}, "default packages: '-e .' is an installer option"),
        ({"pool_conda": "two"}, "Expected `int`"),
    ],
)
async def test_bad_settings_are_refused_and_store_nothing(
    daemon: DaemonProcess, change: dict[str, object], words: str
) -> None:
    client = await NotebookClient.create(home=daemon.home, launch=False)
    with pytest.raises(NbdeskError) as info:
        await client.request("set_daemon_settings", settings={**FROM_ENV, **change})
    assert words in info.value.message
    assert not preferences.preferences_file(daemon.home).exists()
    assert (await client.request("get_preferences"))["daemon"] == FROM_ENV
    await client.close()


async def test_an_unreadable_daemon_entry_costs_the_choices_not_the_start(
    daemon_factory: DaemonFactory, daemon_home: Path
) -> None:
    path = preferences.preferences_file(Home(daemon_home))
    path.write_text('{"daemon": {"pool_uv": "many"}}', encoding="utf-8")
    daemon = daemon_factory()
    assert "daemon settings from the environment" in daemon.log()
    client = await NotebookClient.create(home=daemon.home, launch=False)
    with pytest.raises(NbdeskError) as info:
        await client.request("get_preferences")
    assert str(path) in info.value.message and "fix it or remove it" in info.value.message
    reply = await client.request("set_daemon_settings", settings=FROM_ENV)
    assert reply["daemon"] == FROM_ENV
    await client.close()
