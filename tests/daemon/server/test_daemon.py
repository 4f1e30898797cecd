"""The daemon end to end: real processes, real sockets, Python clients and a JS peer."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from conftest import DaemonFactory, DaemonProcess
from js_peer import RelayedJsPeer, ensure_peer_built

from nbdesk.daemon.client.connection import DaemonNotRunning
from nbdesk.daemon.client.control_client import ControlClient
from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.doc.automerge_doc import SyncPeer
from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.daemon.home.config import Home
from nbdesk.daemon.wire.errors import NbdeskError
from nbdesk.daemon.wire.framing import PREAMBLE, FrameType, encode_frame
from nbdesk.daemon.wire.messages import encode

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def copy_fixture(name: str, folder: Path) -> Path:
    target = folder / f"{name}.ipynb"
    shutil.copy(FIXTURES / f"{name}.ipynb", target)
    return target


async def wait_until(predicate, timeout: float = 10.0, step: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(step)


async def test_two_python_clients_and_a_js_peer_converge(daemon: DaemonProcess) -> None:
    a = await NotebookClient.create(home=daemon.home)
    with a.edit() as doc:
        cell = doc.insert_cell(0, source="print('hé 😀')")
    await a.confirm_sync()
    b = await NotebookClient.join(a.notebook_id, home=daemon.home)
    js = await RelayedJsPeer.start(ensure_peer_built(), NotebookDoc.empty())
    assert isinstance(js, RelayedJsPeer)
    await js.join(daemon.home, a.notebook_id)
    try:
        await wait_until_js_has(js, a.doc.heads_hex())
        after_emoji = len("print('hé 😀".encode("utf-16-le")) // 2
        await js.request("splice", cell_id=cell, index=after_emoji, delete=0, text="J")
        await js.request(
            "insert_cell", index=0, cell_id="jsjsjsjs", cell_type="markdown", source="# js"
        )
        with a.edit() as doc:
            doc.splice_source(cell, 0, 0, "A")
        with b.edit() as doc:
            doc.insert_cell(1, source="from b")
        for _ in range(100):
            await a.confirm_sync()
            await b.confirm_sync()
            snapshot = await js.snapshot()
            if a.doc.heads_hex() == b.doc.heads_hex() == snapshot["heads"]:
                break
            await asyncio.sleep(0.02)
        assert a.doc.heads_hex() == b.doc.heads_hex() == snapshot["heads"]
        assert a.doc.cells() == b.doc.cells()
        assert a.doc.source(cell) == "Aprint('hé 😀J')"
        assert [c["id"] for c in snapshot["cells"]] == a.doc.cell_ids()
        assert a.doc.cell_ids()[0] == "jsjsjsjs"
    finally:
        await js.leave()
        await a.close()
        await b.close()


async def wait_until_js_has(js: RelayedJsPeer, heads: list[str]) -> None:
    for _ in range(200):
        if (await js.snapshot())["heads"] == heads:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the JS peer never synced")


async def test_late_joiner_gets_the_full_document(daemon: DaemonProcess) -> None:
    a = await NotebookClient.create(home=daemon.home)
    with a.edit() as doc:
        for i in range(50):
            doc.insert_cell(i, source=f"cell {i} ünï")
    await a.confirm_sync()
    late = await NotebookClient.join(a.notebook_id, home=daemon.home)
    assert late.doc.cells() == a.doc.cells()
    assert len(late.doc) == 50
    await a.close()
    await late.close()


async def test_opening_the_same_path_twice_joins_one_room(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    path = copy_fixture("errors", tmp_path)
    a = await NotebookClient.open(path, home=daemon.home)
    b = await NotebookClient.open(tmp_path / "." / "errors.ipynb", home=daemon.home)
    assert a.notebook_id == b.notebook_id
    with a.edit() as doc:
        doc.splice_source("boom", 0, 0, "# from a\n")
    await b.wait_for(lambda doc: doc.source("boom").startswith("# from a"))
    async with await ControlClient.connect(daemon.home) as control:
        rooms = await control.list_rooms()
    assert len(rooms) == 1 and rooms[0].peers == 2 and rooms[0].path == str(path)
    await a.close()
    await b.close()


async def test_save_writes_canonical_ipynb(daemon: DaemonProcess, tmp_path: Path) -> None:
    path = copy_fixture("images", tmp_path)
    client = await NotebookClient.open(path, home=daemon.home)
    with client.edit() as doc:
        doc.insert_cell(0, "markdown", "# added ✨", cell_id="added")
    assert await client.save() == str(path)
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].source == "# added ✨" and nb.cells[0].id == "added"
    data = path.read_bytes()
    assert data == (nbformat.writes(nb) + "\n").encode()
    await client.close()


async def test_untitled_save_needs_a_path(daemon: DaemonProcess) -> None:
    client = await NotebookClient.create(home=daemon.home)
    with pytest.raises(NbdeskError) as info:
        await client.save()
    assert info.value.code == "no_path"
    await client.close()


async def test_save_as_rebinds_in_place_and_refuses_an_owned_path(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    untitled = await NotebookClient.create(home=daemon.home)
    watcher = await NotebookClient.join(untitled.notebook_id, home=daemon.home)
    with untitled.edit() as doc:
        doc.insert_cell(0, source="x = 1")
    target = tmp_path / "saved.ipynb"
    assert await untitled.save(target) == str(target)
    changed = await watcher.next_broadcast("path_changed")
    assert changed["path"] == str(target) and watcher.path == str(target)
    assert nbformat.read(target, as_version=4).cells[0].source == "x = 1"

    other_path = copy_fixture("widgets", tmp_path)
    other = await NotebookClient.open(other_path, home=daemon.home)
    with pytest.raises(NbdeskError) as info:
        await untitled.save(other_path)
    assert info.value.code == "path_in_use"
    assert nbformat.read(other_path, as_version=4).cells[0].id == "imports"

    same_room = await NotebookClient.open(target, home=daemon.home)
    assert same_room.notebook_id == untitled.notebook_id
    second = tmp_path / "renamed.ipynb"
    await untitled.save(second)
    reopened = await NotebookClient.open(target, home=daemon.home)
    assert reopened.notebook_id != untitled.notebook_id
    for client in (untitled, watcher, other, same_room, reopened):
        await client.close()


async def test_autosave_writes_edits_and_skips_identical_bytes(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    path = copy_fixture("errors", tmp_path)
    client = await NotebookClient.open(path, home=daemon.home)
    with client.edit() as doc:
        doc.splice_source("streams", 0, 0, "# autosaved\n")
    await wait_until(lambda: "# autosaved" in path.read_text())
    first = path.stat().st_mtime_ns
    await client.set_raw_metadata("kernelspec", await client.get_raw_metadata("kernelspec") or "{}")
    with client.edit() as doc:
        doc.splice_source("streams", 0, 1, "#")
    await client.confirm_sync()
    heads = ",".join(head[:12] for head in client.doc.heads_hex())
    await wait_until(lambda: f"autosave of {path} at heads {heads} skipped" in daemon.log())
    assert path.stat().st_mtime_ns == first
    await client.close()


async def test_autosave_never_writes_an_empty_notebook_over_cells(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    path = copy_fixture("widgets", tmp_path)
    before = path.read_bytes()
    client = await NotebookClient.open(path, home=daemon.home)
    with client.edit() as doc:
        for cell_id in doc.cell_ids():
            doc.delete_cell(cell_id)
    await client.confirm_sync()
    await wait_until(lambda: f"not autosaving an empty notebook over {path}" in daemon.log())
    assert path.read_bytes() == before
    await client.save()
    assert nbformat.read(path, as_version=4).cells == []
    await client.close()


async def test_external_edit_is_merged_and_announced(daemon: DaemonProcess, tmp_path: Path) -> None:
    path = copy_fixture("errors", tmp_path)
    client = await NotebookClient.open(path, home=daemon.home)
    with client.edit() as doc:
        doc.splice_source("boom", 0, 0, "# mine\n")
    await wait_until(lambda: "# mine" in path.read_text())
    with pytest.raises(TimeoutError):
        await client.next_broadcast("file_changed", timeout=0.8)
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = "print('edited elsewhere')"
    del nb.cells[3]
    nb.cells.append(nbformat.v4.new_markdown_cell("appended elsewhere", id="external"))
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    event = await client.next_broadcast("file_changed", timeout=10)
    assert event["path"] == str(path) and event["cells_changed"] == 3
    await client.wait_for(lambda doc: doc.has_cell("external"))
    assert client.doc.source("streams") == "print('edited elsewhere')"
    assert client.doc.source("boom") == "# mine\n1/0"
    assert not client.doc.has_cell("empty")
    assert client.doc.cell_ids()[-1] == "external"
    await client.close()


async def test_confirmed_edits_survive_kill_9(daemon_factory: DaemonFactory) -> None:
    daemon = daemon_factory(NBDESK_PERSIST_DELAY="5")
    client = await NotebookClient.create(home=daemon.home)
    with client.edit() as doc:
        cell = doc.insert_cell(0)
    confirmed = ""
    for i in range(200):
        with client.edit() as doc:
            doc.splice_source(cell, len(doc.source(cell)), 0, f"{i},")
        if i % 40 == 39:
            await client.confirm_sync()
            confirmed = client.doc.source(cell)
    daemon.kill()
    await client.close()
    restarted = daemon_factory()
    again = await NotebookClient.join(client.notebook_id, home=restarted.home)
    assert again.doc.source(cell).startswith(confirmed)
    assert len(confirmed) > 0
    await again.close()


async def test_untitled_notebooks_survive_a_restart(daemon_factory: DaemonFactory) -> None:
    daemon = daemon_factory()
    client = await NotebookClient.create(home=daemon.home)
    with client.edit() as doc:
        doc.insert_cell(0, source="kept across restarts")
    await client.confirm_sync()
    await client.close()
    daemon.stop()
    restarted = daemon_factory()
    again = await NotebookClient.join(client.notebook_id, home=restarted.home)
    assert [c.source for c in again.doc.cells()] == ["kept across restarts"]
    await again.close()


async def test_rooms_without_peers_are_evicted_after_keep_alive(
    daemon_factory: DaemonFactory,
) -> None:
    daemon = daemon_factory(NBDESK_KEEP_ALIVE="0.5")
    client = await NotebookClient.create(home=daemon.home)
    with client.edit() as doc:
        doc.insert_cell(0, source="evict me")
    await client.confirm_sync()
    await client.close()
    async with await ControlClient.connect(daemon.home) as control:
        assert len(await control.list_rooms()) == 1
        for _ in range(60):
            if not await control.list_rooms():
                break
            await asyncio.sleep(0.1)
        assert await control.list_rooms() == []
    again = await NotebookClient.join(client.notebook_id, home=daemon.home)
    assert again.doc.cells()[0].source == "evict me"
    await again.close()


async def test_a_returning_peer_cancels_eviction(daemon_factory: DaemonFactory) -> None:
    daemon = daemon_factory(NBDESK_KEEP_ALIVE="0.6")
    client = await NotebookClient.create(home=daemon.home)
    await client.close()
    again = await NotebookClient.join(client.notebook_id, home=daemon.home)
    # A room left after the first one is evicted (the positive signal): had the rejoin not
    # cancelled the first room's eviction, that would have come sooner.
    later = await NotebookClient.create(home=daemon.home)
    await later.close()
    async with await ControlClient.connect(daemon.home) as control:
        for _ in range(100):
            rooms = [r.notebook_id for r in await control.list_rooms()]
            if later.notebook_id not in rooms:
                break
            await asyncio.sleep(0.1)
        assert rooms == [client.notebook_id]
    await again.close()


def test_two_daemons_started_at_once_leave_exactly_one(daemon_home: Path) -> None:
    env = {**os.environ, "NBDESK_HOME": str(daemon_home)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "nbdesk.daemon", "--quiet"],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    try:
        # The losers exit once they see the lock: wait for those exits (three interpreters
        # importing at once on a busy 2-core machine can take well over 20 s).
        deadline = time.monotonic() + 120
        while sum(p.poll() is None for p in procs) > 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        running = [p for p in procs if p.poll() is None]
        assert len(running) == 1
        exited = [p for p in procs if p.poll() is not None]
        assert all(p.returncode == 0 for p in exited)
        assert all("already running" in (p.stdout.read() if p.stdout else "") for p in exited)
        info = json.loads((daemon_home / "daemon.json").read_text())
        assert info["pid"] == running[0].pid
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait(20)


def test_socket_is_private_and_a_stale_socket_is_replaced(
    daemon_factory: DaemonFactory, daemon_home: Path
) -> None:
    run_dir = daemon_home / "run"
    run_dir.mkdir(mode=0o700)
    (run_dir / "daemon.sock").write_text("stale socket from a crashed daemon")
    daemon = daemon_factory()
    assert stat.S_IMODE(os.stat(daemon.home.socket).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(run_dir).st_mode) == 0o700
    assert stat.S_ISSOCK(os.stat(daemon.home.socket).st_mode)
    info = json.loads(daemon.home.info.read_text())
    assert {"pid", "version", "socket", "blob_url", "started_at"} <= set(info)


async def test_requests_on_the_document(daemon: DaemonProcess) -> None:
    client = await NotebookClient.create(home=daemon.home)
    with client.edit() as doc:
        cell = doc.insert_cell(0, source="1", outputs=["f" * 64], execution_count=3)
    await client.set_raw_metadata("kernelspec", '{"name": "python3"}')
    assert json.loads(await client.get_raw_metadata("kernelspec") or "") == {"name": "python3"}
    assert await client.get_raw_metadata("nothing") is None
    with pytest.raises(NbdeskError) as info:
        await client.set_raw_metadata("bad", "{not json")
    assert info.value.code == "bad_json"
    snapshot = NotebookDoc.load(await client.get_doc_bytes())
    assert snapshot.cell(cell).outputs == ("f" * 64,)
    await client.clear_outputs(cell)
    await client.wait_for(lambda doc: doc.cell(cell).outputs == ())
    assert client.doc.cell(cell).execution_count is None
    await client.close()


async def test_required_heads_the_daemon_never_gets_time_out(daemon_factory: DaemonFactory) -> None:
    daemon = daemon_factory(NBDESK_REQUIRED_HEADS_TIMEOUT="0.5")
    client = await NotebookClient.create(home=daemon.home)
    with pytest.raises(NbdeskError) as info:
        await client.connection.request("get_raw_metadata", key="k", required_heads=["ab" * 32])
    assert info.value.code == "required_heads_timeout"
    await client.close()


async def test_stop_flushes_every_room(daemon: DaemonProcess, tmp_path: Path) -> None:
    path = copy_fixture("errors", tmp_path)
    client = await NotebookClient.open(path, home=daemon.home)
    with client.edit() as doc:
        doc.splice_source("boom", 0, 0, "# flushed at stop\n")
    await client.confirm_sync()
    async with await ControlClient.connect(daemon.home) as control:
        await control.stop()
    assert daemon.proc is not None
    daemon.proc.wait(20)
    assert "# flushed at stop" in path.read_text()
    assert not daemon.home.socket.exists()


async def test_opening_a_corrupt_notebook_is_refused_and_the_file_kept(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    path = tmp_path / "broken.ipynb"
    path.write_bytes(b'{"cells": [')
    with pytest.raises(NbdeskError) as info:
        await NotebookClient.open(path, home=daemon.home)
    assert info.value.code == "bad_notebook" and str(path) in str(info.value)
    assert path.read_bytes() == b'{"cells": ['
    ok = await NotebookClient.create(home=daemon.home)
    await ok.close()


async def test_a_clear_error_when_no_daemon_runs(tmp_path: Path) -> None:
    with pytest.raises(DaemonNotRunning, match="no nbdesk daemon is running"):
        await NotebookClient.create(home=Home(tmp_path / "nowhere"))


def test_cli_start_status_stop(daemon_home: Path) -> None:
    env = {**os.environ, "NBDESK_HOME": str(daemon_home)}
    nbdesk = [sys.executable, "-m", "nbdesk.cli", "daemon"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*nbdesk, *args], env=env, capture_output=True, text=True, timeout=60)

    assert run("status").returncode == 1
    started = run("start")
    assert started.returncode == 0 and "running" in started.stdout
    again = run("start")
    assert again.returncode == 0 and again.stdout == started.stdout
    status = run("status", "--json")
    assert (
        json.loads(status.stdout)["pid"]
        == json.loads((daemon_home / "daemon.json").read_text())["pid"]
    )
    assert "listening" in run("logs").stdout
    assert run("stop").stdout.strip() == "nbdesk daemon stopped"
    assert run("status").returncode == 1
    assert run("stop").stdout.strip() == "nbdesk daemon was not running"


async def test_a_peer_that_cannot_keep_up_is_disconnected(daemon_factory: DaemonFactory) -> None:
    daemon = daemon_factory(NBDESK_PEER_QUEUE_BYTES=str(4 * 1024 * 1024))
    writer_client = await NotebookClient.create(home=daemon.home)
    with writer_client.edit() as doc:
        doc.insert_cell(0, source="".join(chr(0x4E00 + b % 2000) for b in os.urandom(400_000)))
    await writer_client.confirm_sync()

    _unread, writer = await asyncio.open_unix_connection(str(daemon.home.socket))
    writer.transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    writer.write(
        PREAMBLE
        + encode_frame(
            FrameType.REQUEST,
            encode({"id": 1, "op": "join", "notebook_id": writer_client.notebook_id}),
        )
    )
    i_have_nothing = NotebookDoc.empty().generate_sync_message(SyncPeer())
    assert i_have_nothing is not None
    for _ in range(40):
        writer.write(encode_frame(FrameType.DOC_SYNC, i_have_nothing))
        await writer.drain()
        await asyncio.sleep(0.02)
    await wait_until(lambda: "cannot keep up" in daemon.log(), timeout=20)
    writer.close()

    with writer_client.edit() as doc:
        doc.insert_cell(1, source="still served")
    await writer_client.confirm_sync()
    late = await NotebookClient.join(writer_client.notebook_id, home=daemon.home)
    assert [c.source for c in late.doc.cells()][1] == "still served"
    await late.close()
    await writer_client.close()
