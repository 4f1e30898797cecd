"""Environment pools and hot kernels on real daemons: real `uv` venvs with ipykernel from
PyPI (through uv's cache), a conda pool installed by py-rattler from a local channel,
real kernels. Pools are off in every other test (conftest); each test here opts in."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import nbformat
import pytest
from conda_channel import make_channel
from conftest import DaemonFactory, DaemonProcess, nbdesk_cli, pid_alive

from nbdesk.daemon.client.control_client import ControlClient
from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.home.config import Home

pytestmark = pytest.mark.timeout(240)
WARM_TIMEOUT = 180.0


async def status_of(home: Home) -> dict[str, Any]:
    async with await ControlClient.connect(home) as control:
        return msgspec.to_builtins(await control.status())


async def wait_pools(
    home: Home, predicate: Callable[[dict[str, Any]], bool], timeout: float = WARM_TIMEOUT
) -> dict[str, Any]:
    """The daemon's status once its pools satisfy `predicate`."""
    deadline = time.monotonic() + timeout
    while True:
        status = await status_of(home)
        if predicate(status["pools"]):
            return status
        assert time.monotonic() < deadline, f"pools never got there: {status['pools']}"
        await asyncio.sleep(0.2)


async def run_code(client: NotebookClient, code: str, timeout: float = 120) -> str:
    with client.edit() as doc:
        cell = doc.insert_cell(len(doc), "code", code)
    outputs = (await client.execute(cell, timeout=timeout)).outputs
    assert outputs and outputs[0]["output_type"] == "stream", outputs
    return str(outputs[0]["text"]).strip()


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that mention `text` (a daemon home)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(f"{entry.name}: {cmdline}")
    return found


def cli(daemon: DaemonProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return nbdesk_cli(daemon.env, "daemon", *args, timeout=120)


async def test_uv_pool_fills_take_is_instant_replenishes_and_restart_adopts(
    daemon_factory: DaemonFactory,
) -> None:
    daemon = daemon_factory(NBDESK_POOL_UV="2")
    envs_dir = daemon.home.envs
    status = await wait_pools(daemon.home, lambda p: p["uv"]["ready"] == 2)
    pooled = status["pools"]["uv"]["envs"]
    for name in pooled:
        marker = json.loads((envs_dir / name / "nbdesk-env.json").read_text())
        assert marker["kind"] == "uv" and marker["owner"] is None and len(marker["hash"]) == 64
        assert list((envs_dir / name).rglob("ipykernel/__pycache__/*.pyc")), "bytecode compiled"

    client = await NotebookClient.create(home=daemon.home)
    prefix = Path(await run_code(client, "import sys; print(sys.prefix)"))
    # Taken, not built: the kernel's environment is one that was ready before the notebook.
    assert prefix.parent == envs_dir and prefix.name in pooled
    owned = json.loads((prefix / "nbdesk-env.json").read_text())
    assert owned["owner"] == client.notebook_id
    status = await wait_pools(daemon.home, lambda p: p["uv"]["ready"] == 2)
    refilled = status["pools"]["uv"]["envs"]
    assert prefix.name not in refilled and set(refilled) - set(pooled)
    text = cli(daemon, "status").stdout
    assert "uv     ready 2/2" in text and "hot    ready 0/0" in text and str(prefix) in text
    await client.close()
    daemon.stop()

    tampered, kept = envs_dir / refilled[0], envs_dir / refilled[1]
    marker = json.loads((tampered / "nbdesk-env.json").read_text())
    (tampered / "nbdesk-env.json").write_text(json.dumps({**marker, "hash": "0" * 64}))
    unfinished = envs_dir / "nbdesk-uv-unfinished"
    (unfinished / "bin").mkdir(parents=True)

    daemon = daemon_factory(NBDESK_POOL_UV="2", NBDESK_KEEP_ALIVE="0.5")
    status = await status_of(daemon.home)
    assert kept.name in status["pools"]["uv"]["envs"], "a valid environment is adopted at once"
    assert not tampered.exists() and not unfinished.exists()
    assert prefix.exists(), "a notebook's own environment is not the pool's to remove"
    # The notebook comes back to its own environment.
    client = await NotebookClient.join(owned["owner"], home=daemon.home)
    assert await run_code(client, "import sys; print(sys.prefix)") == str(prefix)
    await client.close()
    await wait_pools(daemon.home, lambda p: p["uv"]["ready"] == 2)
    deadline = time.monotonic() + 120
    while (await status_of(daemon.home))["rooms"]:
        assert time.monotonic() < deadline, "the room was never evicted"
        await asyncio.sleep(0.1)

    # The notebook is not open and its environment is unused: gc removes it, not the pool.
    result = cli(daemon, "gc", "--env-max-age", "0")
    assert result.returncode == 0 and prefix.name in result.stdout, result
    assert not prefix.exists() and kept.exists()


async def test_warming_failures_back_off_and_kernels_fall_back(
    daemon_factory: DaemonFactory,
) -> None:
    missing = "file:///nonexistent/nbdesk_missing-1.0-py3-none-any.whl"
    daemon = daemon_factory(
        NBDESK_POOL_UV="1", NBDESK_DEFAULT_PACKAGES=missing, NBDESK_POOL_BACKOFF="0.3"
    )
    client = await NotebookClient.create(home=daemon.home)
    progress = await client.next_broadcast("env_progress", timeout=120)
    while progress["phase"] != "failed":
        progress = await client.next_broadcast("env_progress", timeout=120)
    assert progress["kind"] == "uv" and "nonexistent" in progress["message"]
    status = await wait_pools(daemon.home, lambda p: p["uv"]["failures"] >= 3)
    pool = status["pools"]["uv"]
    assert pool["ready"] == 0 and "nonexistent" in pool["error"]
    delays = [
        float(line.split("retry in ")[1].split(" s")[0])
        for line in daemon.log().splitlines()
        if "warming failed (retry in" in line
    ]
    assert delays[:3] == [0.3, 0.6, 1.2]
    assert "last error" in cli(daemon, "status").stdout
    assert len(list(daemon.home.envs.glob("nbdesk-uv-*"))) <= 1, "failed builds are removed"
    # With no environment ready the kernel runs on the daemon's own interpreter.
    assert await run_code(client, "import sys; print(sys.prefix)") == sys.prefix
    await client.close()


async def test_notebook_dependencies_get_a_shared_environment(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    def notebook(name: str, deps: list[str]) -> Path:
        nb = nbformat.v4.new_notebook()
        nb.metadata["nbdesk"] = {"uv": {"dependencies": deps}}
        path = tmp_path / name
        nbformat.write(nb, path)
        return path

    first = await NotebookClient.open(notebook("first.ipynb", ["six"]), home=daemon.home)
    trust = (await first.request("get_trust"))["trust"]
    assert trust["status"] == "untrusted", "a notebook from elsewhere asks first"
    await first.request("approve_trust", digest=trust["digest"])
    await first.connection.request("launch_kernel", timeout=300)
    events = [await first.next_broadcast("env_progress")]
    while events[-1]["phase"] == "building":
        events.append(await first.next_broadcast("env_progress"))
    assert events[-1]["phase"] == "ready", events
    assert events[0]["message"] == "installing six"
    assert any("six" in e["message"] for e in events[1:-1]), "uv's own lines, as they come"
    where = await run_code(first, "import six, sys; print(sys.prefix, six.__file__)")
    prefix, six_file = where.split()
    [shared] = daemon.home.envs.glob("nbdesk-deps-*")
    assert six_file.startswith(f"{shared}/"), "six is in the dependency environment"
    assert Path(prefix).name.startswith("nbdesk-layer-"), "the kernel runs on its own layer"

    second = await NotebookClient.open(notebook("second.ipynb", [" six", "six"]), home=daemon.home)
    trust = (await second.request("get_trust"))["trust"]
    assert trust["status"] == "trusted", "six was approved once: remembered"
    started = time.monotonic()
    await second.connection.request("launch_kernel", timeout=300)
    assert time.monotonic() - started < 30
    where = await run_code(second, "import six, sys; print(sys.prefix, six.__file__)")
    assert where.split()[1] == six_file, "one dependency environment per set"
    assert where.split()[0] != prefix, "each notebook its own layer over it"

    value = json.dumps({"uv": {"dependencies": ["six", "iniconfig"]}})
    await second.set_raw_metadata("nbdesk", value)
    state = await second.next_broadcast("env_sync_state")
    assert state == {
        "event": "env_sync_state",
        "in_sync": False,
        "added": ["iniconfig"],
        "removed": [],
    }
    await second.set_raw_metadata("nbdesk", json.dumps({"uv": {"dependencies": ["six"]}}))
    state = await second.next_broadcast("env_sync_state")
    assert state["in_sync"] is True
    await second.set_raw_metadata("nbdesk", json.dumps({"uv": {"dependencies": ["--index-url=x"]}}))
    with pytest.raises(Exception, match="not a requirement"):
        await second.connection.request("restart_kernel", timeout=60)
    await first.close()
    await second.close()


async def test_conda_pool_from_a_local_channel(
    daemon_factory: DaemonFactory, tmp_path: Path
) -> None:
    channel = await make_channel(tmp_path / "channel")
    settings = {"NBDESK_POOL_CONDA": "1", "NBDESK_CONDA_CHANNELS": channel.as_uri()}
    daemon = daemon_factory(**settings)
    status = await wait_pools(daemon.home, lambda p: p["conda"]["ready"] == 1, 60)
    [name] = status["pools"]["conda"]["envs"]
    env = daemon.home.envs / name
    assert name.startswith("nbdesk-conda-")
    assert json.loads((env / "nbdesk-env.json").read_text())["kind"] == "conda"
    installed = {p.name.rsplit("-", 2)[0] for p in (env / "conda-meta").glob("*.json")}
    assert installed >= {"python", "ipykernel", "ipywidgets"}

    client = await NotebookClient.create(home=daemon.home)
    await client.connection.request("launch_kernel", env="conda", timeout=120)
    [room] = (await status_of(daemon.home))["rooms"]
    assert room["python"] == str(env / "bin" / "python")
    assert await run_code(client, "print(1 + 1)") == "2"
    status = await wait_pools(daemon.home, lambda p: p["conda"]["ready"] == 1, 60)
    [refilled] = status["pools"]["conda"]["envs"]
    assert refilled != name
    await client.close()
    daemon.stop()

    daemon = daemon_factory(**settings)
    assert (await status_of(daemon.home))["pools"]["conda"]["envs"] == [refilled]


async def test_hot_kernel_serves_a_new_notebook_refills_and_nothing_outlives_stop(
    daemon_factory: DaemonFactory, tmp_path: Path
) -> None:
    daemon = daemon_factory(NBDESK_POOL_UV="1", NBDESK_HOT_KERNELS="1")
    status = await wait_pools(
        daemon.home,
        lambda p: p["hot_kernels"]["ready"] == 1 and p["uv"]["ready"] == 1,
    )
    [hot_pid] = status["pools"]["hot_kernels"]["pids"]
    client = await NotebookClient.create(home=daemon.home)
    assert await run_code(client, "print(1 + 1)") == "2"
    [room] = (await status_of(daemon.home))["rooms"]
    assert room["kernel_pid"] == hot_pid and "/envs/nbdesk-uv-" in room["python"]
    status = await wait_pools(daemon.home, lambda p: p["hot_kernels"]["ready"] == 1)
    [refill_pid] = status["pools"]["hot_kernels"]["pids"]
    assert refill_pid != hot_pid
    # The room's kernel runs where an untitled notebook's kernel always ran.
    assert await run_code(client, "import os; print(os.getcwd())") == str(daemon.home.root)
    # A notebook opened from a file takes the next one, moved to the file's folder.
    path = tmp_path / "opened.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), path)
    opened = await NotebookClient.open(path, home=daemon.home)
    assert await run_code(opened, "import os; print(os.getpid(), os.getcwd())") == (
        f"{refill_pid} {tmp_path}"
    )
    await opened.close()
    await client.close()
    daemon.stop()
    assert not pid_alive(hot_pid) and not pid_alive(refill_pid)
    assert processes_mentioning(str(daemon.home.root)) == []


async def test_stopping_while_warming_leaves_no_builder_or_half_environment(
    daemon_factory: DaemonFactory,
) -> None:
    daemon = daemon_factory(NBDESK_POOL_UV="2", NBDESK_HOT_KERNELS="1")
    await wait_pools(daemon.home, lambda p: p["uv"]["warming"] == 1)
    deadline = time.monotonic() + 60
    while not processes_mentioning(str(daemon.home.envs)):
        assert time.monotonic() < deadline, "no builder ever ran"
        await asyncio.sleep(0.05)
    daemon.stop()
    assert processes_mentioning(str(daemon.home.root)) == []
    for path in daemon.home.envs.glob("nbdesk-*"):
        assert (path / "nbdesk-env.json").exists(), f"{path.name} was left half built"
