"""The public client against a real daemon: nbdesk.open/create/join, typed results,
the sync wrapper, and the memory bounds of a long-lived client."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import DaemonProcess

import nbdesk
from nbdesk.daemon.client import notebook_client
from nbdesk.daemon.client.connection import BroadcastBuffer
from nbdesk.daemon.client.control_client import ControlClient


def write_notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def test_import_nbdesk_stays_cheap() -> None:
    code = "import sys, nbdesk; print(sorted(m for m in sys.modules if m.split('.')[0] in ('automerge', 'nbformat', 'aiohttp')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_open_is_awaitable_and_an_async_context(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    path = write_notebook(tmp_path / "a.ipynb", "x = 1", "x + 1")
    async with nbdesk.open(path, home=str(daemon.home.root)) as nb:
        assert [c.source for c in nb.doc.cells()] == ["x = 1", "x + 1"]
        assert nb.path == str(path.resolve())
        again = await nbdesk.open(path, home=daemon.home.root)
        assert again.notebook_id == nb.notebook_id
        await again.close()
        async with nbdesk.join(nb.notebook_id, home=daemon.home) as joined:
            assert len(joined.doc) == 2
    assert nb.connection.closed.is_set(), "leaving the block closes the client"


async def test_results_are_typed(daemon: DaemonProcess) -> None:
    async with nbdesk.create(home=daemon.home) as nb:
        result = await nb.run("print('hi'); 40 + 2")
        assert isinstance(result, nbdesk.ExecutionResult)
        assert (result.status, result.execution_count, result.ok) == ("ok", 1, True)
        assert all(isinstance(o, nbformat.NotebookNode) for o in result.outputs)
        assert result.outputs[0].output_type == "stream" and result.outputs[0].text == "hi\n"
        assert result.outputs[1].data["text/plain"] == "42"
        assert result.text == "hi\n42"

        failed = await nb.run("1 / 0")
        assert failed.status == "error" and failed.error is not None
        assert failed.error.ename == "ZeroDivisionError"

        done = await nb.run_all()
        assert [r.status for r in done] == ["ok", "error"]

        completion = await nb.complete("import os\nos.pa")
        assert isinstance(completion, nbdesk.Completion)
        assert any(m.endswith("path") for m in completion.matches)
        assert completion.cursor_end == len("import os\nos.pa")

    async with await ControlClient.connect(str(daemon.home.root)) as control:
        pong = await control.ping()
        assert isinstance(pong, nbdesk.Pong) and pong.daemon_version == nbdesk.__version__
        status = await control.status()
        assert isinstance(status, nbdesk.DaemonStatusReply) and status.home == str(daemon.home.root)


def test_the_sync_wrapper_runs_a_notebook_without_an_event_loop(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    path = write_notebook(tmp_path / "s.ipynb", "y = 20")
    with nbdesk.sync.open(path, home=daemon.home.root) as nb:
        [cell] = nb.cells()
        assert nb.execute(cell.id).ok
        result = nb.run("y * 2 + 2")
        assert result.outputs[0].data["text/plain"] == "42"
        assert nb.complete("impor").matches
        assert nb.save() == str(path.resolve())
    saved = nbformat.read(path, as_version=4)
    assert [c.source for c in saved.cells] == ["y = 20", "y * 2 + 2"]
    assert saved.cells[1].outputs[0].data["text/plain"] == "42"


def test_the_broadcast_buffer_keeps_the_newest_and_counts_the_dropped() -> None:
    buffer = BroadcastBuffer(limit=3)
    for i in range(10):
        buffer.put({"event": "queue_changed", "i": i})
    assert len(buffer) == 3 and buffer.dropped == 7
    assert [buffer.get_nowait()["i"] for _ in range(3)] == [7, 8, 9]  # type: ignore[index]
    assert buffer.get_nowait() is None


async def test_a_watching_client_keeps_bounded_state(
    daemon: DaemonProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client that only watches while another runs cells does not grow without bound."""
    monkeypatch.setattr(notebook_client, "FINISHED_LIMIT", 2)
    async with (
        nbdesk.create(home=daemon.home) as runner,
        nbdesk.join(runner.notebook_id, home=daemon.home) as watcher,
    ):
        watcher.connection.broadcasts.limit = 5
        results = [await runner.run(f"{i} * 2") for i in range(6)]
        await watcher.wait_done(results[-1].execution_id)  # the last one has arrived
        assert len(watcher._finished) <= 2, "finished executions nobody waited for: an LRU"
        assert len(watcher.connection.broadcasts) <= 5
        assert watcher.connection.broadcasts.dropped > 0
