"""Kernels on a Jupyter server, beyond the conformance suite (test_kernels, test_widgets):
the picker, what the notebook file keeps, and the faults: a wrong token, an unreachable
server, a WebSocket cut mid-cell, a server restarted under a running cell, a server that
never answers, and rooms that close. Real `jupyter server` processes throughout; the
token, the faults under a cell and the closing rooms also on a real Enterprise Gateway."""

from __future__ import annotations

import asyncio
import getpass
import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nbformat
import pytest
from conftest import DaemonFactory, DaemonProcess
from jupyter_servers import (
    CuttableRelay,
    EnterpriseGatewayProcess,
    JupyterServerProcess,
    free_port,
)

from nbdesk.daemon.client.control_client import ControlClient
from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.home import servers
from nbdesk.daemon.wire.errors import NbdeskError

SERVER = "lab"
PICK = f"{SERVER}/python3"


ENGINES = {"jupyter server": JupyterServerProcess, "enterprise gateway": EnterpriseGatewayProcess}


@pytest.fixture(params=list(ENGINES))
def own_server(
    request: pytest.FixtureRequest, tmp_path: Path, enterprise_gateway_prerequisite: None
) -> Iterator[JupyterServerProcess]:
    """A server of this test's own, of each engine, which the test may kill and restart."""
    server = ENGINES[request.param](tmp_path / "server").start()
    yield server
    server.stop()


@pytest.fixture(params=["jupyter_server", "enterprise_gateway"])
def shared_server(request: pytest.FixtureRequest) -> JupyterServerProcess:
    """The suite's server of each engine."""
    server: JupyterServerProcess = request.getfixturevalue(request.param)
    return server


@pytest.fixture
async def relay(own_server: JupyterServerProcess) -> AsyncIterator[CuttableRelay]:
    relay = await CuttableRelay(own_server.port).start()
    yield relay
    await relay.close()


def texts(outputs: list[dict]) -> list[str]:
    return [o.get("text") or o.get("data", {}).get("text/plain") or "" for o in outputs]


async def remote_notebook(daemon: DaemonProcess, *sources: str) -> tuple[NotebookClient, list[str]]:
    client = await NotebookClient.create(home=daemon.home)
    await client.change_kernel("remote", PICK)
    with client.edit() as doc:
        ids = [doc.insert_cell(i, source=source) for i, source in enumerate(sources)]
    return client, ids


async def wait_until(check: object, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.05)


# -- the picker and the notebook file ------------------------------------------------------


async def test_the_picker_offers_a_servers_kernels_and_the_file_keeps_only_its_name(
    daemon: DaemonProcess, jupyter_server: JupyterServerProcess, tmp_path: Path
) -> None:
    servers.add(daemon.home, SERVER, jupyter_server.url, jupyter_server.token)
    client, (cell,) = await remote_notebook(daemon, "import os; os.getcwd()")
    remote = [c for c in await client.list_kernels() if c.kind == "remote"]
    offered = jupyter_server.get("api/kernelspecs")["kernelspecs"]  # type: ignore[index]
    assert sorted((c.name, c.display_name, c.language) for c in remote) == sorted(
        (
            f"{SERVER}/{name}",
            f"{spec['spec']['display_name']} on {SERVER}",
            spec["spec"]["language"],
        )
        for name, spec in offered.items()
    )
    assert [c.name for c in remote if c.current] == [PICK]
    assert {c.env for c in remote} == {jupyter_server.url}
    # the kernel runs in the server's root folder: it is the server's kernel
    cwd = texts((await client.execute(cell)).outputs)[0]
    assert cwd.strip("'") == str(jupyter_server.root / "work")
    target = tmp_path / "remote.ipynb"
    await client.save(target)
    text = target.read_text()
    nb = nbformat.reads(text, as_version=4)
    assert nb.metadata["nbdesk"]["server"] == SERVER
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert jupyter_server.token not in text and str(jupyter_server.port) not in text
    await client.close()


async def test_a_notebook_naming_a_server_runs_on_it_when_opened(
    daemon: DaemonProcess, jupyter_server: JupyterServerProcess, tmp_path: Path
) -> None:
    servers.add(daemon.home, SERVER, jupyter_server.url, jupyter_server.token)
    path = tmp_path / "named.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["nbdesk"] = {"server": SERVER}
    nb.cells = [nbformat.v4.new_code_cell("import os; os.getcwd()")]
    path.write_text(nbformat.writes(nb))
    client = await NotebookClient.open(path, home=daemon.home)
    (cell,) = [c.id for c in client.doc.cells()]
    assert texts((await client.execute(cell)).outputs)[0].strip("'") == str(
        jupyter_server.root / "work"
    )
    await client.close()


async def test_a_notebook_naming_an_unknown_server_says_how_to_add_it(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    path = tmp_path / "elsewhere.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.metadata["nbdesk"] = {"server": "gpu-box"}
    nb.cells = [nbformat.v4.new_code_cell("1+1")]
    path.write_text(nbformat.writes(nb))
    before = path.read_bytes()
    client = await NotebookClient.open(path, home=daemon.home)
    with pytest.raises(NbdeskError) as info:
        await client.launch_kernel()
    assert info.value.code == "no_such_server"
    assert "gpu-box" in info.value.message and "nbdesk server add" in info.value.message
    assert path.read_bytes() == before
    await client.change_kernel("kernelspec", "python3")  # the user picks a local one
    assert texts((await client.run("1+1")).outputs) == ["2"]
    await client.close()


# -- a server that refuses, or cannot be reached -------------------------------------------


async def test_a_wrong_token_is_named_and_a_local_kernel_still_runs(
    daemon: DaemonProcess, shared_server: JupyterServerProcess
) -> None:
    servers.add(daemon.home, SERVER, shared_server.url, "not-the-token")
    client = await NotebookClient.create(home=daemon.home)
    with pytest.raises(NbdeskError) as info:
        await client.change_kernel("remote", PICK)
    assert info.value.code == "server_refused"
    assert SERVER in info.value.message and "nbdesk server add" in info.value.message
    assert await client.get_raw_metadata("nbdesk") is None  # nothing written
    await client.change_kernel("kernelspec", "python3")
    assert texts((await client.run("6*7")).outputs) == ["42"]
    await client.close()


async def test_a_gateway_refusing_this_user_says_why(
    daemon: DaemonProcess, tmp_path: Path, enterprise_gateway_prerequisite: None
) -> None:
    """A 403 with the token accepted: the server's own reason reaches the user."""
    gateway = EnterpriseGatewayProcess(tmp_path / "eg")
    gateway.unauthorized_users = frozenset({getpass.getuser()})
    gateway.start()
    try:
        servers.add(daemon.home, SERVER, gateway.url, gateway.token)
        client = await NotebookClient.create(home=daemon.home)
        with pytest.raises(NbdeskError) as info:
            await client.change_kernel("remote", PICK)
        assert info.value.code == "server_refused"
        assert "is not authorized to start kernel" in info.value.message
        assert await client.get_raw_metadata("nbdesk") is None  # the pick was taken back
        await client.change_kernel("kernelspec", "python3")  # a local pick works at once
        assert texts((await client.run("6*7")).outputs) == ["42"]
        await client.close()
    finally:
        gateway.stop()


async def test_an_unreachable_server_is_named_and_a_local_kernel_still_runs(
    daemon: DaemonProcess,
) -> None:
    servers.add(daemon.home, "gone", f"http://127.0.0.1:{free_port()}", "t")
    client = await NotebookClient.create(home=daemon.home)
    assert not [c for c in await client.list_kernels() if c.kind == "remote"]
    with pytest.raises(NbdeskError) as info:
        await client.change_kernel("remote", "gone/python3")
    assert info.value.code == "server_unreachable"
    assert "gone" in info.value.message and "unreachable" in info.value.message
    assert texts((await client.run("6*7")).outputs) == ["42"]
    await client.close()


# -- faults under a running cell -----------------------------------------------------------

# Prints, then waits for a file to appear (so the test cuts the connection in between),
# then prints again.
WAIT_FOR_FILE = """
import os, time
print('before', flush=True)
while not os.path.exists({flag!r}):
    time.sleep(0.05)
print('after', flush=True)
"""


async def test_a_websocket_cut_mid_cell_reconnects_and_the_cell_says_so(
    daemon: DaemonProcess, own_server: JupyterServerProcess, relay: CuttableRelay, tmp_path: Path
) -> None:
    servers.add(daemon.home, SERVER, relay.url, own_server.token)
    flag = tmp_path / "go"
    client, (cell, after) = await remote_notebook(
        daemon, WAIT_FOR_FILE.format(flag=str(flag)), "print('next')"
    )
    running = (await client.request("execute_cell", cell_id=cell))["execution_id"]
    await client.wait_for(lambda doc: len(doc.outputs(cell)) >= 1, timeout=30)
    assert relay.cut() >= 1
    flag.touch()  # 'after' is printed while the socket may be down: the server buffers it
    done = await client.wait_done(running, 60)
    assert done["status"] == "ok"
    outputs = await client.outputs(cell)
    stdout = "".join(o["text"] for o in outputs if o.get("name") == "stdout")
    stderr = "".join(o["text"] for o in outputs if o.get("name") == "stderr")
    assert stdout == "before\nafter\n"
    assert "dropped" in stderr and SERVER in stderr and "reconnected" in stderr
    assert client.kernel_status in ("idle", "busy")
    assert texts((await client.execute(after)).outputs) == ["next\n"]
    await client.close()


SLEEPY = "import time\nprint('sleeping', flush=True)\ntime.sleep(60)"


async def test_a_server_restarted_under_a_cell_is_a_dead_kernel_and_a_new_one_starts(
    daemon: DaemonProcess, own_server: JupyterServerProcess
) -> None:
    servers.add(daemon.home, SERVER, own_server.url, own_server.token)
    client, (sleepy, queued) = await remote_notebook(daemon, SLEEPY, "print('later')")
    running = (await client.request("execute_cell", cell_id=sleepy))["execution_id"]
    waiting = (await client.request("execute_cell", cell_id=queued))["execution_id"]
    await client.wait_for(lambda doc: len(doc.outputs(sleepy)) >= 1, timeout=30)
    own_server.restart()  # killed, then up again on the same port: its kernels are gone
    error = await client.next_broadcast("kernel_error", timeout=60)
    assert "gone" in error["message"] and SERVER in error["message"]
    assert client.kernel_status == "dead"
    assert (await client.wait_done(running, 10))["status"] == "error"
    assert (await client.wait_done(waiting, 10))["status"] == "aborted"
    outputs = await client.outputs(sleepy)
    assert outputs[0]["text"] == "sleeping\n"  # what came before stays
    assert "gone" in outputs[-1]["text"]  # and the cell says what happened
    await client.restart()
    assert texts((await client.execute(queued)).outputs) == ["later\n"]
    assert len(own_server.kernels()) == 1
    await client.close()


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers (a server stuck or overloaded)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield listener.getsockname()[1]
    listener.close()


async def test_a_server_that_never_answers_blocks_no_other_room(
    daemon: DaemonProcess, silent_server: int
) -> None:
    servers.add(daemon.home, "stuck", f"http://127.0.0.1:{silent_server}", "t")
    waiting = await NotebookClient.create(home=daemon.home)
    pick = asyncio.create_task(waiting.change_kernel("remote", "stuck/python3"))
    other = await NotebookClient.create(home=daemon.home)
    started = time.monotonic()
    assert texts((await other.run("1+1", timeout=30)).outputs) == ["2"]
    async with await ControlClient.connect(daemon.home) as control:
        await control.status()
    assert not pick.done()  # the stuck server's room is still waiting, and only it
    assert time.monotonic() - started < 8
    with pytest.raises(NbdeskError) as info:
        await pick
    assert info.value.code == "server_unreachable" and "stuck" in info.value.message
    for client in (waiting, other):
        await client.close()


# -- the remote kernel goes when its room does ---------------------------------------------


async def test_a_closed_room_and_a_stopped_daemon_leave_no_kernel_on_the_server(
    daemon_factory: DaemonFactory, own_server: JupyterServerProcess
) -> None:
    daemon = daemon_factory(NBDESK_KEEP_ALIVE="0.5")
    servers.add(daemon.home, SERVER, own_server.url, own_server.token)
    client, (cell,) = await remote_notebook(daemon, "1")
    await client.execute(cell)
    assert len(own_server.kernels()) == 1
    await client.close()  # the room is evicted after its keep-alive
    await wait_until(lambda: own_server.kernels() == [])
    kept, (cell,) = await remote_notebook(daemon, "1")
    await kept.execute(cell)
    assert len(own_server.kernels()) == 1
    async with await ControlClient.connect(daemon.home) as control:
        await control.stop()
    await wait_until(lambda: own_server.kernels() == [])


def test_the_servers_file_is_private_and_lists_no_token(daemon: DaemonProcess) -> None:
    servers.add(daemon.home, SERVER, "https://gpu.example.org:8888/", "s3cret")
    path = Path(servers.servers_file(daemon.home))
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text())["servers"][0]["url"] == "https://gpu.example.org:8888"
