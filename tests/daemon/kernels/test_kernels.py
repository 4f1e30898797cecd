"""Kernels end to end: a real daemon running real ipykernels, driven by Python clients."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import DaemonFactory, DaemonProcess, pick_kernel, pid_alive

from nbdesk.daemon.client.control_client import ControlClient
from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.wire.errors import NbdeskError


@pytest.fixture
def daemon(kernel_daemon: DaemonProcess) -> DaemonProcess:
    """The kernel tests run over a local kernel and a Jupyter server's kernel, except
    those about local processes and `nbdesk run`, which take `local_daemon`."""
    return kernel_daemon


@pytest.fixture
def local_daemon(daemon_factory: DaemonFactory) -> DaemonProcess:
    return daemon_factory()


async def wait_gone(pid: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        assert time.monotonic() < deadline, f"process {pid} is still alive"
        await asyncio.sleep(0.05)


# Says so before it sleeps: a test that interrupts or kills the kernel waits for that.
SLEEPY = "import time\nprint('sleeping', flush=True)\ntime.sleep(60)"


async def notebook(daemon: DaemonProcess, *sources: str) -> tuple[NotebookClient, list[str]]:
    client = await NotebookClient.create(home=daemon.home)
    await pick_kernel(client, daemon)
    with client.edit() as doc:
        ids = [doc.insert_cell(i, source=source) for i, source in enumerate(sources)]
    return client, ids


def texts(outputs: list[dict]) -> list[str]:
    return [
        o.get("text") or o.get("data", {}).get("text/plain") or o.get("ename", "") for o in outputs
    ]


async def test_streams_and_result_land_in_the_document(daemon: DaemonProcess) -> None:
    client, (cell,) = await notebook(
        daemon, "print('hello'); import sys; print('oops', file=sys.stderr); 40+2"
    )
    outputs = (await client.execute(cell)).outputs
    assert [(o["output_type"], o.get("name")) for o in outputs] == [
        ("stream", "stdout"),
        ("stream", "stderr"),
        ("execute_result", None),
    ]
    assert texts(outputs) == ["hello\n", "oops\n", "42"]
    assert client.doc.cell(cell).execution_count == 1
    assert outputs[2]["execution_count"] == 1
    await client.close()


async def test_consecutive_streams_coalesce_and_carriage_returns_overwrite(
    daemon: DaemonProcess,
) -> None:
    client, (loop, progress) = await notebook(
        daemon,
        "for i in range(5):\n    print(i)",
        "import sys\nfor p in (0, 50, 100):\n    sys.stdout.write(f'{p}%\\r'); sys.stdout.flush()\nprint('done')",
    )
    assert texts((await client.execute(loop)).outputs) == ["0\n1\n2\n3\n4\n"]
    assert texts((await client.execute(progress)).outputs) == ["done\n"]
    await client.close()


async def test_clear_output_now_and_on_the_next_output(daemon: DaemonProcess) -> None:
    client, (wait, now) = await notebook(
        daemon,
        "from IPython.display import clear_output\nprint('a')\nclear_output(wait=True)\nprint('b')",
        "from IPython.display import clear_output\nprint('gone')\nclear_output()",
    )
    assert texts((await client.execute(wait)).outputs) == ["b\n"]
    assert (await client.execute(now)).outputs == []
    await client.close()


async def test_display_updates_reach_every_output_with_that_id(daemon: DaemonProcess) -> None:
    client, (show, update) = await notebook(
        daemon,
        "from IPython.display import display, HTML\nh = display(HTML('<b>first</b>'), display_id='d1')\nh2 = display(HTML('<i>also d1</i>'), display_id='d1')",
        "h.update(HTML('<b>second</b>'))",
    )
    first = (await client.execute(show)).outputs
    assert [o["data"]["text/html"] for o in first] == ["<b>first</b>", "<i>also d1</i>"]
    assert all("transient" not in o for o in first)
    await client.execute(update)
    await client.wait_for(lambda doc: True)
    for _ in range(50):
        updated = await client.outputs(show)
        if all(o["data"]["text/html"] == "<b>second</b>" for o in updated):
            break
        await asyncio.sleep(0.05)
    assert [o["data"]["text/html"] for o in updated] == ["<b>second</b>", "<b>second</b>"]
    await client.close()


async def test_errors_stop_run_all(daemon: DaemonProcess) -> None:
    client, (_, boom, after) = await notebook(daemon, "x = 1", "1/0", "x = 2")
    reply = await client.request("run_all")
    statuses = [(await client.wait_done(e, 60))["status"] for e in reply["execution_ids"]]
    assert statuses == ["ok", "error", "aborted"]
    error = (await client.outputs(boom))[0]
    assert error["output_type"] == "error" and error["ename"] == "ZeroDivisionError"
    assert any("ZeroDivisionError" in line for line in error["traceback"])
    assert client.doc.cell(after).execution_count is None
    await client.close()


async def test_run_all_with_cell_ids_runs_those_cells_in_that_order(
    daemon: DaemonProcess,
) -> None:
    """Run above, below and a selection: the page names the cells, the daemon queues the
    code cells among them in the order given and skips the rest."""
    client, (first, second, third) = await notebook(daemon, "x = 1", "x = x * 10", "x + 5")
    with client.edit() as doc:
        note = doc.insert_cell(1, cell_type="markdown", source="# a note")
    reply = await client.request("run_all", cell_ids=[third, note, first])
    assert reply["cell_ids"] == [third, first]
    statuses = [(await client.wait_done(e, 60))["status"] for e in reply["execution_ids"]]
    assert statuses == ["error", "aborted"], "x is not defined when the third cell runs first"
    reply = await client.request("run_all", cell_ids=[first, second, third])
    for execution_id in reply["execution_ids"]:
        await client.wait_done(execution_id, 60)
    assert texts(await client.outputs(third)) == ["15"]

    with pytest.raises(NbdeskError) as refused:
        await client.request("run_all", cell_ids=[first, "no-such-cell"])
    assert refused.value.code == "no_such_cell"
    rerun = await client.execute(third)
    assert rerun.execution_count == 5, "nothing ran for the refused request"
    await client.close()


async def test_interrupt_stops_a_long_cell_and_clears_the_queue(daemon: DaemonProcess) -> None:
    client, (sleepy, queued) = await notebook(daemon, SLEEPY, "print('never')")
    first = (await client.request("execute_cell", cell_id=sleepy))["execution_id"]
    second = (await client.request("execute_cell", cell_id=queued))["execution_id"]
    await client.wait_for(lambda doc: len(doc.outputs(sleepy)) >= 1, timeout=30)  # asleep
    started = time.monotonic()
    await client.interrupt()
    done = await client.wait_done(first, 10)
    assert time.monotonic() - started < 5
    assert done["status"] == "error"
    assert (await client.wait_done(second, 10))["status"] == "aborted"
    assert (await client.outputs(sleepy))[-1]["ename"] == "KeyboardInterrupt"
    assert texts((await client.execute(queued)).outputs) == ["never\n"]
    await client.close()


async def test_restart_keeps_the_room_and_restarts_counts(daemon: DaemonProcess) -> None:
    client, (a, b) = await notebook(daemon, "x = 41", "x + 1")
    await client.execute(a)
    assert texts((await client.execute(b)).outputs) == ["42"]
    assert client.doc.cell(b).execution_count == 2
    room = client.notebook_id
    await client.restart()
    outputs = (await client.execute(b)).outputs
    assert outputs[0]["ename"] == "NameError"
    assert client.doc.cell(b).execution_count == 1
    assert client.notebook_id == room
    await client.close()


async def test_a_killed_kernel_is_reported_and_needs_a_restart(daemon: DaemonProcess) -> None:
    client, (pid_cell, sleepy, queued) = await notebook(
        daemon, "import os; os.getpid()", SLEEPY, "1"
    )
    kernel_pid = int(texts((await client.execute(pid_cell)).outputs)[0])
    running = (await client.request("execute_cell", cell_id=sleepy))["execution_id"]
    waiting = (await client.request("execute_cell", cell_id=queued))["execution_id"]
    await client.wait_for(lambda doc: len(doc.outputs(sleepy)) >= 1, timeout=30)  # asleep
    os.kill(kernel_pid, signal.SIGKILL)
    killed_at = time.monotonic()
    error = await client.next_broadcast("kernel_error", timeout=5)
    assert time.monotonic() - killed_at < 1.5
    assert "died" in error["message"]
    assert client.kernel_status == "dead"
    assert (await client.wait_done(running, 5))["status"] == "error"
    assert (await client.wait_done(waiting, 5))["status"] == "aborted"
    with pytest.raises(NbdeskError) as info:
        await client.execute(pid_cell)
    assert info.value.code == "no_kernel"
    await client.restart()
    assert int(texts((await client.execute(pid_cell)).outputs)[0]) != kernel_pid
    await client.close()


async def test_shutdown_leaves_no_kernel_or_child_process(local_daemon: DaemonProcess) -> None:
    client, (spawn,) = await notebook(
        local_daemon,
        "import os, subprocess\nchild = subprocess.Popen(['sleep', '300'])\n(os.getpid(), child.pid)",
    )
    kernel_pid, child_pid = eval(texts((await client.execute(spawn)).outputs)[0])
    assert pid_alive(kernel_pid) and pid_alive(child_pid)
    await client.shutdown_kernel()
    await wait_gone(kernel_pid)
    await wait_gone(child_pid)
    await client.close()


async def test_stopping_the_daemon_stops_every_kernel(local_daemon: DaemonProcess) -> None:
    pids = []
    for _ in range(2):
        client, (cell,) = await notebook(local_daemon, "import os; os.getpid()")
        pids.append(int(texts((await client.execute(cell)).outputs)[0]))
        await client.close()
    async with await ControlClient.connect(local_daemon.home) as control:
        await control.stop()
    for pid in pids:
        await wait_gone(pid)


async def test_two_peers_and_a_late_joiner_see_the_same_outputs(daemon: DaemonProcess) -> None:
    a, (cell,) = await notebook(daemon, "print('shared')\n'result'")
    b = await NotebookClient.join(a.notebook_id, home=daemon.home)
    outputs = (await a.execute(cell)).outputs
    await b.wait_for(lambda doc: len(doc.outputs(cell)) == 2)
    assert await b.outputs(cell) == outputs
    late = await NotebookClient.join(a.notebook_id, home=daemon.home)
    assert await late.outputs(cell) == outputs
    assert late.kernel_status in ("idle", "busy") or (await late.next_broadcast("kernel_status", 5))
    for client in (a, b, late):
        await client.close()


async def test_a_flood_of_output_makes_a_bounded_number_of_changes(daemon: DaemonProcess) -> None:
    client, (flood,) = await notebook(daemon, "for i in range(100_000):\n    print(i)")
    changes_before = len(client.doc._doc.get_changes([]))
    outputs = (await client.execute(flood, timeout=120)).outputs
    assert len(outputs) == 1
    lines = outputs[0]["text"].splitlines()
    assert len(lines) == 100_000 and lines[-1] == "99999"
    changes = len(client.doc._doc.get_changes([])) - changes_before
    assert changes < 400, f"{changes} document changes for one flood"
    await client.close()


async def test_completion_comes_from_the_kernel(daemon: DaemonProcess) -> None:
    client, _ = await notebook(daemon, "")
    reply = await client.complete("import os\nos.pa")
    assert "os.path" in reply.matches or "path" in reply.matches
    assert reply.cursor_end == len("import os\nos.pa")
    await client.close()


async def test_markdown_cells_are_not_executed(local_daemon: DaemonProcess) -> None:
    client = await NotebookClient.create(home=local_daemon.home)
    with client.edit() as doc:
        md = doc.insert_cell(0, "markdown", "# title")
    with pytest.raises(NbdeskError) as info:
        await client.execute(md)
    assert info.value.code == "not_code"
    await client.close()


async def test_gc_keeps_live_outputs_and_cleared_ones_the_history_shows(
    local_daemon: DaemonProcess,
) -> None:
    """Cleared outputs stay for the history's retention (collecting them after it is
    tests/daemon/history/test_history_gc.py)."""
    client, (cleared, kept) = await notebook(local_daemon, "print('x' * 5000)", "print('y' * 5000)")
    cleared_outputs = (await client.execute(cleared)).outputs
    kept_outputs = (await client.execute(kept)).outputs
    before = (await client.history())[-1]
    await client.clear_outputs(cleared)
    await client.wait_for(lambda doc: not doc.outputs(cleared))
    async with await ControlClient.connect(local_daemon.home) as control:
        await control.collect_garbage(min_age=0)
    assert await client.outputs(kept) == kept_outputs
    old = await client.notebook_at(before.heads)
    (old_cell,) = [cell for cell in old.cells if cell.id == cleared]
    assert old_cell.outputs == cleared_outputs
    result = subprocess.run(
        [sys.executable, "-m", "nbdesk.cli", "daemon", "gc", "--min-age", "0"],
        env=local_daemon.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "deleted 0 blobs" in result.stdout
    await client.close()


# The cell swaps its kernel's status publisher so that, once, the `idle` closing this
# cell comes 6 s after the reply and is preceded by one more output: what a kernel whose
# IOPub lags its shell channel looks like (a flood, a slow socket) to the daemon.
LATE_IOPUB = """
import time
kernel = get_ipython().kernel
publish = kernel._publish_status
def late_idle(status, channel, parent=None):
    if status == "idle" and channel == "shell":
        kernel._publish_status = publish
        time.sleep(6)
        kernel.session.send(
            kernel.iopub_socket, "stream", {"name": "stdout", "text": "late\\n"},
            parent=parent or kernel.get_parent(channel), ident=kernel._topic("stream"),
        )
    publish(status, channel, parent)
kernel._publish_status = late_idle
print("early")
"""


async def test_outputs_between_the_reply_and_a_late_idle_are_kept(daemon: DaemonProcess) -> None:
    client, (cell, after) = await notebook(daemon, LATE_IOPUB, "print('next')")
    assert texts((await client.execute(cell, timeout=60)).outputs) == ["early\nlate\n"]
    assert texts((await client.execute(after, timeout=60)).outputs) == ["next\n"]
    await client.close()
