"""A dependency build killed midway leaves nothing that is used later, on real daemons with
real uv. The build is held mid-install deterministically: the daemon's uv is pointed
(`UV_INDEX_URL`) at a local index that accepts the connection and never answers, so the
venv exists and `uv pip install` is waiting when the test kills it. Killing uv fails the
launch with uv's own words and removes the directory; killing the daemon leaves a
directory without a marker, which the next daemon rebuilds rather than runs."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import nbformat
import pytest
from conftest import DaemonFactory, DaemonProcess
from test_pools import processes_mentioning

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.envs.env import MARKER, read_env
from nbdesk.daemon.wire.errors import NbdeskError

pytestmark = pytest.mark.timeout(300)
BUILD = 240.0
SIX_FROM = "import six; print('/nbdesk-deps-' in six.__file__, six.__file__)"


class StalledIndex:
    """A package index that takes connections and never answers one."""

    def __init__(self) -> None:
        self.connected = asyncio.Event()
        self.held: list[asyncio.StreamWriter] = []

    async def _hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.held.append(writer)
        self.connected.set()


@asynccontextmanager
async def stalled_index() -> AsyncIterator[tuple[StalledIndex, str]]:
    index = StalledIndex()
    server = await asyncio.start_server(index._hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield index, f"http://127.0.0.1:{port}/simple/"
    finally:
        for writer in index.held:
            writer.close()
        server.close()


def write_notebook(path: Path, deps: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["nbdesk"] = {"uv": {"dependencies": deps}}
    nbformat.write(nb, path)
    return path


def uv_installs(daemon: DaemonProcess) -> list[int]:
    """Pids of the uv processes installing into one of this daemon's environments."""
    return [
        int(line.split(":", 1)[0])
        for line in processes_mentioning(str(daemon.home.envs))
        if " pip install " in line
    ]


async def held_mid_install(daemon: DaemonProcess, index: StalledIndex) -> tuple[int, Path]:
    """(uv's pid, the half-built directory) once uv is waiting on the index."""
    await asyncio.wait_for(index.connected.wait(), 60)
    [pid] = uv_installs(daemon)
    [building] = daemon.home.envs.glob("nbdesk-deps-*")
    assert (building / "bin" / "python").exists() and not (building / MARKER).exists()
    return pid, building


async def approved_launch(client: NotebookClient) -> asyncio.Task[dict[str, object]]:
    trust = (await client.request("get_trust"))["trust"]
    if trust["status"] != "trusted":
        await client.request("approve_trust", digest=trust["digest"])
    return asyncio.create_task(client.connection.request("launch_kernel", timeout=BUILD))


async def test_a_killed_uv_fails_the_launch_and_leaves_nothing(
    daemon_factory: DaemonFactory, tmp_path: Path
) -> None:
    async with stalled_index() as (index, url):
        daemon = daemon_factory(UV_INDEX_URL=url)
        path = write_notebook(tmp_path / "deps.ipynb", ["six"])
        async with NotebookClient.open(path, daemon.home) as client:
            launch = await approved_launch(client)
            pid, building = await held_mid_install(daemon, index)
            os.kill(pid, signal.SIGKILL)
            with pytest.raises(NbdeskError) as error:
                await launch
            assert "uv pip failed" in error.value.message, error.value.message
            assert not building.exists(), "the half-built environment is removed"
            failed = await client.next_broadcast("env_progress")
            while failed["phase"] != "failed":
                failed = await client.next_broadcast("env_progress")


async def test_a_build_cut_short_by_a_dead_daemon_is_rebuilt_not_used(
    daemon_factory: DaemonFactory, tmp_path: Path
) -> None:
    path = write_notebook(tmp_path / "deps.ipynb", ["six"])
    async with stalled_index() as (index, url):
        daemon = daemon_factory(UV_INDEX_URL=url)
        client = await NotebookClient.open(path, daemon.home)
        launch = await approved_launch(client)
        pid, building = await held_mid_install(daemon, index)
        daemon.kill()
        os.killpg(pid, signal.SIGKILL)  # uv runs in its own group and outlived the daemon
        launch.cancel()
        await asyncio.gather(launch, return_exceptions=True)
        await asyncio.gather(client.close(), return_exceptions=True)
    assert read_env(building) is None, "left behind: a directory with no marker"

    daemon = daemon_factory()  # the real index again
    async with NotebookClient.open(path, daemon.home) as client:
        assert (await client.request("get_trust"))["trust"]["status"] == "trusted"
        launch = asyncio.create_task(client.connection.request("launch_kernel", timeout=BUILD))
        progress = await client.next_broadcast("env_progress", timeout=60)
        assert progress == {
            "event": "env_progress",
            "kind": "deps",
            "phase": "building",
            "message": "installing six",
        }, "the half-built directory is rebuilt, not run"
        await launch
        result = await client.run(SIX_FROM, timeout=60)
        printed = "".join(str(o.get("text", "")) for o in result.outputs)
        assert printed.startswith("True ") and printed.split()[1].startswith(f"{building}/")
        env = read_env(building)
        assert env is not None and env.usable(), "rebuilt in place, marker written last"
